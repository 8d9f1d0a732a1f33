//! The viewers' ledger: every viewer's points, coins, likes and history across streams, in an
//! SQLite database in the OS data dir. It is fed the exactly-once engine's outputs through a
//! non-blocking entry point ([`Ledger::on_output`]) and written by one writer on a blocking task,
//! in transactions, never on the UI thread. Every event is stored with its credit key (the
//! stream and the engine's message id), so an event delivered twice — a reconnect's history, a
//! restart, a replay — counts once.
//!
//! [`rules`] is the pure points game (rates, levels), [`schema`] the tables and migrations,
//! `store` the writer's transactions, `writer` the channel and the task, [`queries`] the
//! leaderboards and lookups, [`export`] the CSV files. See `docs/ledger.md`.

pub mod export;
pub mod queries;
pub mod rules;
pub mod schema;
mod store;
mod writer;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::engine::Output;
use crate::event::{LiveEvent, MEMBER_SUBSCRIBED, RoomKind, SocialKind, User};
pub use queries::{Board, BoardRow, By, Scope, StreamSummary, ViewerCard};
pub use rules::{Activity, Levels, PointRules, Rate};
pub use writer::{
    CHANNEL_CAPACITY, COMMIT_EVERY, Ledger, LedgerReader, LedgerStatus, MAX_BATCH, SPILL_CAPACITY,
    open,
};

/// The ledger's part of `settings.json` (`ledger`): whether it records, the rates and the levels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LedgerSettings {
    /// False: nothing is recorded (the file stays as it is).
    pub enabled: bool,
    pub rates: PointRules,
    pub levels: Levels,
    /// The chat command that shows the viewer's points and level on the `/points` overlay
    /// (empty: off).
    pub points_command: String,
}

impl LedgerSettings {
    /// The `ledger` part of a settings file, without loading the rest (headless `watch`); the
    /// defaults when the file is missing or unreadable.
    pub fn peek(path: &std::path::Path) -> Self {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Part {
            ledger: LedgerSettings,
        }
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Part>(&bytes).ok())
            .map(|part| part.ledger)
            .unwrap_or_default()
    }
}

impl Default for LedgerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            rates: PointRules::default(),
            levels: Levels::default(),
            points_command: "!points".to_owned(),
        }
    }
}

/// What can go wrong with the ledger, with what failed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("the viewers' ledger database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open the viewers' ledger at {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create the folder {path} for the viewers' ledger: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the viewers' ledger was written by a newer giftdeck (schema version {found}, this build knows {known})"
    )]
    NewerSchema { found: u32, known: u32 },
    #[error("cannot write {path}: {source}")]
    Export {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the viewers' ledger has stopped")]
    Stopped,
}

/// The viewer an event belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Viewer {
    /// TikTok's numeric user id: the ledger's key for the viewer.
    pub user_id: i64,
    pub unique_id: String,
    pub nickname: String,
}

impl Viewer {
    fn of(user: &User) -> Self {
        Self {
            user_id: user.user_id,
            unique_id: user.unique_id.clone(),
            nickname: user.nickname.clone(),
        }
    }
}

/// One event as the ledger records it: who, what, when, and its credit key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEvent {
    /// The engine's message id (a gift's: the message that completed the credit); 0 = unknown,
    /// recorded without a key like the engine counts it.
    pub msg_id: i64,
    /// When the engine received or decided it (Unix ms).
    pub at_millis: u64,
    pub viewer: Viewer,
    pub activity: Activity,
}

impl LedgerEvent {
    /// The event an engine output means for the ledger: credited gifts, likes, follows, shares,
    /// subscriptions, chat and joins. Triggers that fired, control messages and events without a
    /// viewer id give `None`.
    pub fn from_output(output: &Output, at_millis: u64) -> Option<Self> {
        Self::of_output(output, at_millis).filter(|e| e.viewer.user_id != 0)
    }

    /// [`LedgerEvent::from_output`], also for viewers without an id.
    pub(crate) fn of_output(output: &Output, at_millis: u64) -> Option<Self> {
        let (msg_id, viewer, activity) = match output {
            Output::Credit(decision) => {
                let g = &decision.gift;
                let activity = Activity::Gift {
                    gift_id: g.gift_id,
                    gift_name: g.gift_name.clone(),
                    count: g.count,
                    coins: g.total_diamonds(),
                };
                let viewer = Viewer {
                    user_id: g.user_id,
                    unique_id: g.unique_id.clone(),
                    nickname: g.nickname.clone(),
                };
                (g.msg_id, viewer, activity)
            }
            Output::Event(event) => {
                let (msg_id, user, activity) = match event {
                    LiveEvent::Chat { msg_id, user, .. } => (*msg_id, user, Activity::Chat),
                    LiveEvent::Like {
                        msg_id,
                        user,
                        count,
                        ..
                    } => (*msg_id, user, Activity::Likes { count: *count }),
                    LiveEvent::Social {
                        msg_id, user, kind, ..
                    } => match kind {
                        SocialKind::Follow => (*msg_id, user, Activity::Follow),
                        SocialKind::Share => (*msg_id, user, Activity::Share),
                        SocialKind::Other => return None,
                    },
                    LiveEvent::Member {
                        msg_id,
                        user,
                        action,
                        ..
                    } => {
                        let activity = if *action == MEMBER_SUBSCRIBED {
                            Activity::Subscribe
                        } else {
                            Activity::Join
                        };
                        (*msg_id, user, activity)
                    }
                    LiveEvent::Room(room) => match &room.kind {
                        RoomKind::Subscription { .. } => {
                            (room.msg_id, &room.user, Activity::Subscribe)
                        }
                        RoomKind::Emote { .. } => (room.msg_id, &room.user, Activity::Chat),
                        _ => return None,
                    },
                    LiveEvent::Gift(_) | LiveEvent::Control { .. } => return None,
                };
                (msg_id, Viewer::of(user), activity)
            }
            // A viewer's likes come from their own like messages (above); the room count is not a viewer's.
            Output::Fired(_) | Output::Likes(_) => return None,
        };
        Some(Self {
            msg_id,
            at_millis,
            viewer,
            activity,
        })
    }
}

/// Points given or taken by hand or by an action ("add/remove points"). `msg_id` and `slot` are
/// its credit key: the event whose action it is and the action's place, so a repeated delivery
/// changes nothing; `msg_id` 0 has no key (a click in the app).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adjustment {
    pub msg_id: i64,
    /// 1 and up (slot 0 is the event's own points).
    pub slot: u32,
    pub viewer: Viewer,
    /// Negative removes; a total never goes below 0.
    pub points: i64,
    pub reason: String,
    pub at_millis: u64,
}

/// Opens the database at `path` for reading or writing outside the writer (exports from the
/// command line, benchmarks): creates the folder and the file, and migrates it. Blocking.
pub fn connect(path: &std::path::Path) -> Result<rusqlite::Connection, LedgerError> {
    store::open_connection(path)
}

/// `ledger.sqlite` in the OS data dir (e.g. `~/.local/share/giftdeck/ledger.sqlite`).
pub fn default_path() -> Option<PathBuf> {
    crate::paths::ledger_path()
}

/// The app's ledger: the OS data dir's for the usual settings file; for any other settings file (a
/// portable setup, a test) `ledger.sqlite` beside it, so separate setups never share viewers.
/// `None` without a settings file.
pub fn path_for_app(settings_path: Option<&std::path::Path>) -> Option<PathBuf> {
    let path = settings_path?;
    if crate::paths::settings_path().as_deref() == Some(path) {
        return default_path();
    }
    Some(
        path.parent()
            .unwrap_or(std::path::Path::new("."))
            .join("ledger.sqlite"),
    )
}

#[cfg(test)]
mod tests;
