//! `--execute` for `replay` and `watch`: builds the executor from the command-line flags, runs the
//! credited gifts' actions through it (keys and speak actions need no server; commands and OBS
//! actions without `--rcon`/`--obs` are reported as not run), reads chat aloud when the
//! `--mappings` settings file turns that on, prints each action's outcome to stderr, and at the end waits
//! for the queue to drain (until it stalls or a second Ctrl-C), stops the executor with the
//! shutdown handshake, lists what did not run and prints a summary whose [`ExecSummary::all_ok`]
//! decides exit code [`ACTIONS_NOT_ALL_RUN_EXIT`]. Without `--execute` nothing runs.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use thiserror::Error;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::ExecuteArgs;
use crate::actions::ActionError;
use crate::actions::bedrock::{self, BedrockError, BedrockServer, GameState};
use crate::actions::executor::{
    ExecMsg, ExecutorConfig, ExecutorHandle, QueueStatus, RconState, spawn_executor,
};
use crate::actions::rcon::{RconClient, RconConfig, RconError, RconTimeouts};
use crate::dispatch::{ReadAloud, Source, Subscriber, ToExecutor};
use crate::engine::{Decision, Output, Stamped};
use crate::live::LiveMsg;
use crate::mappings::{Action, MappingTable};

/// Headless runs may queue far more than the app's default before the queue drains (a replay
/// enqueues a whole capture at once).
pub const HEADLESS_CAPACITY: usize = 1_000_000;

/// Exit code of `replay`/`watch --execute` when the run itself succeeded but at least one action
/// failed or did not run (dropped, stale, left in the queue). 1 and 2 keep their meanings and take
/// precedence.
pub const ACTIONS_NOT_ALL_RUN_EXIT: u8 = 3;

/// `--drain-timeout` when not given: the queue gets this long without progress before giving up.
pub const DEFAULT_DRAIN_STALL: Duration = Duration::from_secs(30);

/// How long the stop handshake lets a running action finish before cutting it off.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Drain policy: true when nothing has finished for `stall` (the server is down or hangs).
pub fn drain_stalled(last_progress: Instant, now: Instant, stall: Duration) -> bool {
    now.saturating_duration_since(last_progress) >= stall
}

/// Why `--execute` could not start.
#[derive(Debug, Error)]
pub enum HeadlessError {
    #[error("--rcon {given:?} is not HOST:PORT (for example 127.0.0.1:25575)")]
    BadAddress { given: String },
    #[error("--obs {given:?} is not HOST:PORT (for example 127.0.0.1:4455)")]
    BadObsAddress { given: String },
    #[error(
        "--rcon {address} needs a password: pass --rcon-password or set GIFTDECK_RCON_PASSWORD"
    )]
    NoPassword { address: String },
    #[error(transparent)]
    Rcon(#[from] RconError),
    #[error(transparent)]
    Bedrock(#[from] BedrockError),
    #[error(
        "the Bedrock game did not connect within {waited_secs} s: type {} in its chat (a world \
         with cheats on), or wait longer with --drain-timeout SECS",
        bedrock::connect_command(*.port)
    )]
    GameNotConnected { port: u16, waited_secs: u64 },
    #[error("cannot start the executor runtime: {0}")]
    Runtime(std::io::Error),
}

/// Parses `HOST:PORT` (`[::1]:25575` for IPv6).
pub fn parse_address(given: &str) -> Result<(String, u16), HeadlessError> {
    let bad = || HeadlessError::BadAddress {
        given: given.to_owned(),
    };
    let (host, port) = given.trim().rsplit_once(':').ok_or_else(bad)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() || port == 0 {
        return Err(bad());
    }
    Ok((host.to_owned(), port))
}

/// The executor settings the flags ask for; `None` without `--execute`.
pub fn config_from_args(args: &ExecuteArgs) -> Result<Option<ExecutorConfig>, HeadlessError> {
    if !args.execute {
        if args.rcon.is_some() || args.bedrock_port.is_some() {
            eprintln!("giftdeck: note: --rcon/--bedrock-port without --execute: no actions run");
        }
        return Ok(None);
    }
    let rcon = match &args.rcon {
        None => None,
        Some(given) => {
            let (host, port) = parse_address(given)?;
            let password = args
                .rcon_password
                .clone()
                .filter(|p| !p.is_empty())
                .ok_or_else(|| HeadlessError::NoPassword {
                    address: given.clone(),
                })?;
            Some(RconConfig {
                host,
                port,
                password,
            })
        }
    };
    // OBS is reached on first use (it may start after us); a password is optional.
    let obs = match &args.obs {
        None => None,
        Some(given) => {
            let (host, port) = parse_address(given).map_err(|_| HeadlessError::BadObsAddress {
                given: given.clone(),
            })?;
            Some(crate::actions::ObsConfig {
                host,
                port,
                password: args.obs_password.clone().unwrap_or_default(),
            })
        }
    };
    Ok(Some(ExecutorConfig {
        capacity: HEADLESS_CAPACITY,
        rcon,
        obs,
        ..ExecutorConfig::default()
    }))
}

/// The keys pace and limits and reading chat aloud from a settings file given as `--mappings`.
fn with_settings_file(
    config: ExecutorConfig,
    settings_file: Option<&std::path::Path>,
) -> ExecutorConfig {
    let Some(path) = settings_file.filter(|p| p.is_file()) else {
        return config;
    };
    let (keys, read_chat) = crate::settings::peek_action_settings(path);
    if read_chat.enabled {
        eprintln!(
            "giftdeck: reading chat aloud (read_chat in {})",
            path.display()
        );
    }
    ExecutorConfig {
        keys_pace: keys.pace,
        keys_limits: keys.limits,
        read_chat,
        ..config
    }
}

/// What ran, for the final line on stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecSummary {
    pub queued: u64,
    pub done: u64,
    pub failed: u64,
    pub dropped: u64,
    /// Waited longer than the max age: not run (the summary line says "skipped (stale)").
    pub too_old: u64,
    /// Still queued when the executor stopped (a stalled queue, a second Ctrl-C), cut off while
    /// running, or credited while stopping.
    pub not_run: u64,
}

impl ExecSummary {
    /// Everything queued ran without error.
    pub fn all_ok(&self) -> bool {
        self.failed == 0 && self.dropped == 0 && self.too_old == 0 && self.not_run == 0
    }

    /// Actions that failed or never ran.
    pub fn not_ok(&self) -> u64 {
        self.failed + self.dropped + self.too_old + self.not_run
    }
}

impl fmt::Display for ExecSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "actions: {} done, {} failed, {} dropped, {} skipped (stale), {} not run",
            self.done, self.failed, self.dropped, self.too_old, self.not_run
        )?;
        if !self.all_ok() {
            write!(f, " — {} action(s) failed or did not run", self.not_ok())?;
        }
        Ok(())
    }
}

/// A running headless executor, for async callers (`watch`). A dispatch subscriber: the
/// credited gifts and fired triggers it is handed are queued.
pub struct Headless {
    executor: ToExecutor,
    read_aloud: ReadAloud,
    printer: JoinHandle<()>,
    drain_stall: Duration,
    _mappings: watch::Sender<MappingTable>,
    /// The listener the Bedrock game is connected to (`--bedrock-port`).
    bedrock: Option<BedrockServer>,
    /// The Java server commands go to (`--rcon`), for the world watch.
    rcon: Option<RconConfig>,
    /// World awareness and the counters (`watch` with a player, or Bedrock).
    world: Option<super::world::HeadlessWorld>,
}

impl fmt::Debug for Headless {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Headless")
            .field("status", &self.handle().status())
            .finish_non_exhaustive()
    }
}

impl Subscriber for Headless {
    fn deliver(&mut self, msg: &LiveMsg, source: Source) {
        self.executor.deliver(msg, source);
        self.read_aloud.deliver(msg, source);
    }
}

impl Headless {
    /// Starts the executor if `--execute` was given (inside a tokio runtime). With `--rcon`, it first
    /// logs in once, so a wrong address or password fails at once with a clear error.
    pub async fn start(
        args: &ExecuteArgs,
        mappings: MappingTable,
    ) -> Result<Option<Self>, HeadlessError> {
        Self::start_from(args, mappings, None).await
    }

    /// Like [`Headless::start`], with the keys pace and limits and reading chat aloud from the
    /// `--mappings` settings file (`settings_file`; defaults without one).
    pub async fn start_from(
        args: &ExecuteArgs,
        mappings: MappingTable,
        settings_file: Option<&std::path::Path>,
    ) -> Result<Option<Self>, HeadlessError> {
        let Some(config) = config_from_args(args)? else {
            return Ok(None);
        };
        let mut config = with_settings_file(config, settings_file);
        let server = match args.bedrock_port {
            Some(port) => Some(wait_for_game(port, drain_stall(args)).await?),
            None => None,
        };
        config.bedrock = server.as_ref().map(BedrockServer::link);
        let mut headless = Self::start_with(config, mappings).await?;
        headless.drain_stall = drain_stall(args);
        headless.bedrock = server;
        Ok(Some(headless))
    }

    /// Starts with explicit settings (tests, or callers with their own flags).
    pub async fn start_with(
        config: ExecutorConfig,
        mappings: MappingTable,
    ) -> Result<Self, HeadlessError> {
        match &config.rcon {
            Some(rcon) => {
                RconClient::connect(rcon, RconTimeouts::default()).await?;
                eprintln!("giftdeck: RCON {} logged in", rcon.address());
            }
            None if config.bedrock.is_none() && has_commands(&mappings) => {
                eprintln!(
                    "giftdeck: note: no --rcon given: Minecraft command actions will not run \
                     (the others will)"
                );
            }
            None => {}
        }
        let (tx, rx) = watch::channel(mappings);
        let (events_tx, events_rx) = mpsc::channel(1024);
        let rcon = config.rcon.clone();
        let handle = spawn_executor(config, rx, events_tx, Arc::new(|| {}));
        let printer = tokio::spawn(print_events(events_rx, handle.status_watch()));
        let handle = Arc::new(handle);
        Ok(Self {
            read_aloud: ReadAloud::new(handle.clone()),
            executor: ToExecutor::new(handle),
            printer,
            drain_stall: DEFAULT_DRAIN_STALL,
            _mappings: tx,
            bedrock: None,
            rcon,
            world: None,
        })
    }

    /// Waits out the player's deaths (and counts them) on the world commands go to: the Bedrock
    /// game, or the Java server when `part` names a player. Returns whether a watch started.
    pub fn watch_world(&mut self, part: &super::world::WorldPart) -> bool {
        let bedrock = self.bedrock.as_ref().map(BedrockServer::link);
        self.world = super::world::HeadlessWorld::start(
            self.executor.handle(),
            self.rcon.clone(),
            bedrock,
            part,
        );
        self.world.is_some()
    }

    /// The world watch with its counters, once [`Self::watch_world`] started one.
    pub fn world_mut(&mut self) -> Option<&mut super::world::HeadlessWorld> {
        self.world.as_mut()
    }

    /// Queues one credited gift's actions as a dispatch would (never blocks); returns how many
    /// were queued.
    pub fn submit(&mut self, decision: &Decision) -> usize {
        let before = self.executor.queued();
        let msg = LiveMsg::Output(Stamped {
            at_millis: 0,
            output: Output::Credit(decision.clone()),
        });
        self.deliver(&msg, Source::STREAM);
        usize::try_from(self.executor.queued() - before).unwrap_or(usize::MAX)
    }

    pub fn handle(&self) -> &ExecutorHandle {
        self.executor.handle()
    }

    /// Sets how long the queue may go without progress before [`Headless::finish`] gives up.
    pub fn set_drain_stall(&mut self, stall: Duration) {
        self.drain_stall = stall;
    }

    /// Waits until every queued action has run (or the queue stalls), stops the executor, prints
    /// what did not run and the summary, and returns it.
    pub async fn finish(self) -> ExecSummary {
        self.finish_until(std::future::pending::<()>()).await
    }

    /// Like [`Headless::finish`], but stops at once when `stop` completes first (a second
    /// Ctrl-C): the actions still queued are listed as not run.
    pub async fn finish_until(self, stop: impl std::future::Future) -> ExecSummary {
        let Self {
            executor,
            read_aloud,
            printer,
            drain_stall,
            _mappings,
            bedrock,
            rcon: _,
            world,
        } = self;
        drop(read_aloud);
        let queued = executor.queued();
        let handle = executor.into_handle();
        // Nothing new arrives from here; the queue keeps running.
        handle.close();
        let mut stop = std::pin::pin!(stop);
        let mut interrupted = false;
        tokio::select! {
            drained = drain_or_stall(&handle, drain_stall) => if !drained {
                eprintln!(
                    "giftdeck: no action finished for {} s; giving up on the queue",
                    drain_stall.as_secs()
                );
            },
            _ = &mut stop => {
                eprintln!("giftdeck: stopping now");
                interrupted = true;
            }
        }
        // Chat read aloud is said by the speech queue alone: let it finish too.
        if let Some(speech) = handle.speech_if_started().filter(|_| !interrupted) {
            let mut status = speech.status();
            let idle = status.wait_for(|s| s.speaking.is_none() && s.waiting == 0);
            tokio::select! {
                finished = tokio::time::timeout(drain_stall, idle) => if finished.is_err() {
                    eprintln!("giftdeck: speech did not finish; stopping it");
                },
                _ = &mut stop => eprintln!("giftdeck: stopping now"),
            }
        }
        let report = handle.stop(STOP_GRACE).await;
        let status = handle.status();
        // The executor is gone with its handle (and the world watch, which holds its gate), so the
        // event channel closes once the printer has shown everything.
        drop(handle);
        drop(world);
        let _ = printer.await;
        drop(bedrock);
        for line in report.not_run_lines() {
            eprintln!("giftdeck: not run: {line}");
        }
        // Commands and OBS actions with no server given did not run: not failures of theirs.
        let summary = ExecSummary {
            queued,
            done: status.done,
            failed: status.failed.saturating_sub(status.not_configured),
            dropped: status.dropped,
            too_old: status.too_old,
            not_run: report.not_run_count() + status.not_configured,
        };
        eprintln!("giftdeck: {summary}");
        summary
    }
}

/// The same for synchronous callers (`replay`): owns a small runtime on a named thread.
pub struct BlockingHeadless {
    runtime: tokio::runtime::Runtime,
    inner: Headless,
}

impl Subscriber for BlockingHeadless {
    fn deliver(&mut self, msg: &LiveMsg, source: Source) {
        self.inner.deliver(msg, source);
    }
}

impl fmt::Debug for BlockingHeadless {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl BlockingHeadless {
    /// Like [`Headless::start`], for code outside a runtime.
    pub fn start(
        args: &ExecuteArgs,
        mappings: MappingTable,
    ) -> Result<Option<Self>, HeadlessError> {
        Self::start_from(args, mappings, None)
    }

    /// Like [`Headless::start_from`], for code outside a runtime.
    pub fn start_from(
        args: &ExecuteArgs,
        mappings: MappingTable,
        settings_file: Option<&std::path::Path>,
    ) -> Result<Option<Self>, HeadlessError> {
        if !args.execute {
            return config_from_args(args).map(|_| None);
        }
        let runtime = exec_runtime()?;
        let inner = runtime.block_on(Headless::start_from(args, mappings, settings_file))?;
        Ok(inner.map(|inner| Self { runtime, inner }))
    }

    pub fn start_with(
        config: ExecutorConfig,
        mappings: MappingTable,
    ) -> Result<Self, HeadlessError> {
        let runtime = exec_runtime()?;
        let inner = runtime.block_on(Headless::start_with(config, mappings))?;
        Ok(Self { runtime, inner })
    }

    pub fn submit(&mut self, decision: &Decision) -> usize {
        self.inner.submit(decision)
    }

    pub fn handle(&self) -> &ExecutorHandle {
        self.inner.handle()
    }

    /// Waits until the queue has drained; prints and returns the summary.
    pub fn finish(self) -> ExecSummary {
        let Self { runtime, inner } = self;
        runtime.block_on(inner.finish())
    }
}

/// The one-worker runtime a synchronous caller's executor runs on.
fn exec_runtime() -> Result<tokio::runtime::Runtime, HeadlessError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("giftdeck-exec")
        .enable_all()
        .build()
        .map_err(HeadlessError::Runtime)
}

/// Listens on `port` and waits up to `wait` for the Bedrock game to connect.
async fn wait_for_game(port: u16, wait: Duration) -> Result<BedrockServer, HeadlessError> {
    let server = BedrockServer::start(port).await?;
    eprintln!(
        "giftdeck: Bedrock: type {} in the game's chat (waiting up to {} s)",
        bedrock::connect_command(server.port()),
        wait.as_secs()
    );
    let mut state = server.link().state_watch();
    let named = |s: &GameState| {
        matches!(
            s,
            GameState::Connected {
                player: Some(_),
                ..
            }
        )
    };
    // The player's name arrives just after the connection; a game that never says it is
    // connected all the same.
    let connected = tokio::time::timeout(wait, state.wait_for(GameState::is_connected))
        .await
        .is_ok_and(|found| found.is_ok());
    if !connected {
        return Err(HeadlessError::GameNotConnected {
            port: server.port(),
            waited_secs: wait.as_secs(),
        });
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), state.wait_for(named)).await;
    if let GameState::Connected {
        player, encrypted, ..
    } = server.link().state()
    {
        eprintln!(
            "giftdeck: Bedrock world connected (player {}, {})",
            player.as_deref().unwrap_or("unknown"),
            if encrypted {
                "encrypted"
            } else {
                "not encrypted"
            }
        );
    }
    Ok(server)
}

fn has_commands(table: &MappingTable) -> bool {
    table.mappings().iter().any(|m| {
        m.enabled
            && m.actions
                .iter()
                .any(|a| matches!(a, Action::Command { .. }))
    })
}

/// `--drain-timeout` or the default.
fn drain_stall(args: &ExecuteArgs) -> Duration {
    args.drain_timeout
        .map_or(DEFAULT_DRAIN_STALL, Duration::from_secs)
}

/// Waits for the queue to drain; false when nothing finished for `stall` first.
async fn drain_or_stall(handle: &ExecutorHandle, stall: Duration) -> bool {
    let progress = |s: &QueueStatus| s.done + s.failed + s.too_old + s.cleared;
    let mut status = handle.status_watch();
    let mut seen = progress(&status.borrow_and_update());
    let mut last_progress = Instant::now();
    loop {
        if drain_stalled(last_progress, Instant::now(), stall) {
            return false;
        }
        tokio::select! {
            () = handle.drained() => return true,
            changed = status.changed() => {
                if changed.is_err() {
                    return false;
                }
                let now = progress(&status.borrow_and_update());
                if now != seen {
                    seen = now;
                    last_progress = Instant::now();
                }
            }
            () = tokio::time::sleep_until((last_progress + stall).into()) => {}
        }
    }
}

async fn print_events(
    mut events: mpsc::Receiver<ExecMsg>,
    mut status: watch::Receiver<QueueStatus>,
) {
    let mut last_rcon = RconState::default();
    let mut status_open = true;
    loop {
        tokio::select! {
            msg = events.recv() => match msg {
                Some(ExecMsg::Log(line)) => match line.outcome {
                    Ok(reply) if reply.is_empty() => eprintln!("giftdeck: ok   {}", line.action),
                    Ok(reply) => eprintln!("giftdeck: ok   {} → {}", line.action, reply.trim_end()),
                    Err(ActionError::RconNotConfigured) => {
                        eprintln!("giftdeck: not run: {} (needs --rcon HOST:PORT)", line.action);
                    }
                    Err(ActionError::ObsNotConfigured) => {
                        eprintln!("giftdeck: not run: {} (needs --obs HOST:PORT)", line.action);
                    }
                    Err(err) => eprintln!("giftdeck: FAIL {}: {err}", line.action),
                },
                None => return,
            },
            changed = status.changed(), if status_open => {
                if changed.is_err() {
                    status_open = false;
                    continue;
                }
                let rcon = status.borrow_and_update().rcon.clone();
                if rcon != last_rcon {
                    match &rcon {
                        RconState::Down(reason) => eprintln!("giftdeck: RCON down: {reason}"),
                        RconState::WaitingForGame { port } => eprintln!(
                            "giftdeck: the Bedrock world is not connected: commands wait for {}",
                            bedrock::connect_command(*port)
                        ),
                        _ => {}
                    }
                    last_rcon = rcon;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_host_and_port() {
        assert_eq!(
            parse_address("127.0.0.1:25575").unwrap(),
            ("127.0.0.1".to_owned(), 25575)
        );
        assert_eq!(parse_address("[::1]:1").unwrap(), ("::1".to_owned(), 1));
        for bad in ["", "host", "host:", ":25575", "host:99999", "host:0"] {
            assert!(parse_address(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn without_execute_nothing_runs_and_a_password_is_required() {
        let args = ExecuteArgs {
            execute: false,
            rcon: Some("127.0.0.1:25575".into()),
            rcon_password: Some("pw".into()),
            ..ExecuteArgs::default()
        };
        assert!(config_from_args(&args).unwrap().is_none());
        let args = ExecuteArgs {
            execute: true,
            rcon: Some("127.0.0.1:25575".into()),
            rcon_password: None,
            ..ExecuteArgs::default()
        };
        let err = config_from_args(&args).unwrap_err();
        assert!(err.to_string().contains("GIFTDECK_RCON_PASSWORD"), "{err}");
        let args = ExecuteArgs {
            execute: true,
            rcon: Some("127.0.0.1:25575".into()),
            rcon_password: Some("pw".into()),
            ..ExecuteArgs::default()
        };
        let config = config_from_args(&args).unwrap().unwrap();
        assert_eq!(config.rcon.unwrap().port, 25575);
        assert_eq!(config.gap_millis, 50);
        assert!(config.obs.is_none());
        let args = ExecuteArgs {
            obs: Some("[::1]:4455".into()),
            obs_password: Some("obs-pw".into()),
            ..args
        };
        let obs = config_from_args(&args).unwrap().unwrap().obs.unwrap();
        assert_eq!((obs.host.as_str(), obs.port), ("::1", 4455));
        assert!(!format!("{args:?}").contains("obs-pw"));
    }
}
