//! The "Read chat aloud" window: on or off, which messages (`!tts …` only, or all), who, what is
//! said and how long, links and emoji runs, the per-viewer cooldown, the word filter, the voice,
//! and a voice per viewer.

use crate::i18n::tr;
use egui::RichText;

use super::super::commands::{Command, Commands};
use crate::actions::speak::{ReadChat, ViewerVoice};

/// The window, while `open`. Pushes [`Command::SettingsChanged`] when something changed.
pub fn read_chat_window_ui(
    ctx: &egui::Context,
    open: &mut bool,
    read_chat: &mut ReadChat,
    cmds: &mut Commands,
) {
    if !*open {
        return;
    }
    let mut changed = false;
    egui::Window::new(tr("read-chat-read-chat-aloud"))
        .id(egui::Id::unique("read_chat_window"))
        .open(open)
        .default_size([560.0, 620.0])
        .collapsible(false)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("read_chat_scroll")
                .show(ui, |ui| changed = read_chat_ui(ui, read_chat, cmds));
        });
    if changed {
        cmds.push(Command::SettingsChanged);
    }
}

/// Every field of the setting. Returns true when one changed.
pub fn read_chat_ui(ui: &mut egui::Ui, read_chat: &mut ReadChat, cmds: &mut Commands) -> bool {
    let mut changed = ui
        .checkbox(&mut read_chat.enabled, tr("read-chat-read-chat-aloud"))
        .on_hover_text(tr("read-chat-chat-messages-are-spoken-with"))
        .changed();
    ui.label(
        RichText::new(
            "Spoken one at a time, in a queue of their own (Skip and Stop all are beside the \
             action queue); the panic button stops speech too.",
        )
        .weak(),
    );
    ui.add_enabled_ui(read_chat.enabled, |ui| {
        changed |= which_messages_ui(ui, read_chat);
        ui.separator();
        changed |= word_filter_ui(ui, &mut read_chat.word_filter);
        ui.separator();
        ui.strong(tr("read-chat-voice"));
        changed |= super::speak_editor::voice_fields_ui(
            ui,
            &mut read_chat.voice,
            &mut read_chat.rate,
            &mut read_chat.volume,
        );
        if ui
            .button(tr("read-chat-try-it"))
            .on_hover_text(tr("read-chat-says-a-sample-message-with"))
            .clicked()
        {
            cmds.push(Command::TrySpeech);
        }
        ui.separator();
        changed |= viewer_voices_ui(ui, &mut read_chat.viewer_voices);
    });
    changed
}

/// Which messages, who, what is said, length, links, emoji and cooldown.
fn which_messages_ui(ui: &mut egui::Ui, read_chat: &mut ReadChat) -> bool {
    let mut changed = false;
    egui::Grid::new("read_chat_grid")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(tr("read-chat-messages"));
            ui.horizontal(|ui| {
                changed |= ui
                    .radio_value(
                        &mut read_chat.only_command,
                        true,
                        tr("read-chat-only-those-starting-with"),
                    )
                    .changed();
                changed |= ui
                    .add(
                        egui::TextEdit::singleline(&mut read_chat.command)
                            .hint_text(tr("read-chat-tts"))
                            .desired_width(60.0),
                    )
                    .on_hover_text(tr("read-chat-the-command-itself-is-not"))
                    .changed();
                changed |= ui
                    .radio_value(
                        &mut read_chat.only_command,
                        false,
                        tr("read-chat-every-message"),
                    )
                    .changed();
            });
            ui.end_row();
            ui.label(tr("read-chat-who"));
            ui.horizontal(|ui| {
                changed |= super::conditions::audience_picker_ui(
                    ui,
                    (
                        "read_chat_audience",
                        tr("read-chat-whose-messages-are-read"),
                    ),
                    &mut read_chat.audience,
                    false,
                );
            });
            ui.end_row();
            let label = ui.label(tr("read-chat-say"));
            changed |= ui
                .add(
                    egui::TextEdit::singleline(&mut read_chat.template)
                        .hint_text(tr("read-chat-template-hint"))
                        .desired_width(260.0),
                )
                .labelled_by(label.id)
                .on_hover_text(tr("read-chat-template-hover"))
                .changed();
            ui.end_row();
            let label = ui.label(tr("read-chat-at-most"));
            changed |= ui
                .add(
                    egui::DragValue::new(&mut read_chat.max_chars)
                        .range(10..=1_000)
                        .suffix(tr("unit-characters")),
                )
                .labelled_by(label.id)
                .on_hover_text(tr("read-chat-longer-messages-are-cut-at"))
                .changed();
            ui.end_row();
            let label = ui.label(tr("read-chat-each-viewer"));
            changed |= ui
                .add(
                    egui::DragValue::new(&mut read_chat.viewer_cooldown_seconds)
                        .range(0..=3_600)
                        .prefix(tr("read-chat-at-most-every"))
                        .suffix(" s"),
                )
                .labelled_by(label.id)
                .on_hover_text(tr("read-chat-0-no-limit"))
                .changed();
            ui.end_row();
            ui.label(tr("read-chat-skip"));
            ui.horizontal(|ui| {
                changed |= ui
                    .checkbox(&mut read_chat.skip_links, tr("read-chat-links"))
                    .on_hover_text(tr("read-chat-https-www-example-com-are"))
                    .changed();
                let label = ui.label(tr("read-chat-runs-of-more-than"));
                changed |= ui
                    .add(egui::DragValue::new(&mut read_chat.max_emoji_run).range(0..=50))
                    .labelled_by(label.id)
                    .changed();
                ui.label(tr("read-chat-emoji"));
            });
            ui.end_row();
        });
    changed
}

/// Reads the word filter box: one word or phrase a line, blank lines left out.
pub fn filter_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The word filter, one entry a line. What is typed applies at once; the box keeps its own text
/// (blank lines included) while it is being typed in.
fn word_filter_ui(ui: &mut egui::Ui, list: &mut Vec<String>) -> bool {
    let label = ui.strong(tr("read-chat-word-filter"));
    ui.label(
        RichText::new(
            "Never spoken: one word or phrase a line. Whole words, any case; taken out of \
             messages, nicknames and speak actions before anything is said.",
        )
        .weak(),
    );
    let draft_id = ui.make_persistent_id("word_filter_draft");
    let mut text = ui
        .data(|d| d.get_temp::<String>(draft_id))
        .unwrap_or_else(|| list.join("\n"));
    let response = ui.add(
        egui::TextEdit::multiline(&mut text)
            .hint_text(tr("read-chat-one-word-or-phrase-a"))
            .desired_rows(3)
            .desired_width(300.0),
    );
    let response = response.labelled_by(label.id);
    let mut changed = false;
    if response.changed() {
        let parsed = filter_lines(&text);
        if parsed != *list {
            *list = parsed;
            changed = true;
        }
    }
    if response.has_focus() {
        ui.data_mut(|d| d.insert_temp(draft_id, text));
    } else {
        ui.data_mut(|d| d.remove::<String>(draft_id));
    }
    changed
}

/// A voice per viewer: @handle and voice, with add and remove.
fn viewer_voices_ui(ui: &mut egui::Ui, voices: &mut Vec<ViewerVoice>) -> bool {
    ui.strong(tr("read-chat-a-voice-per-viewer"));
    let mut changed = false;
    let mut remove = None;
    for (i, entry) in voices.iter_mut().enumerate() {
        ui.push_id(("viewer_voice", i), |ui| {
            ui.horizontal(|ui| {
                changed |= ui
                    .add(
                        egui::TextEdit::singleline(&mut entry.handle)
                            .hint_text(tr("viewers-handle"))
                            .desired_width(140.0),
                    )
                    .changed();
                ui.label(tr("read-chat-speaks-with"));
                changed |= ui
                    .add(
                        egui::TextEdit::singleline(&mut entry.voice)
                            .hint_text(tr("read-chat-voice-name"))
                            .desired_width(140.0),
                    )
                    .changed();
                if ui
                    .small_button("🗑")
                    .on_hover_text(tr("read-chat-remove"))
                    .clicked()
                {
                    remove = Some(i);
                }
            });
        });
    }
    if let Some(i) = remove {
        voices.remove(i);
        changed = true;
    }
    if ui.button(tr("read-chat-add-a-viewer-s-voice")).clicked() {
        voices.push(ViewerVoice::default());
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_box_reads_one_entry_a_line() {
        assert_eq!(
            filter_lines("darn\n\n  heck it \r\n"),
            ["darn".to_owned(), "heck it".to_owned()]
        );
        assert!(filter_lines("\n \n").is_empty());
    }
}
