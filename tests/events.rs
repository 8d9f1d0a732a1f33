//! Every LIVE event kind end to end: a fixture capture with follows, shares, subscriptions, joins,
//! likes and chat (made by our encoder, checked here against it) replayed by the real binary, with
//! and without `--events`, and with `--execute` against the fake RCON server.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use giftdeck::capture::{CaptureReader, encode_records};
use giftdeck::testkit::frames::{
    BatchSpec, Compression, EventSpec, EventSpecKind, GiftSpec, MessageSpec, encode_msg_frame,
};
use giftdeck::testkit::rcon::FakeRcon;
use giftdeck::wire::decode_push_frame;
use serde_json::Value;

const T0: i64 = 1_700_000_000_000;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn ev(msg_id: i64, user_id: i64, handle: &str, at_secs: i64, kind: EventSpecKind) -> MessageSpec {
    let mut e = EventSpec::new(msg_id, user_id, handle, kind);
    e.create_time_millis = T0 + at_secs * 1_000;
    MessageSpec::Event(e)
}

fn like(msg_id: i64, count: i32, total: i64, at_secs: i64) -> MessageSpec {
    ev(
        msg_id,
        500 + msg_id,
        "liker",
        at_secs,
        EventSpecKind::Like { count, total },
    )
}

fn chat(msg_id: i64, user_id: i64, handle: &str, at_secs: i64, text: &str) -> MessageSpec {
    ev(
        msg_id,
        user_id,
        handle,
        at_secs,
        EventSpecKind::Chat { text: text.into() },
    )
}

fn frame(log_id: i64, messages: Vec<MessageSpec>) -> Vec<u8> {
    let batch = BatchSpec {
        messages,
        need_ack: true,
        ..BatchSpec::default()
    };
    encode_msg_frame(log_id, log_id, &batch, Compression::GzipWithHeader)
}

/// `every_kind.bin`: one stream with every event kind, the traps included (a repeated follow, a
/// duplicated message id, a lower like total, a command during its cooldown).
fn every_kind() -> Vec<u8> {
    let rose = MessageSpec::Gift(GiftSpec {
        msg_id: 1,
        repeat_count: 2,
        repeat_end: true,
        create_time_millis: T0,
        ..GiftSpec::default()
    });
    let frames = [
        frame(
            1,
            vec![
                rose,
                ev(2, 11, "amy", 1, EventSpecKind::Follow),
                ev(3, 11, "amy", 2, EventSpecKind::Follow), // re-follow: nothing
                ev(4, 12, "bob", 3, EventSpecKind::Share),
                ev(5, 13, "cat", 4, EventSpecKind::Subscribe),
                ev(6, 14, "dora", 5, EventSpecKind::Join),
                ev(7, 15, "eve", 5, EventSpecKind::Join), // not in the join audience
            ],
        ),
        frame(
            2,
            vec![
                like(8, 15, 10_015, 6),  // baseline 10_000; 15 counted
                like(9, 15, 10_120, 7),  // 120: crosses 100
                like(10, 15, 10_090, 8), // lower total: ignored
                like(11, 15, 11_050, 9), // 1_050: crosses 200…1_000 (9 blocks) and 1_000
                like(11, 15, 11_050, 9), // duplicate id
            ],
        ),
        frame(
            3,
            vec![
                chat(12, 16, "fay", 10, "!JUMP 3"),
                chat(13, 17, "gus", 20, "!jump 9"), // cooldown (30 s): skipped
                chat(14, 16, "fay", 40, "!jump 2"),
                chat(15, 18, "hal", 41, "no command here"),
            ],
        ),
    ];
    encode_records(frames.iter().map(Vec::as_slice))
}

#[test]
fn fixture_on_disk_is_what_our_encoder_makes() {
    let path = data_dir().join("every_kind.bin");
    let bytes = every_kind();
    if std::env::var_os("GIFTDECK_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, &bytes).unwrap();
    }
    let on_disk = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{path:?}: {e} (GIFTDECK_WRITE_FIXTURES=1 makes it)"));
    let records = |bytes: &[u8]| {
        let mut reader = CaptureReader::new(bytes, Path::new("every_kind.bin"));
        let mut decoded = Vec::new();
        while let Some(record) = reader.next_record().expect("fixture framing") {
            decoded.push(decode_push_frame(record).ok());
        }
        decoded
    };
    assert_eq!(records(&on_disk), records(&bytes));
}

fn replay(extra: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(data_dir().join("every_kind.bin"))
        .arg("--mappings")
        .arg(data_dir().join("events_mappings.json"))
        .args(extra)
        .output()
        .expect("run giftdeck");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON {l:?}: {e}")))
        .collect()
}

#[test]
fn events_flag_prints_every_fired_trigger_with_the_required_keys() {
    let out = replay(&["--events"]);
    let got = lines(&out.stdout);
    let rows: Vec<(String, String, String, u64, Option<String>)> = got
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_owned(),
                l["trigger"].as_str().unwrap_or("").to_owned(),
                l["unique_id"].as_str().unwrap().to_owned(),
                l["count"].as_u64().unwrap(),
                l["skipped"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let row = |kind: &str, trigger: &str, user: &str, count, skipped: Option<&str>| {
        (
            kind.into(),
            trigger.into(),
            user.into(),
            count,
            skipped.map(str::to_owned),
        )
    };
    assert_eq!(
        rows,
        [
            row("gift", "Rose", "alice", 2, None),
            row("follow", "golden apple", "amy", 1, None),
            row("share", "shared", "bob", 1, None),
            row("subscribe", "subbed", "cat", 1, None),
            row("join", "hello", "dora", 1, None),
            row("like", "creeper", "liker", 1, None),
            row("like", "creeper", "liker", 9, None),
            row("like", "likes1000", "liker", 1, None),
            row("chat", "jump", "fay", 1, None),
            row("chat", "jump", "gus", 1, Some("cooldown")),
            row("chat", "jump", "fay", 1, None),
        ]
    );
    for line in &got[1..] {
        for key in [
            "kind",
            "msg_id",
            "user_id",
            "unique_id",
            "nickname",
            "trigger",
            "count",
        ] {
            assert!(line.get(key).is_some(), "{key} missing in {line}");
        }
    }
    assert_eq!(got[1]["msg_id"], 2);
    assert_eq!(got[1]["user_id"], 11);
    assert_eq!(
        (got[7]["likes"].as_u64(), got[7]["total_likes"].as_u64()),
        (Some(1_050), Some(11_050))
    );
    assert_eq!(
        (got[8]["message"].as_str(), got[8]["args"].as_str()),
        (Some("!JUMP 3"), Some("3"))
    );
}

#[test]
fn without_events_the_output_is_the_gift_lines_exactly() {
    let plain = replay(&[]);
    let with_events = replay(&["--events"]);
    let gift_lines: String = String::from_utf8(with_events.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(r#"{"kind":"gift","#))
        .map(|l| format!("{{{}\n", &l[r#"{"kind":"gift","#.len()..]))
        .collect();
    assert_eq!(String::from_utf8(plain.stdout).unwrap(), gift_lines);
    assert_eq!(
        gift_lines,
        "{\"msg_id\":1,\"user_id\":111,\"unique_id\":\"alice\",\"nickname\":\"Alice\",\"gift_id\":5655,\
         \"gift_name\":\"Rose\",\"diamonds\":1,\"count\":2,\"trigger\":\"Rose\",\"ended_by\":\"streak_end\"}\n"
    );
}

#[test]
fn execute_runs_every_fired_triggers_actions() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(FakeRcon::start("pw")).unwrap();
    let address = format!("127.0.0.1:{}", server.port());
    let out = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(data_dir().join("every_kind.bin"))
        .arg("--mappings")
        .arg(data_dir().join("events_mappings.json"))
        .args(["--execute", "--rcon", &address])
        .env("GIFTDECK_RCON_PASSWORD", "pw")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let mut want = vec!["say Alice sent 2 roses".to_owned(); 2];
    want.extend(
        [
            "give amy golden_apple",
            "say bob shared",
            "say cat subscribed",
            "say welcome dora",
        ]
        .map(str::to_owned),
    );
    want.extend(std::iter::repeat_n("summon creeper ~ ~ ~".to_owned(), 10));
    want.push("say 1050 likes (11050 in the room)".to_owned());
    want.push("effect give fay jump_boost 5 3".to_owned());
    want.push("effect give fay jump_boost 5 2".to_owned());
    assert_eq!(server.commands(), want);
    assert!(
        stderr.contains(&format!("actions: {} done, 0 failed", want.len())),
        "{stderr}"
    );
}

#[test]
fn every_kind_decodes_with_identity_and_time() {
    use giftdeck::event::{LiveEvent, MEMBER_JOINED, MEMBER_SUBSCRIBED, SocialKind};
    use giftdeck::testkit::frames::encode_batch;
    let mut fan = EventSpec::new(5, 15, "eve", EventSpecKind::Chat { text: "hi".into() });
    fan.follower = true;
    fan.moderator = true;
    fan.create_time_millis = T0;
    let batch = giftdeck::wire::decode_batch(&encode_batch(&BatchSpec {
        messages: vec![
            ev(1, 11, "amy", 1, EventSpecKind::Follow),
            ev(2, 12, "bob", 2, EventSpecKind::Share),
            ev(3, 13, "cat", 3, EventSpecKind::Subscribe),
            ev(4, 14, "dora", 4, EventSpecKind::Join),
            MessageSpec::Event(fan),
            like(6, 15, 1_000, 6),
        ],
        ..BatchSpec::default()
    }))
    .unwrap();
    assert_eq!(batch.malformed, 0);
    let kinds: Vec<String> = batch
        .events
        .iter()
        .map(|e| match e {
            LiveEvent::Social {
                kind: SocialKind::Follow,
                user,
                ..
            } => format!("follow {}", user.unique_id),
            LiveEvent::Social {
                kind: SocialKind::Share,
                user,
                ..
            } => format!("share {}", user.unique_id),
            LiveEvent::Member {
                action: MEMBER_SUBSCRIBED,
                user,
                ..
            } => format!("subscribe {}", user.unique_id),
            LiveEvent::Member {
                action: MEMBER_JOINED,
                user,
                ..
            } => format!("join {}", user.unique_id),
            LiveEvent::Chat { user, text, .. } => format!(
                "chat {} {text} f={} s={} m={}",
                user.unique_id,
                user.identity.follower,
                user.identity.subscriber,
                user.identity.moderator
            ),
            LiveEvent::Like { count, total, .. } => format!("like {count}/{total}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "follow amy",
            "share bob",
            "subscribe cat",
            "join dora",
            "chat eve hi f=true s=false m=true",
            "like 15/1000"
        ]
    );
    assert_eq!(batch.events[0].create_time_millis(), T0 + 1_000);
    assert_eq!(
        giftdeck::wire::decode::social_kind("pm_mt_guidance_viewer_7_share"),
        SocialKind::Share
    );
    assert_eq!(
        giftdeck::wire::decode::social_kind("pm_mt_msg_viewer"),
        SocialKind::Other
    );
}

/// `watch --events` over a real loopback WebSocket: the fake TikTok sends history and a live batch
/// with every kind; the binary prints one line per fired trigger (a repeated follow fires nothing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_events_prints_fired_triggers_from_a_live_stream() {
    use giftdeck::testkit::fake::{FakeConfig, FakeTikTok, Scenario, Step};
    let fake = FakeTikTok::start(FakeConfig::with_scenario(Scenario {
        history: vec![
            ev(2, 11, "amy", 1, EventSpecKind::Follow),
            like(8, 15, 10_015, 6),
        ],
        connections: vec![vec![
            Step::WaitForEnterRoom,
            Step::Batch(vec![
                ev(3, 11, "amy", 2, EventSpecKind::Follow),
                ev(4, 12, "bob", 3, EventSpecKind::Follow),
                like(9, 15, 10_120, 7),
                chat(12, 16, "fay", 10, "!jump 3"),
            ]),
            Step::EndStream,
        ]],
        after: Vec::new(),
    }))
    .await
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_giftdeck"));
    cmd.arg("watch")
        .arg("@fake_streamer")
        .args(["--tiktok-url", &fake.tiktok_url()])
        .args(["--webcast-url", &fake.webcast_url()])
        .args(["--sign-url", &fake.sign_url()])
        .arg("--mappings")
        .arg(data_dir().join("events_mappings.json"))
        .arg("--events")
        .env_remove("GIFTDECK_SIGN_API_KEY")
        .env("RUST_LOG", "off");
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<(String, String, u64)> = lines(&out.stdout)
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_owned(),
                l["unique_id"].as_str().unwrap().to_owned(),
                l["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let row = |k: &str, u: &str, c| (k.to_owned(), u.to_owned(), c);
    assert_eq!(
        got,
        [
            row("follow", "amy", 1),
            row("follow", "bob", 1),
            row("like", "liker", 1),
            row("chat", "fay", 1),
        ]
    );
}
