//! The desktop app: `run_app` sets up logging and the tokio runtime, then runs the egui window
//! ([`app::GiftdeckApp`]). Submodules: [`app`] (state and glue), [`panels`] (layout), [`feed`],
//! [`triggers`], [`catalog`], [`bridge`] (calls into
//! `live`, `testkit` and `actions`).

pub mod app;
pub mod bridge;
pub mod catalog;
pub mod feed;
mod icon;
pub mod panels;
pub mod triggers;

use std::path::PathBuf;

pub use app::{AppOptions, Command, GiftdeckApp};
pub use icon::app_icon;

/// Where log files go: `<OS data dir>/giftdeck/logs` (e.g. `~/.local/share/giftdeck/logs`).
pub fn log_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "giftdeck").map(|d| d.data_dir().join("logs"))
}
