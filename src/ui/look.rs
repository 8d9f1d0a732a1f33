//! The window's look from the settings: light or dark (the streamer's pick, or the system's)
//! and the scale of everything (`ui.scale`, applied as egui's zoom factor on top of the screen's own
//! pixels per point). Applied once per change, never per frame.

use egui::{Theme, ThemePreference};

use crate::settings::{ThemeChoice, UiSettings};

/// The sizes offered (Settings → Appearance, Ctrl+Plus and Ctrl+Minus step through them).
pub const SCALE_STEPS: [f32; 7] = [0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5];

/// The next offered size up (`bigger`) or down from `current`; the end one stays. A size between
/// two steps goes to the nearer one in that direction.
pub fn next_scale(current: f32, bigger: bool) -> f32 {
    const CLOSE: f32 = 0.01;
    let found = if bigger {
        SCALE_STEPS.iter().find(|&&s| s > current + CLOSE)
    } else {
        SCALE_STEPS.iter().rev().find(|&&s| s < current - CLOSE)
    };
    found.copied().unwrap_or(current)
}

/// Takes egui's own zoom keys off: Ctrl+Plus and Ctrl+Minus change the saved size instead
/// (`pages::Shortcut::ZoomIn`), so the setting and the window never disagree.
pub fn take_over_zoom_keys(ctx: &egui::Context) {
    if ctx.options(|o| o.zoom_with_keyboard) {
        ctx.options_mut(|o| o.zoom_with_keyboard = false);
    }
}

/// The theme to ask egui for: the streamer's pick; for "like the system", the desktop's answer
/// when we have one, else egui's own reading of the system (what eframe reports).
pub fn theme_preference(choice: ThemeChoice, desktop: Option<Theme>) -> ThemePreference {
    match (choice, desktop) {
        (ThemeChoice::Light, _) => ThemePreference::Light,
        (ThemeChoice::Dark, _) => ThemePreference::Dark,
        (ThemeChoice::System, Some(theme)) => theme.into(),
        (ThemeChoice::System, None) => ThemePreference::System,
    }
}

/// Sets the theme and the zoom when they differ from what the context has (cheap to call each
/// frame: two reads).
pub fn apply_look(ctx: &egui::Context, look: &UiSettings, desktop: Option<Theme>) {
    let preference = theme_preference(look.theme, desktop);
    if ctx.options(|o| o.theme_preference) != preference {
        ctx.set_theme(preference);
    }
    let zoom = look.zoom_factor();
    if (ctx.zoom_factor() - zoom).abs() > f32::EPSILON {
        ctx.set_zoom_factor(zoom);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamers_pick_wins_over_the_desktop() {
        assert_eq!(
            theme_preference(ThemeChoice::Light, Some(Theme::Dark)),
            ThemePreference::Light
        );
        assert_eq!(
            theme_preference(ThemeChoice::Dark, Some(Theme::Light)),
            ThemePreference::Dark
        );
    }

    #[test]
    fn like_the_system_follows_the_desktop_or_else_egui() {
        assert_eq!(
            theme_preference(ThemeChoice::System, Some(Theme::Light)),
            ThemePreference::Light
        );
        assert_eq!(
            theme_preference(ThemeChoice::System, None),
            ThemePreference::System
        );
    }

    #[test]
    fn zoom_keys_step_through_the_offered_sizes_and_stop_at_the_ends() {
        assert_eq!(next_scale(1.0, true), 1.25);
        assert_eq!(next_scale(1.0, false), 0.75);
        assert_eq!(next_scale(0.75, false), 0.75);
        assert_eq!(next_scale(2.5, true), 2.5);
        assert_eq!(
            next_scale(1.1, true),
            1.25,
            "between steps: the next one up"
        );
        assert_eq!(next_scale(1.1, false), 1.0);
    }

    #[test]
    fn the_scale_and_theme_reach_the_context() {
        let ctx = egui::Context::default();
        let look = UiSettings {
            scale: 1.5,
            theme: ThemeChoice::Light,
            ..UiSettings::default()
        };
        apply_look(&ctx, &look, None);
        // The zoom takes effect with the next pass.
        let mut output = ctx.run_pass(egui::RawInput::default(), |_| {});
        output.textures_delta.clear();
        assert_eq!(ctx.zoom_factor(), 1.5);
        assert_eq!(ctx.options(|o| o.theme_preference), ThemePreference::Light);
        assert_eq!(ctx.theme(), Theme::Light);
    }
}
