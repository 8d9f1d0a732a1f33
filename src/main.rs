//! The `giftdeck` binary: parses the command line and hands off to the app, `replay` or `watch`.

use std::process::ExitCode;

use clap::Parser;
use giftdeck::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Replay(args)) => giftdeck::cli::replay::run(&args),
        Some(Command::Watch(args)) => giftdeck::cli::watch::run_blocking(args),
        None => giftdeck::cli::app::run(cli.demo, cli.overlay_port),
    }
}
