//! The speech queue beside the action queue: what is being said, how many wait, Skip and Stop
//! all, the speech service's last problem, and the way to the "Read chat aloud" window.

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
    ui.horizontal(|ui| {
        ui.strong("🔊 Speech");
        let reading = if reading_chat {
            RichText::new("reading chat aloud")
        } else {
            RichText::new("chat not read aloud").color(GREY)
        };
        ui.label(reading);
        if ui.small_button("Read chat aloud…").clicked() {
            *read_chat_open = true;
        }
    });
    let idle = SpeechStatus::default();
    let status = status.unwrap_or(&idle);
    match &status.speaking {
        Some(text) => {
            ui.label(format!("Saying: “{text}”"));
        }
        None => {
            ui.label(RichText::new("Saying nothing").color(GREY));
        }
    }
    ui.horizontal(|ui| {
        ui.label(format!("{} waiting", status.waiting));
        if ui
            .add_enabled(status.speaking.is_some(), egui::Button::new("⏭ Skip"))
            .on_hover_text("Cuts what is being said; the next one follows")
            .clicked()
        {
            cmds.push(Command::SkipSpeech);
        }
        if ui
            .add_enabled(
                status.speaking.is_some() || status.waiting > 0,
                egui::Button::new("⏹ Stop all"),
            )
            .on_hover_text("Cuts what is being said and drops everything waiting to be said")
            .clicked()
        {
            cmds.push(Command::StopSpeech);
        }
    });
    if status.spoken + status.cut + status.dropped + status.failed > 0 {
        ui.label(
            RichText::new(format!(
                "said {}, cut {}, dropped (queue full) {}, failed {}",
                status.spoken, status.cut, status.dropped, status.failed
            ))
            .small()
            .color(GREY),
        );
    }
    if let Some(error) = &status.last_error {
        ui.label(RichText::new(error).color(RED));
    }
}
