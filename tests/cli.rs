//! The binary's own command line: `--version`, and `--help` naming every subcommand with an
//! example (checked against clap's list, so a new subcommand without an example fails here).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::process::Command;

use clap::CommandFactory;
use giftdeck::cli::Cli;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_giftdeck"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "giftdeck {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn version_prints_name_and_version() {
    assert_eq!(
        run(&["--version"]),
        format!("giftdeck {}\n", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(run(&["-V"]), run(&["--version"]));
}

#[test]
fn help_lists_every_subcommand_with_an_example() {
    let subcommands: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .filter(|name| name != "help")
        .collect();
    assert!(subcommands.len() >= 2, "{subcommands:?}");
    for flag in ["--help", "-h"] {
        let help = run(&[flag]);
        let examples = help
            .split_once("Examples:")
            .map(|(_, rest)| rest)
            .expect("an Examples section");
        assert!(examples.contains("giftdeck --demo"), "{help}");
        for name in &subcommands {
            assert!(
                help.lines()
                    .any(|l| l.trim_start().starts_with(&format!("{name} "))),
                "`{name}` not listed under Commands:\n{help}"
            );
            assert!(
                examples.contains(&format!("giftdeck {name} ")),
                "no example for `{name}`:\n{help}"
            );
            let own = run(&[name, "--help"]);
            assert!(
                own.contains("Examples:") && own.contains(&format!("giftdeck {name} ")),
                "`giftdeck {name} --help` has no example:\n{own}"
            );
        }
    }
}
