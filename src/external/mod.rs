//! Triggers from outside: a local HTTP endpoint other programs call to fire a trigger by name
//! for a viewer and a count (what Tiktok2Mc's `/custom_trigger` does, with protection it lacks):
//! a token on every request, loopback only, `Host` and `Origin` checked so a web page cannot fire
//! it, and a rate limit. Each accepted call becomes an [`ExternalCall`] for the queue and the feed
//! (shown as "external").

pub mod policy;
pub mod server;
pub mod token;

pub use policy::{ExternalCall, RateLimit};
pub use server::{DEFAULT_PORT, ExternalError, ExternalServer};
pub use token::Token;
