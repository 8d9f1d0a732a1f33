//! The executor as a subscriber: credited gifts and fired triggers are queued, bound to the
//! server of the stream they came from. Queuing never blocks (what does not fit is counted as
//! dropped by the executor).

use std::sync::Arc;

use super::{Source, Subscriber};
use crate::actions::ExecutorHandle;
use crate::engine::Output;
use crate::live::LiveMsg;

/// Queues each output's actions on the executor.
#[derive(Debug)]
pub struct ToExecutor {
    handle: Arc<ExecutorHandle>,
    queued: u64,
}

impl ToExecutor {
    pub fn new(handle: Arc<ExecutorHandle>) -> Self {
        Self { handle, queued: 0 }
    }

    pub fn handle(&self) -> &ExecutorHandle {
        &self.handle
    }

    /// The handle back, for the stop handshake; dropping it (the last one) ends the executor.
    pub fn into_handle(self) -> Arc<ExecutorHandle> {
        self.handle
    }

    /// Actions queued through this subscriber so far.
    pub fn queued(&self) -> u64 {
        self.queued
    }
}

impl Subscriber for ToExecutor {
    fn deliver(&mut self, msg: &LiveMsg, source: Source) {
        let LiveMsg::Output(stamped) = msg else {
            return;
        };
        // A follow, like rule, chat command…: its actions run whatever the window shows.
        let queued = match &stamped.output {
            Output::Credit(decision) => self.handle.enqueue_from(decision, source.origin),
            Output::Fired(fired) => self.handle.enqueue_fired_from(fired, source.origin),
            Output::Event(_) | Output::Likes(_) => 0,
        };
        self.queued += queued as u64;
    }
}
