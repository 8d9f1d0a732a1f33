//! The goals and the subathon timer as a subscriber: the streamer's stream moves them; a Test's
//! outputs and the demo's never do (the same rule as the viewers' ledger). Never blocks.

use super::{Source, Subscriber, ToLedger};
use crate::game::Game;
use crate::live::LiveMsg;

/// Hands each output of the streamer's stream to the game task.
#[derive(Clone, Debug)]
pub struct ToGame(pub Game);

impl Subscriber for ToGame {
    fn deliver(&mut self, msg: &LiveMsg, source: Source) {
        if !ToLedger::counts(source) {
            return;
        }
        if let LiveMsg::Output(stamped) = msg {
            self.0.on_output(stamped);
        }
    }
}
