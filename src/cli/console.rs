//! The Windows console: the binary is a GUI program there (no console window pops up behind the
//! app when a streamer double-clicks `giftdeck.exe`), so a subcommand or `--help` started from a
//! terminal borrows that terminal's console to print. No-op on other systems.

/// Attaches to the console of the process that started us (cmd, PowerShell, Windows Terminal),
/// so `println!`/`eprintln!` reach it. Does nothing when the output is already redirected (a pipe
/// or a file: the handles were inherited) or when there is no such console (started from
/// Explorer: the app runs without one, as intended).
///
/// A GUI program does not make the shell wait: the prompt can come back before our output ends.
/// `start /wait giftdeck …` (cmd) or piping (`giftdeck … | Out-Host`, PowerShell) waits.
#[cfg(windows)]
pub fn attach_parent_console() {
    use std::os::windows::io::AsRawHandle as _;
    // A GUI program gets standard handles only when the shell redirected them (a pipe or a file);
    // those already work. Without them the handle is null and output would go nowhere.
    if !std::io::stdout().as_raw_handle().is_null() {
        return;
    }
    // SAFETY: AttachConsole takes a process id by value and touches no memory of ours; a failure
    // (no parent console: started from Explorer) is reported through its return value and is fine.
    #[expect(unsafe_code, reason = "one Win32 call with no pointers, see SAFETY")]
    unsafe {
        windows_sys::Win32::System::Console::AttachConsole(
            windows_sys::Win32::System::Console::ATTACH_PARENT_PROCESS,
        );
    }
}

/// Attaches to the parent's console on Windows; nothing to do elsewhere (a terminal is inherited).
#[cfg(not(windows))]
pub fn attach_parent_console() {}
