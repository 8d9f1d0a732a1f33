//! The first-run checklist: TikTok user (or the demo first), Minecraft server (host, port,
//! password, Test; or a Bedrock world: the `/connect` line to type, copied with one click, and
//! the game's state), first trigger. Each step says what to do in one sentence; steps not done
//! yet are neutral, never red. It shows until every step is done or the streamer hides it.

use crate::i18n::tr;
use egui::RichText;

use super::super::bedrock::BedrockView;
use super::super::commands::{Command, Commands};
use super::super::setup::Checklist;
use super::super::state::RconTest;
use super::settings_page::{rcon_fields_ui, rcon_test_ui};
use super::{BLUE, GREEN, GREY};
use crate::settings::Settings;

pub fn checklist_ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    rcon_test: &RconTest,
    bedrock: &BedrockView,
    demo_running: bool,
    cmds: &mut Commands,
) {
    let steps = Checklist::of(settings);
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::same(8))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(tr("checklist-set-up-giftdeck"));
                ui.label(
                    RichText::new(crate::trf!(
                        "checklist-done-count",
                        done = steps.done_count()
                    ))
                    .weak(),
                );
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .small_button(tr("checklist-hide"))
                        .on_hover_text(tr("checklist-hide-this-checklist-for-good"))
                        .clicked()
                    {
                        settings.setup.hidden = true;
                        cmds.push(Command::SettingsChanged);
                    }
                });
            });
            step_ui(
                ui,
                steps.tiktok,
                tr("checklist-1-tiktok-user"),
                tr("checklist-type-your-username-in-the"),
            );
            if !steps.tiktok && demo_running {
                ui.indent("step_tiktok", |ui| {
                    ui.label(RichText::new(tr("checklist-the-demo-is-running-watch")).color(BLUE));
                });
            } else if !steps.tiktok {
                ui.indent("step_tiktok", |ui| {
                    if ui
                        .button(tr("checklist-try-the-demo-first"))
                        .on_hover_text(tr("checklist-a-practice-stream-and-a"))
                        .clicked()
                    {
                        cmds.push(Command::StartDemo);
                    }
                });
            }
            step_ui(
                ui,
                steps.minecraft,
                tr("checklist-2-minecraft-server"),
                if settings.bedrock.enabled {
                    tr("checklist-connect-your-bedrock-world-type")
                } else {
                    tr("checklist-enter-the-rcon-host-port")
                },
            );
            if !steps.minecraft {
                ui.indent("step_minecraft", |ui| {
                    if super::bedrock::bedrock_setup_ui(
                        ui,
                        "checklist_bedrock",
                        &mut settings.bedrock,
                        bedrock,
                    ) {
                        cmds.push(Command::SettingsChanged);
                    }
                    if !settings.bedrock.enabled {
                        if rcon_fields_ui(ui, "checklist_rcon_grid", &mut settings.rcon) {
                            cmds.push(Command::SettingsChanged);
                        }
                        rcon_test_ui(ui, "checklist_rcon_test", rcon_test, cmds);
                    }
                });
            }
            step_ui(
                ui,
                steps.trigger,
                tr("checklist-3-first-trigger"),
                tr("checklist-on-the-triggers-page-pick"),
            );
        });
    ui.add_space(6.0);
}

/// One step: a tick when done (a neutral circle before), its name and its one sentence.
fn step_ui(ui: &mut egui::Ui, done: bool, name: &str, sentence: &str) {
    ui.horizontal_wrapped(|ui| {
        let (mark, color) = if done { ("✔", GREEN) } else { ("○", GREY) };
        ui.label(RichText::new(mark).color(color).strong());
        ui.label(RichText::new(name).strong());
        if done {
            ui.label(RichText::new(tr("checklist-done")).color(GREEN));
        } else {
            ui.label(sentence);
        }
    });
}
