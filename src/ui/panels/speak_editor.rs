//! The editor of one `speak` action in the actions window (what is said, voice, speed, loudness),
//! and the voice fields the "read chat aloud" window shares with it.

use crate::i18n::tr;
use egui::RichText;

use crate::actions::speak::SpeakAction;

/// The whole editor of one speak action. Returns true when it changed.
pub fn speak_action_ui(ui: &mut egui::Ui, speak: &mut SpeakAction) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        let label = ui.label(tr("read-chat-say"));
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut speak.text)
                    .hint_text(tr("speak-editor-hint"))
                    .desired_width(320.0),
            )
            .labelled_by(label.id)
            .on_hover_text(
                "Placeholders work; viewer values are spoken as plain text, after the word \
                 filter of “Read chat aloud”",
            )
            .changed();
    });
    changed |= voice_fields_ui(ui, &mut speak.voice, &mut speak.rate, &mut speak.volume);
    changed
}

/// Voice, speed and loudness; the defaults (the system's voice, normal speed, full loudness) are
/// kept as "not set", so the JSON says only what was chosen. Returns true when one changed.
pub fn voice_fields_ui(
    ui: &mut egui::Ui,
    voice: &mut Option<String>,
    rate: &mut Option<f32>,
    volume: &mut Option<f32>,
) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        let label = ui.label(tr("read-chat-voice"));
        let mut name = voice.clone().unwrap_or_default();
        if ui
            .add(
                egui::TextEdit::singleline(&mut name)
                    .hint_text(tr("speak-editor-system-default"))
                    .desired_width(120.0),
            )
            .labelled_by(label.id)
            .on_hover_text(
                "A voice name as the speech service lists it (Linux: `spd-say -L`; Windows: \
                 Settings > Time & language > Speech). Blank: the system's default voice",
            )
            .changed()
        {
            *voice = (!name.trim().is_empty()).then_some(name);
            changed = true;
        }
        let label = ui.label(tr("speak-editor-speed"));
        let mut speed = rate.unwrap_or(1.0);
        if ui
            .add(
                egui::DragValue::new(&mut speed)
                    .range(0.25..=4.0)
                    .speed(0.05)
                    .fixed_decimals(2)
                    .prefix("×"),
            )
            .labelled_by(label.id)
            .on_hover_text(tr("speak-editor-1-is-normal-2-twice"))
            .changed()
        {
            *rate = ((speed - 1.0).abs() > f32::EPSILON).then_some(speed);
            changed = true;
        }
        let label = ui.label(tr("speak-editor-volume"));
        let mut percent = (volume.unwrap_or(1.0) * 100.0).round();
        if ui
            .add(
                egui::DragValue::new(&mut percent)
                    .range(0.0..=100.0)
                    .suffix(" %"),
            )
            .labelled_by(label.id)
            .changed()
        {
            *volume = (percent < 100.0).then_some(percent / 100.0);
            changed = true;
        }
    });
    if voice.is_none() && rate.is_none() && volume.is_none() {
        ui.label(RichText::new(tr("speak-editor-the-system-s-voice-at")).weak());
    }
    changed
}
