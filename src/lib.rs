//! giftdeck: a native control panel that turns TikTok LIVE gifts into Minecraft commands, sounds and
//! webhooks. The library holds everything; `main.rs` only parses the command line.
//!
//! Layers, from the bytes up: [`wire`] (decode/encode frames) → [`engine`] (dedupe, streaks,
//! matching; pure) → [`live`] (the TikTok connection on tokio) and [`actions`] (the ordered executor)
//! → [`ui`] (the egui app). [`cli`] holds the headless commands. `testkit` (hidden from the docs) is
//! test and demo machinery: a fake TikTok, fixture encoders and a fake RCON server.

pub mod actions;
pub mod backoff;
pub mod capture;
pub mod catalog;
pub mod cli;
pub mod counter_hub;
pub mod counters;
pub mod dispatch;
pub mod engine;
pub mod event;
pub mod external;
pub mod game;
pub mod goals;
pub mod i18n;
pub mod jsonl;
pub mod keystore;
pub mod ledger;
pub mod live;
pub mod mappings;
pub mod mca;
pub mod overlay;
pub mod paths;
pub mod pictures;
pub mod replay;
pub mod room_store;
pub mod settings;
pub mod standings;
pub mod stream_timer;
pub mod subathon;
pub mod t2m;
#[doc(hidden)]
pub mod testkit;
pub mod text;
pub mod tikfinity;
pub mod triggers;
pub mod ui;
pub mod wire;
pub mod world;
