//! The desktop app: the egui window ([`app::GiftdeckApp`]); `cli::app` sets up logging and the
//! tokio runtime and runs it.
//!
//! - [`state`]: what the panels draw and the saved settings; [`commands`]: what the panels ask
//!   for; [`panels`]: one file per panel, each drawing the narrow state it is given.
//! - [`app`]: owns the state and the runtime handles ([`link`]: session, demo; the executor),
//!   runs commands;
//!   [`outbox`]: the window as a dispatch subscriber and the inbox it drains; [`tasks`]: the reply
//!   channel, the coalescing waker and the one "spawn, reply, wake" helper; [`saver`]: the
//!   settings loaded with their secrets (keyring or file) and saved on change; [`files`]: file dialogs.
//! - Models without egui: [`feed`], [`triggers`], [`catalog`], [`clock`], [`overlays_view`],
//!   [`pages`] (the pages and the keyboard shortcuts);
//!   [`failure`] words every typed error, once ([`errors`] holds the window's own); [`bridge`]
//!   (the calls into `live`, `testkit` and `actions`).

// The window's code reports through `tracing` (the binary sends warnings to stderr and
// everything to the log file); printing here would bypass the log and its redaction.
#![deny(clippy::print_stderr, clippy::print_stdout)]

pub mod app;
pub mod bedrock;
pub mod bridge;
pub mod catalog;
pub mod clock;
pub mod commands;
pub mod desktop_theme;
pub mod errors;
pub mod failure;
pub mod feed;
pub mod files;
mod icon;
pub mod link;
pub mod local_servers;
pub mod look;
pub mod outbox;
pub mod overlays_view;
pub mod pages;
pub mod panels;
pub mod pictures;
pub mod saver;
pub mod setup;
pub mod state;
pub mod tasks;
pub mod triggers;
pub mod viewers;

/// Where log files go (kept here for the callers that name it `ui::log_dir`).
pub use crate::paths::log_dir;
pub use app::{AppOptions, GiftdeckApp};
pub use commands::Command;
pub use icon::app_icon;
