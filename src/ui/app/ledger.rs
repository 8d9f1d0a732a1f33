//! The viewers' ledger in the app: opened on the runtime at start (the OS data dir, or beside a
//! settings file of its own), its handle given to each live session's dispatch and its standings
//! to the session's audience checks. The demo and the Test button never write it.

use std::sync::Arc;

use super::super::state::NoticeLevel;
use super::super::tasks::{LedgerOpened, UiMsg};
use super::GiftdeckApp;
use crate::dispatch::ToLedger;
use tokio::sync::watch;

use super::super::viewers::Csv;
use crate::game::boards::Boards;
use crate::ledger::{self, Ledger, LedgerReader, export, queries};
use crate::standings::Standings;

/// The open ledger: the app's own handle, the readers' connection and the boards it reads.
#[derive(Debug)]
pub struct LedgerHost {
    pub ledger: Ledger,
    pub reader: LedgerReader,
    pub boards: watch::Receiver<Boards>,
}

/// Viewers the lookup shows.
const LOOKUP_LIMIT: usize = 10;

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
                let (boards_tx, boards) = watch::channel(Boards::default());
                self.tasks.spawn_loop(crate::game::boards::run(
                    reader.clone(),
                    ledger.status(),
                    self.state.settings.ledger.levels.clone(),
                    self.overlays.as_ref().map(|o| o.hub.clone()),
                    boards_tx,
                ));
                self.wake_on_change(boards.clone());
                self.state.viewers.open = true;
                self.ledger = Some(LedgerHost {
                    ledger,
                    reader,
                    boards,
                });
            }
            Err(err) => self.notice(
                NoticeLevel::Error,
                crate::trf!("notice-ledger-off", error = err.to_string()),
            ),
        }
    }

    /// Takes the boards' newest read for the Viewers panel.
    pub(super) fn viewers_step(&mut self) {
        if let Some(host) = &mut self.ledger
            && host.boards.has_changed().unwrap_or(false)
        {
            self.state.viewers.boards = host.boards.borrow_and_update().clone();
        }
    }

    /// Finds viewers by @handle prefix on the reader's connection; the answer comes as a message.
    pub(super) fn lookup_viewer(&self, query: String) {
        let Some(host) = &self.ledger else {
            return;
        };
        let reader = host.reader.clone();
        let levels = self.state.settings.ledger.levels.clone();
        self.tasks.spawn(async move {
            let asked = query.clone();
            let found = reader
                .read(move |conn| queries::find_viewers(conn, &asked, LOOKUP_LIMIT, &levels))
                .await
                .map_err(|e| e.to_string());
            UiMsg::ViewersFound { query, found }
        });
    }

    /// Asks where to save, then writes the CSV on the reader's connection.
    pub(super) fn export_csv(&self, csv: Csv) {
        let Some(host) = &self.ledger else {
            return;
        };
        let reader = host.reader.clone();
        let levels = self.state.settings.ledger.levels.clone();
        self.tasks.spawn(async move {
            let picked = rfd::AsyncFileDialog::new()
                .set_title(crate::i18n::tr("files-export-ledger"))
                .set_file_name(csv.file_name())
                .add_filter("CSV", &["csv"])
                .save_file()
                .await;
            let Some(file) = picked else {
                return UiMsg::DialogEmpty { fast: false };
            };
            let path = file.path().to_owned();
            let written = path.clone();
            let rows = reader
                .read(move |conn| match csv {
                    Csv::Viewers => export::write_viewers_csv(conn, &levels, &written),
                    Csv::Streams => export::write_streams_csv(conn, &levels, &written),
                })
                .await;
            UiMsg::CsvExported(rows.map(|rows| (path, rows)).map_err(|e| e.to_string()))
        });
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
