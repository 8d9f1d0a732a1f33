//! The tab row under the connect bar: one tab per page (Ctrl+1..4), the queue's state in a word,
//! and the panic button, on every page so it is never more than one press away. Also the
//! window's keyboard shortcuts, read before any panel draws.

use crate::i18n::tr;
use egui::{Color32, RichText};

use super::super::bridge::QueueStatus;
use super::super::commands::{Command, Commands};
use super::super::look::next_scale;
use super::super::pages::{Page, SHORTCUTS, Shortcut, shortcut_text};
use super::{AMBER, RED};

/// The tabs, the queue's state and the panic button.
pub fn tab_row_ui(ui: &mut egui::Ui, page: &mut Page, queue: &QueueStatus, cmds: &mut Commands) {
    ui.horizontal(|ui| {
        for tab in Page::ALL {
            let keys = shortcut_text(ui.ctx(), Shortcut::Show(tab));
            let text = RichText::new(tab.title()).size(15.0);
            if ui
                .selectable_label(*page == tab, text)
                .on_hover_text(keys)
                .clicked()
            {
                *page = tab;
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let panic = egui::Button::new(
                RichText::new(tr("tabs-panic"))
                    .strong()
                    .size(15.0)
                    .color(Color32::WHITE),
            )
            .fill(RED.gamma_multiply(0.85));
            if ui
                .add(panic)
                .on_hover_text(crate::trf!(
                    "tabs-panic-hover",
                    keys = shortcut_text(ui.ctx(), Shortcut::Panic)
                ))
                .clicked()
            {
                cmds.push(Command::Panic);
            }
            queue_word_ui(ui, queue);
        });
    });
}

/// The queue's state in a word, for every page.
fn queue_word_ui(ui: &mut egui::Ui, queue: &QueueStatus) {
    let pause = shortcut_text(ui.ctx(), Shortcut::TogglePause);
    if queue.paused {
        ui.label(RichText::new(tr("tabs-queue-paused")).color(AMBER).strong())
            .on_hover_text(crate::trf!("tabs-resumes-it", keys = pause.as_str()));
    } else if queue.world_pause.is_some() {
        ui.label(RichText::new(tr("tabs-queue-waits-for-a-respawn")).color(AMBER));
    } else {
        ui.label(RichText::new(crate::trf!("tabs-queue-waiting", count = queue.depth)).weak())
            .on_hover_text(crate::trf!("tabs-pauses-it", keys = pause.as_str()));
    }
}

/// The window's keyboard shortcuts: switch pages, pause or resume the queue, the panic button,
/// the window's size.
/// They work whatever has the keyboard (a text field never uses them).
pub fn shortcuts_ui(
    ctx: &egui::Context,
    page: &mut Page,
    look: &mut crate::settings::UiSettings,
    paused: bool,
    cmds: &mut Commands,
) {
    let pressed: Vec<Shortcut> = ctx.input_mut(|input| {
        SHORTCUTS
            .iter()
            .filter(|(keys, _)| input.consume_shortcut(keys))
            .map(|(_, what)| *what)
            .collect()
    });
    for what in pressed {
        match what {
            Shortcut::Show(to) => *page = to,
            Shortcut::TogglePause if paused => cmds.push(Command::ResumeQueue),
            Shortcut::TogglePause => cmds.push(Command::PauseQueue),
            Shortcut::Panic => cmds.push(Command::Panic),
            Shortcut::ZoomIn | Shortcut::ZoomOut | Shortcut::ZoomReset => {
                let scale = match what {
                    Shortcut::ZoomIn => next_scale(look.zoom_factor(), true),
                    Shortcut::ZoomOut => next_scale(look.zoom_factor(), false),
                    _ => 1.0,
                };
                if scale != look.scale {
                    look.scale = scale;
                    cmds.push(Command::SettingsChanged);
                }
            }
        }
    }
}
