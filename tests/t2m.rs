//! Moving from Tiktok2Mc: a folder laid out like a real install (`tests/data/t2m`: the default-style
//! `actions.mca`, a commented `config.yaml` with `100_000` and a disabled rule, `http_actions.txt`)
//! imported, and used by the real binary as `--mappings T2M_FOLDER`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use giftdeck::mappings::Action;
use giftdeck::t2m::{import_folder, is_t2m_folder};
use giftdeck::testkit::rcon::FakeRcon;
use giftdeck::triggers::Condition;

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/t2m")
}

#[test]
fn a_real_looking_folder_imports_with_a_report() {
    assert!(is_t2m_folder(&folder()));
    let import = import_folder(&folder()).unwrap();
    let rows: Vec<(String, Condition, bool)> = import
        .mappings
        .iter()
        .map(|m| (m.trigger.clone(), m.on.clone(), m.enabled))
        .collect();
    let gift = |t: &str| (t.to_owned(), Condition::Gift, true);
    assert_eq!(
        rows,
        [
            ("follow".to_owned(), Condition::Follow, true),
            gift("5655"),
            gift("16111"),
            gift("8913"),
            gift("6267"),
            gift("7168"),
            gift("16071"),
            gift("Tom the Tomato"),
            (
                "likes_standard".to_owned(),
                Condition::Likes { every: 100 },
                true
            ),
            (
                "likes_100k".to_owned(),
                Condition::Likes { every: 100_000 },
                false
            ),
            gift("18508"),
        ]
    );
    // like_2's commands became the disabled 100_000 rule; the follow line's overlay text (`>>`)
    // imports as an overlay-text action.
    assert_eq!(
        import.mappings[9].actions,
        [Action::command("clear @a *"), Action::command("kill @a")]
    );
    assert_eq!(
        import.mappings[0].actions,
        [
            Action::command("give @a minecraft:golden_apple 7"),
            Action::OverlayText {
                title: "New Follower!".into(),
                subtitle: "{user} follows now!".into(),
                seconds: 5,
            }
        ]
    );
    // http_actions: 5655's curl joins the gift's mapping, 18508 gets its own.
    assert!(matches!(
        import.mappings[1].actions.last(),
        Some(Action::Webhook { url, .. }) if url == "http://localhost:29191/remove?amount=10"
    ));
    assert_eq!(import.rcon_address().as_deref(), Some("127.0.0.1:25575"));
    assert_eq!(import.rcon_password.as_deref(), Some("ABC1234"));
    assert_eq!(import.tiktok_user.as_deref(), Some("streamer_amy"));

    let not: Vec<String> = import.not_imported().map(ToString::to_string).collect();
    let has = |needle: &str| not.iter().any(|l| l.contains(needle));
    assert!(!has("overlay text"), "{not:#?}");
    assert!(
        has("data/actions.mca line 27: NOT imported: script hook '$superjump'"),
        "{not:#?}"
    );
    assert!(
        has("\"broken\": `every` must be a whole number"),
        "{not:#?}"
    );
    assert!(
        has("data/http_actions.txt line 4: NOT imported"),
        "{not:#?}"
    );
    assert!(
        has("data/http_actions.txt line 5: NOT imported"),
        "{not:#?}"
    );
    // The password never shows in the report or in Debug.
    let everything = format!(
        "{import:?} {}",
        import
            .report
            .iter()
            .map(ToString::to_string)
            .collect::<String>()
    );
    assert!(!everything.contains("ABC1234"), "{everything}");
}

#[test]
fn the_folder_is_accepted_by_replay_and_its_rules_fire() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let out = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(data.join("every_kind.bin"))
        .arg("--mappings")
        .arg(folder())
        .arg("--events")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("tiktok2mc: data/http_actions.txt line 4: NOT imported"),
        "{stderr}"
    );
    let fired: Vec<(String, String, u64)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| l["kind"] != "gift")
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_owned(),
                l["trigger"].as_str().unwrap().to_owned(),
                l["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fired,
        [
            ("follow".to_owned(), "follow".to_owned(), 1),
            ("like".to_owned(), "likes_standard".to_owned(), 1),
            ("like".to_owned(), "likes_standard".to_owned(), 9),
        ]
    );
}

fn copy_folder_with_rcon_port(port: u16) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // Without http_actions.txt: its webhooks would post to a port nobody listens on.
    for file in ["config/config.yaml", "data/actions.mca"] {
        let to = dir.path().join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        let text = std::fs::read_to_string(folder().join(file)).unwrap();
        std::fs::write(to, text.replace("Port: 25575", &format!("Port: {port}"))).unwrap();
    }
    dir
}

fn replay_execute(mappings: &Path, extra: &[&str]) -> std::process::Output {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .arg("replay")
        .arg(data.join("every_kind.bin"))
        .arg("--mappings")
        .arg(mappings)
        .arg("--execute")
        .args(extra)
        .env_remove("GIFTDECK_RCON_PASSWORD")
        .output()
        .unwrap()
}

#[test]
fn rcon_comes_from_config_yaml_and_flags_win() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // The folder's own port and password reach the server.
    let server = runtime.block_on(FakeRcon::start("ABC1234")).unwrap();
    let dir = copy_folder_with_rcon_port(server.port());
    let out = replay_execute(dir.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The Rose ×2 (matched by id 5655), the follow, likes_standard 1 + 9 blocks × 2 creepers.
    let commands = server.commands();
    assert_eq!(
        commands[..2],
        ["tnt 2 0.1 2 Notch", "tnt 2 0.1 2 Notch"],
        "2 roses"
    );
    assert_eq!(commands[2], "give @a minecraft:golden_apple 7");
    assert_eq!(
        commands[3..],
        vec!["execute at @a run summon minecraft:creeper ~ ~ ~".to_owned(); 20][..]
    );

    // --rcon and --rcon-password on the command line win over config.yaml.
    let other = runtime.block_on(FakeRcon::start("flagpw")).unwrap();
    let address = format!("127.0.0.1:{}", other.port());
    let out = replay_execute(
        dir.path(),
        &["--rcon", &address, "--rcon-password", "flagpw"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(other.commands().len(), 23);
    assert_eq!(
        server.commands().len(),
        23,
        "the config's server got nothing more"
    );
}
