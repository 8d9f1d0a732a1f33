//! `giftdeck replay`: runs a capture through [`crate::replay::replay`], prints one JSON line per
//! credited gift on stdout (the same lines `watch` prints) and a summary on stderr.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use super::headless::{ACTIONS_NOT_ALL_RUN_EXIT, BlockingHeadless};
use super::{ReplayArgs, load_mappings_source, write_output};
use crate::capture::CaptureReader;
use crate::engine::Output;
use crate::replay::{ReplayError, replay_outputs};

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
    let mut executor = match BlockingHeadless::start(&execute, table.clone()) {
        Ok(executor) => executor,
        Err(err) => {
            eprintln!("giftdeck replay: {err}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut stdout = BufWriter::new(stdout.lock());
    let result = replay_outputs(reader, table, |output| {
        if let Some(executor) = executor.as_mut() {
            match output {
                Output::Credit(decision) => {
                    executor.submit(decision);
                }
                Output::Fired(fired) => {
                    executor.submit_fired(fired);
                }
                Output::Event(_) => {}
            }
        }
        write_output(&mut stdout, output, args.events)
    });
    let flushed = stdout.flush();
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
