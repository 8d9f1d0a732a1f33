//! What tests, benchmarks and the headless harness read from a running app and set on it:
//! its state, feed, queue, log, notices and settings, and the few inputs they drive directly.

use tokio::sync::watch;

use super::super::bridge::{ConnStatus, LogLine, QueueStatus};
use super::super::commands::Command;
use super::super::feed::Feed;
use super::super::outbox::ToWindow;
use super::super::state::{Notice, State};
use super::{GiftdeckApp, unix_millis};
use crate::event::CreditedGift;
use crate::mappings::{Mapping, MappingTable};
use crate::settings::{self, Settings};
use crate::testkit::rcon::FakeRcon;

impl GiftdeckApp {
    /// Everything the window draws.
    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn feed(&self) -> &Feed {
        &self.state.feed
    }

    pub fn queue(&self) -> &QueueStatus {
        &self.state.queue
    }

    pub fn exec_log(&self) -> impl Iterator<Item = &LogLine> {
        self.state.exec_log.iter()
    }

    pub fn status(&self) -> &ConnStatus {
        &self.state.conn.status
    }

    /// The counters and the stream timer now.
    pub fn counter_board(&self) -> crate::counter_hub::CounterBoard {
        self.counters.board()
    }

    pub fn mappings(&self) -> &[Mapping] {
        &self.state.settings.mappings
    }

    pub fn settings(&self) -> &Settings {
        &self.state.settings
    }

    pub fn notices(&self) -> impl Iterator<Item = &Notice> {
        self.state.notices.iter()
    }

    /// How many times settings were applied to the executor (tests of when edits apply).
    pub fn executor_config_version(&self) -> u64 {
        self.executor.config_version()
    }

    /// The demo's RCON server, while the demo runs.
    pub fn demo_rcon(&self) -> Option<&FakeRcon> {
        self.link.demo_rcon()
    }

    /// A receiver of the live trigger table, as the session and executor see it.
    pub fn mappings_watch(&self) -> watch::Receiver<MappingTable> {
        self.mappings_tx.subscribe()
    }

    /// Replaces the trigger table as if edited in the UI (benchmarks, scripted setups).
    pub fn set_mappings(&mut self, mappings: Vec<Mapping>) {
        self.state.settings.mappings = mappings;
        self.mappings_changed();
    }

    /// Shows one credited gift as if the current session sent it now (benchmarks, tests).
    pub fn apply_gift(&mut self, gift: &CreditedGift) {
        self.on_gift(gift, unix_millis(), false);
    }

    /// A window subscriber for the current session's rows, for feeding events the way the
    /// dispatch does (benchmarks of bursts).
    pub fn window_subscriber(&self) -> ToWindow {
        ToWindow::rows(self.state.conn.session, self.inbox.clone())
    }

    /// Sets the feed's filter box text (benchmarks).
    pub fn set_feed_filter(&mut self, text: &str) {
        self.state.feed.filter = text.to_owned();
    }

    /// Closes the actions editor of the Triggers page (tests walking the pages).
    pub fn stop_editing_actions(&mut self) {
        self.state.editor.editing = None;
    }

    /// Queues a command as if a button was pressed; it runs at the end of the next frame.
    pub fn command(&mut self, command: Command) {
        self.pending.push(command);
    }

    /// Points the connection at other servers (tests use a loopback fake).
    pub fn set_connection(&mut self, connection: settings::ConnectionSettings) {
        self.state.api_key_input = connection.sign_api_key.clone().unwrap_or_default();
        self.state.target_input = connection.last_target.clone();
        self.state.settings.connection = connection;
        self.settings_changed();
    }

    /// Keeps room memories in `store` from the next Connect on (tests: a small compaction
    /// threshold, a folder of their own).
    pub fn set_room_store(&mut self, store: crate::room_store::RoomStore) {
        self.room_store = Some(store);
    }

    pub fn set_rcon(&mut self, rcon: settings::RconConfig) {
        self.state.settings.rcon = rcon;
        self.settings_changed();
    }
}
