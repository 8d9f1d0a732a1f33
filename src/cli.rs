//! The command line: `giftdeck` (the app), `giftdeck replay …` and `giftdeck watch …`.
//! Flag names are a user-facing contract: scripts depend on them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "giftdeck",
    version,
    about = "TikTok LIVE gifts → Minecraft commands, sounds and webhooks"
)]
pub struct Cli {
    /// Start with the built-in demo stream (a fake TikTok backend on loopback).
    #[arg(long)]
    pub demo: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a recorded capture through the real decoder and engine; one JSON line per credited gift.
    Replay(ReplayArgs),
    /// Connect to a live stream headless; one JSON line per credited gift, status on stderr.
    Watch(WatchArgs),
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The capture file (u32 little-endian length + one binary WebSocket message, repeated).
    pub capture: PathBuf,
    /// Mappings: our JSON settings file or a Tiktok2Mc `actions.mca`.
    #[arg(long)]
    pub mappings: Option<PathBuf>,
    #[command(flatten)]
    pub execute: ExecuteArgs,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// `@name`, `name`, a `tiktok.com/@name/live` URL, or a numeric room id.
    pub user: String,
    /// Skip the room lookup and connect to this room id.
    #[arg(long)]
    pub room_id: Option<String>,
    /// Base URL of the Euler-Stream-compatible sign server.
    #[arg(long)]
    pub sign_url: Option<String>,
    /// Sign server API key (sent as `X-Api-Key`; never logged).
    #[arg(long, env = "GIFTDECK_SIGN_API_KEY", hide_env_values = true)]
    pub sign_api_key: Option<String>,
    /// Replaces `https://www.tiktok.com`.
    #[arg(long)]
    pub tiktok_url: Option<String>,
    /// Replaces `https://webcast.tiktok.com/webcast`.
    #[arg(long)]
    pub webcast_url: Option<String>,
    /// Mappings: our JSON settings file or a Tiktok2Mc `actions.mca`.
    #[arg(long)]
    pub mappings: Option<PathBuf>,
    /// Write every received WebSocket message (and the sign server's initial batch) to this capture.
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Where each room's gift memory is kept, so a restart in the same stream credits nothing
    /// twice (default: `rooms` in the OS data dir).
    #[arg(long, value_name = "DIR", env = "GIFTDECK_MEMORY_DIR")]
    pub memory_dir: Option<PathBuf>,
    #[command(flatten)]
    pub execute: ExecuteArgs,
}

/// Flags that run the credited gifts' actions through the real executor.
#[derive(Clone, Debug, Default, Args)]
pub struct ExecuteArgs {
    /// Run the matched actions (without it, nothing runs).
    #[arg(long)]
    pub execute: bool,
    /// Minecraft RCON address, e.g. `127.0.0.1:25575`.
    #[arg(long, value_name = "HOST:PORT")]
    pub rcon: Option<String>,
    /// RCON password (never logged).
    #[arg(long, env = "GIFTDECK_RCON_PASSWORD", hide_env_values = true)]
    pub rcon_password: Option<String>,
}
