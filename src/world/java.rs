//! Java Edition's world over RCON, with no plugin: a `deathCount` scoreboard objective giftdeck
//! creates, and whether the player is alive (`@e` selects living entities only, `@a` every player
//! online), read at most once a second on a connection of its own, so a slow or failing look
//! never delays a queued command.

use rand::Rng as _;
use thiserror::Error;
use tokio::sync::watch;

use super::policy::{Seen, Watch};
use super::{WorldConfig, WorldStatus};
use crate::actions::{RconClient, RconConfig, RconError, RconTimeouts, WorldGate};

/// The objective giftdeck creates (a valid objective name: letters, digits, `_`).
pub const DEATHS_OBJECTIVE: &str = "giftdeck_deaths";

/// Why the world could not be read.
#[derive(Debug, Error)]
pub enum LookError {
    #[error("{player:?} is not a Minecraft player name (letters, digits, _; 1–16 characters)")]
    BadName { player: String },
    #[error(transparent)]
    Rcon(#[from] RconError),
    #[error("the server answered {command:?} with {reply:?}, which giftdeck cannot read")]
    Unreadable { command: String, reply: String },
}

/// The commands one look sends, for `player` (already checked to be a player name).
pub fn look_commands(player: &str) -> [String; 3] {
    [
        format!("execute if entity @a[name={player}]"),
        format!("execute if entity @e[type=minecraft:player,name={player}]"),
        format!("scoreboard players get {player} {DEATHS_OBJECTIVE}"),
    ]
}

/// The command that creates the objective (harmless when it exists: the server says so).
pub fn create_objective_command() -> String {
    format!("scoreboard objectives add {DEATHS_OBJECTIVE} deathCount")
}

/// An `execute if …` reply: "Test passed…" or "Test failed…".
pub fn read_test(command: &str, reply: &str) -> Result<bool, LookError> {
    let reply = reply.trim();
    if reply.starts_with("Test passed") {
        Ok(true)
    } else if reply.starts_with("Test failed") {
        Ok(false)
    } else {
        Err(unreadable(command, reply))
    }
}

/// A `scoreboard players get` reply: `Steve has 3 [giftdeck_deaths]`, or no score yet ("Can't
/// get value of … none is set").
pub fn read_score(command: &str, reply: &str) -> Result<Option<i64>, LookError> {
    let reply = reply.trim();
    if reply.contains("none is set") {
        return Ok(None);
    }
    reply
        .split_once(" has ")
        .and_then(|(_, rest)| rest.split_whitespace().next()?.parse().ok())
        .map(Some)
        .ok_or_else(|| unreadable(command, reply))
}

fn unreadable(command: &str, reply: &str) -> LookError {
    LookError::Unreadable {
        command: command.to_owned(),
        reply: crate::text::one_line(reply, 120),
    }
}

/// One look at the player over `conn`.
pub async fn look(conn: &mut RconClient, player: &str) -> Result<Seen, LookError> {
    let [online, alive, deaths] = look_commands(player);
    let online_reply = conn.command(&online).await?;
    let alive_reply = conn.command(&alive).await?;
    let deaths_reply = conn.command(&deaths).await?;
    Ok(Seen {
        online: read_test(&online, &online_reply)?,
        alive: read_test(&alive, &alive_reply)?,
        deaths: read_score(&deaths, &deaths_reply)?,
    })
}

/// Looks at one player on one server until cancelled (new settings).
pub(super) async fn watch_player(
    config: &WorldConfig,
    rcon: &RconConfig,
    gate: &WorldGate,
    status: &watch::Sender<WorldStatus>,
    deaths_seen: &mut u64,
) {
    let player = config.player.trim().to_owned();
    if crate::actions::placeholders::player_name(&player).as_deref() != Some(player.as_str()) {
        gate.set(None);
        let err = LookError::BadName { player };
        tracing::warn!(%err, "not watching the Minecraft player");
        super::publish(status, WorldStatus::Problem(err.to_string()));
        std::future::pending::<()>().await;
        return;
    }
    let mut watch = Watch::default();
    let mut conn: Option<RconClient> = None;
    loop {
        let (step, problem) = match look_once(rcon, &player, &mut conn).await {
            Ok(seen) => (watch.seen(seen, config.while_dead), None),
            Err(err) => {
                conn = None;
                let reason = err.to_string();
                (watch.failed(&reason), Some(reason))
            }
        };
        super::apply_step(&step, &watch, &player, problem, gate, status, deaths_seen);
        let next = watch.next_look_in(rand::rng().random::<f64>());
        tokio::time::sleep(next).await;
    }
}

async fn look_once(
    rcon: &RconConfig,
    player: &str,
    conn: &mut Option<RconClient>,
) -> Result<Seen, LookError> {
    let conn = match conn {
        Some(conn) => conn,
        slot @ None => {
            let mut fresh = RconClient::connect(rcon, RconTimeouts::default()).await?;
            // Once per connection; "An objective already exists by that name" is the usual answer.
            fresh.command(&create_objective_command()).await?;
            slot.insert(fresh)
        }
    };
    look(conn, player).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_read_as_vanilla_writes_them() {
        let c = "cmd";
        assert!(read_test(c, "Test passed, count: 1").unwrap());
        assert!(read_test(c, "Test passed. Count: 1").unwrap());
        assert!(!read_test(c, "Test failed").unwrap());
        assert_eq!(
            read_score(c, "Steve has 3 [giftdeck_deaths]").unwrap(),
            Some(3)
        );
        assert_eq!(
            read_score(
                c,
                "Can't get value of giftdeck_deaths for Steve; none is set"
            )
            .unwrap(),
            None
        );
        let err = read_score(c, "Unknown scoreboard objective 'giftdeck_deaths'").unwrap_err();
        assert!(
            err.to_string().contains("Unknown scoreboard objective"),
            "{err}"
        );
        assert!(read_test(c, "Unknown or incomplete command").is_err());
    }

    #[test]
    fn the_look_commands_follow_the_command_tree() {
        // Read by the same reader as every template: none is read as unknown.
        for command in look_commands("Steve")
            .iter()
            .chain([&create_objective_command()])
        {
            let parsed = crate::actions::grammar::parse_command(command);
            assert!(
                !parsed.skeleton.contains('?'),
                "{command}: {}",
                parsed.skeleton
            );
        }
    }
}

/// Loopback: the world awareness against the strict fake RCON server with a world behind it.
#[cfg(test)]
mod loopback {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use tokio::sync::watch;

    use crate::actions::{ExecutorConfig, ExecutorHandle, QueueStatus, spawn_executor};
    use crate::engine::Decision;
    use crate::event::CreditedGift;
    use crate::mappings::{Action, Mapping, MappingTable};
    use crate::testkit::rcon::FakeRcon;
    use crate::testkit::world::FakeWorld;
    use crate::world::{Life, WhileDead, WorldConfig, WorldHandle, WorldSource, WorldStatus};

    const PASSWORD: &str = "pw";
    const DEADLINE: Duration = Duration::from_secs(10);

    fn rcon(server: &FakeRcon) -> crate::actions::RconConfig {
        crate::actions::RconConfig {
            host: "127.0.0.1".into(),
            port: server.port(),
            password: PASSWORD.into(),
        }
    }

    fn executor(server: &FakeRcon) -> ExecutorHandle {
        let (_tx, mappings) = watch::channel(MappingTable::new(Vec::new()));
        let config = ExecutorConfig {
            gap_millis: 0,
            rcon: Some(rcon(server)),
            ..ExecutorConfig::default()
        };
        spawn_executor(config, mappings, None, Arc::new(|| {}))
    }

    fn gift_running(command: &str) -> Decision {
        let mapping = Mapping::new(
            "Rose",
            vec![Action::Command {
                command: command.into(),
                repeat: 1,
            }],
        );
        Decision {
            gift: CreditedGift {
                user_id: 2,
                unique_id: "viewer".into(),
                nickname: "Viewer".into(),
                trigger: Some("Rose".into()),
                ..crate::testkit::outputs::rose()
            },
            mapping: Some(mapping),
        }
    }

    async fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let start = Instant::now();
        loop {
            if let Some(value) = check() {
                return value;
            }
            assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn world_paused(q: &QueueStatus) -> bool {
        q.world_pause.is_some()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_queue_waits_while_the_player_is_dead_and_runs_on_respawn() {
        let world = FakeWorld::new();
        world.join("Steve");
        let server = FakeRcon::start_on(([127, 0, 0, 1], 0).into(), PASSWORD, world.replies())
            .await
            .unwrap();
        let executor = executor(&server);
        let watch = WorldHandle::spawn(executor.world_gate());
        watch.set_config(Some(WorldConfig {
            source: WorldSource::Java(rcon(&server)),
            player: "Steve".into(),
            while_dead: WhileDead::Pause,
        }));
        until("Steve seen alive", || {
            matches!(
                watch.status(),
                WorldStatus::Watching {
                    life: Life::Alive,
                    ..
                }
            )
            .then_some(())
        })
        .await;
        assert!(
            server
                .commands()
                .contains(&"scoreboard objectives add giftdeck_deaths deathCount".to_owned())
        );

        world.kill("Steve");
        until("the queue held", || {
            world_paused(&executor.status()).then_some(())
        })
        .await;
        let status = executor.status();
        assert_eq!(
            status
                .world_pause
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("paused while Steve is dead; resumes when they respawn")
        );
        assert!(!status.paused, "the streamer's own Pause is left alone");
        executor.enqueue(&gift_running("summon tnt ~ ~ ~"));
        // Two more looks: the command still waits.
        let looks = world.looks();
        until("two more looks", || {
            (world.looks() >= looks + 2).then_some(())
        })
        .await;
        assert!(!server.commands().contains(&"summon tnt ~ ~ ~".to_owned()));
        assert_eq!(executor.status().depth, 1);

        world.respawn("Steve");
        until("the command ran after the respawn", || {
            server
                .commands()
                .contains(&"summon tnt ~ ~ ~".to_owned())
                .then_some(())
        })
        .await;
        assert!(!world_paused(&executor.status()));
        until("one death seen", || match watch.status() {
            WorldStatus::Watching {
                deaths_seen: 1,
                life: Life::Alive,
                ..
            } => Some(()),
            _ => None,
        })
        .await;
        // At most one look a second: three commands per look.
        let received = server.received();
        let looks: Vec<_> = received
            .iter()
            .filter(|r| r.command.starts_with("scoreboard players get"))
            .map(|r| r.at)
            .collect();
        for pair in looks.windows(2) {
            assert!(
                pair[1] - pair[0] >= Duration::from_millis(990),
                "{:?}",
                pair[1] - pair[0]
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_server_that_goes_away_releases_the_queue_and_says_why() {
        let world = FakeWorld::new();
        world.join("Steve");
        let server = FakeRcon::start_on(([127, 0, 0, 1], 0).into(), PASSWORD, world.replies())
            .await
            .unwrap();
        let executor = executor(&server);
        let watch = WorldHandle::spawn(executor.world_gate());
        watch.set_config(Some(WorldConfig {
            source: WorldSource::Java(rcon(&server)),
            player: "Steve".into(),
            while_dead: WhileDead::Pause,
        }));
        world.kill("Steve");
        until("the queue held", || {
            world_paused(&executor.status()).then_some(())
        })
        .await;
        server.stop().await;
        until("the queue released", || {
            (!world_paused(&executor.status())).then_some(())
        })
        .await;
        let problem = until("the problem shown", || match watch.status() {
            WorldStatus::Problem(reason) => Some(reason),
            _ => None,
        })
        .await;
        assert!(problem.contains("127.0.0.1"), "{problem}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keep_running_and_wrong_names_never_hold_the_queue() {
        let world = FakeWorld::new();
        world.join("Steve");
        let server = FakeRcon::start_on(([127, 0, 0, 1], 0).into(), PASSWORD, world.replies())
            .await
            .unwrap();
        let executor = executor(&server);
        let watch = WorldHandle::spawn(executor.world_gate());
        watch.set_config(Some(WorldConfig {
            source: WorldSource::Java(rcon(&server)),
            player: "Steve".into(),
            while_dead: WhileDead::KeepRunning,
        }));
        until("Steve seen", || {
            matches!(watch.status(), WorldStatus::Watching { .. }).then_some(())
        })
        .await;
        world.kill("Steve");
        until("Steve seen dead", || match watch.status() {
            WorldStatus::Watching {
                life: Life::Dead,
                deaths_seen: 1,
                ..
            } => Some(()),
            _ => None,
        })
        .await;
        assert!(!world_paused(&executor.status()));

        // A name nobody plays as: offline, never held.
        watch.set_config(Some(WorldConfig {
            source: WorldSource::Java(rcon(&server)),
            player: "Nobody".into(),
            while_dead: WhileDead::Pause,
        }));
        until("Nobody seen offline", || {
            matches!(
                watch.status(),
                WorldStatus::Watching {
                    life: Life::Offline,
                    ..
                }
            )
            .then_some(())
        })
        .await;
        assert!(!world_paused(&executor.status()));

        // Not a player name: never sent to the server.
        let before = server.commands().len();
        watch.set_config(Some(WorldConfig {
            source: WorldSource::Java(rcon(&server)),
            player: "@e[type=pig]".into(),
            while_dead: WhileDead::Pause,
        }));
        let problem = until("the bad name shown", || match watch.status() {
            WorldStatus::Problem(reason) => Some(reason),
            _ => None,
        })
        .await;
        assert!(problem.contains("not a Minecraft player name"), "{problem}");
        assert!(
            server.commands()[before..]
                .iter()
                .all(|c| !c.contains("pig"))
        );

        // A watch that ends leaves the queue running.
        watch.set_config(Some(WorldConfig {
            source: WorldSource::Java(rcon(&server)),
            player: "Steve".into(),
            while_dead: WhileDead::Pause,
        }));
        until("the queue held", || {
            world_paused(&executor.status()).then_some(())
        })
        .await;
        drop(watch);
        assert!(!world_paused(&executor.status()));
    }
}
