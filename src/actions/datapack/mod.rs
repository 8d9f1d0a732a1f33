//! One call instead of five hundred: for the streamer's own Java server whose world folder they
//! named, giftdeck writes a datapack (`<world>/datapacks/giftdeck/`) with a function per trigger
//! whose commands are all vanilla, `/reload`s when the pack changed, and sends a trigger's ×N
//! batch as one `function` line with the viewer's values as macro arguments ([`compile`]).
//! Where that cannot be (no folder, a server before 1.20.2, a folder giftdeck cannot write, a
//! plugin command), the batch runs command by command as before, and the queue says why
//! ([`BatchRoute`]).

pub mod compile;
pub mod level;
pub mod pack;
pub mod version;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::binding::ServerId;
use super::rcon::RconClient;
use crate::mappings::MappingTable;
pub use version::{PackFormat, ServerVersion};

/// How a trigger's ×N batch reaches the streamer's server, for the queue panel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum BatchRoute {
    /// No world folder set: command by command, as always.
    #[default]
    Off,
    /// Finding the server's version and writing the pack.
    Preparing,
    /// Batches of these triggers go as one `function` call.
    OneCall {
        version: String,
        pack_format: PackFormat,
        /// Triggers with a function (the others have a plugin command, or not only commands).
        triggers: usize,
    },
    /// The folder is set, but batches go command by command: why, in plain words.
    LineByLine(String),
}

impl std::fmt::Display for BatchRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Off => f.write_str("command by command (no world folder set)"),
            Self::Preparing => f.write_str("preparing the datapack…"),
            Self::OneCall {
                version,
                pack_format,
                triggers,
            } => {
                let version = if version.is_empty() {
                    String::new()
                } else {
                    format!("Minecraft {version}, ")
                };
                write!(
                    f,
                    "one call per batch ({version}pack format {pack_format}, {triggers} trigger(s) in the datapack)"
                )
            }
            Self::LineByLine(why) => write!(f, "command by command: {why}"),
        }
    }
}

/// The pack as written for one server: which functions exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadyPack {
    pub server: ServerId,
    pub names: HashSet<String>,
}

/// A batch as one queued call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionWork {
    /// The `function giftdeck:… {…}` line.
    pub line: Arc<str>,
    /// The function it calls (must be in the pack when it runs).
    pub name: Arc<str>,
    /// One run's commands as line by line would send them, and how many runs the call does:
    /// what runs instead if the pack changed before its turn.
    pub run: Arc<[Arc<str>]>,
    pub runs: u64,
}

/// What the runner remembers between items: the version found on this connection, and whether
/// the pack changed since the last `/reload`.
#[derive(Debug, Default)]
pub(crate) struct PackState {
    /// Set on a new connection or a changed table: probe and write again.
    pub(crate) stale: bool,
    /// The folder and server the state is for (other ones start over).
    pub(crate) key: Option<(PathBuf, ServerId)>,
    pub(crate) version: Option<ServerVersion>,
    pub(crate) needs_reload: bool,
}

/// Learns the server's data pack format: `/version` (vanilla 1.21.6+), `minecraft:version`
/// (the same behind a plugin server's own `version`), else the world's level.dat.
pub(crate) async fn probe_version(
    conn: &mut RconClient,
    world: &Path,
) -> Result<ServerVersion, String> {
    for command in ["version", "minecraft:version"] {
        if let Ok(reply) = conn.command(command).await
            && let Some(version) = version::from_version_reply(&reply)
        {
            return Ok(version);
        }
    }
    let level = level::read_level(world).map_err(|e| e.to_string())?;
    match version::from_data_version(level.data_version) {
        Some(format) => Ok(ServerVersion {
            name: level.name,
            pack_format: Some(format),
            source: "level.dat",
        }),
        None => Err(version::why_no_format(level.data_version, &level.name)),
    }
}

/// Writes the pack for `table` (enabled triggers whose commands compile). Returns the pack's
/// functions and whether the files changed.
pub(crate) fn write_for(
    world: &Path,
    format: PackFormat,
    table: &MappingTable,
) -> Result<(HashSet<String>, bool), pack::PackError> {
    let functions: Vec<_> = table
        .mappings()
        .iter()
        .filter(|m| m.enabled)
        .filter_map(|m| compile::functions_of(m).ok())
        .collect();
    let names = functions.iter().map(|f| f.name.clone()).collect();
    let changed = pack::write_pack(world, &pack::pack_files(format, &functions))?;
    Ok((names, changed))
}

/// The world folder as set (trimmed; `None` when empty).
pub fn world_folder(setting: &Option<PathBuf>) -> Option<PathBuf> {
    setting
        .as_ref()
        .filter(|p| !p.as_os_str().is_empty())
        .cloned()
}
