//! `giftdeck watch`: a headless live session. Credited gifts go to stdout as JSON lines (the same
//! lines `replay` prints), status changes to stderr. Exits 0 when the stream ends or after Ctrl-C
//! (open streaks are finalized first), 1 when the session fails, 2 on bad arguments, 3 when (with
//! `--execute`) the session ended well but an action failed or did not run.

use std::io::BufWriter;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::headless::{ACTIONS_NOT_ALL_RUN_EXIT, Headless};
use super::printer::{JsonLines, WriteFailure};
use super::{WatchArgs, load_mappings_source};
use crate::dispatch::{Dispatch, Source, Subscriber, ToGame, ToLedger, ToOverlays, ToTikfinity};
use crate::engine::Stats;
use crate::game::{Game, GameConfig};
use crate::ledger::{Ledger, LedgerReader, LedgerSettings};
use crate::live::{
    ConnStatus, FailureKind, LiveConfig, LiveHandle, LiveMsg, Recorder, spawn_session,
};
use crate::mappings::MappingTable;
use crate::overlay::{OverlayError, Overlays};
use crate::room_store::RoomStore;
use crate::tikfinity::{TikfinityError, TikfinityServer, TikfinitySettings};

/// Capacity of the session → printer channel.
const EVENTS_CAPACITY: usize = 1024;

pub fn run_blocking(args: WatchArgs) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("giftdeck-watch")
        .enable_all()
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(run(args)),
        Err(err) => {
            eprintln!("giftdeck watch: cannot start the async runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The session config from the command line (the keys come from the flags or their
/// `GIFTDECK_*_API_KEY` variables).
pub fn config_from_args(args: &WatchArgs) -> LiveConfig {
    let defaults = LiveConfig::default();
    let chain = &args.chain;
    LiveConfig {
        target: args.user.clone().unwrap_or_default(),
        room_id: args.room_id.clone(),
        sign_url: args.sign_url.clone().unwrap_or(defaults.sign_url.clone()),
        sign_api_key: args.sign_api_key.clone().filter(|k| !k.is_empty()),
        providers: chain.providers.clone(),
        euler_ws_url: chain
            .euler_ws_url
            .clone()
            .unwrap_or(defaults.euler_ws_url.clone()),
        euler_ws_api_key: chain.euler_ws_api_key.clone().filter(|k| !k.is_empty()),
        custom_sign_url: chain.custom_sign_url.clone(),
        custom_sign_api_key: chain.custom_sign_api_key.clone().filter(|k| !k.is_empty()),
        // The session pasted in the window's Settings, read only if the room is 18+.
        tiktok_session: crate::live::SessionSource::Keyring,
        gift_cache_dir: crate::live::gifts::default_cache_dir(),
        tiktok_url: args
            .tiktok_url
            .clone()
            .unwrap_or(defaults.tiktok_url.clone()),
        webcast_url: args
            .webcast_url
            .clone()
            .unwrap_or(defaults.webcast_url.clone()),
        memory: args
            .memory_dir
            .clone()
            .or_else(RoomStore::default_dir)
            .map(RoomStore::new),
        ..defaults
    }
}

/// The line `watch` prints after `failed: …`: what went wrong, in words, and what to do about it
/// (the words live with the window's, in `ui::failure`).
pub fn failure_advice(kind: FailureKind) -> &'static str {
    crate::ui::failure::watch_advice(kind)
}

/// What `watch` prints when the provider carrying the stream changes.
fn route_line(route: &crate::live::Route) -> String {
    use crate::ui::failure::{local_clock, provider_name, route_words};
    route_words(route, &local_clock).unwrap_or_else(|| {
        format!(
            "connected through {}",
            provider_name(route.via, route.sign_is_euler)
        )
    })
}

/// Starts the overlays (the app's saved overlay settings; `--overlay-port` wins, 0 turns them
/// off). A busy port the user did not ask for only warns (overlays stay off); a port given with
/// `--overlay-port` must work, so its failure is an error.
async fn start_overlays(port: Option<u16>) -> Result<Option<Overlays>, OverlayError> {
    match super::start_overlays("giftdeck watch", port).await {
        None => Ok(None),
        Some(Ok(overlays)) => Ok(Some(overlays)),
        Some(Err(err)) if port.is_none() => {
            eprintln!("giftdeck watch: overlays are off: {err}");
            Ok(None)
        }
        Some(Err(err)) => Err(err),
    }
}

/// Starts the TikFinity events server: `--tikfinity-port` (0 off), else as in Settings (off by
/// default). A port the user asked for must work; a saved one that is busy only warns.
async fn start_tikfinity(port: Option<u16>) -> Result<Option<TikfinityServer>, TikfinityError> {
    let chosen = match port {
        Some(0) => None,
        Some(port) => Some(port),
        None => crate::settings::default_path()
            .map(|path| TikfinitySettings::peek(&path))
            .unwrap_or_default()
            .port(),
    };
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    match super::start_tikfinity("giftdeck watch", chosen).await {
        Ok(server) => Ok(Some(server)),
        Err(err) if port.is_none() => {
            eprintln!("giftdeck watch: the TikFinity events API is off: {err}");
            Ok(None)
        }
        Err(err) => Err(err),
    }
}

/// What the session needs, from the flags (and a Tiktok2Mc folder's config.yaml).
struct Setup {
    table: MappingTable,
    config: LiveConfig,
    /// `--execute`: the credited gifts' actions run through the real executor.
    executor: Option<Headless>,
    overlays: Option<Overlays>,
    tikfinity: Option<TikfinityServer>,
    ledger: Option<(Ledger, LedgerReader)>,
}

/// Opens the viewers' ledger: `--ledger`, else the OS data dir's when Settings has it on;
/// `--no-ledger` records nothing. One that cannot open only warns: the stream goes on.
async fn open_ledger(args: &WatchArgs) -> Option<(Ledger, LedgerReader)> {
    if args.ledger.no_ledger {
        return None;
    }
    let settings = crate::settings::default_path()
        .map(|path| LedgerSettings::peek(&path))
        .unwrap_or_default();
    let path = match &args.ledger.ledger {
        Some(path) => path.clone(),
        None if settings.enabled => crate::ledger::default_path()?,
        None => return None,
    };
    match crate::ledger::open(path, settings.rates).await {
        Ok((ledger, reader)) => {
            ledger.standings().set_levels(settings.levels.0);
            Some((ledger, reader))
        }
        Err(err) => {
            eprintln!("giftdeck watch: points are not recorded: {err}");
            None
        }
    }
}

/// The goals and the subathon timer as set up in Settings, on the overlay pages, restored from
/// and saved in the ledger.
async fn start_game(overlays: Option<&Overlays>, ledger: Option<&(Ledger, LedgerReader)>) -> Game {
    let config = crate::settings::default_path()
        .map(|path| GameConfig::peek(&path))
        .unwrap_or_default();
    let game = Game::start(config, overlays.map(|o| o.hub.clone()));
    if let Some((ledger, reader)) = ledger {
        game.attach(ledger.handle(), reader.clone());
        if let Some(overlays) = overlays {
            // The leaderboards page; `watch` has no window to show them in.
            let levels = crate::settings::default_path()
                .map(|path| LedgerSettings::peek(&path).levels)
                .unwrap_or_default();
            let (boards, _) = tokio::sync::watch::channel(Default::default());
            tokio::spawn(crate::game::boards::run(
                reader.clone(),
                ledger.status(),
                levels,
                Some(overlays.hub.clone()),
                boards,
            ));
        }
    }
    game
}

/// Reads the flags and starts the executor and the overlays. A bad argument is reported here and
/// comes back as exit code 2.
async fn setup(args: &mut WatchArgs) -> Result<Setup, ExitCode> {
    let fail = |err: &dyn std::fmt::Display| {
        eprintln!("giftdeck watch: {err}");
        ExitCode::from(2)
    };
    let (table, t2m) = load_mappings_source(args.mappings.as_deref()).map_err(|e| fail(&e))?;
    // The user and RCON flags win over a Tiktok2Mc folder's config.yaml.
    if args.user.is_none() {
        args.user = t2m.as_ref().and_then(|t| t.tiktok_user.clone());
    }
    if args.user.is_none() {
        return Err(fail(
            &"which stream? give the @username (or a Tiktok2Mc folder naming it)",
        ));
    }
    args.execute = args.execute.or_t2m(t2m.as_ref());
    let mut config = config_from_args(args);
    if let Some(path) = &args.record {
        config.record = Some(Recorder::create(path).map_err(|e| fail(&e))?);
    }
    let mut executor = Headless::start_from(&args.execute, table.clone(), args.mappings.as_deref())
        .await
        .map_err(|e| fail(&e))?;
    let overlays = start_overlays(args.overlay_port)
        .await
        .map_err(|e| fail(&e))?;
    if let Some(executor) = executor.as_mut() {
        let mut part = super::world::WorldPart::peek(args.mappings.as_deref());
        if let Some(player) = &args.world.player {
            part.minecraft_world.player = player.clone();
        }
        executor.watch_world(&part);
    }
    if let (Some(executor), Some(overlays)) = (executor.as_mut(), overlays.as_ref()) {
        executor.handle().set_overlay(Some(overlays.hub.clone()));
        if let Some(world) = executor.world_mut() {
            world.show_on(&overlays.hub);
        }
    }
    let tikfinity = start_tikfinity(args.tikfinity_port)
        .await
        .map_err(|e| fail(&e))?;
    let ledger = open_ledger(args).await;
    if let Some((ledger, _)) = &ledger {
        config.standings = ledger.standings();
    }
    Ok(Setup {
        table,
        config,
        executor,
        overlays,
        tikfinity,
        ledger,
    })
}

/// `watch`'s status on stderr: each status (with the advice line for a failure) and warning as it
/// comes; the counters and the final status are kept for the summary.
#[derive(Default)]
struct StatusLines {
    stats: Stats,
    final_status: Option<ConnStatus>,
}

impl Subscriber for StatusLines {
    fn deliver(&mut self, msg: &LiveMsg, _source: Source) {
        match msg {
            LiveMsg::Output(_) => {}
            LiveMsg::Stats(stats) => self.stats = *stats,
            LiveMsg::Warning(warning) => eprintln!("giftdeck watch: warning: {warning}"),
            LiveMsg::Route(route) => eprintln!("giftdeck watch: {}", route_line(route)),
            LiveMsg::Status(status) => {
                eprintln!("giftdeck watch: {status}");
                if let ConnStatus::Failed { kind, .. } = status {
                    eprintln!("giftdeck watch: {}", failure_advice(*kind));
                }
                if status.is_final() {
                    self.final_status = Some(status.clone());
                }
            }
        }
    }
}

/// How the session's messages stopped coming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ended {
    /// The session ended and its channel closed (every message was dispatched).
    Closed,
    /// Ctrl-C a second time: quit without waiting.
    Interrupted,
}

/// Dispatches the session's messages until it ends. The first Ctrl-C stops the session (open
/// streaks are finalized); a stdout that cannot be written any more stops it too.
async fn pump(
    mut dispatch: Dispatch<'_>,
    mut events: mpsc::Receiver<LiveMsg>,
    session: &LiveHandle,
    stdout_failure: &WriteFailure,
) -> Ended {
    let mut stopping = false;
    let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            message = events.recv() => {
                let Some(message) = message else {
                    return Ended::Closed;
                };
                dispatch.deliver(&message);
                if let Some(err) = stdout_failure.take() {
                    // A closed pipe (`| head`) ends the session cleanly.
                    eprintln!("giftdeck watch: cannot write to stdout ({err}); stopping");
                    session.stop();
                }
            },
            _ = &mut interrupt => {
                if stopping {
                    eprintln!("giftdeck watch: interrupted again; exiting without waiting");
                    return Ended::Interrupted;
                }
                eprintln!("giftdeck watch: stopping (finalizing open streaks; Ctrl-C again to quit at once)");
                stopping = true;
                session.stop();
                interrupt.set(tokio::signal::ctrl_c());
            }
        }
    }
}

async fn run(mut args: WatchArgs) -> ExitCode {
    let Setup {
        table,
        config,
        mut executor,
        overlays,
        tikfinity,
        ledger,
    } = match setup(&mut args).await {
        Ok(setup) => setup,
        Err(code) => return code,
    };
    let game = start_game(overlays.as_ref(), ledger.as_ref()).await;
    let (_mappings_tx, mappings_rx) = watch::channel(table);
    let (events_tx, events) = mpsc::channel(EVENTS_CAPACITY);
    let handle = spawn_session(config, mappings_rx, events_tx, Arc::new(|| {}));
    let mut printer = JsonLines::new(BufWriter::new(std::io::stdout()), args.events, true);
    let stdout_failure = printer.failure();
    let mut status = StatusLines::default();
    let ended = {
        // The executor first: actions never wait for the printers.
        let mut dispatch = Dispatch::new(Source::STREAM);
        dispatch
            .subscribe_some(executor.as_mut())
            .subscribe_some(overlays.as_ref().map(|o| ToOverlays(o.hub.clone())))
            .subscribe_some(tikfinity.as_ref().map(|t| ToTikfinity(t.feed())))
            .subscribe_some(ledger.as_ref().map(|(l, _)| ToLedger::new(l.handle())))
            .subscribe(ToGame(game.clone()))
            .subscribe(&mut printer)
            .subscribe(&mut status);
        pump(dispatch, events, &handle, &stdout_failure).await
    };
    if ended == Ended::Interrupted {
        // Even now the executor stops with its handshake and lists what did not run.
        if let Some(executor) = executor.take() {
            executor.finish_until(std::future::ready(())).await;
        }
        return ExitCode::from(130);
    }
    let stats = status.stats;
    eprintln!(
        "giftdeck watch: {} gifts credited ({} frames, {} duplicates, {} malformed)",
        stats.credited, stats.frames, stats.duplicates, stats.malformed
    );
    let mut actions_ok = true;
    if let Some(executor) = executor {
        eprintln!(
            "giftdeck watch: waiting for queued actions (Ctrl-C again stops at once and lists what did not run)"
        );
        actions_ok = executor
            .finish_until(tokio::signal::ctrl_c())
            .await
            .all_ok();
    }
    if let Some(overlays) = overlays {
        overlays.stop().await;
    }
    if let Some(tikfinity) = tikfinity {
        tikfinity.finish(Duration::from_secs(5)).await;
    }
    // The goals' and timer's last state first, then everything the ledger was given.
    game.synced().await;
    if let Some((ledger, _)) = ledger {
        match ledger.close().await {
            Ok(done) => eprintln!(
                "giftdeck watch: viewers' ledger: {} events and {} points actions recorded ({} already counted)",
                done.events, done.adjustments, done.duplicates
            ),
            Err(err) => eprintln!("giftdeck watch: viewers' ledger: {err}"),
        }
    }
    match status.final_status {
        Some(ConnStatus::Ended) if actions_ok => ExitCode::SUCCESS,
        Some(ConnStatus::Ended) => ExitCode::from(ACTIONS_NOT_ALL_RUN_EXIT),
        _ => ExitCode::FAILURE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_kind_has_its_own_advice_line() {
        let lines: std::collections::HashSet<_> = FailureKind::ALL
            .iter()
            .map(|k| failure_advice(*k))
            .collect();
        assert_eq!(lines.len(), FailureKind::ALL.len());
        assert!(failure_advice(FailureKind::SignRefused).contains("GIFTDECK_SIGN_API_KEY"));
    }
}
