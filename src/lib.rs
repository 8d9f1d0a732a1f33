//! giftdeck: a native control panel that turns TikTok LIVE gifts into Minecraft commands, sounds and
//! webhooks. The library holds everything; `main.rs` only parses the command line.
//!
//! Layers, from the bytes up: [`wire`] (decode/encode frames) → [`engine`] (dedupe, streaks,
//! matching; pure) → [`live`] (the TikTok connection on tokio) and [`actions`] (the ordered executor)
//! → [`ui`] (the egui app). [`fake`] is a loopback TikTok backend for tests and the demo.

pub mod actions;
pub mod backoff;
pub mod capture;
pub mod cli;
pub mod engine;
pub mod event;
pub mod fake;
pub mod live;
pub mod mappings;
pub mod mca;
pub mod replay;
pub mod room_store;
pub mod settings;
pub mod ui;
pub mod wire;
