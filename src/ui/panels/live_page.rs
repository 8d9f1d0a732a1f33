//! The Live page: what a streamer reads mid-stream. The feed takes the room on the left (under
//! the setup checklist while that is open, and the goals' strip with the subathon clock when
//! there are any); on the right, a column that scrolls on its own holds the queue (Pause, Resume,
//! Clear, the server, the latest replies), the speech queue (Skip, Stop all), the counters and the
//! stream timer, and the session's totals.

use super::super::commands::Commands;
use super::super::setup::Checklist;
use super::super::state::State;
use super::{checklist, counters, feed, live_goals, queue, speech_queue, totals};

/// Narrowest and widest the right column is drawn.
const SIDE_WIDTH: std::ops::RangeInclusive<f32> = 330.0..=440.0;

pub fn live_page_ui(ui: &mut egui::Ui, state: &mut State, cmds: &mut Commands) {
    let side_width = (ui.available_width() * 0.26).clamp(*SIDE_WIDTH.start(), *SIDE_WIDTH.end());
    egui::Panel::right("live_side")
        .resizable(false)
        .exact_size(side_width)
        .frame(super::side_frame(ui))
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("side_scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    queue::queue_ui(
                        ui,
                        &state.queue,
                        &state.world,
                        &state.exec_log,
                        &state.rcon_test,
                        state.conn.is_demo(),
                        cmds,
                    );
                    ui.separator();
                    speech_queue::speech_queue_ui(
                        ui,
                        state.speech.as_ref(),
                        state.settings.read_chat.enabled,
                        &mut state.windows.read_chat,
                        cmds,
                    );
                    ui.separator();
                    counters::counters_ui(
                        ui,
                        &state.counters,
                        crate::counter_hub::wall_millis(),
                        state.overlays.base_url().as_deref(),
                        cmds,
                    );
                    ui.separator();
                    totals::totals_ui(ui, &state.feed);
                });
        });
    egui::CentralPanel::no_frame().show(ui, |ui| {
        if Checklist::shown(&state.settings) {
            checklist::checklist_ui(
                ui,
                &mut state.settings,
                &state.rcon_test,
                &state.bedrock,
                state.conn.is_demo(),
                cmds,
            );
        }
        live_goals::live_goals_ui(ui, &state.game, crate::counter_hub::wall_millis());
        feed::feed_ui(ui, &mut state.feed, &state.catalog, &mut state.pictures);
    });
}
