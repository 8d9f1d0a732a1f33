//! The desktop app: `run_app` sets up logging and the tokio runtime, then runs the egui window
//! ([`app::GiftdeckApp`]).
//!
//! - [`state`]: what the app knows and draws; [`commands`]: what the panels ask for;
//!   [`panels`]: one file per panel, each drawing the narrow state it is given.
//! - [`app`]: owns the state and the machinery, runs commands; [`tasks`]: the UI channel, the
//!   coalescing waker and the one "spawn, reply, wake" helper; [`router`]: the background loops
//!   that feed the UI (session router, executor forwarder, saver); [`files`]: file dialogs.
//! - Models without egui: [`feed`], [`triggers`], [`catalog`], [`clock`]; [`bridge`] (the calls
//!   into `live`, `testkit` and `actions`).

// The window's code reports through `tracing` (the binary sends warnings to stderr and
// everything to the log file); printing here would bypass the log and its redaction.
#![deny(clippy::print_stderr, clippy::print_stdout)]

pub mod app;
pub mod bridge;
pub mod catalog;
pub mod clock;
pub mod commands;
pub mod failure;
pub mod feed;
pub mod files;
mod icon;
pub mod panels;
pub mod router;
pub mod setup;
pub mod state;
pub mod tasks;
pub mod triggers;

/// Where log files go (kept here for the callers that name it `ui::log_dir`).
pub use crate::paths::log_dir;
pub use app::{AppOptions, GiftdeckApp};
pub use commands::Command;
pub use icon::app_icon;
