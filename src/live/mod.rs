//! The live TikTok connection (being built).
pub mod watch;
