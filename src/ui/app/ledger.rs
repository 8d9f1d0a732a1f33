//! The viewers' ledger in the app: opened on the runtime at start (the OS data dir, or beside a
//! settings file of its own), its handle given to each live session's dispatch and its standings
//! to the session's audience checks. The demo and the Test button never write it.

use std::sync::Arc;

use super::super::state::NoticeLevel;
use super::super::tasks::{LedgerOpened, UiMsg};
use super::GiftdeckApp;
use crate::dispatch::ToLedger;
use crate::ledger::{self, Ledger, LedgerReader};
use crate::standings::Standings;

/// The open ledger: the app's own handle and the readers' connection.
#[derive(Debug)]
pub struct LedgerHost {
    pub ledger: Ledger,
    pub reader: LedgerReader,
}

impl GiftdeckApp {
    /// Opens the ledger in the background (`ledger.enabled`; nothing without a settings file).
    pub(super) fn open_ledger(&self) {
        let settings = &self.state.settings.ledger;
        if !settings.enabled {
            return;
        }
        let Some(path) = ledger::path_for_app(self.state.save.path.as_deref()) else {
            return;
        };
        let rules = settings.rates.clone();
        self.tasks.spawn(async move {
            UiMsg::LedgerOpened(ledger::open(path, rules).await.map_err(Arc::new))
        });
    }

    pub(super) fn on_ledger_opened(&mut self, opened: LedgerOpened) {
        match opened {
            Ok((ledger, reader)) => {
                ledger
                    .standings()
                    .set_levels(self.state.settings.ledger.levels.0.clone());
                self.game.attach(ledger.handle(), reader.clone());
                self.ledger = Some(LedgerHost { ledger, reader });
            }
            Err(err) => self.notice(
                NoticeLevel::Error,
                format!("Points and leaderboards are off: {err}"),
            ),
        }
    }

    /// The session's ledger subscriber: only for the streamer's own stream.
    pub(super) fn ledger_subscriber(&self, demo: bool) -> Option<ToLedger> {
        let host = self.ledger.as_ref().filter(|_| !demo)?;
        Some(ToLedger::new(host.ledger.handle()))
    }

    /// What the session's level and points audiences read (empty without a ledger).
    pub(super) fn standings(&self) -> Standings {
        self.ledger
            .as_ref()
            .map(|host| host.ledger.standings())
            .unwrap_or_default()
    }

    /// The ledger, once open (tests, the panels).
    pub fn ledger(&self) -> Option<&LedgerHost> {
        self.ledger.as_ref()
    }
}
