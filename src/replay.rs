//! TODO(founder): replay (being built).
use std::process::ExitCode;
pub fn run_cli(_args: &crate::cli::ReplayArgs) -> ExitCode {
    eprintln!("giftdeck replay: not built yet");
    ExitCode::FAILURE
}
