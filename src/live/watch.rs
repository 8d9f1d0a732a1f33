//! `giftdeck watch` (being built).
use std::process::ExitCode;
pub fn run_cli(_args: crate::cli::WatchArgs) -> ExitCode {
    eprintln!("giftdeck watch: not built yet");
    ExitCode::FAILURE
}
