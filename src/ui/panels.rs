//! The window's layout and its smaller panels: the connect bar with its status light, notices,
//! the queue, the status bar, and the settings and file-path windows. Drawing only: every action
//! becomes a [`Command`] that the app runs after the frame.

use std::time::Duration;

use egui::{Color32, RichText};

use super::app::{Command, GiftdeckApp, NoticeLevel};
use super::bridge::ConnStatus;
use super::{feed, triggers};

const GREEN: Color32 = Color32::from_rgb(80, 200, 100);
const AMBER: Color32 = Color32::from_rgb(235, 170, 40);
const RED: Color32 = Color32::from_rgb(235, 85, 75);
const GREY: Color32 = Color32::from_rgb(140, 140, 140);
const BLUE: Color32 = Color32::from_rgb(90, 160, 240);

/// The whole window.
pub fn root_ui(app: &mut GiftdeckApp, ui: &mut egui::Ui) {
    egui::Panel::top("connect_bar").show(ui, |ui| {
        ui.add_space(4.0);
        connect_bar_ui(app, ui);
        status_line_ui(app, ui);
        notices_ui(app, ui);
        ui.add_space(2.0);
    });
    egui::Panel::bottom("status_bar").show(ui, |ui| status_bar_ui(app, ui));
    egui::Panel::right("side_panel")
        .resizable(true)
        .default_size(330.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("side_scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    feed::totals_ui(ui, &app.feed);
                    ui.separator();
                    queue_ui(app, ui);
                });
        });
    egui::Panel::bottom("triggers_panel")
        .resizable(true)
        .default_size(300.0)
        .show(ui, |ui| {
            ui.add_space(4.0);
            let events = triggers::triggers_ui(
                ui,
                &mut app.settings.mappings,
                &mut app.editor,
                &app.catalog,
            );
            app.on_trigger_events(events);
        });
    egui::CentralPanel::default().show(ui, |ui| feed::feed_ui(ui, &mut app.feed));

    let ctx = ui.ctx().clone();
    let events = triggers::actions_window_ui(&ctx, &mut app.settings.mappings, &mut app.editor);
    app.on_trigger_events(events);
    settings_window_ui(app, &ctx);
    path_window_ui(app, &ctx);
}

/// Username field, Connect/Disconnect, Demo, files and settings.
fn connect_bar_ui(app: &mut GiftdeckApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("giftdeck").strong().size(18.0));
        ui.separator();
        let label = ui.label("TikTok user:");
        let active = app.conn.active();
        let field = ui
            .add_enabled(
                !active,
                egui::TextEdit::singleline(&mut app.target_input)
                    .hint_text("@username or live URL")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if active {
            if ui.button("⏹ Disconnect").clicked() {
                app.push(Command::Disconnect);
            }
        } else {
            if ui
                .button("🔌 Connect")
                .on_hover_text("Connect to this user's live stream")
                .clicked()
                || enter
            {
                app.push(Command::Connect);
            }
            if ui
                .button("▶ Demo")
                .on_hover_text(
                    "Practice stream: a built-in fake TikTok and a demo Minecraft server on this computer. Nothing goes online.",
                )
                .clicked()
            {
                app.push(Command::StartDemo);
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("⚙ Settings").clicked() {
                app.show_settings = !app.show_settings;
            }
            ui.menu_button("📁 Triggers file", |ui| {
                if ui.button("Import… (JSON or Tiktok2Mc .mca)").clicked() {
                    app.push(Command::ImportDialog);
                    ui.close();
                }
                if ui.button("Export…").clicked() {
                    app.push(Command::ExportDialog);
                    ui.close();
                }
                if ui.button("Type a file path…").clicked() {
                    app.show_path_window = true;
                    ui.close();
                }
            });
        });
    });
}

/// The status light and its words: what the connection is doing and, on failure, what to do.
fn status_line_ui(app: &GiftdeckApp, ui: &mut egui::Ui) {
    let (color, words, hint) = status_words(app);
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
        ui.painter().circle_filled(rect.center(), 6.0, color);
        ui.label(RichText::new(words).color(color).strong());
        if let Some(hint) = hint {
            ui.label(RichText::new(hint).weak());
        }
    });
}

/// (color, words, what to do) for the current status.
pub fn status_words(app: &GiftdeckApp) -> (Color32, String, Option<String>) {
    let who = &app.conn.target;
    if app.conn.starting_demo {
        return (AMBER, "Starting the demo…".into(), None);
    }
    match &app.conn.status {
        ConnStatus::Idle => (
            GREY,
            "Not connected".into(),
            Some("Type a @username and press Connect, or press Demo to try it out.".into()),
        ),
        ConnStatus::Resolving => (AMBER, format!("Looking up {who}…"), None),
        ConnStatus::Signing => (AMBER, format!("{who}: asking the sign server…"), None),
        ConnStatus::Connecting => (AMBER, format!("{who}: connecting…"), None),
        ConnStatus::Live { room_id } => (GREEN, format!("LIVE · {who} · room {room_id}"), None),
        ConnStatus::Reconnecting {
            retry_in,
            last_error,
        } => {
            let left = retry_in.saturating_sub(app.conn.status_since.elapsed());
            (
                AMBER,
                format!("Reconnecting in {} s", ceil_secs(left)),
                Some(format!("Last error: {last_error}")),
            )
        }
        ConnStatus::Ended => (
            BLUE,
            format!("Stream ended ({who})"),
            Some("Press Connect when the next stream starts.".into()),
        ),
        ConnStatus::Failed { detail: reason, .. } => (
            RED,
            format!("Failed: {reason}"),
            Some(failure_hint(reason).into()),
        ),
    }
}

/// What the streamer can do about a failure, from its reason.
pub fn failure_hint(reason: &str) -> &'static str {
    let r = reason.to_lowercase();
    if r.contains("demo") {
        "Check the log file; the demo runs only on this computer."
    } else if r.contains("not found") || r.contains("no such user") || r.contains("username") {
        "Check the spelling of the @username."
    } else if r.contains("offline") || r.contains("not live") {
        "That user is not live right now. Connect again once the stream starts."
    } else if r.contains("429") || r.contains("rate") {
        "The sign server is rate-limiting: wait a minute, or set your own API key in Settings."
    } else if r.contains("api key") || r.contains("401") || r.contains("403") {
        "The sign server refused the API key: check it in Settings."
    } else if r.contains("blocked") || r.contains("captcha") {
        "TikTok blocked this connection. Wait a few minutes, or try another network."
    } else if r.contains("sign") {
        "The sign server failed: check its URL in Settings, or try again later."
    } else {
        "Check your internet connection, then press Connect to try again."
    }
}

fn notices_ui(app: &mut GiftdeckApp, ui: &mut egui::Ui) {
    if let Some(warning) = app.settings_warning.clone() {
        let mut dismiss = false;
        banner_ui(ui, AMBER, &format!("⚠ Settings: {warning}"), |ui| {
            dismiss = ui.small_button("OK").clicked();
        });
        if dismiss {
            app.settings_warning = None;
        }
    }
    let mut remove = None;
    let mut undo = false;
    for (i, notice) in app.notices.iter().enumerate() {
        let color = match notice.level {
            NoticeLevel::Info => BLUE,
            NoticeLevel::Warning => AMBER,
            NoticeLevel::Error => RED,
        };
        banner_ui(ui, color, &notice.text, |ui| {
            if ui.small_button("✖").on_hover_text("Dismiss").clicked() {
                remove = Some(i);
            }
            if notice.undo_import && ui.small_button("Undo").clicked() {
                undo = true;
            }
        });
    }
    if let Some(i) = remove {
        app.notices.remove(i);
    }
    if undo {
        app.push(Command::UndoImport);
    }
}

fn banner_ui(ui: &mut egui::Ui, color: Color32, text: &str, buttons: impl FnOnce(&mut egui::Ui)) {
    egui::Frame::new()
        .fill(color.gamma_multiply(0.15))
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(8, 3))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(text).color(color));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), buttons);
            });
        });
}

/// The action queue: depth, running, counts, controls, RCON state and recent replies.
fn queue_ui(app: &mut GiftdeckApp, ui: &mut egui::Ui) {
    let q = app.queue.clone();
    ui.heading("Action queue");
    ui.horizontal(|ui| {
        let (color, word) = match q.rcon_ok {
            Some(true) => (GREEN, "connected"),
            Some(false) => (RED, "problem"),
            None => (GREY, "idle"),
        };
        ui.label("Minecraft (RCON):");
        ui.label(RichText::new(word).color(color).strong());
    });
    if !q.rcon_text.is_empty() && q.rcon_ok != Some(true) {
        ui.label(RichText::new(&q.rcon_text).weak());
    }
    if app.conn.demo.is_some() {
        ui.label(
            RichText::new("Demo: commands go to a simulated Minecraft server on this computer.")
                .color(BLUE)
                .small(),
        );
    }
    egui::Grid::new("queue_grid")
        .num_columns(2)
        .spacing([16.0, 3.0])
        .show(ui, |ui| {
            ui.label("Waiting");
            ui.strong(q.depth.to_string());
            ui.end_row();
            ui.label("Running now");
            ui.label(q.running.clone().unwrap_or_else(|| "—".into()));
            ui.end_row();
            ui.label("Done");
            ui.label(RichText::new(q.done.to_string()).color(GREEN));
            ui.end_row();
            ui.label("Failed");
            ui.label(RichText::new(q.failed.to_string()).color(if q.failed > 0 {
                RED
            } else {
                GREY
            }));
            ui.end_row();
            ui.label("Dropped (queue full)");
            ui.label(q.dropped.to_string());
            ui.end_row();
            ui.label("Skipped (too old)");
            ui.label(q.skipped_stale.to_string());
            ui.end_row();
        });
    ui.horizontal(|ui| {
        if q.paused {
            ui.label(RichText::new("⏸ paused").color(AMBER).strong());
            if ui.button("▶ Resume").clicked() {
                app.push(Command::ResumeQueue);
            }
        } else if ui
            .button("⏸ Pause")
            .on_hover_text("Hold actions in the queue; gifts keep arriving")
            .clicked()
        {
            app.push(Command::PauseQueue);
        }
        if ui
            .button("🗑 Clear")
            .on_hover_text("Throw away every waiting action")
            .clicked()
        {
            app.push(Command::ClearQueue);
        }
    });
    if let Some(err) = &q.last_error {
        ui.label(RichText::new(format!("Last error: {err}")).color(RED));
    }
    ui.add_space(4.0);
    ui.label(RichText::new("Recent replies").strong());
    if app.exec_log.is_empty() {
        ui.label(RichText::new("nothing has run yet").weak());
    }
    egui::ScrollArea::vertical()
        .id_salt("exec_log")
        .max_height(220.0)
        .stick_to_bottom(true)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for line in &app.exec_log {
                let color = if line.is_error {
                    RED
                } else {
                    ui.visuals().text_color()
                };
                ui.label(
                    RichText::new(&line.text)
                        .monospace()
                        .size(11.0)
                        .color(color),
                );
            }
        });
}

fn status_bar_ui(app: &GiftdeckApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        let s = &app.conn.stats;
        ui.label(
            RichText::new(format!(
                "frames {} · gifts decoded {} · duplicates ignored {} · bad frames {}",
                s.frames, s.gifts, s.duplicates, s.malformed
            ))
            .small()
            .weak(),
        );
        let dropped = app.feed_dropped.load(std::sync::atomic::Ordering::Relaxed);
        if dropped > 0 {
            ui.label(
                RichText::new(format!(
                    "· {dropped} feed rows skipped (UI busy; actions still ran)"
                ))
                .small()
                .color(AMBER),
            );
        }
        if app.backlog > 0 {
            ui.label(
                RichText::new(format!("· catching up {}", app.backlog))
                    .small()
                    .weak(),
            );
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let text = match (&app.last_save, &app.settings_path) {
                (_, None) => "settings not saved (no config folder)".to_owned(),
                (Some(Ok(path)), _) => format!("saved to {}", path.display()),
                (Some(Err(err)), _) => format!("save failed: {err}"),
                (None, Some(path)) => format!("settings: {}", path.display()),
            };
            ui.label(RichText::new(text).small().weak());
        });
    });
}

fn settings_window_ui(app: &mut GiftdeckApp, ctx: &egui::Context) {
    if !app.show_settings {
        return;
    }
    let mut open = true;
    let mut changed = false;
    let mut test_rcon = false;
    egui::Window::new("Settings")
        .id(egui::Id::unique("settings_window"))
        .open(&mut open)
        .default_size([520.0, 420.0])
        .collapsible(false)
        .show(ctx, |ui| {
            let s = &mut app.settings;
            ui.heading("TikTok connection");
            ui.label(RichText::new("Changes apply on the next Connect.").weak());
            egui::Grid::new("conn_grid").num_columns(2).show(ui, |ui| {
                ui.label("Sign server URL");
                changed |= ui
                    .add(
                        egui::TextEdit::singleline(&mut s.connection.sign_url).desired_width(320.0),
                    )
                    .changed();
                ui.end_row();
                ui.label("Sign server API key");
                let key = ui
                    .add(
                        egui::TextEdit::singleline(&mut app.api_key_input)
                            .password(true)
                            .hint_text("optional")
                            .desired_width(320.0),
                    )
                    .on_hover_text("Stored in the settings file; never written to the log.");
                if key.changed() {
                    let k = app.api_key_input.trim();
                    s.connection.sign_api_key = (!k.is_empty()).then(|| k.to_owned());
                    changed = true;
                }
                ui.end_row();
            });
            ui.separator();
            ui.heading("Minecraft server (RCON)");
            ui.label(
                RichText::new(
                    "Needs enable-rcon=true, rcon.port and rcon.password in server.properties.",
                )
                .weak(),
            );
            egui::Grid::new("rcon_grid").num_columns(2).show(ui, |ui| {
                ui.label("Host");
                changed |= ui.text_edit_singleline(&mut s.rcon.host).changed();
                ui.end_row();
                ui.label("Port");
                changed |= ui.add(egui::DragValue::new(&mut s.rcon.port)).changed();
                ui.end_row();
                ui.label("Password");
                changed |= ui
                    .add(egui::TextEdit::singleline(&mut s.rcon.password).password(true))
                    .changed();
                ui.end_row();
            });
            ui.horizontal(|ui| {
                if app.rcon_testing {
                    ui.spinner();
                    ui.label("testing…");
                } else if ui.button("Test connection").clicked() {
                    test_rcon = true;
                }
                match &app.rcon_test {
                    Some(Ok(text)) => {
                        ui.label(RichText::new(format!("✔ {text}")).color(GREEN));
                    }
                    Some(Err(err)) => {
                        ui.label(RichText::new(format!("✖ {err}")).color(RED));
                    }
                    None => {}
                }
            });
            ui.separator();
            ui.heading("Queue and gifts");
            egui::Grid::new("exec_grid").num_columns(2).show(ui, |ui| {
                ui.label("Gap between actions");
                changed |= ui
                    .add(
                        egui::DragValue::new(&mut s.executor.gap_millis)
                            .range(0..=10_000)
                            .suffix(" ms"),
                    )
                    .changed();
                ui.end_row();
                ui.label("Skip actions older than");
                let mut skip = s.executor.max_age_millis.is_some();
                ui.horizontal(|ui| {
                    if ui.checkbox(&mut skip, "").changed() {
                        s.executor.max_age_millis = skip.then_some(60_000);
                        changed = true;
                    }
                    if let Some(age) = &mut s.executor.max_age_millis {
                        let mut secs = *age / 1000;
                        if ui
                            .add(
                                egui::DragValue::new(&mut secs)
                                    .range(1..=3_600)
                                    .suffix(" s"),
                            )
                            .changed()
                        {
                            *age = secs * 1000;
                            changed = true;
                        }
                    } else {
                        ui.label(RichText::new("never skip").weak());
                    }
                });
                ui.end_row();
                ui.label("Streak timeout");
                let mut secs = s.engine.streak_timeout_millis / 1000;
                if ui
                    .add(egui::DragValue::new(&mut secs).range(1..=300).suffix(" s"))
                    .on_hover_text("A combo with no end after this long is counted as it stands")
                    .changed()
                {
                    s.engine.streak_timeout_millis = secs * 1000;
                    changed = true;
                }
                ui.end_row();
            });
            ui.separator();
            if let Some(dir) = super::log_dir() {
                ui.label(
                    RichText::new(format!("Log files: {}", dir.display()))
                        .small()
                        .weak(),
                );
            }
        });
    if !open {
        app.show_settings = false;
    }
    if changed {
        app.push(Command::SettingsChanged);
    }
    if test_rcon {
        app.push(Command::TestRcon);
    }
}

/// Import/export by typed path: the fallback when no file dialog can be shown.
fn path_window_ui(app: &mut GiftdeckApp, ctx: &egui::Context) {
    if !app.show_path_window {
        return;
    }
    let mut open = true;
    egui::Window::new("Triggers file by path")
        .id(egui::Id::unique("path_window"))
        .open(&mut open)
        .collapsible(false)
        .show(ctx, |ui| {
            ui.label("Full path of a giftdeck .json or a Tiktok2Mc actions.mca:");
            ui.add(
                egui::TextEdit::singleline(&mut app.path_input)
                    .hint_text("/home/me/actions.mca")
                    .desired_width(380.0),
            );
            ui.horizontal(|ui| {
                let path = std::path::PathBuf::from(app.path_input.trim());
                let has_path = !app.path_input.trim().is_empty();
                if ui
                    .add_enabled(has_path, egui::Button::new("Import"))
                    .clicked()
                {
                    app.push(Command::ImportPath(path.clone()));
                }
                if ui
                    .add_enabled(has_path, egui::Button::new("Export"))
                    .on_hover_text("Ends in .mca → Tiktok2Mc format; otherwise giftdeck JSON")
                    .clicked()
                {
                    app.push(Command::ExportPath(path));
                }
            });
        });
    if !open {
        app.show_path_window = false;
    }
}

/// Seconds left, rounded up, for countdowns.
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::app::is_final;

    #[test]
    fn failures_come_with_something_to_do() {
        assert!(failure_hint("user not found").contains("spelling"));
        assert!(failure_hint("sign server answered 429: slow down").contains("API key"));
        assert!(failure_hint("@bob is offline").contains("not live"));
        assert!(failure_hint("sign server answered 500").contains("sign server"));
        assert!(failure_hint("handshake: DEVICE_BLOCKED").contains("blocked"));
        assert!(!failure_hint("connection reset").is_empty());
    }

    #[test]
    fn final_states() {
        assert!(is_final(&ConnStatus::Ended));
        assert!(!is_final(&ConnStatus::Connecting));
    }
}
