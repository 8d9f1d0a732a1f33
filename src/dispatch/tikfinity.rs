//! The TikFinity-compatible events server as a subscriber: every stamped output reaches its
//! clients in TikFinity's shape (a Test's too, as TikFinity's own simulated events do).

use super::{Source, Subscriber};
use crate::live::LiveMsg;
use crate::tikfinity::TikfinityFeed;

/// Hands each output to the TikFinity feed (which never blocks: a slow client misses the oldest).
#[derive(Clone, Debug)]
pub struct ToTikfinity(pub TikfinityFeed);

impl Subscriber for ToTikfinity {
    fn deliver(&mut self, msg: &LiveMsg, _source: Source) {
        if let LiveMsg::Output(stamped) = msg {
            let at_millis = i64::try_from(stamped.at_millis).unwrap_or(i64::MAX);
            self.0.deliver(&stamped.output, at_millis);
        }
    }
}

/// The app's subscriber: the server comes and goes with the settings while a session runs, so
/// each output goes to whichever feed is current (none while the server is off).
#[derive(Clone, Debug)]
pub struct ToTikfinityWhenOn(pub tokio::sync::watch::Receiver<Option<TikfinityFeed>>);

impl Subscriber for ToTikfinityWhenOn {
    fn deliver(&mut self, msg: &LiveMsg, source: Source) {
        let feed = self.0.borrow().clone();
        if let Some(feed) = feed {
            ToTikfinity(feed).deliver(msg, source);
        }
    }
}
