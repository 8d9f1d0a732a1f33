//! TikFinity's local events API, served by giftdeck: tools written for TikFinity (game mods, TTS
//! apps, overlays) connect to `ws://127.0.0.1:21213/` and get giftdeck's events in TikFinity's
//! shape ([`shapes`], pure), from an optional loopback-only server ([`TikfinityServer`]), off by
//! default.

pub mod server;
pub mod shapes;

pub use server::{DEFAULT_PORT, TikfinityError, TikfinityFeed, TikfinityServer};
