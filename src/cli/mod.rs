//! The command line: `giftdeck` (the app), `giftdeck replay …` and `giftdeck watch …` — the clap
//! definitions here, each headless command in its own module, and the `--execute` glue they share.
//! Flag names are a user-facing contract: scripts depend on them. Only this tree (and `main.rs`)
//! prints to the terminal; the library reports through return values and `tracing`.

pub mod app;
pub mod console;
pub mod headless;
pub mod printer;
pub mod replay;
pub mod watch;
pub mod world;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::engine::{Decision, Output};
use crate::mappings::MappingTable;
use crate::settings;

/// Starts the overlay server the way the app's settings say (`settings.json`'s `overlays`: port,
/// alert duration, like goal, list sizes), `--overlay-port` winning over the saved port, and
/// prints each page's URL to stderr and the log, each line starting with `who`. `None`: turned off
/// (port 0). A failure is the caller's to report: the app shows it, `watch` decides by whether the
/// port was asked for.
pub(crate) async fn start_overlays(
    who: &str,
    port_flag: Option<u16>,
) -> Option<Result<crate::overlay::Overlays, crate::overlay::OverlayError>> {
    let saved = settings::default_path()
        .map(|path| crate::overlay::OverlaySettings::peek(&path))
        .unwrap_or_default();
    let port = port_flag.unwrap_or(saved.port);
    if port == 0 {
        eprintln!("{who}: overlays are off (overlay port 0)");
        return None;
    }
    let started = crate::overlay::Overlays::start(port, saved.pages).await;
    if let Ok(overlays) = &started {
        eprintln!("{who}: overlays (add each as an OBS browser source):");
        for line in overlays.url_lines() {
            eprintln!("{who}:   {line}");
            tracing::info!("overlay {line}");
        }
    }
    Some(started)
}

/// Starts the TikFinity-compatible events server on `port` and says where on stderr (each line
/// starting with `who`).
pub(crate) async fn start_tikfinity(
    who: &str,
    port: u16,
) -> Result<crate::tikfinity::TikfinityServer, crate::tikfinity::TikfinityError> {
    let server = crate::tikfinity::TikfinityServer::start(port).await?;
    eprintln!(
        "{who}: TikFinity events API on ws://127.0.0.1:{}/ (tools written for TikFinity connect here)",
        server.port()
    );
    tracing::info!(port = server.port(), "TikFinity events API started");
    Ok(server)
}

/// Shown under `giftdeck --help`: one example per subcommand (a test checks every subcommand has
/// one).
const EXAMPLES: &str = "\
Examples:
  giftdeck                     Open the app: type a @username, press Connect
  giftdeck --demo              Open the app on the built-in demo stream (no account, no internet)
  giftdeck watch @streamer --mappings actions.mca --execute --rcon 127.0.0.1:25575
                               Run a live stream's gifts headless: RCON password from
                               GIFTDECK_RCON_PASSWORD, one JSON line per gift
  giftdeck replay stream.capture --mappings settings.json
                               Replay a recorded stream; prints what each gift would trigger

Settings: settings.json in the OS config folder (~/.config/giftdeck on Linux).
Docs: docs/getting-started.md";

#[derive(Debug, Parser)]
#[command(
    name = "giftdeck",
    version,
    about = "TikTok LIVE gifts → Minecraft commands, sounds and webhooks",
    long_about = "A control panel for TikTok LIVE streamers: every gift (and follow, like, share, \
                  chat command) runs the actions you map to it — Minecraft commands over RCON, \
                  sounds, webhooks — from one visible queue. Without a subcommand it opens the app.",
    after_help = EXAMPLES
)]
pub struct Cli {
    /// Start with the built-in demo stream (a fake TikTok backend on loopback).
    #[arg(long)]
    pub demo: bool,

    /// Port of the overlay pages on 127.0.0.1 (default: the one in Settings, 23870); 0 turns
    /// overlays off.
    #[arg(long, value_name = "PORT")]
    pub overlay_port: Option<u16>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a recorded capture through the real decoder and engine; one JSON line per credited gift.
    #[command(after_help = "\
Examples:
  giftdeck replay stream.capture
  giftdeck replay stream.capture --mappings actions.mca --execute --rcon 127.0.0.1:25575
  giftdeck replay stream.capture --mappings actions.mca --execute --bedrock-port 23880
                               (then type /connect 127.0.0.1:23880 in the Bedrock game)")]
    Replay(ReplayArgs),
    /// Connect to a live stream headless; one JSON line per credited gift, status on stderr.
    #[command(after_help = "\
Examples:
  giftdeck watch @streamer --record stream.capture
  GIFTDECK_RCON_PASSWORD=secret giftdeck watch @streamer --mappings settings.json \\
      --execute --rcon 127.0.0.1:25575")]
    // Boxed: its flags make it twice the size of Replay's on Windows (clippy's large_enum_variant).
    Watch(Box<WatchArgs>),
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The capture file `watch --record` wrote (version 2, with receive times), or a header-less
    /// one (u32 little-endian length + one binary WebSocket message, repeated).
    pub capture: PathBuf,
    /// Mappings: our JSON settings file, a Tiktok2Mc `actions.mca`, or a whole Tiktok2Mc folder
    /// (its `config.yaml` gives RCON and the user where flags do not).
    #[arg(long)]
    pub mappings: Option<PathBuf>,
    /// Also print one JSON line per follow, share, subscribe, join, like or chat trigger that fired
    /// (gift lines then carry `"kind":"gift"`).
    #[arg(long)]
    pub events: bool,
    /// Serve TikFinity's local events API on 127.0.0.1:PORT (TikFinity's own is 21213) and send
    /// the capture's events to the tools written for it: the replay starts once one connects
    /// (or after 60 s). 0 or left out: off.
    #[arg(long, value_name = "PORT")]
    pub tikfinity_port: Option<u16>,
    #[command(flatten)]
    pub execute: ExecuteArgs,
}

#[derive(Args)]
pub struct WatchArgs {
    /// `@name`, `name`, a `tiktok.com/@name/live` URL, or a numeric room id. May be left out when
    /// `--mappings` is a Tiktok2Mc folder whose `config.yaml` names the user.
    pub user: Option<String>,
    /// Skip the room lookup and connect to this room id.
    #[arg(long)]
    pub room_id: Option<String>,
    /// Base URL of the Euler-Stream-compatible sign server.
    #[arg(long)]
    pub sign_url: Option<String>,
    /// Sign server API key (sent as `X-Api-Key`; never logged).
    #[arg(long, env = "GIFTDECK_SIGN_API_KEY", hide_env_values = true)]
    pub sign_api_key: Option<String>,
    /// Boxed: the flags would make `Command` large for every subcommand.
    #[command(flatten)]
    pub chain: Box<ProviderArgs>,
    /// Replaces `https://www.tiktok.com`.
    #[arg(long)]
    pub tiktok_url: Option<String>,
    /// Replaces `https://webcast.tiktok.com/webcast`.
    #[arg(long)]
    pub webcast_url: Option<String>,
    /// Mappings: our JSON settings file, a Tiktok2Mc `actions.mca`, or a whole Tiktok2Mc folder
    /// (its `config.yaml` gives RCON and the user where flags do not).
    #[arg(long)]
    pub mappings: Option<PathBuf>,
    /// Write every received WebSocket message (and the sign server's initial batch) to this capture.
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Serve the overlay pages on 127.0.0.1:PORT (default 23870); 0 turns overlays off.
    #[arg(long, value_name = "PORT")]
    pub overlay_port: Option<u16>,
    /// Serve TikFinity's local events API on 127.0.0.1:PORT (TikFinity's own is 21213), so tools
    /// written for TikFinity get this stream's events (default: as in Settings, off); 0 turns it
    /// off.
    #[arg(long, value_name = "PORT")]
    pub tikfinity_port: Option<u16>,
    /// Also print one JSON line per follow, share, subscribe, join, like or chat trigger that fired
    /// (gift lines then carry `"kind":"gift"`).
    #[arg(long)]
    pub events: bool,
    /// Where each room's gift memory is kept, so a restart in the same stream credits nothing
    /// twice (default: `rooms` in the OS data dir).
    #[arg(long, value_name = "DIR", env = "GIFTDECK_MEMORY_DIR")]
    pub memory_dir: Option<PathBuf>,
    /// Boxed: keeps `Command` small.
    #[command(flatten)]
    pub world: Box<WorldArgs>,
    #[command(flatten)]
    pub ledger: Box<LedgerArgs>,
    #[command(flatten)]
    pub execute: ExecuteArgs,
}

/// `watch`'s world awareness (docs/actions.md, "A queue that knows the world").
#[derive(Clone, Debug, Default, Args)]
pub struct WorldArgs {
    /// Your in-game player name: with `--execute` and `--rcon`, the queue waits while they are
    /// dead (default: `minecraft_world.player` in the `--mappings` settings file). With
    /// `--bedrock-port` the game says who its player is.
    #[arg(long, value_name = "NAME")]
    pub player: Option<String>,
}

/// Where `watch` records the viewers' points (docs/ledger.md).
#[derive(Clone, Debug, Default, Args)]
pub struct LedgerArgs {
    /// The viewers' ledger (points, levels, leaderboards) this stream is recorded in (default:
    /// `ledger.sqlite` in the OS data dir, when `ledger.enabled` in Settings).
    #[arg(long, value_name = "FILE", env = "GIFTDECK_LEDGER")]
    pub ledger: Option<PathBuf>,
    /// Record nothing in the viewers' ledger.
    #[arg(long, conflicts_with = "ledger")]
    pub no_ledger: bool,
}

/// The provider chain (docs/live.md, "Providers").
#[derive(Clone, Default, Args)]
pub struct ProviderArgs {
    /// A way into the stream, tried in the order given (repeat the flag): `sign` (the sign
    /// server), `euler-ws` (Euler Stream's managed WebSocket, needs a key), `custom` (your own
    /// sign server, `--custom-sign-url`). Default: sign, then euler-ws when it has a key, then
    /// custom when it has a URL.
    #[arg(long = "provider", value_name = "sign|euler-ws|custom", value_parser = parse_provider)]
    pub providers: Vec<crate::live::ProviderKind>,
    /// Euler's managed WebSocket URL (default `wss://ws.eulerstream.com`; tests point it at a fake).
    #[arg(long, value_name = "URL")]
    pub euler_ws_url: Option<String>,
    /// Euler's WebSocket API key (default: the sign API key when the sign server is Euler's own).
    #[arg(long, env = "GIFTDECK_EULER_WS_API_KEY", hide_env_values = true)]
    pub euler_ws_api_key: Option<String>,
    /// Base URL of your own Euler-compatible sign server (the `custom` provider).
    #[arg(long, value_name = "URL")]
    pub custom_sign_url: Option<String>,
    /// Its API key (sent only to it).
    #[arg(long, env = "GIFTDECK_CUSTOM_SIGN_API_KEY", hide_env_values = true)]
    pub custom_sign_api_key: Option<String>,
}

fn parse_provider(value: &str) -> Result<crate::live::ProviderKind, String> {
    crate::live::ProviderKind::parse(value)
        .ok_or_else(|| format!("unknown provider {value:?} (sign, euler-ws or custom)"))
}

// Keys never reach `Debug` output.
impl std::fmt::Debug for ProviderArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let masked = |key: &Option<String>| key.as_ref().map(|_| "***");
        f.debug_struct("ProviderArgs")
            .field("providers", &self.providers)
            .field("euler_ws_url", &self.euler_ws_url)
            .field("euler_ws_api_key", &masked(&self.euler_ws_api_key))
            .field("custom_sign_url", &self.custom_sign_url)
            .field("custom_sign_api_key", &masked(&self.custom_sign_api_key))
            .finish()
    }
}

/// Flags that run the credited gifts' actions through the real executor.
#[derive(Clone, Default, Args)]
pub struct ExecuteArgs {
    /// Run the matched actions (without it, nothing runs).
    #[arg(long)]
    pub execute: bool,
    /// Minecraft RCON address, e.g. `127.0.0.1:25575`.
    #[arg(long, value_name = "HOST:PORT")]
    pub rcon: Option<String>,
    /// A Bedrock world instead of RCON: listen on 127.0.0.1:PORT and wait (up to
    /// `--drain-timeout`) for the game to connect with `/connect 127.0.0.1:PORT`.
    #[arg(long, value_name = "PORT", conflicts_with = "rcon")]
    pub bedrock_port: Option<u16>,
    /// RCON password (never logged).
    #[arg(long, env = "GIFTDECK_RCON_PASSWORD", hide_env_values = true)]
    pub rcon_password: Option<String>,
    /// OBS WebSocket server address for OBS actions, e.g. `127.0.0.1:4455`.
    #[arg(long, value_name = "HOST:PORT")]
    pub obs: Option<String>,
    /// OBS WebSocket password, if OBS asks for one (never logged).
    #[arg(long, env = "GIFTDECK_OBS_PASSWORD", hide_env_values = true)]
    pub obs_password: Option<String>,
    /// At the end, stop waiting for queued actions once none has finished for this many seconds
    /// (default 30); what is left is listed as not run and the exit code is 3.
    #[arg(long, value_name = "SECS")]
    pub drain_timeout: Option<u64>,
}

impl ExecuteArgs {
    /// These flags, with a Tiktok2Mc folder's RCON port and password filling in what the command
    /// line left out (flags win).
    pub fn or_t2m(&self, t2m: Option<&crate::t2m::T2mImport>) -> ExecuteArgs {
        let mut args = self.clone();
        if let Some(t2m) = t2m {
            if args.rcon.is_none() && args.bedrock_port.is_none() {
                args.rcon = t2m.rcon_address();
            }
            if args.rcon_password.is_none() && args.bedrock_port.is_none() {
                args.rcon_password = t2m.rcon_password.clone();
            }
        }
        args
    }
}

/// Writes one credited gift as a JSON line (line breakers escaped, see [`crate::jsonl`]).
pub fn write_json_line(out: &mut impl Write, decision: &Decision) -> io::Result<()> {
    crate::jsonl::write_line(out, &decision.gift)
}

/// A gift line under `--events`: `"kind":"gift"` first, then every key of the plain gift line.
#[derive(serde::Serialize)]
struct KindedGift<'a> {
    kind: &'static str,
    #[serde(flatten)]
    gift: &'a crate::event::CreditedGift,
}

/// Writes what `replay`/`watch` print for one pipeline output: every credited gift (with
/// `"kind":"gift"` under `--events`), and under `--events` every non-gift trigger that fired or was
/// skipped. Other outputs print nothing.
pub fn write_output(out: &mut impl Write, output: &Output, events: bool) -> io::Result<()> {
    match output {
        Output::Credit(decision) if events => {
            let line = KindedGift {
                kind: "gift",
                gift: &decision.gift,
            };
            crate::jsonl::write_line(out, &line)
        }
        Output::Credit(decision) => write_json_line(out, decision),
        Output::Fired(fired) if events => crate::jsonl::write_line(out, &fired.line),
        Output::Fired(_) | Output::Event(_) | Output::Likes(_) => Ok(()),
    }
}

/// Why `--mappings` could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum MappingsArgError {
    #[error(transparent)]
    Settings(#[from] settings::SettingsError),
    #[error(transparent)]
    T2m(#[from] crate::t2m::T2mError),
}

/// Loads `--mappings FILE` (our JSON or `actions.mca`), printing its warnings to stderr.
pub fn load_mappings_arg(path: Option<&Path>) -> Result<MappingTable, MappingsArgError> {
    load_mappings_source(path).map(|(table, _)| table)
}

/// Loads `--mappings PATH`: our JSON, an `actions.mca`, or a Tiktok2Mc folder (whose import report
/// goes to stderr and whose RCON settings and user come back for the command line to fill in).
pub fn load_mappings_source(
    path: Option<&Path>,
) -> Result<(MappingTable, Option<crate::t2m::T2mImport>), MappingsArgError> {
    let Some(path) = path else {
        return Ok((MappingTable::default(), None));
    };
    if path.is_dir() {
        let import = crate::t2m::import_folder(path)?;
        for line in &import.report {
            eprintln!("tiktok2mc: {line}");
        }
        let table = MappingTable::new(import.mappings.clone());
        return Ok((table, Some(import)));
    }
    let mut file = settings::load_mappings_file(path)?;
    // The app's own settings file shows webhook URLs as stand-ins: their URLs are in the keyring.
    if let Err(err) = settings::restore_webhooks_from_keyring(&mut file) {
        eprintln!("warning: webhook URLs from the keyring: {err}");
    }
    for warning in &file.warnings {
        eprintln!("warning: {warning}");
    }
    Ok((
        MappingTable::new(file.mappings).with_blocklist(&file.blocklist),
        None,
    ))
}

// The sign API key and the RCON password never reach `Debug` output.
impl std::fmt::Debug for WatchArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchArgs")
            .field("user", &self.user)
            .field("room_id", &self.room_id)
            .field("sign_url", &self.sign_url)
            .field(
                "sign_api_key",
                &self.sign_api_key.as_deref().map(crate::settings::masked),
            )
            .field("chain", &self.chain)
            .field("tiktok_url", &self.tiktok_url)
            .field("webcast_url", &self.webcast_url)
            .field("mappings", &self.mappings)
            .field("record", &self.record)
            .field("overlay_port", &self.overlay_port)
            .field("tikfinity_port", &self.tikfinity_port)
            .field("events", &self.events)
            .field("player", &self.world.player)
            .field("ledger", &self.ledger)
            .field("execute", &self.execute)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ExecuteArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecuteArgs")
            .field("execute", &self.execute)
            .field("rcon", &self.rcon)
            .field("bedrock_port", &self.bedrock_port)
            .field(
                "rcon_password",
                &self.rcon_password.as_deref().map(crate::settings::masked),
            )
            .field("obs", &self.obs)
            .field(
                "obs_password",
                &self.obs_password.as_deref().map(crate::settings::masked),
            )
            .field("drain_timeout", &self.drain_timeout)
            .finish()
    }
}
