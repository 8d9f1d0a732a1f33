//! The first-run checklist's rules: which of its three steps (TikTok user, Minecraft server,
//! first trigger) are done, and whether it still shows. Pure; drawn by `panels::checklist`.

use crate::settings::Settings;

/// The three steps, each done or not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checklist {
    /// A @username was connected to (it is remembered as the last target).
    pub tiktok: bool,
    /// A connection test reached the streamer's own Minecraft server.
    pub minecraft: bool,
    /// A trigger ran (Test button, or a viewer's gift matched one).
    pub trigger: bool,
}

impl Checklist {
    pub fn of(settings: &Settings) -> Self {
        Self {
            tiktok: !settings.connection.last_target.trim().is_empty(),
            minecraft: settings.setup.minecraft_ok,
            trigger: settings.setup.trigger_tried,
        }
    }

    pub fn done_count(self) -> usize {
        usize::from(self.tiktok) + usize::from(self.minecraft) + usize::from(self.trigger)
    }

    pub fn done(self) -> bool {
        self.done_count() == 3
    }

    /// The checklist shows until every step is done or the streamer hides it.
    pub fn shown(settings: &Settings) -> bool {
        !settings.setup.hidden && !Self::of(settings).done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_config_shows_all_three_steps_open() {
        let settings = Settings::default();
        assert_eq!(Checklist::of(&settings), Checklist::default());
        assert!(Checklist::shown(&settings));
    }

    #[test]
    fn it_goes_away_when_done_or_hidden() {
        let mut settings = Settings::default();
        settings.connection.last_target = "@me".into();
        settings.setup.minecraft_ok = true;
        assert_eq!(Checklist::of(&settings).done_count(), 2);
        assert!(Checklist::shown(&settings));
        settings.setup.trigger_tried = true;
        assert!(!Checklist::shown(&settings), "all done");
        let mut hidden = Settings::default();
        hidden.setup.hidden = true;
        assert!(!Checklist::shown(&hidden), "hidden by the streamer");
    }
}
