//! The window's pages: Live (what a streamer watches mid-stream: the feed, the queue with Pause,
//! the totals) and the setup pages (Triggers, Overlays, Settings), which page a start opens on,
//! and the keyboard shortcuts that switch pages, pause the queue and press the panic button.
//! Plain data and pure rules; the tab row draws them (`panels::tabs`).

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::i18n::tr;
use crate::settings::Settings;

/// One page of the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Page {
    /// The feed, the queue with Pause, the totals: what a streamer needs mid-stream.
    #[default]
    Live,
    /// The trigger table and the editor of a row's actions.
    Triggers,
    /// The overlay pages' URLs for OBS.
    Overlays,
    /// Connections, the queue's pacing, the panic cleanup, the window's look.
    Settings,
}

impl Page {
    /// In tab order (Ctrl+1 is the first).
    pub const ALL: [Self; 4] = [Self::Live, Self::Triggers, Self::Overlays, Self::Settings];

    /// The tab's words.
    pub fn title(self) -> &'static str {
        match self {
            Self::Live => tr("page-live"),
            Self::Triggers => tr("page-triggers"),
            Self::Overlays => tr("page-overlays"),
            Self::Settings => tr("page-settings"),
        }
    }

    /// The page a start opens on: Triggers while there are none yet (the first thing to do),
    /// otherwise Live (a restart mid-stream lands where the stream is).
    pub fn at_start(settings: &Settings) -> Self {
        if settings.mappings.is_empty() {
            Self::Triggers
        } else {
            Self::Live
        }
    }
}

/// What a keyboard shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    Show(Page),
    /// Pause the queue, or resume it when paused.
    TogglePause,
    /// The panic button.
    Panic,
    /// The next bigger or smaller of the offered sizes (`ui.scale`), or 100 %.
    ZoomIn,
    ZoomOut,
    ZoomReset,
}

/// Every shortcut, the most specific first (egui matches Shift loosely, so Ctrl+Shift+K comes
/// before anything on Ctrl+K would).
pub const SHORTCUTS: [(KeyboardShortcut, Shortcut); 10] = [
    (
        KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::K),
        Shortcut::Panic,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::P),
        Shortcut::TogglePause,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num1),
        Shortcut::Show(Page::Live),
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num2),
        Shortcut::Show(Page::Triggers),
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num3),
        Shortcut::Show(Page::Overlays),
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num4),
        Shortcut::Show(Page::Settings),
    ),
    // egui's own zoom keys, changing the saved size instead of egui's zoom behind its back.
    (egui::gui_zoom::kb_shortcuts::ZOOM_IN, Shortcut::ZoomIn),
    (
        egui::gui_zoom::kb_shortcuts::ZOOM_IN_SECONDARY,
        Shortcut::ZoomIn,
    ),
    (egui::gui_zoom::kb_shortcuts::ZOOM_OUT, Shortcut::ZoomOut),
    (
        egui::gui_zoom::kb_shortcuts::ZOOM_RESET,
        Shortcut::ZoomReset,
    ),
];

/// The shortcut `what` is on, in the words of this OS ("Ctrl+Shift+K", "⌘⇧K"), for hover texts.
pub fn shortcut_text(ctx: &egui::Context, what: Shortcut) -> String {
    SHORTCUTS
        .iter()
        .find(|(_, s)| *s == what)
        .map(|(keys, _)| ctx.format_shortcut(keys))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_without_triggers_opens_on_triggers_and_a_set_up_one_on_live() {
        let mut settings = Settings::default();
        assert_eq!(Page::at_start(&settings), Page::Live);
        settings.mappings.clear();
        assert_eq!(Page::at_start(&settings), Page::Triggers);
    }

    #[test]
    fn each_page_has_its_own_number_key_in_tab_order() {
        let pages: Vec<Page> = SHORTCUTS
            .iter()
            .filter_map(|(_, s)| match s {
                Shortcut::Show(page) => Some(*page),
                _ => None,
            })
            .collect();
        assert_eq!(pages, Page::ALL);
        let keys: Vec<Key> = SHORTCUTS
            .iter()
            .filter(|(_, s)| matches!(s, Shortcut::Show(_)))
            .map(|(k, _)| k.logical_key)
            .collect();
        assert_eq!(keys, [Key::Num1, Key::Num2, Key::Num3, Key::Num4]);
    }

    #[test]
    fn panic_is_matched_before_any_plain_ctrl_shortcut() {
        // egui matches Shift loosely: Ctrl+Shift+K would also match a Ctrl+K listed first.
        let panic_at = SHORTCUTS
            .iter()
            .position(|(_, s)| *s == Shortcut::Panic)
            .unwrap();
        assert_eq!(panic_at, 0);
        let distinct: std::collections::HashSet<_> = SHORTCUTS
            .iter()
            .map(|(k, _)| (k.modifiers.shift, k.logical_key))
            .collect();
        assert_eq!(distinct.len(), SHORTCUTS.len(), "no two on the same keys");
        let zoom_reset = SHORTCUTS
            .iter()
            .position(|(_, s)| *s == Shortcut::ZoomReset)
            .unwrap();
        assert!(zoom_reset > 0, "Ctrl+0 is not a page");
    }
}
