//! What the panels ask for: every button that does more than change what a panel draws becomes a
//! [`Command`], collected while drawing and run by the app after the frame.

use std::path::PathBuf;

use crate::actions::ServerId;

/// One request from a panel.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// A counter or the stream timer changed by hand (the Counters panel).
    Counters(crate::counter_hub::HandChange),
    Connect,
    Disconnect,
    StartDemo,
    /// Run row `row`'s trigger through the engine and queue as if a viewer sent `count`.
    Test {
        row: usize,
        count: u32,
    },
    /// The trigger table was edited: apply at once and save.
    MappingsChanged,
    /// Other settings were edited: apply and save.
    SettingsChanged,
    PauseQueue,
    ResumeQueue,
    ClearQueue,
    /// The panic button: pause, clear what waits, let go of keys, stop speech, run the cleanup.
    Panic,
    ImportDialog,
    /// Pick a Tiktok2Mc install folder and import it.
    ImportT2mDialog,
    ExportDialog,
    ImportPath(PathBuf),
    ExportPath(PathBuf),
    /// Open a file dialog for the sound file of `row`'s action `action`.
    PickSound {
        row: usize,
        action: usize,
    },
    /// Settings → Minecraft: choose the world folder for the datapack.
    PickWorldFolder,
    TestRcon,
    /// Settings → OBS → Test connection.
    TestObs,
    /// Settings → External triggers → Regenerate: a new token, the old one refused from now on.
    RegenerateExternalToken,
    /// Settings → TikTok session → Save in the keyring (what was pasted).
    SaveTikTokSession,
    /// Settings → TikTok session → Forget.
    ForgetTikTokSession,
    UndoImport,
    /// Open a URL (an overlay page) in the system's browser.
    OpenUrl(String),
    /// Throw away the queue held for this server (it never runs).
    ClearHeld(ServerId),
    /// Keep the queue held for this server; it runs when that server is current again.
    KeepHeld(ServerId),
    /// Finish before quitting: stop the session (crediting open streaks) and drain the queue
    /// with a deadline. What closing the window does.
    Quit,
    /// Quit without waiting for the queue.
    QuitNow,
    /// The Game panel: pause the subathon, reset a goal…
    Game(crate::game::Control),
    /// The Viewers panel: find viewers whose @handle starts with this.
    LookupViewer(String),
    /// The Viewers panel: save a CSV of the ledger (a save dialog first).
    ExportCsv(super::viewers::Csv),
    /// The speech queue: cut what is being said.
    SkipSpeech,
    /// The speech queue: cut what is being said and drop what waits.
    StopSpeech,
    /// "Read chat aloud" → Try it: a sample message with its settings.
    TrySpeech,
    /// Open the "Read chat aloud" window.
    OpenReadChat,
}

/// The commands one frame collected, in the order they were asked for.
pub type Commands = Vec<Command>;
