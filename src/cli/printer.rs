//! The JSON-lines printer as a dispatch subscriber, shared by `replay` and `watch`: every
//! credited gift (and under `--events` every fired trigger) becomes one line on the writer (see
//! [`super::write_output`]). A write that fails (a closed pipe, `| head`) stops the printing and
//! is left in a [`WriteFailure`] for the caller, which stops the stream.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use crate::dispatch::{Source, Subscriber};
use crate::engine::Output;
use crate::live::LiveMsg;

/// Where a printer that could not write leaves its error.
#[derive(Clone, Debug, Default)]
pub struct WriteFailure(Arc<Mutex<Option<io::Error>>>);

impl WriteFailure {
    fn set(&self, err: io::Error) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(err);
    }

    /// The write error, once (`None` while writing works).
    pub fn take(&self) -> Option<io::Error> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Prints the outputs it is handed as JSON lines.
pub struct JsonLines<W> {
    out: W,
    /// `--events`: fired triggers too, and `"kind"` on gift lines.
    events: bool,
    /// Flush after each line (`watch`: a line is seen as it happens).
    flush_each: bool,
    failure: WriteFailure,
    failed: bool,
}

impl<W: Write + Send> JsonLines<W> {
    pub fn new(out: W, events: bool, flush_each: bool) -> Self {
        Self {
            out,
            events,
            flush_each,
            failure: WriteFailure::default(),
            failed: false,
        }
    }

    /// Where a failed write is left.
    pub fn failure(&self) -> WriteFailure {
        self.failure.clone()
    }

    /// Flushes what is buffered (the end of a replay).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl<W: Write + Send> Subscriber for JsonLines<W> {
    fn deliver(&mut self, msg: &LiveMsg, _source: Source) {
        let LiveMsg::Output(stamped) = msg else {
            return;
        };
        // Events and like counts print nothing (see `write_output`): no write, no flush.
        if self.failed || matches!(stamped.output, Output::Event(_) | Output::Likes(_)) {
            return;
        }
        let mut written = super::write_output(&mut self.out, &stamped.output, self.events);
        if self.flush_each {
            written = written.and_then(|()| self.out.flush());
        }
        if let Err(err) = written {
            self.failed = true;
            self.failure.set(err);
        }
    }
}
