//! The overlay hub as a subscriber: every stamped output reaches the pages and `/events`
//! (a Test's too, so the streamer sees the alert; the hub keeps it out of the tallies).

use super::{Source, Subscriber};
use crate::live::LiveMsg;
use crate::overlay::OverlayHub;

/// Hands each output to the overlay hub (which never blocks: it counts what it cannot take).
#[derive(Clone, Debug)]
pub struct ToOverlays(pub OverlayHub);

impl Subscriber for ToOverlays {
    fn deliver(&mut self, msg: &LiveMsg, source: Source) {
        if let LiveMsg::Output(stamped) = msg {
            self.0.send_stamped(stamped, source.test);
        }
    }
}
