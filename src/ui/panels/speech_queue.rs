//! The speech queue beside the action queue: what is being said, how many wait, Skip and Stop
//! all, the speech service's last problem, and the way to the "Read chat aloud" window.

use crate::i18n::tr;
use egui::RichText;

use super::super::commands::{Command, Commands};
use super::{GREY, RED};
use crate::actions::speak::SpeechStatus;

/// `status`: `None` until something was said (the speech service starts on first use).
pub fn speech_queue_ui(
    ui: &mut egui::Ui,
    status: Option<&SpeechStatus>,
    reading_chat: bool,
    read_chat_open: &mut bool,
    cmds: &mut Commands,
) {
    ui.horizontal_wrapped(|ui| {
        ui.strong(tr("speech-queue-speech"));
        let reading = if reading_chat {
            RichText::new(tr("speech-queue-reading-chat-aloud"))
        } else {
            RichText::new(tr("speech-queue-chat-not-read-aloud")).color(GREY)
        };
        ui.label(reading);
        if ui
            .small_button(tr("speech-queue-read-chat-aloud"))
            .clicked()
        {
            *read_chat_open = true;
        }
    });
    let idle = SpeechStatus::default();
    let status = status.unwrap_or(&idle);
    match &status.speaking {
        Some(text) => {
            ui.label(crate::trf!("speech-saying", text = text.as_str()));
        }
        None => {
            ui.label(RichText::new(tr("speech-queue-saying-nothing")).color(GREY));
        }
    }
    ui.horizontal(|ui| {
        ui.label(crate::trf!("speech-waiting", count = status.waiting));
        if ui
            .add_enabled(
                status.speaking.is_some(),
                egui::Button::new(tr("speech-queue-skip")),
            )
            .on_hover_text(tr("speech-queue-cuts-what-is-being-said"))
            .clicked()
        {
            cmds.push(Command::SkipSpeech);
        }
        if ui
            .add_enabled(
                status.speaking.is_some() || status.waiting > 0,
                egui::Button::new(tr("speech-queue-stop-all")),
            )
            .on_hover_text(tr("speech-queue-cuts-what-is-being-said-2"))
            .clicked()
        {
            cmds.push(Command::StopSpeech);
        }
    });
    if status.spoken + status.cut + status.dropped + status.failed > 0 {
        ui.label(
            RichText::new(crate::trf!(
                "speech-counts",
                said = status.spoken,
                cut = status.cut,
                dropped = status.dropped,
                failed = status.failed
            ))
            .small()
            .color(GREY),
        );
    }
    if let Some(error) = &status.last_error {
        ui.label(RichText::new(error).color(RED));
    }
}
