//! Compiling a trigger's vanilla commands into datapack functions, and a ×N batch into one
//! `function` call whose macro arguments carry the viewer's values. Pure: no files, no network.
//!
//! A trigger becomes three functions under `giftdeck:<name>`:
//! - `<name>` (called over RCON as `function giftdeck:<name> {n:500,p0:"…"}`) stores the values
//!   and the run count, then starts the loop;
//! - `<name>/loop` runs `<name>/run` with the stored values and calls itself until `n` runs are done;
//! - `<name>/run` is one run of the action list: each command its `repeat` times, each placeholder
//!   replaced by a macro variable `$(pK)`.
//!
//! Each value is escaped for its place in the command exactly as line by line
//! ([`placeholders::render_pieces`]); macro substitution is plain text, so the command Minecraft
//! runs is the very command giftdeck would have sent. The value travels as an SNBT string twice
//! (the call's compound, then the stored compound), so it is escaped twice for SNBT, and never
//! reaches the structure of either compound.

use std::fmt::Write as _;

use thiserror::Error;

use super::super::grammar::tree::TREE;
use super::super::placeholders::{self, MAX_COMMAND_BYTES, Piece, RenderError, Values};
use crate::mappings::{Action, Mapping};

/// The datapack's namespace (and the folder under `<world>/datapacks/`).
pub const NAMESPACE: &str = "giftdeck";

/// The scoreboard objective that counts a batch's runs left.
pub const OBJECTIVE: &str = "giftdeck";

/// Commands one call may cost. Minecraft stops a function call silently after
/// `maxCommandChainLength` commands (65,536 by default); a batch larger than this is split into
/// several calls.
pub const CHAIN_BUDGET: u64 = 60_000;

/// Commands the loop costs per run besides the run's own (the call, the count, the test).
const LOOP_COST: u64 = 3;

/// Vanilla commands that need a higher permission level than functions have (level 2 by
/// default, `function-permission-level`): they stay line by line.
const NOT_IN_FUNCTIONS: &[&str] = &[
    "ban",
    "ban-ip",
    "banlist",
    "debug",
    "deop",
    "jfr",
    "kick",
    "op",
    "pardon",
    "pardon-ip",
    "perf",
    "publish",
    "save-all",
    "save-off",
    "save-on",
    "setidletimeout",
    "stop",
    "transfer",
    "whitelist",
];

/// Why a trigger's batch runs line by line instead of as one call.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum NotCompiled {
    #[error("it has actions other than Minecraft commands")]
    NotOnlyCommands,
    #[error("/{0} is not a vanilla command (plugin commands run line by line)")]
    NotVanilla(String),
    #[error("/{0} needs a higher permission level than datapack functions have")]
    NeedsOperator(String),
    #[error("the command holds `$(`, which a function macro would read as a variable")]
    MacroSyntax,
    #[error("the command ends with `\\`, which joins lines in a function")]
    LineContinuation,
    #[error("one run is longer than one function call may be")]
    TooManyCommands,
    #[error("the call with these values is longer than RCON accepts")]
    CallTooLong,
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// A trigger's functions: the same for any values (the values go in the call).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Functions {
    /// The entry function's path under the namespace, e.g. `rose_1f2e3d4c5b6a7988`.
    pub name: String,
    /// The trigger, for the files' comment.
    pub trigger: String,
    /// One run's command lines (macro lines start with `$`).
    pub run: Vec<String>,
    /// How many macro arguments (`p0`…) the run takes.
    pub args: usize,
}

/// One trigger's batch as calls: the functions, and the `function …` lines to send in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub functions: Functions,
    /// One call per [`CHAIN_BUDGET`], at most the `max_calls` asked for.
    pub calls: Vec<Call>,
    /// Runs the calls do not cover (no room for more calls).
    pub runs_left: u64,
}

/// One `function` line and what it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub line: String,
    pub runs: u64,
    /// Commands it runs (what line by line would have sent).
    pub commands: u64,
}

/// The file text of each function: `(path under the namespace's function folder, contents)`.
pub fn files(functions: &Functions) -> Vec<(String, String)> {
    let name = &functions.name;
    let trigger = crate::text::one_line(&functions.trigger, 80);
    let head = format!(
        "# giftdeck: trigger \"{trigger}\". Generated: giftdeck rewrites this folder when triggers change.\n"
    );
    let mut entry = head.clone();
    let _ = writeln!(entry, "scoreboard objectives add {OBJECTIVE} dummy");
    let _ = writeln!(entry, "$scoreboard players set #{name} {OBJECTIVE} $(n)");
    let with = if functions.args == 0 {
        String::new()
    } else {
        let fields: Vec<String> = (0..functions.args)
            .map(|k| format!("p{k}:\"$(p{k})\""))
            .collect();
        let _ = writeln!(
            entry,
            "$data modify storage {NAMESPACE}:batch {name} set value {{{}}}",
            fields.join(",")
        );
        format!(" with storage {NAMESPACE}:batch {name}")
    };
    let _ = writeln!(entry, "function {NAMESPACE}:{name}/loop");
    let mut looped = head.clone();
    let _ = writeln!(looped, "function {NAMESPACE}:{name}/run{with}");
    let _ = writeln!(looped, "scoreboard players remove #{name} {OBJECTIVE} 1");
    let _ = writeln!(
        looped,
        "execute if score #{name} {OBJECTIVE} matches 1.. run function {NAMESPACE}:{name}/loop"
    );
    let mut run = head;
    for line in &functions.run {
        run.push_str(line);
        run.push('\n');
    }
    vec![
        (format!("{name}.mcfunction"), entry),
        (format!("{name}/loop.mcfunction"), looped),
        (format!("{name}/run.mcfunction"), run),
    ]
}

/// Whether `command`'s first word is a vanilla command a function may run.
fn check_vanilla(command: &str) -> Result<(), NotCompiled> {
    let word = command
        .trim()
        .trim_start_matches('/')
        .split(' ')
        .next()
        .unwrap_or_default();
    let name = word.strip_prefix("minecraft:").unwrap_or(word);
    if TREE.command(name).is_none() {
        return Err(NotCompiled::NotVanilla(word.to_owned()));
    }
    if NOT_IN_FUNCTIONS.contains(&name) {
        return Err(NotCompiled::NeedsOperator(name.to_owned()));
    }
    Ok(())
}

/// A function line for one rendered command: its literal parts as written, each value a macro
/// variable (numbered from `next_arg`, which is advanced); the values go to `args`.
fn function_line(
    pieces: &[Piece],
    next_arg: &mut usize,
    args: &mut Vec<String>,
) -> Result<String, NotCompiled> {
    let mut line = String::new();
    let mut macro_line = false;
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Literal(text) => {
                // RCON takes `/say`; a function line does not.
                let text = if i == 0 {
                    text.trim_start().trim_start_matches('/')
                } else {
                    text
                };
                line.push_str(text);
            }
            Piece::Value { text, .. } => {
                let _ = write!(line, "$(p{next_arg})");
                *next_arg += 1;
                args.push(text.clone());
                macro_line = true;
            }
        }
    }
    if line.ends_with('\\') {
        return Err(NotCompiled::LineContinuation);
    }
    if macro_line {
        // Only the variables we wrote may read as variables.
        let written = (0..*next_arg).fold(line.clone(), |l, k| l.replace(&format!("$(p{k})"), ""));
        if written.contains("$(") {
            return Err(NotCompiled::MacroSyntax);
        }
        line.insert(0, '$');
    }
    Ok(line)
}

/// `text` as the content of a double-quoted SNBT string.
fn snbt(text: &str) -> String {
    placeholders::escape_quoted(text, '"')
}

/// A short, stable name for a trigger's functions: its name in `[a-z0-9_]` and a hash of what
/// the functions do (a changed trigger gets new functions, never a stale one).
fn function_name(trigger: &str, run: &[String], args: usize) -> String {
    let mut slug: String = trigger
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(24)
        .collect();
    if slug.trim_matches('_').is_empty() {
        slug = "trigger".to_owned();
    }
    // FNV-1a: stable across builds and platforms (std's hasher is not).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for line in run
        .iter()
        .map(String::as_str)
        .chain([args.to_string().as_str()])
    {
        for byte in line.bytes().chain([b'\n']) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{slug}_{hash:016x}")
}

/// The functions for `mapping` and the values for one batch of it. `Err` says why it runs line
/// by line.
pub fn compile(
    mapping: &Mapping,
    values: &Values,
) -> Result<(Functions, Vec<String>), NotCompiled> {
    let mut run = Vec::new();
    let mut args = Vec::new();
    let mut next_arg = 0;
    for action in &mapping.actions {
        let Action::Command { command, repeat } = action else {
            return Err(NotCompiled::NotOnlyCommands);
        };
        check_vanilla(command)?;
        let pieces = placeholders::render_pieces(command, values)?;
        let line = function_line(&pieces, &mut next_arg, &mut args)?;
        for _ in 0..*repeat {
            run.push(line.clone());
        }
    }
    if run.is_empty() {
        return Err(NotCompiled::NotOnlyCommands);
    }
    if run.len() as u64 + 2 * LOOP_COST + 2 > CHAIN_BUDGET {
        return Err(NotCompiled::TooManyCommands);
    }
    let functions = Functions {
        name: function_name(&mapping.trigger, &run, args.len()),
        trigger: mapping.trigger.clone(),
        run,
        args: args.len(),
    };
    Ok((functions, args))
}

/// The functions a trigger has, whatever the values (for writing the pack). Values that render
/// anywhere stand in: the functions do not depend on them.
pub fn functions_of(mapping: &Mapping) -> Result<Functions, NotCompiled> {
    let stand_in = Values {
        user: "giftdeck".into(),
        nickname: "giftdeck".into(),
        gift: "giftdeck".into(),
        message: "giftdeck".into(),
        args: "giftdeck".into(),
        count: 1,
        ..Values::default()
    };
    compile(mapping, &stand_in).map(|(functions, _)| functions)
}

/// The `function` line that runs `runs` runs with `args`.
pub fn call_line(functions: &Functions, runs: u64, args: &[String]) -> String {
    let mut call = format!("function {NAMESPACE}:{} {{n:{runs}", functions.name);
    for (k, value) in args.iter().enumerate() {
        // Escaped for the stored compound's string, then for the call's.
        let _ = write!(call, ",p{k}:\"{}\"", snbt(&snbt(value)));
    }
    call.push('}');
    call
}

/// `runs` runs of `mapping` as at most `max_calls` calls, each within [`CHAIN_BUDGET`] and the
/// RCON length limit.
pub fn batch(
    mapping: &Mapping,
    values: &Values,
    runs: u64,
    max_calls: usize,
) -> Result<Batch, NotCompiled> {
    let (functions, args) = compile(mapping, values)?;
    let per_run = functions.run.len() as u64;
    // At least 1: `compile` refused runs longer than a call.
    let per_call = (CHAIN_BUDGET.saturating_sub(LOOP_COST + 2) / (per_run + LOOP_COST)).max(1);
    let mut calls = Vec::new();
    let mut left = runs;
    while left > 0 && calls.len() < max_calls {
        let n = left.min(per_call);
        let line = call_line(&functions, n, &args);
        if line.len() > MAX_COMMAND_BYTES {
            return Err(NotCompiled::CallTooLong);
        }
        calls.push(Call {
            line,
            runs: n,
            commands: n.saturating_mul(per_run),
        });
        left -= n;
    }
    Ok(Batch {
        functions,
        calls,
        runs_left: left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::datapack::pack::{pack_dir, pack_files, write_pack};
    use crate::actions::datapack::version::PackFormat;
    use crate::testkit::datapack::{Pack, read_compound};

    fn mapping(commands: &[(&str, u32)]) -> Mapping {
        Mapping::new(
            "Rose",
            commands
                .iter()
                .map(|(c, r)| Action::Command {
                    command: (*c).into(),
                    repeat: *r,
                })
                .collect(),
        )
    }

    fn viewer(nickname: &str) -> Values {
        Values {
            user: "some_viewer".into(),
            nickname: nickname.into(),
            gift: "Rose".into(),
            count: 500,
            ..Values::default()
        }
    }

    /// What the game runs for `runs` runs of `m` with `values`, through a pack written to disk.
    fn as_minecraft_runs(
        m: &Mapping,
        values: &Values,
        runs: u64,
        format: PackFormat,
    ) -> Vec<String> {
        let world = tempfile::tempdir().unwrap();
        let functions = functions_of(m).unwrap();
        write_pack(world.path(), &pack_files(format, &[functions])).unwrap();
        let pack = Pack::load(&pack_dir(world.path())).unwrap();
        let batch = batch(m, values, runs, usize::MAX).unwrap();
        batch
            .calls
            .iter()
            .flat_map(|c| pack.run(&c.line).unwrap())
            .collect()
    }

    /// What line by line sends for the same batch.
    fn line_by_line(m: &Mapping, values: &Values, runs: u64) -> Vec<String> {
        let mut out = Vec::new();
        for _ in 0..runs {
            for action in &m.actions {
                if let Action::Command { command, repeat } = action {
                    let text = placeholders::render(command, values).unwrap();
                    let text = text.trim_start_matches('/').to_owned();
                    out.extend(std::iter::repeat_n(text, *repeat as usize));
                }
            }
        }
        out
    }

    #[test]
    fn a_trigger_becomes_entry_loop_and_run_functions() {
        let m = mapping(&[("summon tnt ~ ~ ~", 1)]);
        let f = functions_of(&m).unwrap();
        assert!(f.name.starts_with("rose_"), "{}", f.name);
        assert_eq!(f.args, 0);
        let files = files(&f);
        let name = &f.name;
        let body = |i: usize| files[i].1.lines().skip(1).collect::<Vec<_>>().join("\n");
        assert_eq!(files[0].0, format!("{name}.mcfunction"));
        assert_eq!(
            body(0),
            format!(
                "scoreboard objectives add giftdeck dummy\n$scoreboard players set #{name} giftdeck $(n)\nfunction giftdeck:{name}/loop"
            )
        );
        assert_eq!(
            body(1),
            format!(
                "function giftdeck:{name}/run\nscoreboard players remove #{name} giftdeck 1\nexecute if score #{name} giftdeck matches 1.. run function giftdeck:{name}/loop"
            )
        );
        assert_eq!(body(2), "summon tnt ~ ~ ~");
        let b = batch(&m, &viewer("x"), 500, 10).unwrap();
        assert_eq!(b.calls.len(), 1);
        assert_eq!(
            b.calls[0].line,
            format!("function giftdeck:{name} {{n:500}}")
        );
        assert_eq!(b.calls[0].commands, 500);
    }

    #[test]
    fn values_become_macro_arguments_escaped_twice() {
        let m = mapping(&[
            ("/say {nickname} sent {count} {gift}", 1),
            (r#"tellraw @a {"text":"{nickname}"}"#, 2),
        ]);
        let (f, args) = compile(&m, &viewer("a\"b\\c @a")).unwrap();
        assert_eq!(
            f.run,
            [
                "$say $(p0) sent $(p1) $(p2)",
                r#"$tellraw @a {"text":"$(p3)"}"#,
                r#"$tellraw @a {"text":"$(p3)"}"#,
            ]
        );
        assert_eq!(args, ["a\"b\\c ＠a", "500", "Rose", r#"a\"b\\c @a"#]);
        let call = call_line(&f, 3, &args);
        // The call's compound reads back to the values escaped once (for the stored compound).
        let read = read_compound(call.split_once(' ').unwrap().1.split_once(' ').unwrap().1);
        let read = read.unwrap();
        assert_eq!(
            read.get("p3"),
            Some(&crate::testkit::datapack::Tag::Text(
                r#"a\\\"b\\\\c @a"#.into()
            ))
        );
        // The same function whatever the values.
        assert_eq!(compile(&m, &viewer("other")).unwrap().0, f);
    }

    #[test]
    fn hostile_viewer_text_runs_exactly_the_line_by_line_commands() {
        let templates: &[&[(&str, u32)]] = &[
            &[("say {nickname}", 1)],
            &[(
                r#"tellraw @a {"text":"{nickname} sent {count}","color":"gold"}"#,
                1,
            )],
            &[
                (r#"title @a title {"text":"{nickname}"}"#, 1),
                ("summon tnt ~ ~ ~", 2),
            ],
            &[(
                "summon zombie ~ ~ ~ {CustomName:'{\"text\":\"{nickname}\"}'}",
                1,
            )],
            &[("give {user} diamond {count}", 1)],
            &[(
                r#"tellraw @a {"text":"x","click_event":{"action":"run_command","command":"/say {nickname}"}}"#,
                1,
            )],
        ];
        let hostile = [
            "\"}] run op @a",
            "\\\"\\\\\"",
            "$(p0) $(n)",
            "'; kill @e[type=!player] #",
            "a\nsay x",
            "}]},{\"text\":\"",
            "\\",
            "@e[type=player]",
            "x\u{202E}y§a🔥",
        ];
        for commands in templates {
            let m = mapping(commands);
            for nickname in hostile {
                let values = viewer(nickname);
                for format in [
                    PackFormat::new(41, 0),
                    PackFormat::new(61, 0),
                    PackFormat::new(94, 1),
                ] {
                    assert_eq!(
                        as_minecraft_runs(&m, &values, 3, format),
                        line_by_line(&m, &values, 3),
                        "{commands:?} with {nickname:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn big_batches_split_within_the_chain_limit() {
        let m = mapping(&[("summon tnt ~ ~ ~", 10)]);
        let b = batch(&m, &viewer("x"), 10_000, usize::MAX).unwrap();
        let per_call = (CHAIN_BUDGET - 5) / 13;
        assert_eq!(b.calls.len() as u64, 10_000_u64.div_ceil(per_call));
        assert_eq!(b.calls.iter().map(|c| c.runs).sum::<u64>(), 10_000);
        assert!(b.calls.iter().all(|c| c.runs * 13 + 5 <= CHAIN_BUDGET));
        // Room for two calls: the rest is counted, not built.
        let b = batch(&m, &viewer("x"), 10_000, 2).unwrap();
        assert_eq!((b.calls.len(), b.runs_left), (2, 10_000 - 2 * per_call));
        // A call at the limit runs inside the game's chain limit.
        let one = mapping(&[("summon tnt ~ ~ ~", 1)]);
        let runs = (CHAIN_BUDGET - 5) / 4;
        let ran = as_minecraft_runs(&one, &viewer("x"), runs, PackFormat::new(61, 0));
        assert_eq!(ran.len() as u64, runs);
    }

    #[test]
    fn what_stays_line_by_line() {
        let cases: &[(&[(&str, u32)], NotCompiled)] = &[
            (
                &[("tnt 2 0.1 2 Notch", 1)],
                NotCompiled::NotVanilla("tnt".into()),
            ),
            (&[("op {user}", 1)], NotCompiled::NeedsOperator("op".into())),
            (&[("say $(x) {nickname}", 1)], NotCompiled::MacroSyntax),
            (&[("say hi \\", 1)], NotCompiled::LineContinuation),
            (
                &[("summon tnt ~ ~ ~", 61_000)],
                NotCompiled::TooManyCommands,
            ),
        ];
        for (commands, why) in cases {
            assert_eq!(
                functions_of(&mapping(commands)).as_ref().err(),
                Some(why),
                "{commands:?}"
            );
        }
        let mut with_sound = mapping(&[("say hi", 1)]);
        with_sound.actions.push(Action::Random);
        assert_eq!(
            functions_of(&with_sound).err(),
            Some(NotCompiled::NotOnlyCommands)
        );
        // `minecraft:` and a leading slash are vanilla too; `$(` without a value is no macro.
        assert!(functions_of(&mapping(&[("/minecraft:say $(x)", 1)])).is_ok());
        let long = "\"".repeat(400);
        assert_eq!(
            batch(&mapping(&[("say {nickname}", 1)]), &viewer(&long), 2, 1).err(),
            Some(NotCompiled::CallTooLong)
        );
    }
}
