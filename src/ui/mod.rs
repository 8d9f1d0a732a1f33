//! The desktop app (being built).
use std::process::ExitCode;
pub fn run_app(_demo: bool) -> ExitCode {
    eprintln!("giftdeck: the app is not built yet");
    ExitCode::FAILURE
}
