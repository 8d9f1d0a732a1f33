//! One call instead of five hundred, end to end on loopback: the real executor, the strict fake
//! RCON server, and a temporary world folder. The fake server loads giftdeck's datapack from that
//! folder when it gets `/reload` and runs `function` calls with `testkit::datapack` (Minecraft's
//! macro rules), so the test sees both the one RCON line and the commands the game would run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test stops loudly when its setup fails"
)]

#[path = "support/executor_run.rs"]
mod executor_run;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use executor_run::*;
use giftdeck::actions::datapack::level::level_dat;
use giftdeck::actions::datapack::pack::pack_dir;
use giftdeck::actions::{BatchRoute, ExecutorConfig};
use giftdeck::mappings::{Mapping, MappingTable};
use giftdeck::testkit::datapack::Pack;
use giftdeck::testkit::rcon::FakeRcon;

/// What the fake game knows: its `/version` answer, the pack it loaded at the last `/reload`,
/// and the commands its functions ran.
struct Game {
    world: PathBuf,
    version_reply: String,
    loaded: Option<Pack>,
    ran: Vec<String>,
    reloads: u32,
}

type Shared = Arc<Mutex<Game>>;

fn reply(game: &Shared, command: &str) -> String {
    let mut game = game.lock().unwrap();
    match command {
        "version" | "minecraft:version" => game.version_reply.clone(),
        "reload" => {
            game.reloads += 1;
            game.loaded = Pack::load(&pack_dir(&game.world)).ok();
            "Reloading!".into()
        }
        c if c.starts_with("function ") => {
            let outcome = match &game.loaded {
                Some(pack) => pack.run(c),
                None => Err("Unknown function".into()),
            };
            match outcome {
                Ok(ran) => {
                    let n = ran.len();
                    game.ran.extend(ran);
                    format!("Ran {n} commands")
                }
                Err(e) if e.starts_with("Unknown function") => e,
                Err(e) => panic!("the game refused the call: {e}"),
            }
        }
        other => {
            game.ran.push(other.to_owned());
            format!("ran {other}")
        }
    }
}

async fn game_server(world: &Path, version_reply: &str) -> (FakeRcon, Shared) {
    let game = Arc::new(Mutex::new(Game {
        world: world.to_owned(),
        version_reply: version_reply.into(),
        loaded: None,
        ran: Vec::new(),
        reloads: 0,
    }));
    let g = game.clone();
    let server = FakeRcon::start_on(
        ([127, 0, 0, 1], 0).into(),
        "pw",
        Arc::new(move |c: &str| reply(&g, c)),
    )
    .await
    .unwrap();
    (server, game)
}

fn world(data_version: i32, name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("level.dat"), level_dat(data_version, name)).unwrap();
    dir
}

const UNKNOWN: &str = "Unknown or incomplete command, see below for error";

fn rose() -> Mapping {
    Mapping::new(
        "Rose",
        vec![
            cmd("summon tnt ~ ~ ~", 1),
            cmd(r#"tellraw @a {"text":"{nickname} sent a rose"}"#, 1),
        ],
    )
}

fn config(server: &FakeRcon, world: Option<&Path>) -> ExecutorConfig {
    ExecutorConfig {
        gap_millis: 5,
        rcon: rcon(server.port(), "pw"),
        world_folder: world.map(Path::to_owned),
        ..ExecutorConfig::default()
    }
}

/// The commands line by line would send for `count` roses from `nickname`.
fn line_by_line(count: usize, nickname_escaped: &str) -> Vec<String> {
    let run = [
        "summon tnt ~ ~ ~".to_owned(),
        format!(r#"tellraw @a {{"text":"{nickname_escaped} sent a rose"}}"#),
    ];
    std::iter::repeat_n(run, count).flatten().collect()
}

#[tokio::test]
async fn a_500_gift_is_one_function_line_after_one_reload() {
    let world = world(4189, "1.21.4");
    let (server, game) = game_server(world.path(), UNKNOWN).await;
    let mut exec = start(
        config(&server, Some(world.path())),
        MappingTable::new(vec![rose()]),
    );
    let route = status_until(&exec.handle, |s| {
        matches!(s.batches, BatchRoute::OneCall { .. })
    })
    .await
    .batches;
    assert!(
        route
            .to_string()
            .contains("Minecraft 1.21.4, pack format 61"),
        "{route}"
    );
    // A hostile nickname: quotes, a backslash, a selector and a macro variable.
    let nickname = r#"x"}]\ @a $(p0)"#;
    assert_eq!(exec.handle.enqueue(&decision(&rose(), 500, nickname)), 1);
    drained(&exec.handle).await;

    let sent = server.commands();
    assert_eq!(sent[..3], ["version", "minecraft:version", "reload"]);
    assert_eq!(sent.len(), 4, "{sent:?}");
    assert!(
        sent[3].starts_with("function giftdeck:rose_"),
        "{}",
        sent[3]
    );
    assert!(sent[3].contains("{n:500,p0:"), "{}", sent[3]);
    assert!(server.violations().is_empty(), "{:?}", server.violations());
    // The game ran exactly what line by line would have sent, the nickname escaped the same.
    let escaped = r#"x\"}]\\ @a $(p0)"#;
    assert_eq!(game.lock().unwrap().ran, line_by_line(500, escaped));

    // The files: the format's folder and pack.mcmeta.
    let dir = pack_dir(world.path());
    let meta = std::fs::read_to_string(dir.join("pack.mcmeta")).unwrap();
    assert!(meta.contains("\"pack_format\": 61"), "{meta}");
    let functions = dir.join("data/giftdeck/function");
    let name = sent[3]
        .strip_prefix("function giftdeck:")
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let run = std::fs::read_to_string(functions.join(name).join("run.mcfunction")).unwrap();
    assert!(
        run.ends_with("summon tnt ~ ~ ~\n$tellraw @a {\"text\":\"$(p0) sent a rose\"}\n"),
        "{run}"
    );

    let status = exec.handle.status();
    assert_eq!((status.done, status.failed, status.dropped), (1, 0, 0));
    let logs = exec.logs();
    assert_eq!(logs[0].0, "/reload (giftdeck's datapack changed)");
    assert!(
        logs[1]
            .0
            .starts_with("500 × Rose as one call (1000 command(s)"),
        "{}",
        logs[1].0
    );

    // The next gift: the pack is unchanged, so one more line and no reload.
    exec.handle.enqueue(&decision(&rose(), 3, "Ann"));
    drained(&exec.handle).await;
    let sent = server.commands();
    assert_eq!(sent.len(), 5, "{sent:?}");
    assert_eq!(game.lock().unwrap().reloads, 1);
    assert!(sent[4].contains("{n:3,p0:\"Ann\"}"), "{}", sent[4]);
}

#[tokio::test]
async fn a_changed_trigger_rewrites_the_pack_and_reloads_once() {
    let world = world(4189, "1.21.4");
    // A server that tells its format itself (1.21.6 and later).
    let version = "Server version info:id = 1.21.8name = 1.21.8data = 4440series = mainprotocol = 772 (0x304)pack_resource = 64pack_data = 81stable = yes";
    let (server, game) = game_server(world.path(), version).await;
    let exec = start(
        config(&server, Some(world.path())),
        MappingTable::new(vec![rose()]),
    );
    status_until(&exec.handle, |s| {
        matches!(&s.batches, BatchRoute::OneCall { pack_format, .. } if pack_format.major == 81)
    })
    .await;
    let lion = Mapping::new("Lion", vec![cmd("summon zombie ~ ~ ~", 2)]);
    exec._mappings
        .send(MappingTable::new(vec![rose(), lion.clone()]))
        .unwrap();
    status_until(&exec.handle, |s| {
        matches!(s.batches, BatchRoute::OneCall { triggers: 2, .. })
    })
    .await;
    exec.handle.enqueue(&decision(&lion, 10, "Bob"));
    drained(&exec.handle).await;
    let sent = server.commands();
    assert_eq!(sent[0], "version", "1.21.8 answers the first /version");
    assert_eq!(
        sent.iter().filter(|c| *c == "reload").count(),
        2,
        "{sent:?}"
    );
    assert_eq!(game.lock().unwrap().ran, vec!["summon zombie ~ ~ ~"; 20]);
}

#[tokio::test]
async fn an_older_server_or_an_unwritable_folder_runs_line_by_line_and_says_why() {
    // 1.20.1: no function macros.
    let old = world(3465, "1.20.1");
    let (server, game) = game_server(old.path(), UNKNOWN).await;
    let exec = start(
        config(&server, Some(old.path())),
        MappingTable::new(vec![rose()]),
    );
    let status = status_until(&exec.handle, |s| {
        matches!(s.batches, BatchRoute::LineByLine(_))
    })
    .await;
    assert!(
        status.batches.to_string().contains("1.20.2 or newer"),
        "{}",
        status.batches
    );
    assert_eq!(exec.handle.enqueue(&decision(&rose(), 5, "Bob")), 10);
    drained(&exec.handle).await;
    assert_eq!(game.lock().unwrap().ran, line_by_line(5, "Bob"));
    assert!(
        !server
            .commands()
            .iter()
            .any(|c| c.starts_with("function") || c == "reload")
    );
    assert!(!pack_dir(old.path()).exists());
    drop(exec);

    // A folder giftdeck cannot write into (`datapacks` is a file).
    let blocked = world(4189, "1.21.4");
    std::fs::write(blocked.path().join("datapacks"), "not a folder").unwrap();
    let (server, game) = game_server(blocked.path(), UNKNOWN).await;
    let exec = start(
        config(&server, Some(blocked.path())),
        MappingTable::new(vec![rose()]),
    );
    let status = status_until(&exec.handle, |s| {
        matches!(s.batches, BatchRoute::LineByLine(_))
    })
    .await;
    assert!(
        status.batches.to_string().contains("cannot write"),
        "{}",
        status.batches
    );
    assert_eq!(exec.handle.enqueue(&decision(&rose(), 4, "Bob")), 8);
    drained(&exec.handle).await;
    assert_eq!(game.lock().unwrap().ran, line_by_line(4, "Bob"));
    drop(exec);

    // No folder set: as before, and nothing asked of the server.
    let (server, game) = game_server(blocked.path(), UNKNOWN).await;
    let exec = start(config(&server, None), MappingTable::new(vec![rose()]));
    assert_eq!(exec.handle.enqueue(&decision(&rose(), 2, "Bob")), 4);
    drained(&exec.handle).await;
    assert_eq!(exec.handle.status().batches, BatchRoute::Off);
    assert_eq!(server.commands().len(), 4);
    assert_eq!(game.lock().unwrap().ran, line_by_line(2, "Bob"));
}

#[tokio::test]
async fn a_disabled_pack_falls_back_to_the_commands_in_order() {
    let world = world(4189, "1.21.4");
    let (server, game) = game_server(world.path(), UNKNOWN).await;
    let exec = start(
        config(&server, Some(world.path())),
        MappingTable::new(vec![rose()]),
    );
    status_until(&exec.handle, |s| {
        matches!(s.batches, BatchRoute::OneCall { .. })
    })
    .await;
    // The streamer disabled the pack: the server no longer knows the function.
    game.lock().unwrap().loaded = None;
    assert_eq!(exec.handle.enqueue(&decision(&rose(), 3, "Bob")), 1);
    let lion = Mapping::new("Lion", vec![cmd("say after", 1)]);
    exec.handle.enqueue(&decision(&lion, 1, "Ann"));
    drained(&exec.handle).await;
    let mut want = line_by_line(3, "Bob");
    want.push("say after".into());
    assert_eq!(game.lock().unwrap().ran, want, "in order, nothing lost");
    let status = exec.handle.status();
    assert!(
        status.batches.to_string().contains("datapack enable"),
        "{}",
        status.batches
    );
    assert_eq!((status.done, status.failed), (7, 0));
}
