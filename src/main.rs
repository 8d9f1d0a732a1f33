//! The `giftdeck` binary: parses the command line and hands off to the app, `replay` or `watch`.

// On Windows a GUI program: double-clicking giftdeck.exe opens the window without a console
// window behind it. Subcommands started from a terminal attach to it (cli::console).
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use giftdeck::cli::{Cli, Command};

/// mimalloc instead of the system allocator: in a gift storm glibc's per-thread arenas keep what
/// the threads free (about 120 MiB of RSS for a live heap of about 45 MiB); mimalloc hands it
/// back, and the storm's RSS stays about 110 MiB lower (`benches/cpu_demo.sh memory`). Its arenas
/// commit lazily (.cargo/config.toml), so idle and a normal stream cost no more than with glibc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    giftdeck::cli::console::attach_parent_console();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Replay(args)) => giftdeck::cli::replay::run(&args),
        Some(Command::Watch(args)) => giftdeck::cli::watch::run_blocking(*args),
        None => giftdeck::cli::app::run(cli.demo, cli.overlay_port),
    }
}
