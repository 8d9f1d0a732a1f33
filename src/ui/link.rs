//! The runtime handles behind the connect bar: the running session, its `watch` channels and the
//! demo's servers ([`Link`]). The app owns them; the panels see only
//! [`Phase`] and the status in [`Connection`], which [`Link`] keeps in step.

use tokio::sync::watch;

use super::bridge::{ConnStatus, FakeBackend, LiveHandle};
use super::state::{Connection, Phase};
use crate::engine;
use crate::testkit::rcon::FakeRcon;

/// The demo's loopback backends; dropping them stops them.
pub struct DemoBackends {
    pub fake: FakeBackend,
    pub rcon: FakeRcon,
}

/// A running session's latest-value channels: its status and counters.
pub struct SessionWatch {
    pub status: watch::Receiver<ConnStatus>,
    pub stats: watch::Receiver<engine::Stats>,
    /// The provider carrying the stream (`None` until it says).
    pub route: watch::Receiver<Option<crate::live::Route>>,
}

/// What runs behind the connect bar. One value, so "a demo that is starting and a session that
/// runs" cannot both be true.
#[derive(Default)]
pub enum Link {
    /// Nothing runs.
    #[default]
    Off,
    /// The demo's fake TikTok and Minecraft are starting; a session follows.
    StartingDemo,
    /// A session runs (or has just ended: see [`ConnStatus::is_final`]).
    Session {
        handle: LiveHandle,
        /// Boxed: keeps the enum small next to its data-less variants.
        watch: Box<SessionWatch>,
        /// The demo's backends, when this is the demo.
        demo: Option<DemoBackends>,
    },
}

impl Link {
    /// What the panels see of it.
    pub fn phase(&self) -> Phase {
        match self {
            Self::Off => Phase::Off,
            Self::StartingDemo => Phase::StartingDemo,
            Self::Session { demo, .. } => Phase::Session {
                demo: demo.is_some(),
            },
        }
    }

    pub fn demo_rcon(&self) -> Option<&FakeRcon> {
        match self {
            Self::Session {
                demo: Some(demo), ..
            } => Some(&demo.rcon),
            _ => None,
        }
    }

    /// Puts `link` in place (its phase into `conn`) and returns what ran before.
    pub fn replace(&mut self, link: Link, conn: &mut Connection) -> Link {
        conn.phase = link.phase();
        std::mem::replace(self, link)
    }

    /// Takes new values from the session's watch channels into `conn`. True when the status
    /// changed.
    pub fn refresh(&mut self, conn: &mut Connection) -> bool {
        let Self::Session { watch, .. } = self else {
            return false;
        };
        // `Ref::has_changed`, not `Receiver::has_changed`: the latter reports a closed channel as
        // an error even when its last value (the final status) was never seen.
        if watch.stats.borrow().has_changed() {
            conn.stats = *watch.stats.borrow_and_update();
        }
        if watch.route.borrow().has_changed() {
            conn.route = watch.route.borrow_and_update().clone();
        }
        if watch.status.borrow().has_changed() {
            let status = watch.status.borrow_and_update().clone();
            conn.set_status(status);
            return true;
        }
        false
    }
}
