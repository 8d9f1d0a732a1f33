//! `giftdeck replay` end to end: fixture captures in `tests/data/` (made by our own encoder, checked
//! here against it) run through the real binary; what it prints is what a script would read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use giftdeck::capture::{CaptureReader, encode_records, encode_timed_records};
use giftdeck::testkit::frames::{
    BatchSpec, Compression, EventSpec, EventSpecKind, GiftSpec, MessageSpec, encode_batch,
    encode_msg_frame, encode_server_frame,
};
use giftdeck::wire::decode_push_frame;
use serde_json::Value;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn gift(msg_id: i64, rc: i32, end: bool) -> GiftSpec {
    GiftSpec {
        msg_id,
        repeat_count: rc,
        repeat_end: end,
        create_time_millis: 1_700_000_000_000 + msg_id,
        ..GiftSpec::default()
    }
}

fn bob(mut g: GiftSpec) -> GiftSpec {
    g.user_id = 222;
    g.unique_id = "bob".into();
    g.nickname = "Bob".into();
    g
}

fn lion(msg_id: i64) -> GiftSpec {
    GiftSpec {
        gift_id: 6369,
        gift_name: "Lion".into(),
        diamonds: 29_999,
        gift_type: 2,
        repeat_count: 1,
        ..gift(msg_id, 1, false)
    }
}

fn frame(log_id: i64, gifts: Vec<GiftSpec>) -> Vec<u8> {
    frame_of(log_id, gifts.into_iter().map(MessageSpec::Gift).collect())
}

fn frame_of(log_id: i64, messages: Vec<MessageSpec>) -> Vec<u8> {
    let batch = BatchSpec {
        messages,
        cursor: format!("c-{log_id}"),
        internal_ext: format!("ie-{log_id}"),
        need_ack: true,
        ..BatchSpec::default()
    };
    encode_msg_frame(log_id, log_id, &batch, Compression::GzipWithHeader)
}

/// Gifts from viewers whose nicknames try to break a command, a line or the screen.
fn hostile_frames() -> Vec<Vec<u8>> {
    let hostile = [
        "Mallory\" ; kill @e",
        "Eve\nsay pwned",
        "\u{202E}evil\u{202C}",
        "nul\u{0}byte",
        "🌹 Rosé 🔥",
    ];
    hostile
        .iter()
        .enumerate()
        .map(|(i, nick)| {
            let g = GiftSpec {
                nickname: (*nick).to_owned(),
                unique_id: format!("user_{i}"),
                user_id: 500 + i as i64,
                ..lion(900 + i as i64)
            };
            frame(900 + i as i64, vec![g])
        })
        .collect()
}

/// Random bytes, a cut frame, fake gzip, broken inner messages and an empty record, then one good
/// gift: each bad one loses only itself.
fn malformed_frames() -> Vec<Vec<u8>> {
    // Starts with the gzip magic bytes but does not inflate.
    let bad_gzip = encode_server_frame(1, 2, "msg", b"\x1f\x8b not really gzip", Compression::None);
    let truncated = {
        let mut f = frame(3, vec![gift(30, 1, true)]);
        f.truncate(f.len() / 2);
        f
    };
    let bad_inner = frame_of(
        4,
        vec![
            MessageSpec::Raw {
                method: "WebcastGiftMessage".into(),
                msg_id: 40,
                payload: vec![0x0a, 0xff, 0xff],
            },
            // Decodes, but has neither user nor gift.
            MessageSpec::Raw {
                method: "WebcastGiftMessage".into(),
                msg_id: 41,
                payload: vec![0x10, 0x01],
            },
            MessageSpec::Gift(lion(42)),
        ],
    );
    vec![
        b"\xff\xff\xff\xff random bytes".to_vec(),
        truncated,
        bad_gzip,
        bad_inner,
        Vec::new(),
        frame(5, vec![gift(50, 2, true)]),
    ]
}

/// One Lion per compression: gzip with the header, gzip by its magic bytes only, none.
fn gzip_frames() -> Vec<Vec<u8>> {
    [
        Compression::GzipWithHeader,
        Compression::GzipMagicOnly,
        Compression::None,
    ]
    .into_iter()
    .zip(1..)
    .map(|(compression, id)| {
        let batch = BatchSpec {
            messages: vec![MessageSpec::Gift(lion(id))],
            ..BatchSpec::default()
        };
        encode_msg_frame(id, id, &batch, compression)
    })
    .collect()
}

/// Every fixture, by file name: the bytes our encoder makes for it.
fn fixtures() -> Vec<(&'static str, Vec<u8>)> {
    let capture = |frames: Vec<Vec<u8>>| encode_records(frames.iter().map(Vec::as_slice));
    vec![
        (
            "streak.bin",
            capture(vec![
                frame(1, vec![gift(1, 1, false)]),
                frame(2, vec![gift(2, 2, false), gift(3, 3, false)]),
                frame(3, vec![gift(4, 3, true)]),
            ]),
        ),
        ("non_streakable.bin", capture(vec![frame(1, vec![lion(1)])])),
        (
            "interleaved.bin",
            capture(vec![
                frame(1, vec![gift(1, 1, false), bob(gift(2, 1, false))]),
                frame(2, vec![lion(3), gift(4, 2, false), bob(gift(5, 2, false))]),
                frame(3, vec![bob(gift(6, 4, true)), gift(7, 2, true)]),
            ]),
        ),
        (
            "duplicate_id.bin",
            capture(vec![
                frame(1, vec![gift(1, 1, false), gift(2, 2, true)]),
                // The same frame again (a replayed history batch): same message ids.
                frame(1, vec![gift(1, 1, false), gift(2, 2, true)]),
                frame(2, vec![lion(3), lion(3)]),
            ]),
        ),
        (
            "repeated_end.bin",
            capture(vec![
                frame(1, vec![gift(1, 5, true)]),
                // TikTok repeats the end under a new message id.
                frame(2, vec![gift(2, 5, true)]),
            ]),
        ),
        (
            "streak_no_end.bin",
            capture(vec![
                frame(1, vec![gift(1, 1, false), gift(2, 3, false)]),
                // Bob's streak starts 60 s later: Alice's streak has timed out by then.
                frame(
                    2,
                    vec![bob(GiftSpec {
                        create_time_millis: 1_700_000_060_000,
                        ..gift(3, 2, false)
                    })],
                ),
            ]),
        ),
        (
            "empty_name.bin",
            capture(vec![frame(
                1,
                vec![GiftSpec {
                    gift_name: String::new(),
                    gift_type: 2,
                    ..gift(1, 1, false)
                }],
            )]),
        ),
        ("hostile_nicknames.bin", capture(hostile_frames())),
        ("malformed.bin", capture(malformed_frames())),
        ("gzip.bin", capture(gzip_frames())),
    ]
}

#[test]
fn fixtures_on_disk_are_what_our_encoder_makes() {
    let write = std::env::var_os("GIFTDECK_WRITE_FIXTURES").is_some();
    for (name, bytes) in fixtures() {
        let path = data_dir().join(name);
        if write {
            std::fs::write(&path, &bytes).unwrap();
        }
        let on_disk = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{path:?}: {e} (GIFTDECK_WRITE_FIXTURES=1 makes it)"));
        // Compare what the records decode to, not raw bytes: gzip output may differ between
        // compressor versions while meaning the same.
        let records = |bytes: &[u8]| {
            let mut reader = CaptureReader::new(bytes, Path::new(name));
            let mut decoded = Vec::new();
            while let Some(record) = reader.next_record().expect("fixture framing") {
                decoded.push(decode_push_frame(record).ok());
            }
            decoded
        };
        assert_eq!(
            records(&on_disk),
            records(&bytes),
            "{name} differs from the encoder's output"
        );
    }
}

struct Run {
    lines: Vec<Value>,
    stderr: String,
    code: i32,
}

fn replay(fixture: &str, mappings: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_giftdeck"));
    cmd.arg("replay").arg(data_dir().join(fixture));
    if let Some(m) = mappings {
        cmd.arg("--mappings").arg(data_dir().join(m));
    }
    let out = cmd.output().expect("run giftdeck");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    Run {
        lines: stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
            .collect(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// (msg_id, unique_id, gift_name, count, ended_by) of each line.
fn summary(lines: &[Value]) -> Vec<(i64, String, String, u64, String)> {
    lines
        .iter()
        .map(|l| {
            (
                l["msg_id"].as_i64().unwrap(),
                l["unique_id"].as_str().unwrap().to_owned(),
                l["gift_name"].as_str().unwrap().to_owned(),
                l["count"].as_u64().unwrap(),
                l["ended_by"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn row(
    msg_id: i64,
    user: &str,
    gift: &str,
    count: u64,
    ended_by: &str,
) -> (i64, String, String, u64, String) {
    (msg_id, user.into(), gift.into(), count, ended_by.into())
}

#[test]
fn streak_counts_once_with_every_key() {
    let run = replay("streak.bin", Some("mappings.json"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.lines.len(), 1);
    let line = &run.lines[0];
    let keys: Vec<&str> = line
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "msg_id",
        "user_id",
        "unique_id",
        "nickname",
        "gift_id",
        "gift_name",
        "diamonds",
        "count",
        "trigger",
        "ended_by",
    ] {
        assert!(keys.contains(&key), "missing {key} in {line}");
    }
    assert_eq!(line["count"], 3);
    assert_eq!(line["ended_by"], "streak_end");
    assert_eq!(line["trigger"], "rose");
    assert_eq!(line["user_id"], 111);
    assert_eq!(line["gift_id"], 5655);
    assert_eq!(line["diamonds"], 1);
    assert!(
        run.stderr.contains("3 frames, 4 messages, 4 gifts"),
        "{}",
        run.stderr
    );
}

#[test]
fn non_streakable_gift_counts_once() {
    let run = replay("non_streakable.bin", Some("mappings.json"));
    assert_eq!(summary(&run.lines), [row(1, "alice", "Lion", 1, "single")]);
    assert_eq!(run.lines[0]["trigger"], Value::Null, "Lion has no mapping");
}

#[test]
fn interleaved_users_and_gifts_are_kept_apart() {
    let run = replay("interleaved.bin", None);
    assert_eq!(
        summary(&run.lines),
        [
            row(3, "alice", "Lion", 1, "single"),
            row(6, "bob", "Rose", 4, "streak_end"),
            row(7, "alice", "Rose", 2, "streak_end"),
        ]
    );
}

#[test]
fn duplicate_ids_count_once() {
    let run = replay("duplicate_id.bin", None);
    assert_eq!(
        summary(&run.lines),
        [
            row(2, "alice", "Rose", 2, "streak_end"),
            row(3, "alice", "Lion", 1, "single")
        ]
    );
    assert!(
        run.stderr.contains("3 duplicates skipped"),
        "{}",
        run.stderr
    );
}

#[test]
fn repeated_end_under_new_id_counts_once() {
    let run = replay("repeated_end.bin", None);
    assert_eq!(
        summary(&run.lines),
        [row(1, "alice", "Rose", 5, "streak_end")]
    );
}

#[test]
fn streak_without_end_is_finalized_as_timeout() {
    let run = replay("streak_no_end.bin", None);
    // Alice's streak times out when Bob's message moves the clock 60 s on; Bob's at the end.
    assert_eq!(
        summary(&run.lines),
        [
            row(2, "alice", "Rose", 3, "timeout"),
            row(3, "bob", "Rose", 2, "timeout")
        ]
    );
}

#[test]
fn empty_gift_name_is_matched_by_id() {
    let run = replay("empty_name.bin", Some("mappings.json"));
    assert_eq!(run.lines.len(), 1);
    assert_eq!(run.lines[0]["gift_name"], "");
    assert_eq!(run.lines[0]["trigger"], "5655");
}

#[test]
fn actions_mca_mappings_match_too() {
    let run = replay("streak.bin", Some("actions.mca"));
    assert_eq!(run.code, 0);
    assert_eq!(run.lines[0]["trigger"], "rose");
    assert!(
        run.stderr.contains("line 4"),
        "warning for the $hook line: {}",
        run.stderr
    );
}

#[test]
fn hostile_nicknames_stay_one_json_line_each() {
    let run = replay("hostile_nicknames.bin", None);
    let nicks: Vec<&str> = run
        .lines
        .iter()
        .map(|l| l["nickname"].as_str().unwrap())
        .collect();
    assert_eq!(
        nicks,
        [
            "Mallory\" ; kill @e",
            "Eve\nsay pwned",
            "\u{202E}evil\u{202C}",
            "nul\u{0}byte",
            "🌹 Rosé 🔥"
        ]
    );
}

#[test]
fn malformed_frames_are_skipped_and_counted() {
    let run = replay("malformed.bin", None);
    assert_eq!(run.code, 0, "malformed frames are not a failure");
    assert_eq!(
        summary(&run.lines),
        [
            row(42, "alice", "Lion", 1, "single"),
            row(50, "alice", "Rose", 2, "streak_end")
        ]
    );
    // random bytes, truncated frame, bad gzip, 2 bad inner messages (the empty record is a valid,
    // empty frame).
    assert!(
        run.stderr.contains("5 malformed items skipped"),
        "{}",
        run.stderr
    );
}

#[test]
fn gzip_with_and_without_header_and_plain_all_decode() {
    let run = replay("gzip.bin", None);
    let ids: Vec<i64> = run
        .lines
        .iter()
        .map(|l| l["msg_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3]);
}

#[test]
fn unreadable_capture_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .args(["replay", "/nonexistent/capture.bin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot open capture /nonexistent/capture.bin"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn corrupt_mappings_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"mappings\": [").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(data_dir().join("streak.bin"))
        .arg("--mappings")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
}

/// Runs `giftdeck replay` on capture bytes written to a temporary file; returns the raw stdout.
fn replay_bytes(capture: &[u8], extra: &[&str]) -> (Vec<u8>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.capture");
    std::fs::write(&path, capture).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(&path)
        .args(extra)
        .output()
        .expect("run giftdeck");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (out.stdout, stderr)
}

/// Reproduced on the old printer: U+2028, U+2029 and U+0085 were printed raw, and Python's
/// `splitlines` (like many log tools) cut each of these lines in two.
#[test]
fn line_breakers_in_viewer_text_are_escaped_in_every_printed_line() {
    let nicknames = ["a\u{2028}b", "c\u{2029}d", "e\u{85}f"];
    let mut messages: Vec<MessageSpec> = nicknames
        .iter()
        .enumerate()
        .map(|(i, nick)| {
            MessageSpec::Gift(GiftSpec {
                nickname: (*nick).to_owned(),
                ..lion(700 + i as i64)
            })
        })
        .collect();
    messages.push(MessageSpec::Event(EventSpec {
        msg_id: 710,
        user_id: 9,
        unique_id: "line\u{2028}breaker".into(),
        nickname: "f\u{2029}g".into(),
        create_time_millis: 1_700_000_000_710,
        kind: EventSpecKind::Follow,
        follower: false,
        subscriber: false,
        moderator: false,
    }));
    let capture = encode_records([frame_of(1, messages).as_slice()]);
    let mappings = data_dir().join("events_mappings.json");
    let mappings = mappings.to_str().unwrap();
    for extra in [&[][..], &["--events", "--mappings", mappings][..]] {
        let (stdout, _) = replay_bytes(&capture, extra);
        let text = String::from_utf8(stdout).unwrap();
        let pieces: Vec<&str> = text
            .split([
                '\n', '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}',
                '\u{2029}',
            ])
            .filter(|line| !line.is_empty())
            .collect();
        let expected = if extra.is_empty() { 3 } else { 4 };
        assert_eq!(pieces.len(), expected, "{text}");
        let nicks: Vec<String> = pieces
            .iter()
            .map(|line| {
                let value: Value = serde_json::from_str(line).unwrap();
                value["nickname"].as_str().unwrap_or_default().to_owned()
            })
            .collect();
        assert_eq!(nicks[..3], nicknames, "read back unchanged");
        if !extra.is_empty() {
            assert_eq!(nicks[3], "f\u{2029}g", "{text}");
        }
    }
}

/// Reproduced on the old replay: a version-2 capture (receive times kept) was not recognised
/// (its header read as an impossible length); the far-off create time of one message would have
/// expired the open streak.
#[test]
fn a_capture_with_receive_times_replays_on_them() {
    const T: u64 = 1_700_000_000_000;
    let far_off = GiftSpec {
        create_time_millis: 4_000_000_000_000,
        ..bob(gift(20, 1, true))
    };
    let frames = [
        frame(1, vec![gift(1, 3, false)]),
        frame(2, vec![far_off]),
        frame(3, vec![gift(2, 5, true)]),
    ];
    let timed = encode_timed_records([
        (T, frames[0].as_slice()),
        (T + 1_000, frames[1].as_slice()),
        (T + 2_000, frames[2].as_slice()),
    ]);
    let (stdout, stderr) = replay_bytes(&timed, &[]);
    let lines: Vec<Value> = String::from_utf8(stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        summary(&lines),
        [
            row(20, "bob", "Rose", 1, "streak_end"),
            row(2, "alice", "Rose", 5, "streak_end")
        ],
        "{stderr}"
    );
    assert!(stderr.contains("replay: 3 frames"), "{stderr}");
}

/// Reproduced on the old decoder: a bad byte in the batch's `cursor` lost every gift of the frame,
/// one in a nickname lost that gift, and a second gzip member's gifts were dropped unseen.
#[test]
fn hostile_frames_lose_no_gift() {
    let with_bad_bytes = |log_id: i64, gifts: Vec<GiftSpec>| {
        let mut batch = encode_batch(&BatchSpec {
            messages: gifts.into_iter().map(MessageSpec::Gift).collect(),
            cursor: "c-BAD".into(),
            ..BatchSpec::default()
        });
        for (from, to) in [(&b"BAD"[..], &b"\xff\xfe\xfd"[..]), (b"Alice", b"Al\xffce")] {
            let at = batch.windows(from.len()).position(|w| w == from).unwrap();
            batch[at..at + from.len()].copy_from_slice(to);
        }
        encode_server_frame(log_id, log_id, "msg", &batch, Compression::GzipWithHeader)
    };
    let two_members = {
        let gz = |msg_id| {
            let batch = encode_batch(&BatchSpec {
                messages: vec![MessageSpec::Gift(lion(msg_id))],
                ..BatchSpec::default()
            });
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut gz, &batch).unwrap();
            gz.finish().unwrap()
        };
        let mut payload = gz(31);
        payload.extend(gz(32));
        payload
    };
    let capture = encode_records([
        frame(1, vec![gift(10, 2, true)]).as_slice(),
        with_bad_bytes(
            2,
            vec![GiftSpec {
                group_id: 77,
                ..gift(20, 3, true)
            }],
        )
        .as_slice(),
        encode_server_frame(3, 3, "msg", &two_members, Compression::None).as_slice(),
        frame(4, vec![lion(40)]).as_slice(),
    ]);
    let (stdout, stderr) = replay_bytes(&capture, &[]);
    let lines: Vec<Value> = String::from_utf8(stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<i64> = lines
        .iter()
        .map(|l| l["msg_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [10, 20, 31, 32, 40], "{stderr}");
    assert_eq!(lines[1]["nickname"], "Al\u{fffd}ce");
    assert_eq!(lines[1]["count"], 3);
    assert!(stderr.contains("0 malformed items skipped"), "{stderr}");
}
