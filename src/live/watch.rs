//! `giftdeck watch`: a headless live session. Credited gifts go to stdout as JSON lines (the same
//! lines `replay` prints), status changes to stderr. Exits 0 when the stream ends or after Ctrl-C
//! (open streaks are finalized first), 1 when the session fails, 2 on bad arguments.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::{ConnStatus, LiveConfig, LiveMsg, Recorder, spawn_session};
use crate::actions::headless::Headless;
use crate::cli::WatchArgs;
use crate::engine::{Output, Stats};
use crate::replay;
use crate::room_store::RoomStore;

/// Capacity of the session → printer channel.
const EVENTS_CAPACITY: usize = 1024;

pub fn run_cli(args: WatchArgs) -> ExitCode {
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

/// The session config from the command line (the key comes from the flag or `GIFTDECK_SIGN_API_KEY`).
pub fn config_from_args(args: &WatchArgs) -> LiveConfig {
    let defaults = LiveConfig::default();
    LiveConfig {
        target: args.user.clone(),
        room_id: args.room_id.clone(),
        sign_url: args.sign_url.clone().unwrap_or(defaults.sign_url.clone()),
        sign_api_key: args.sign_api_key.clone().filter(|k| !k.is_empty()),
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

async fn run(args: WatchArgs) -> ExitCode {
    let table = match replay::load_mappings_arg(args.mappings.as_deref()) {
        Ok(table) => table,
        Err(err) => {
            eprintln!("giftdeck watch: {err}");
            return ExitCode::from(2);
        }
    };
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
            message = events.recv() => match message {
                None => break,
                Some(LiveMsg::Output(Output::Credit(decision))) if stdout_open => {
                    if let Some(executor) = executor.as_mut() {
                        executor.submit(&decision);
                    }
                    let printed = replay::write_json_line(&mut stdout, &decision)
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
                Some(LiveMsg::Status(status)) => {
                    eprintln!("giftdeck watch: {status}");
                    if status.is_final() {
                        final_status = Some(status);
                    }
                }
            },
            _ = &mut interrupt => {
                if stopping {
                    eprintln!("giftdeck watch: interrupted again; exiting without waiting");
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
    if let Some(executor) = executor {
        eprintln!("giftdeck watch: waiting for queued actions (Ctrl-C again drops them)");
        executor.finish_until(tokio::signal::ctrl_c()).await;
    }
    match final_status {
        Some(ConnStatus::Ended) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
