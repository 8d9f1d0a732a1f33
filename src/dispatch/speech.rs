//! Reading chat aloud as a subscriber: every chat message is offered to the executor's chat reader
//! ([`ExecutorHandle::read_chat`]), which applies the streamer's "read chat aloud" filters and
//! hands what passes to the speech queue. Never blocks (the speech queue has its own line).

use std::sync::Arc;

use super::{Source, Subscriber};
use crate::actions::ExecutorHandle;
use crate::engine::Output;
use crate::event::LiveEvent;
use crate::live::LiveMsg;

/// Offers each chat message to the chat reader.
#[derive(Debug)]
pub struct ReadAloud {
    handle: Arc<ExecutorHandle>,
    read: u64,
}

impl ReadAloud {
    pub fn new(handle: Arc<ExecutorHandle>) -> Self {
        Self { handle, read: 0 }
    }

    /// Chat messages handed to the speech queue so far.
    pub fn read(&self) -> u64 {
        self.read
    }
}

impl Subscriber for ReadAloud {
    fn deliver(&mut self, msg: &LiveMsg, _source: Source) {
        let LiveMsg::Output(stamped) = msg else {
            return;
        };
        let Output::Event(LiveEvent::Chat { user, text, .. }) = &stamped.output else {
            return;
        };
        // The engine's clock: a replay's cooldowns follow the capture's time, not the wall's.
        if self.handle.read_chat(user, text, stamped.at_millis).is_ok() {
            self.read += 1;
        }
    }
}
