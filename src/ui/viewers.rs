//! The viewers' ledger as the window shows it (no egui): the leaderboards the boards task last
//! read, the lookup box and its answer, and what an export did. Plain data.

use crate::game::boards::Boards;
use crate::ledger::{By, ViewerCard};

/// Which board the panel shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BoardScope {
    #[default]
    Stream,
    AllTime,
}

/// The Viewers panel's state.
#[derive(Clone, Debug, Default)]
pub struct ViewersView {
    /// False until the ledger opened (or when it is off).
    pub open: bool,
    pub boards: Boards,
    pub scope: BoardScope,
    pub by: Option<By>,
    /// The lookup box (an @handle prefix).
    pub query: String,
    /// The query the results answer, and the cards found (most points first).
    pub found: Option<(String, Result<Vec<ViewerCard>, String>)>,
}

impl ViewersView {
    pub fn by(&self) -> By {
        self.by.unwrap_or(By::Coins)
    }
}

/// Which CSV an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Csv {
    /// One row per viewer.
    Viewers,
    /// One row per stream (gifts, coins, new followers, top gifters).
    Streams,
}

impl Csv {
    pub fn file_name(self) -> &'static str {
        match self {
            Csv::Viewers => "giftdeck-viewers.csv",
            Csv::Streams => "giftdeck-streams.csv",
        }
    }
}
