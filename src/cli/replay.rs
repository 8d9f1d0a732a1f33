//! `giftdeck replay`: runs a capture through [`crate::replay::replay`], prints one JSON line per
//! credited gift on stdout (the same lines `watch` prints) and a summary on stderr.

use std::io::{self, BufWriter};
use std::process::ExitCode;
use std::time::Duration;

use super::headless::{ACTIONS_NOT_ALL_RUN_EXIT, BlockingHeadless};
use super::printer::JsonLines;
use super::{ReplayArgs, load_mappings_source};
use crate::capture::CaptureReader;
use crate::dispatch::{Dispatch, Source, ToTikfinity};
use crate::live::LiveMsg;
use crate::replay::{ReplayError, replay_outputs};
use crate::tikfinity::TikfinityServer;

/// How long `--tikfinity-port` waits for a client before replaying anyway.
const TIKFINITY_CLIENT_WAIT: Duration = Duration::from_secs(60);
/// How long the clients get to take the last events before the server closes.
const TIKFINITY_FLUSH: Duration = Duration::from_secs(10);

/// The TikFinity events server a replay feeds, on its own small runtime.
struct Tikfinity {
    runtime: tokio::runtime::Runtime,
    server: TikfinityServer,
}

impl Tikfinity {
    /// Starts the server on `port` and waits for the first client (a replay is over in moments,
    /// so a tool connecting later would miss everything).
    fn start(port: u16) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("giftdeck-tikfinity")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        let server = runtime
            .block_on(super::start_tikfinity("giftdeck replay", port))
            .map_err(|e| e.to_string())?;
        eprintln!(
            "giftdeck replay: waiting for a TikFinity client to connect (up to {} s)",
            TIKFINITY_CLIENT_WAIT.as_secs()
        );
        if !runtime.block_on(server.wait_for_client(TIKFINITY_CLIENT_WAIT)) {
            eprintln!("giftdeck replay: no TikFinity client connected; replaying anyway");
        }
        Ok(Self { runtime, server })
    }

    /// Lets the clients take the last events, then closes them.
    fn finish(self) {
        let Self { runtime, server } = self;
        runtime.block_on(server.finish(TIKFINITY_FLUSH));
    }
}

/// `giftdeck replay CAPTURE [--mappings FILE]`.
pub fn run(args: &ReplayArgs) -> ExitCode {
    let (table, t2m) = match load_mappings_source(args.mappings.as_deref()) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("giftdeck replay: {err}");
            return ExitCode::from(2);
        }
    };
    let reader = match CaptureReader::open(&args.capture) {
        Ok(reader) => reader,
        Err(err) => {
            eprintln!("giftdeck replay: {err}");
            return ExitCode::from(2);
        }
    };
    // `--execute`: the credited gifts' actions run through the real executor (None without it).
    // RCON flags win over a Tiktok2Mc folder's config.yaml.
    let execute = args.execute.or_t2m(t2m.as_ref());
    let mut executor =
        match BlockingHeadless::start_from(&execute, table.clone(), args.mappings.as_deref()) {
            Ok(executor) => executor,
            Err(err) => {
                eprintln!("giftdeck replay: {err}");
                return ExitCode::from(2);
            }
        };
    let tikfinity = match args.tikfinity_port.filter(|&port| port != 0) {
        None => None,
        Some(port) => match Tikfinity::start(port) {
            Ok(tikfinity) => Some(tikfinity),
            Err(err) => {
                eprintln!("giftdeck replay: {err}");
                return ExitCode::from(2);
            }
        },
    };
    // Buffered, so stdout is locked once per buffer, not per line.
    let stdout = BufWriter::with_capacity(64 * 1024, io::stdout());
    let mut printer = JsonLines::new(stdout, args.events, false);
    let failure = printer.failure();
    let result = {
        // The same dispatch as a live session's: the executor first, then the printer.
        let mut dispatch = Dispatch::new(Source::STREAM);
        dispatch
            .subscribe_some(executor.as_mut())
            .subscribe_some(tikfinity.as_ref().map(|t| ToTikfinity(t.server.feed())))
            .subscribe(&mut printer);
        replay_outputs(reader, table, |stamped| {
            dispatch.deliver(&LiveMsg::Output(stamped));
            failure.take().map_or(Ok(()), Err)
        })
    };
    let flushed = printer.flush();
    if let Some(tikfinity) = tikfinity {
        tikfinity.finish();
    }
    // With `--execute`, an action that failed or never ran makes the exit code 3.
    let actions_ok = executor.is_none_or(|executor| executor.finish().all_ok());
    let done = if actions_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(ACTIONS_NOT_ALL_RUN_EXIT)
    };
    let code = match result {
        Ok(summary) => {
            if let Some(tail) = &summary.damaged_tail {
                eprintln!("warning: {tail}; the rest of the capture was skipped");
            }
            eprintln!("{summary}");
            done
        }
        // `giftdeck replay … | head` closes stdout early: not an error worth a message.
        Err(ReplayError::Output(err)) if err.kind() == io::ErrorKind::BrokenPipe => done,
        Err(err) => {
            eprintln!("giftdeck replay: {err}");
            ExitCode::from(2)
        }
    };
    match flushed {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("giftdeck replay: cannot write output: {err}");
            ExitCode::from(2)
        }
        _ => code,
    }
}
