//! `giftdeck watch`: a headless live session. Credited gifts go to stdout as JSON lines (the same
//! lines `replay` prints), status changes to stderr. Exits 0 when the stream ends or after Ctrl-C
//! (open streaks are finalized first), 1 when the session fails, 2 on bad arguments, 3 when (with
//! `--execute`) the session ended well but an action failed or did not run.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::headless::{ACTIONS_NOT_ALL_RUN_EXIT, Headless};
use super::{WatchArgs, load_mappings_source, write_output};
use crate::engine::{Output, Stats};
use crate::live::{ConnStatus, FailureKind, LiveConfig, LiveMsg, Recorder, spawn_session};
use crate::overlay::{OverlayError, Overlays};
use crate::room_store::RoomStore;

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

async fn run(mut args: WatchArgs) -> ExitCode {
    let (table, t2m) = match load_mappings_source(args.mappings.as_deref()) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("giftdeck watch: {err}");
            return ExitCode::from(2);
        }
    };
    // The user and RCON flags win over a Tiktok2Mc folder's config.yaml.
    if args.user.is_none() {
        args.user = t2m.as_ref().and_then(|t| t.tiktok_user.clone());
    }
    if args.user.is_none() {
        eprintln!(
            "giftdeck watch: which stream? give the @username (or a Tiktok2Mc folder naming it)"
        );
        return ExitCode::from(2);
    }
    args.execute = args.execute.or_t2m(t2m.as_ref());
    let mut config = config_from_args(&args);
    if let Some(path) = &args.record {
        match Recorder::create(path) {
            Ok(recorder) => config.record = Some(recorder),
            Err(err) => {
                eprintln!("giftdeck watch: {err}");
                return ExitCode::from(2);
            }
        }
    }
    // `--execute`: the credited gifts' actions run through the real executor (None without it).
    let mut executor = match Headless::start(&args.execute, table.clone()).await {
        Ok(executor) => executor,
        Err(err) => {
            eprintln!("giftdeck watch: {err}");
            return ExitCode::from(2);
        }
    };
    let overlays = match start_overlays(args.overlay_port).await {
        Ok(overlays) => overlays,
        Err(err) => {
            eprintln!("giftdeck watch: {err}");
            return ExitCode::from(2);
        }
    };
    if let (Some(executor), Some(overlays)) = (executor.as_ref(), overlays.as_ref()) {
        executor.handle().set_overlay(Some(overlays.hub.clone()));
    }
    let (_mappings_tx, mappings_rx) = watch::channel(table);
    let (events_tx, mut events) = mpsc::channel(EVENTS_CAPACITY);
    let handle = spawn_session(config, mappings_rx, events_tx, Arc::new(|| {}));

    let mut stdout = std::io::BufWriter::new(std::io::stdout());
    let mut stdout_open = true;
    let mut final_status = None;
    let mut stats = Stats::default();
    let mut stopping = false;
    let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            message = events.recv() => {
                if let (Some(LiveMsg::Output(output)), Some(overlays)) = (&message, &overlays) {
                    overlays.hub.send_output(output);
                }
                match message {
                None => break,
                Some(LiveMsg::Output(output @ (Output::Credit(_) | Output::Fired(_)))) if stdout_open => {
                    if let Some(executor) = executor.as_mut() {
                        match &output {
                            Output::Credit(decision) => {
                                executor.submit(decision);
                            }
                            Output::Fired(fired) => {
                                executor.submit_fired(fired);
                            }
                            Output::Event(_) => {}
                        }
                    }
                    let printed = write_output(&mut stdout, &output, args.events)
                        .and_then(|()| stdout.flush());
                    if let Err(err) = printed {
                        // A closed pipe (`| head`) ends the session cleanly.
                        eprintln!("giftdeck watch: cannot write to stdout ({err}); stopping");
                        stdout_open = false;
                        handle.stop();
                    }
                }
                Some(LiveMsg::Output(_)) => {}
                Some(LiveMsg::Stats(s)) => stats = s,
                Some(LiveMsg::Warning(text)) => eprintln!("giftdeck watch: warning: {text}"),
                Some(LiveMsg::Route(route)) => eprintln!("giftdeck watch: {}", route_line(&route)),
                Some(LiveMsg::Status(status)) => {
                    eprintln!("giftdeck watch: {status}");
                    if let ConnStatus::Failed { kind, .. } = &status {
                        eprintln!("giftdeck watch: {}", failure_advice(*kind));
                    }
                    if status.is_final() {
                        final_status = Some(status);
                    }
                }
            }},
            _ = &mut interrupt => {
                if stopping {
                    eprintln!("giftdeck watch: interrupted again; exiting without waiting");
                    // Even now the executor stops with its handshake and lists what did not run.
                    if let Some(executor) = executor.take() {
                        executor.finish_until(std::future::ready(())).await;
                    }
                    return ExitCode::from(130);
                }
                eprintln!("giftdeck watch: stopping (finalizing open streaks; Ctrl-C again to quit at once)");
                stopping = true;
                handle.stop();
                interrupt.set(tokio::signal::ctrl_c());
            }
        }
    }
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
    match final_status {
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
