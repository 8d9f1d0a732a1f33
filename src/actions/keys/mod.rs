//! Keystrokes and mouse input for any game: the `keys` action ([`KeysAction`], its JSON), key
//! names ([`names`]), the events it becomes and the policies that bound it ([`mod@plan`]), the thread
//! that sends them ([`KeysRunner`], with "release all" for the panic button), and the platform
//! backends: X11 through the XTest extension, Windows through `SendInput` (virtual keys, or
//! hardware scancodes in game mode). Wayland without X and macOS say plainly that they cannot.

pub mod names;
pub mod plan;
mod runner;
pub mod scancodes;
pub mod spec;
#[cfg(windows)]
mod windows;
#[cfg(target_os = "linux")]
mod x11;

pub use names::{Chord, Key, KeyNameError, MouseButton};
pub use plan::{Input, KeysGate, KeysLimits, KeysPace, Plan, PlanError, plan, problems};
pub use runner::{BackendFactory, InputBackend, KeysDone, KeysRunner};
pub use spec::{KeyStep, KeysAction};

/// Why keystrokes could not be sent. Each message says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    #[error("{0}")]
    Unsupported(&'static str),
    #[error(
        "cannot reach the X display {display:?} to send keystrokes: {reason}. Start giftdeck inside \
         the desktop session the game runs in"
    )]
    NoDisplay { display: String, reason: String },
    #[error(
        "the X server has no XTest extension, which keystrokes need (every desktop X server has it; \
         a nested or remote one may not)"
    )]
    NoXTest,
    #[error("the keyboard has no key for {what} and no free key code to borrow for it")]
    NoKeycode { what: String },
    #[error("sending input failed: {0}")]
    Send(String),
    #[error(
        "not sent: the focused window is {}, not one whose title contains {wanted:?}",
        focused.as_deref().map_or_else(|| "none".to_owned(), |t| format!("{t:?}"))
    )]
    WrongWindow {
        wanted: String,
        focused: Option<String>,
    },
    #[error("stopped: every held key was released (panic button)")]
    Released,
    #[error("the keystroke thread is busy with earlier actions")]
    Busy,
    #[error("the keystroke thread could not run: {0}")]
    Thread(String),
}

/// The focus guard's rule: the title contains the wanted text, ignoring case and the wanted
/// text's surrounding spaces. An empty wanted text admits every window.
pub fn title_matches(wanted: &str, title: &str) -> bool {
    let wanted = wanted.trim();
    wanted.is_empty() || title.to_lowercase().contains(&wanted.to_lowercase())
}

/// What a session without X but with Wayland gets: XTest cannot reach native Wayland windows, and
/// Wayland has no unprivileged way to inject input without asking the user.
pub const WAYLAND_ONLY: &str = "keystrokes need X11: this is a Wayland session without an X \
    display (DISPLAY is not set). Games running under XWayland need DISPLAY set for giftdeck too; \
    native Wayland windows cannot receive keystrokes from giftdeck";

/// Decides from the environment whether X11 can be tried (pure, for tests).
pub fn display_problem(display: Option<&str>, wayland_display: Option<&str>) -> Option<KeysError> {
    let has = |v: Option<&str>| v.is_some_and(|v| !v.trim().is_empty());
    match (has(display), has(wayland_display)) {
        (true, _) => None,
        (false, true) => Some(KeysError::Unsupported(WAYLAND_ONLY)),
        (false, false) => Some(KeysError::NoDisplay {
            display: String::new(),
            reason: "DISPLAY is not set".into(),
        }),
    }
}

/// The X11 backend on `display` (`None`: `$DISPLAY`), e.g. a test's own Xvfb.
#[cfg(target_os = "linux")]
pub fn x11_backend(display: Option<&str>) -> Result<Box<dyn InputBackend>, KeysError> {
    Ok(Box::new(x11::XTest::connect(display)?))
}

/// This platform's input backend.
pub fn system_backend() -> Result<Box<dyn InputBackend>, KeysError> {
    #[cfg(target_os = "linux")]
    {
        let display = std::env::var("DISPLAY").ok();
        let wayland = std::env::var("WAYLAND_DISPLAY").ok();
        if let Some(problem) = display_problem(display.as_deref(), wayland.as_deref()) {
            return Err(problem);
        }
        x11_backend(None)
    }
    #[cfg(windows)]
    {
        Ok(Box::new(windows::Win32Input))
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    {
        Err(KeysError::Unsupported(
            "keystrokes are not supported on this system yet (Windows and Linux/X11 are)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_match_ignoring_case() {
        assert!(title_matches(
            "Minecraft",
            "Minecraft* 1.21.4 - Singleplayer"
        ));
        assert!(title_matches(" minecraft ", "MINECRAFT"));
        assert!(title_matches("", "anything"));
        assert!(!title_matches(
            "Minecraft",
            "OBS 30.2.3 - Profile: Untitled"
        ));
        assert!(title_matches("grand theft", "Grand Theft Auto V"));
    }

    #[test]
    fn wayland_without_x_says_it_cannot() {
        assert_eq!(display_problem(Some(":0"), Some("wayland-0")), None);
        let err = display_problem(None, Some("wayland-0")).unwrap();
        assert!(err.to_string().contains("Wayland"), "{err}");
        assert!(matches!(
            display_problem(Some(" "), None),
            Some(KeysError::NoDisplay { .. })
        ));
    }
}
