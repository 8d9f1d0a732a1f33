//! `giftdeck replay`: runs a capture through [`crate::replay::replay`], prints one JSON line per
//! credited gift on stdout (the same lines `watch` prints) and a summary on stderr.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use super::headless::BlockingHeadless;
use super::{ReplayArgs, load_mappings_arg, write_json_line};
use crate::capture::CaptureReader;
use crate::replay::{ReplayError, replay};

/// `giftdeck replay CAPTURE [--mappings FILE]`.
pub fn run(args: &ReplayArgs) -> ExitCode {
    let table = match load_mappings_arg(args.mappings.as_deref()) {
        Ok(table) => table,
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
    let mut executor = match BlockingHeadless::start(&args.execute, table.clone()) {
        Ok(executor) => executor,
        Err(err) => {
            eprintln!("giftdeck replay: {err}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut stdout = BufWriter::new(stdout.lock());
    let result = replay(reader, table, |decision| {
        if let Some(executor) = executor.as_mut() {
            executor.submit(decision);
        }
        write_json_line(&mut stdout, decision)
    });
    let flushed = stdout.flush();
    if let Some(executor) = executor {
        executor.finish();
    }
    let code = match result {
        Ok(summary) => {
            if let Some(tail) = &summary.damaged_tail {
                eprintln!("warning: {tail}; the rest of the capture was skipped");
            }
            eprintln!("{summary}");
            ExitCode::SUCCESS
        }
        // `giftdeck replay … | head` closes stdout early: not an error worth a message.
        Err(ReplayError::Output(err)) if err.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
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
