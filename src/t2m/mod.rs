//! Moving from Tiktok2Mc in one step: imports a Tiktok2Mc folder (`config/config.yaml`,
//! `data/actions.mca`, `data/http_actions.txt`) into mappings (gift, follow, join and like rules,
//! webhooks), the RCON port and password and the TikTok user, with a report of what was imported and
//! every line that was not, with why.

mod config;
mod http_actions;

use std::fmt;
use std::path::{Path, PathBuf};

pub use config::{ConfigError, Scalar, T2mConfig, parse_config};
pub use http_actions::{HttpAction, HttpSkip, parse_http_actions};

use crate::mappings::{Action, Condition, Mapping};
use crate::mca::{DEFAULT_LIKE_FUNCTIONS, import_mca};

/// The file names inside a Tiktok2Mc folder.
pub const CONFIG_FILE: &str = "config/config.yaml";
pub const ACTIONS_FILE: &str = "data/actions.mca";
pub const HTTP_ACTIONS_FILE: &str = "data/http_actions.txt";

/// The placeholder user name of Tiktok2Mc's default config (not a real account).
const PLACEHOLDER_USER: &str = "your_tiktok_username";

/// True when `path` looks like a Tiktok2Mc install (a folder with `data/actions.mca`).
pub fn is_t2m_folder(path: &Path) -> bool {
    path.is_dir() && path.join(ACTIONS_FILE).is_file()
}

/// One entry of the import report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportLine {
    /// The file inside the folder (`data/actions.mca`…).
    pub file: &'static str,
    /// 1-based line, when the entry comes from one line.
    pub line: Option<usize>,
    pub imported: bool,
    pub message: String,
}

impl fmt::Display for ReportLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.imported {
            "imported"
        } else {
            "NOT imported"
        };
        match self.line {
            Some(line) => write!(f, "{} line {line}: {verdict}: {}", self.file, self.message),
            None => write!(f, "{}: {verdict}: {}", self.file, self.message),
        }
    }
}

/// What a Tiktok2Mc folder holds, as giftdeck settings.
#[derive(Clone, Default, PartialEq)]
pub struct T2mImport {
    pub mappings: Vec<Mapping>,
    /// `RCON.Port` (Tiktok2Mc's server runs on this machine: 127.0.0.1).
    pub rcon_port: Option<u16>,
    /// `RCON.Password`. A secret: never in `Debug`, the report or logs.
    pub rcon_password: Option<String>,
    /// `TikTok.User`, without `@` (absent when it is Tiktok2Mc's placeholder).
    pub tiktok_user: Option<String>,
    pub report: Vec<ReportLine>,
}

impl fmt::Debug for T2mImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("T2mImport")
            .field("mappings", &self.mappings.len())
            .field("rcon_port", &self.rcon_port)
            .field(
                "rcon_password",
                &self.rcon_password.as_ref().map(|_| "<redacted>"),
            )
            .field("tiktok_user", &self.tiktok_user)
            .field("report", &self.report)
            .finish()
    }
}

impl T2mImport {
    /// `127.0.0.1:PORT` for the RCON settings.
    pub fn rcon_address(&self) -> Option<String> {
        self.rcon_port.map(|port| format!("127.0.0.1:{port}"))
    }

    /// Report entries that were not imported.
    pub fn not_imported(&self) -> impl Iterator<Item = &ReportLine> {
        self.report.iter().filter(|r| !r.imported)
    }
}

/// Why a folder could not be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum T2mError {
    #[error("{path}: not a Tiktok2Mc folder (no {ACTIONS_FILE})", path = .path.display())]
    NotAFolder { path: PathBuf },
    #[error("cannot read {path}: {source}", path = .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not valid YAML: {reason}", path = .path.display())]
    Yaml { path: PathBuf, reason: String },
}

fn read_optional(path: &Path) -> Result<Option<String>, T2mError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(T2mError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Imports a Tiktok2Mc folder.
pub fn import_folder(folder: &Path) -> Result<T2mImport, T2mError> {
    if !is_t2m_folder(folder) {
        return Err(T2mError::NotAFolder {
            path: folder.to_owned(),
        });
    }
    let config_path = folder.join(CONFIG_FILE);
    let config = match read_optional(&config_path)? {
        Some(text) => Some(parse_config(&text).map_err(|e| T2mError::Yaml {
            path: config_path.clone(),
            reason: e.reason,
        })?),
        None => None,
    };
    let actions = read_optional(&folder.join(ACTIONS_FILE))?.unwrap_or_default();
    let http = read_optional(&folder.join(HTTP_ACTIONS_FILE))?;
    Ok(import_texts(config.as_ref(), &actions, http.as_deref()))
}

/// The import itself, from the three files' contents (`None` = file absent). Pure.
pub fn import_texts(config: Option<&T2mConfig>, actions: &str, http: Option<&str>) -> T2mImport {
    let mut out = T2mImport::default();
    let mca = import_mca(actions);
    for warning in &mca.warnings {
        out.report.push(ReportLine {
            file: ACTIONS_FILE,
            line: Some(warning.line),
            imported: false,
            message: warning.message.clone(),
        });
    }
    let mut mappings = mca.mappings;

    if config.is_none() {
        out.report.push(ReportLine {
            file: CONFIG_FILE,
            line: None,
            imported: false,
            message: "missing; Tiktok2Mc's default like rules apply (likes every 100, like_2 every 100,000)"
                .into(),
        });
    }
    let like_rules = config
        .and_then(|c| c.gifts.as_ref())
        .and_then(|g| g.like_triggers.as_ref());
    if let Some(rules) = like_rules {
        mappings = apply_like_rules(mappings, rules, &mut out.report);
    }
    for mapping in &mappings {
        out.report.push(ReportLine {
            file: ACTIONS_FILE,
            line: None,
            imported: true,
            message: format!(
                "{:?} as {}{} ({} action(s))",
                mapping.trigger,
                mapping.on.describe(),
                if mapping.enabled { "" } else { ", disabled" },
                mapping.actions.len()
            ),
        });
    }

    if let Some(text) = http {
        let (actions, skipped) = parse_http_actions(text);
        for a in actions {
            let trigger = a.gift_id.to_string();
            let webhook = Action::Webhook {
                url: a.url.clone(),
                timeout_millis: 5_000,
            };
            match mappings
                .iter_mut()
                .find(|m| m.on == Condition::Gift && m.trigger.trim() == trigger)
            {
                Some(existing) => existing.actions.push(webhook),
                None => mappings.push(Mapping::new(trigger, vec![webhook])),
            }
            out.report.push(ReportLine {
                file: HTTP_ACTIONS_FILE,
                line: Some(a.line),
                imported: true,
                message: format!("gift {}: a webhook (POST, the gift as JSON)", a.gift_id),
            });
        }
        for s in skipped {
            out.report.push(ReportLine {
                file: HTTP_ACTIONS_FILE,
                line: Some(s.line),
                imported: false,
                message: format!("{}: {}", s.text, s.why),
            });
        }
    }
    out.mappings = mappings;

    if let Some(config) = config {
        import_connection(config, &mut out);
    }
    out
}

/// Replaces the default like functions with the folder's `Gifts.like_triggers`: one like rule per
/// entry, running its function's actions.
fn apply_like_rules(
    mappings: Vec<Mapping>,
    rules: &[config::RawLikeRule],
    report: &mut Vec<ReportLine>,
) -> Vec<Mapping> {
    let function_names: Vec<String> = rules
        .iter()
        .filter_map(|r| r.function.as_ref().map(|f| f.as_text().trim().to_owned()))
        .collect();
    let is_function = |m: &Mapping| {
        function_names
            .iter()
            .any(|f| f.eq_ignore_ascii_case(m.trigger.trim()))
    };
    let is_default_like = |m: &Mapping| {
        DEFAULT_LIKE_FUNCTIONS
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(m.trigger.trim()))
    };
    let (functions, mut kept): (Vec<Mapping>, Vec<Mapping>) = mappings
        .into_iter()
        .partition(|m| is_function(m) || is_default_like(m));
    for (index, rule) in rules.iter().enumerate() {
        kept.extend(like_rule(index, rule, &functions, report));
    }
    for unused in functions.iter().filter(|m| !is_function(m)) {
        // Tiktok2Mc would never fire it; keep it (disabled) so nothing is lost.
        let mut disabled = unused.clone();
        disabled.enabled = false;
        report.push(ReportLine {
            file: ACTIONS_FILE,
            line: None,
            imported: true,
            message: format!(
                "{:?} is used by no like rule in {CONFIG_FILE}; imported disabled",
                unused.trigger
            ),
        });
        kept.push(disabled);
    }
    kept
}

/// One entry of `Gifts.like_triggers` (the `index`th) as a like rule running the actions of its
/// function in `functions`; `None`, with the reason in `report`, when it cannot be imported.
fn like_rule(
    index: usize,
    rule: &config::RawLikeRule,
    functions: &[Mapping],
    report: &mut Vec<ReportLine>,
) -> Option<Mapping> {
    let id = rule
        .id
        .as_ref()
        .map(Scalar::as_text)
        .unwrap_or_else(|| format!("like rule {}", index + 1));
    let not = |why: String| ReportLine {
        file: CONFIG_FILE,
        line: None,
        imported: false,
        message: format!("Gifts.like_triggers {id:?}: {why}"),
    };
    let Some(every) = rule
        .every
        .as_ref()
        .and_then(Scalar::as_u64)
        .filter(|&n| n > 0)
    else {
        report.push(not(format!(
            "`every` must be a whole number of at least 1 (got {:?})",
            rule.every.as_ref().map(Scalar::as_text)
        )));
        return None;
    };
    let Some(function) = rule
        .function
        .as_ref()
        .map(|f| f.as_text().trim().to_owned())
    else {
        report.push(not("no `function`".into()));
        return None;
    };
    let Some(source) = functions
        .iter()
        .find(|m| m.trigger.trim().eq_ignore_ascii_case(&function))
    else {
        report.push(not(format!(
            "function {function:?} has no line in {ACTIONS_FILE}"
        )));
        return None;
    };
    let enabled = match rule.enable.as_ref() {
        None => true,
        Some(v) => match v.as_bool() {
            Some(b) => b,
            None => {
                report.push(not(format!(
                    "`enable` is not true/false (got {:?}); imported disabled",
                    v.as_text()
                )));
                false
            }
        },
    };
    // Tiktok2Mc shows the payload (default "Community") where a like rule says {user}: a like
    // milestone belongs to the whole room, not to the viewer whose like crossed it.
    let payload = rule
        .payload
        .as_ref()
        .map(Scalar::as_text)
        .unwrap_or_else(|| "Community".to_owned());
    let mut mapping =
        Mapping::new(id, for_the_room(&source.actions, &payload)).on(Condition::Likes { every });
    mapping.enabled = enabled;
    Some(mapping)
}

/// A function's actions with the viewer's name (`{user}`, `{nickname}`) in commands replaced by
/// `payload`, the name a like milestone is credited to.
fn for_the_room(actions: &[Action], payload: &str) -> Vec<Action> {
    actions
        .iter()
        .map(|a| match a {
            Action::Command { command, repeat } => Action::Command {
                command: command
                    .replace("{user}", payload)
                    .replace("{nickname}", payload),
                repeat: *repeat,
            },
            other => other.clone(),
        })
        .collect()
}

fn import_connection(config: &T2mConfig, out: &mut T2mImport) {
    if let Some(rcon) = &config.rcon {
        if rcon.enable.as_ref().and_then(Scalar::as_bool) == Some(false) {
            out.report.push(ReportLine {
                file: CONFIG_FILE,
                line: None,
                imported: true,
                message: "RCON.Enable is false in Tiktok2Mc; port and password imported anyway"
                    .into(),
            });
        }
        match rcon.port.as_ref().map(|p| (p, p.as_u64())) {
            Some((_, Some(port))) if (1..=65_535).contains(&port) => {
                out.rcon_port = u16::try_from(port).ok();
                out.report.push(ReportLine {
                    file: CONFIG_FILE,
                    line: None,
                    imported: true,
                    message: format!("RCON.Port {port} (server 127.0.0.1)"),
                });
            }
            Some((given, _)) => out.report.push(ReportLine {
                file: CONFIG_FILE,
                line: None,
                imported: false,
                message: format!("RCON.Port {:?} is not a port number", given.as_text()),
            }),
            None => {}
        }
        if let Some(password) = &rcon.password {
            out.rcon_password = Some(password.as_text());
            out.report.push(ReportLine {
                file: CONFIG_FILE,
                line: None,
                imported: true,
                message: "RCON.Password (kept secret)".into(),
            });
        }
    }
    if let Some(user) = config.tiktok.as_ref().and_then(|t| t.user.as_ref()) {
        let user = user.as_text();
        let user = user.trim().trim_start_matches('@');
        if user.is_empty() || user == PLACEHOLDER_USER {
            out.report.push(ReportLine {
                file: CONFIG_FILE,
                line: None,
                imported: false,
                message: "TikTok.User is Tiktok2Mc's placeholder; type your @username in giftdeck"
                    .into(),
            });
        } else {
            out.tiktok_user = Some(user.to_owned());
            out.report.push(ReportLine {
                file: CONFIG_FILE,
                line: None,
                imported: true,
                message: format!("TikTok.User @{user}"),
            });
        }
    }
}
