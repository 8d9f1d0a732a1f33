//! Which data pack format the server reads, and what follows from it: function macros (1.20.2,
//! format 18), the `function` folder's name (`functions` before 1.21, format 48), and how
//! `pack.mcmeta` states the format (`min_format`/`max_format` from 1.21.9, format 82).
//!
//! The server says it itself where it can: `/version` (vanilla 1.21.6 and later) prints
//! `pack_data = 81` (`94.1` from 1.21.9), over RCON too. Older servers are read from the world's
//! level.dat data version, with the formats of the releases between 1.20.2 and 1.21.5 below (a
//! closed list: those versions will not change, and newer ones answer `/version`).

use std::fmt;

/// A data pack format, `major.minor` (minor versions exist from 1.21.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackFormat {
    pub major: u32,
    pub minor: u32,
}

impl fmt::Display for PackFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.minor == 0 {
            write!(f, "{}", self.major)
        } else {
            write!(f, "{}.{}", self.major, self.minor)
        }
    }
}

impl PackFormat {
    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }

    /// Function macros (`$(name)`, `function … {…}`, `with storage`) arrived in 1.20.2.
    pub fn has_macros(self) -> bool {
        self.major >= MACROS_FROM.major
    }

    /// The folder functions live in: `function` from 1.21 (format 45, snapshot 24w21a).
    pub fn function_folder(self) -> &'static str {
        if self.major >= 45 {
            "function"
        } else {
            "functions"
        }
    }

    /// `pack.mcmeta` for this format.
    pub fn mcmeta(self, description: &str) -> String {
        let pack = if self.major >= 82 {
            serde_json::json!({
                "description": description,
                "min_format": [self.major, self.minor],
                "max_format": [self.major, self.minor],
            })
        } else {
            serde_json::json!({ "description": description, "pack_format": self.major })
        };
        let mut text =
            serde_json::to_string_pretty(&serde_json::json!({ "pack": pack })).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The first format with function macros (1.20.2).
pub const MACROS_FROM: PackFormat = PackFormat::new(18, 0);

/// Data version of the oldest release with macros (1.20.2).
pub const MACROS_FROM_DATA_VERSION: i32 = 3578;

/// Releases from 1.20.2 to 1.21.5, which have no `/version`: (data version, name, data pack
/// format). Data versions as minecraft-data's `protocolVersions.json` lists them.
const RELEASES: &[(i32, &str, u32)] = &[
    (3578, "1.20.2", 18),
    (3698, "1.20.3", 26),
    (3700, "1.20.4", 26),
    (3837, "1.20.5", 41),
    (3839, "1.20.6", 41),
    (3953, "1.21", 48),
    (3955, "1.21.1", 48),
    (4080, "1.21.2", 57),
    (4082, "1.21.3", 57),
    (4189, "1.21.4", 61),
    (4325, "1.21.5", 71),
];

/// The data version of 1.21.6, the first release with `/version`.
const VERSION_COMMAND_FROM: i32 = 4435;

/// What is known of the server's version, and from where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerVersion {
    /// e.g. `1.21.4` (empty when not known).
    pub name: String,
    pub pack_format: Option<PackFormat>,
    /// Where it came from, for the screen: `/version`, `level.dat`.
    pub source: &'static str,
}

/// The data pack format in a `/version` reply (`pack_data = 81`, `pack_data = 94.1`), and the
/// version name (`name = 1.21.8`). `None` when the reply is not vanilla's (a plugin server's own
/// `version` command, an older server's "Unknown command").
pub fn from_version_reply(reply: &str) -> Option<ServerVersion> {
    // Over RCON the lines arrive joined with nothing between them (`…name = 1.21.8data = 4440…`):
    // a value ends where the next field's name begins.
    let field = |key: &str| -> Option<&str> {
        let at = reply.find(&format!("{key} = "))? + key.len() + 3;
        Some(&reply[at..])
    };
    let pack = field("pack_data")?;
    let digits = |s: &str| -> Option<(u32, usize)> {
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        Some((s[..end].parse().ok()?, end))
    };
    let (major, end) = digits(pack)?;
    let minor = match pack[end..].strip_prefix('.') {
        Some(rest) => digits(rest).map_or(0, |(minor, _)| minor),
        None => 0,
    };
    let name = field("name").map_or("", |rest| {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == ',')
            .unwrap_or(rest.len());
        let name = &rest[..end];
        name.strip_suffix("data").unwrap_or(name)
    });
    Some(ServerVersion {
        name: name.to_owned(),
        pack_format: Some(PackFormat::new(major, minor)),
        source: "/version",
    })
}

/// The data pack format of the release a world was saved with. `None` for versions before
/// 1.20.2 (no macros: the batch runs line by line) and for data versions this list does not
/// have (snapshots; newer servers answer `/version` instead).
pub fn from_data_version(data_version: i32) -> Option<PackFormat> {
    RELEASES
        .iter()
        .find(|(dv, _, _)| *dv == data_version)
        .map(|(_, _, format)| PackFormat::new(*format, 0))
}

/// Why the version read from level.dat gives no format, in words for the screen.
pub fn why_no_format(data_version: i32, name: &str) -> String {
    let name = if name.is_empty() {
        "this version"
    } else {
        name
    };
    if data_version < MACROS_FROM_DATA_VERSION {
        format!("the world is from Minecraft {name}; one-call batches need 1.20.2 or newer")
    } else if data_version >= VERSION_COMMAND_FROM {
        format!(
            "the server did not answer /version and Minecraft {name} (data version {data_version}) is newer than giftdeck's list"
        )
    } else {
        format!(
            "Minecraft {name} (data version {data_version}) is a snapshot giftdeck has no format for"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_reply_gives_the_pack_format() {
        // Vanilla 1.21.8's /version, as the wiki shows it (one line per field over RCON too).
        let reply = "Server version info:\nid = 1.21.8\nname = 1.21.8\ndata = 4440\nseries = main\nprotocol = 772 (0x304)\nbuild_time = Tue Jul 17 12:00:57 UTC 2025\npack_resource = 64\npack_data = 81\nstable = yes";
        let v = from_version_reply(reply).unwrap();
        assert_eq!(v.pack_format, Some(PackFormat::new(81, 0)));
        assert_eq!(v.name, "1.21.8");
        // Joined as RCON joins the lines.
        let v = from_version_reply(&reply.replace('\n', "")).unwrap();
        assert_eq!(
            (v.pack_format, v.name.as_str()),
            (Some(PackFormat::new(81, 0)), "1.21.8")
        );
        let v = from_version_reply(
            "Server version info:id = 1.21.11name = 1.21.11data = 4671pack_data = 94.1stable = yes",
        )
        .unwrap();
        assert_eq!(
            (v.pack_format, v.name.as_str()),
            (Some(PackFormat::new(94, 1)), "1.21.11")
        );
        assert_eq!(
            from_version_reply("This server is running Paper version 1.21.4-232 (MC: 1.21.4)"),
            None
        );
        assert_eq!(
            from_version_reply("Unknown or incomplete command, see below for error"),
            None
        );
        assert_eq!(from_version_reply("pack_data = x"), None);
    }

    #[test]
    fn data_version_gives_the_release_format() {
        assert_eq!(from_data_version(3578), Some(PackFormat::new(18, 0)));
        assert_eq!(from_data_version(3700), Some(PackFormat::new(26, 0)));
        assert_eq!(from_data_version(3955), Some(PackFormat::new(48, 0)));
        assert_eq!(from_data_version(4189), Some(PackFormat::new(61, 0)));
        assert_eq!(from_data_version(4325), Some(PackFormat::new(71, 0)));
        assert_eq!(from_data_version(3465), None, "1.20.1 has no macros");
        assert_eq!(from_data_version(4440), None, "1.21.8 answers /version");
        assert!(why_no_format(3465, "1.20.1").contains("1.20.2 or newer"));
        assert!(why_no_format(4440, "1.21.8").contains("/version"));
        assert!(why_no_format(3800, "23w51a").contains("snapshot"));
        // The list is in order and every entry has macros.
        assert!(
            RELEASES
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].2 <= w[1].2)
        );
        assert!(
            RELEASES
                .iter()
                .all(|r| PackFormat::new(r.2, 0).has_macros())
        );
    }

    #[test]
    fn the_format_decides_folder_and_mcmeta() {
        let old = PackFormat::new(41, 0);
        assert_eq!(old.function_folder(), "functions");
        assert_eq!(PackFormat::new(48, 0).function_folder(), "function");
        assert!(!PackFormat::new(15, 0).has_macros());
        let meta: serde_json::Value = serde_json::from_str(&old.mcmeta("d \"x\"")).unwrap();
        assert_eq!(
            meta,
            serde_json::json!({"pack": {"description": "d \"x\"", "pack_format": 41}})
        );
        let new: serde_json::Value =
            serde_json::from_str(&PackFormat::new(94, 1).mcmeta("d")).unwrap();
        assert_eq!(
            new,
            serde_json::json!({"pack": {"description": "d", "min_format": [94, 1], "max_format": [94, 1]}})
        );
        assert_eq!(PackFormat::new(94, 1).to_string(), "94.1");
    }
}
