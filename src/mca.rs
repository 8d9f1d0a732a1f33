//! Import and export of Tiktok2Mc's `actions.mca` trigger files (`TRIGGER:/command; !command x3 # note`).
//! Pure text in, mappings and line-numbered warnings out.

use crate::mappings::{Action, Condition, Mapping};

/// One thing the importer could not take over as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct McaWarning {
    /// 1-based line number in the file.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for McaWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The result of an import: every usable line became a mapping; everything else became a warning.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct McaImport {
    pub mappings: Vec<Mapping>,
    pub warnings: Vec<McaWarning>,
}

/// Tiktok2Mc's default like rules (its `config.default.yaml`): `likes` every 100, `like_2` every
/// 100,000. A Tiktok2Mc folder's own `config.yaml` replaces them (see `crate::t2m`).
pub const DEFAULT_LIKE_FUNCTIONS: &[(&str, u64)] = &[("likes", 100), ("like_2", 100_000)];

/// What Tiktok2Mc's event triggers become; `Err` = not imported, with why.
fn event_condition(trigger: &str) -> Option<Result<Condition, String>> {
    let lower = trigger.to_ascii_lowercase();
    if let Some(&(_, every)) = DEFAULT_LIKE_FUNCTIONS
        .iter()
        .find(|(name, _)| *name == lower)
    {
        return Some(Ok(Condition::Likes { every }));
    }
    Some(match lower.as_str() {
        "follow" => Ok(Condition::Follow),
        "join" => Ok(Condition::Join),
        "comment" => Err(
            "\"comment\" fires on every chat message; giftdeck reacts to chat commands and \
             keywords instead (add one in the trigger table); skipped"
                .to_owned(),
        ),
        "tiktok" => Err("\"tiktok\" toggles Tiktok2Mc's own connection; skipped".to_owned()),
        _ => return None,
    })
}

/// Parses an `actions.mca` file.
///
/// Rules (Tiktok2Mc's, with its rough edges smoothed): split each line on the first `:`; several
/// commands are separated by `;`; each command starts with `/` (vanilla) or `!` (sent raw), both of
/// which become RCON commands; `$random` becomes a [`Action::Random`]; a trailing ` xN` repeats that
/// command N times; `#` starts a comment (outside double quotes, so JSON colours like `"#ff0000"`
/// survive); `>>Title|Subtitle|Seconds` becomes an [`Action::OverlayText`] (3 s when the seconds are
/// missing). `$hooks` are not supported and get a warning with their line number.
pub fn import_mca(text: &str) -> McaImport {
    let mut out = McaImport::default();
    for (index, raw_line) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = strip_comment(raw_line).trim();
        if line.is_empty() {
            continue;
        }
        let warn = |out: &mut McaImport, message: String| {
            out.warnings.push(McaWarning {
                line: line_no,
                message,
            });
        };
        let Some((trigger, rest)) = line.split_once(':') else {
            warn(
                &mut out,
                format!("no ':' between trigger and command in {line:?}"),
            );
            continue;
        };
        // Tiktok2Mc allows a quoted trigger name with spaces: 'Tom the Tomato'.
        let trigger = trigger.trim();
        let trigger = trigger
            .strip_prefix('\'')
            .and_then(|t| t.strip_suffix('\''))
            .or_else(|| trigger.strip_prefix('"').and_then(|t| t.strip_suffix('"')))
            .unwrap_or(trigger)
            .trim();
        if trigger.is_empty() {
            warn(&mut out, "empty trigger before ':'".to_owned());
            continue;
        }
        if out
            .mappings
            .iter()
            .any(|m| m.trigger.eq_ignore_ascii_case(trigger))
        {
            warn(
                &mut out,
                format!("trigger {trigger:?} appears again; only its first line is used"),
            );
            continue;
        }
        let mut actions = Vec::new();
        for part in split_outside_quotes(rest, ';') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            if let Some(overlay) = part.strip_prefix(">>") {
                match parse_overlay_text(overlay) {
                    Ok((action, None)) => actions.push(action),
                    Ok((action, Some(message))) => {
                        actions.push(action);
                        warn(&mut out, message);
                    }
                    Err(message) => warn(&mut out, message),
                }
                continue;
            }
            match parse_command(part) {
                Ok(action) => actions.push(action),
                Err(message) => warn(&mut out, message),
            }
        }
        if actions.is_empty() {
            warn(
                &mut out,
                format!("trigger {trigger:?} has no supported command; skipped"),
            );
            continue;
        }
        let mut mapping = Mapping::new(trigger, actions);
        match event_condition(trigger) {
            Some(Ok(condition)) => mapping.on = condition,
            Some(Err(why)) => {
                warn(&mut out, why);
                continue;
            }
            None => {}
        }
        out.mappings.push(mapping);
    }
    out
}

/// Seconds of an overlay text when the line gives none (Tiktok2Mc's default).
const DEFAULT_OVERLAY_SECONDS: u32 = 3;
/// The longest an imported overlay text may show.
const MAX_OVERLAY_SECONDS: u32 = 600;

/// `Title|Subtitle|Seconds` (after `>>`); a warning comes back with the action when the seconds
/// were unusable and the default was taken instead.
fn parse_overlay_text(text: &str) -> Result<(Action, Option<String>), String> {
    let mut fields = text.splitn(3, '|').map(str::trim);
    let title = fields.next().unwrap_or("").to_owned();
    let subtitle = fields.next().unwrap_or("").to_owned();
    if title.is_empty() && subtitle.is_empty() {
        return Err(format!(
            "overlay text '>>{text}' has no title or subtitle; skipped"
        ));
    }
    let (seconds, warning) = match fields.next() {
        None | Some("") => (DEFAULT_OVERLAY_SECONDS, None),
        Some(given) => match given.parse::<u32>() {
            Ok(n) if (1..=MAX_OVERLAY_SECONDS).contains(&n) => (n, None),
            _ => (
                DEFAULT_OVERLAY_SECONDS,
                Some(format!(
                    "overlay text seconds {given:?} is not a number from 1 to {MAX_OVERLAY_SECONDS}; \
                     using {DEFAULT_OVERLAY_SECONDS}"
                )),
            ),
        },
    };
    Ok((
        Action::OverlayText {
            title,
            subtitle,
            seconds,
        },
        warning,
    ))
}

fn parse_command(part: &str) -> Result<Action, String> {
    let (body, repeat) = split_repeat(part);
    if let Some(hook) = body.strip_prefix('$') {
        return if hook.trim().eq_ignore_ascii_case("random") {
            Ok(Action::Random)
        } else {
            Err(format!("script hook '${hook}' is not supported; skipped"))
        };
    }
    let command = body
        .strip_prefix('/')
        .or_else(|| body.strip_prefix('!'))
        .unwrap_or(body)
        .trim();
    if command.is_empty() {
        return Err(format!("empty command in {part:?}"));
    }
    Ok(Action::Command {
        // Tiktok2Mc's `{comment}` is our `{message}`.
        command: command.replace("{comment}", "{message}"),
        repeat,
    })
}

/// Splits a trailing ` xN` (N ≥ 1) off a command.
fn split_repeat(part: &str) -> (&str, u32) {
    if let Some((body, tail)) = part.rsplit_once(char::is_whitespace)
        && let Some(digits) = tail.strip_prefix('x').or_else(|| tail.strip_prefix('X'))
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = digits.parse::<u32>()
        && n >= 1
    {
        return (body.trim_end(), n);
    }
    (part, 1)
}

fn strip_comment(line: &str) -> &str {
    let mut in_quotes = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '#' if !in_quotes => return &line[..i],
            _ => {}
        }
    }
    line
}

fn split_outside_quotes(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '"' {
            in_quotes = !in_quotes;
        } else if c == sep && !in_quotes {
            parts.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Writes mappings as an `actions.mca` file. Only commands and `$random` exist in that format; other
/// actions, disabled rows and mapping repeats are left out, each with a warning (line = mapping row).
pub fn export_mca(mappings: &[Mapping]) -> (String, Vec<McaWarning>) {
    let mut text = String::from("# Exported by giftdeck\n");
    let mut warnings = Vec::new();
    for (index, mapping) in mappings.iter().enumerate() {
        let row = index + 1;
        if !mapping.enabled {
            warnings.push(McaWarning {
                line: row,
                message: format!("{:?} is disabled; not exported", mapping.trigger),
            });
            continue;
        }
        // Tiktok2Mc has no such event: written as a line, it would come back as a gift trigger.
        if matches!(
            mapping.on,
            Condition::Viewers { .. }
                | Condition::SuperFan { .. }
                | Condition::TreasureChest
                | Condition::Battle { .. }
                | Condition::Emote
                | Condition::Unknown(_)
        ) {
            warnings.push(McaWarning {
                line: row,
                message: format!(
                    "{:?} ({}) has no .mca form; not exported",
                    mapping.trigger,
                    mapping.on.describe()
                ),
            });
            continue;
        }
        let mut parts = Vec::new();
        for action in &mapping.actions {
            match action {
                Action::Command { command, repeat } if *repeat > 1 => {
                    parts.push(format!("/{command} x{repeat}"));
                }
                Action::Command { command, .. } => parts.push(format!("/{command}")),
                Action::Random => parts.push("$random".to_owned()),
                Action::OverlayText {
                    title,
                    subtitle,
                    seconds,
                } => parts.push(format!(">>{title}|{subtitle}|{seconds}")),
                other => warnings.push(McaWarning {
                    line: row,
                    message: format!("{} cannot be written to .mca; left out", other.summary()),
                }),
            }
        }
        if mapping.repeat > 1 {
            warnings.push(McaWarning {
                line: row,
                message: format!(
                    "repeat ×{} of {:?} cannot be written to .mca",
                    mapping.repeat, mapping.trigger
                ),
            });
        }
        if !parts.is_empty() {
            text.push_str(&format!("{}:{}\n", mapping.trigger, parts.join(";")));
        }
    }
    (text, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(c: &str, repeat: u32) -> Action {
        Action::Command {
            command: c.into(),
            repeat,
        }
    }

    #[test]
    fn kinds_tiktok2mc_has_not_are_left_out_of_an_export() {
        let viewers =
            Mapping::new("crowd", vec![cmd("say hi", 1)]).on(Condition::Viewers { at_least: 10 });
        let chest = Mapping::new("chest", vec![cmd("say chest", 1)]).on(Condition::TreasureChest);
        let rose = Mapping::new("Rose", vec![cmd("say rose", 1)]);
        let (text, warnings) = export_mca(&[viewers, chest, rose]);
        assert_eq!(text, "# Exported by giftdeck\nRose:/say rose\n");
        assert_eq!(warnings.len(), 2);
        assert!(
            warnings[0].message.contains("viewers ≥ 10"),
            "{:?}",
            warnings[0]
        );
    }

    #[test]
    fn imports_commands_prefixes_repeats_and_comments() {
        let text = "\
# Tiktok2Mc actions
5655:/give @a diamond 1;!tnt 2 0.1 2 Notch x3   # ignore-lag
heart_me: /effect give @a speed 10 x2
lion:$random
";
        let import = import_mca(text);
        assert!(import.warnings.is_empty(), "{:?}", import.warnings);
        assert_eq!(import.mappings.len(), 3);
        assert_eq!(import.mappings[0].trigger, "5655");
        assert_eq!(
            import.mappings[0].actions,
            [cmd("give @a diamond 1", 1), cmd("tnt 2 0.1 2 Notch", 3)]
        );
        assert_eq!(
            import.mappings[1].actions,
            [cmd("effect give @a speed 10", 2)]
        );
        assert_eq!(import.mappings[2].actions, [Action::Random]);
    }

    #[test]
    fn unsupported_lines_warn_with_their_line_number() {
        let text = "rose:/say hi\ngg:$superjump\nbroken line\nlion:>>|\n";
        let import = import_mca(text);
        assert_eq!(import.mappings.len(), 1);
        let lines: Vec<usize> = import.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [2, 2, 3, 4, 4]);
        assert!(import.warnings[0].message.contains("$superjump"));
        assert!(import.warnings[3].message.contains("no title"));
    }

    #[test]
    fn overlay_text_lines_become_overlay_actions_and_round_trip() {
        let text = "\
rose:>>Thanks {user}!|for the {gift}|5
lion:/say wow;>>LION from {user}
gg:>>GG|well played|forever
";
        let import = import_mca(text);
        let overlay = |title: &str, subtitle: &str, seconds| Action::OverlayText {
            title: title.into(),
            subtitle: subtitle.into(),
            seconds,
        };
        assert_eq!(
            import.mappings[0].actions,
            [overlay("Thanks {user}!", "for the {gift}", 5)]
        );
        assert_eq!(
            import.mappings[1].actions,
            [cmd("say wow", 1), overlay("LION from {user}", "", 3)]
        );
        assert_eq!(
            import.mappings[2].actions,
            [overlay("GG", "well played", 3)]
        );
        assert_eq!(import.warnings.len(), 1, "{:?}", import.warnings);
        assert_eq!(import.warnings[0].line, 3);
        assert!(import.warnings[0].message.contains("forever"));
        let (exported, warnings) = export_mca(&import.mappings);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(exported.contains("rose:>>Thanks {user}!|for the {gift}|5\n"));
        assert_eq!(import_mca(&exported).mappings, import.mappings);
    }

    #[test]
    fn quotes_protect_hashes_and_semicolons() {
        let import = import_mca(r##"rose:/tellraw @a {"text":"a;b","color":"#ff0000"}"##);
        assert_eq!(
            import.mappings[0].actions,
            [cmd(r##"tellraw @a {"text":"a;b","color":"#ff0000"}"##, 1)]
        );
    }

    #[test]
    fn duplicate_triggers_keep_the_first() {
        let import = import_mca("rose:/say 1\nRose:/say 2\n");
        assert_eq!(import.mappings.len(), 1);
        assert_eq!(import.warnings[0].line, 2);
    }

    #[test]
    fn x_inside_a_word_is_not_a_repeat() {
        assert_eq!(split_repeat("say box"), ("say box", 1));
        assert_eq!(split_repeat("say x"), ("say x", 1));
        assert_eq!(split_repeat("say hi x0"), ("say hi x0", 1));
        assert_eq!(split_repeat("say hi x12"), ("say hi", 12));
    }

    #[test]
    fn export_round_trips_commands() {
        let mappings = vec![
            Mapping::new("Rose", vec![cmd("say hi", 2), Action::Random]),
            Mapping::new(
                "gg",
                vec![Action::Webhook {
                    url: "http://x".into(),
                    timeout_millis: 1,
                }],
            ),
        ];
        let (text, warnings) = export_mca(&mappings);
        assert_eq!(warnings.len(), 1);
        let back = import_mca(&text);
        assert_eq!(back.mappings, vec![mappings[0].clone()]);
    }
}
