//! The live feed: the filter box, per-kind toggles and the table of gifts, fired triggers and
//! LIVE events (only the rows on screen are laid out).

use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};

use super::super::feed::{FEED_CAPACITY, Feed};
use crate::event::EndedBy;
use crate::triggers::EventKind;

const ROW_HEIGHT: f32 = 20.0;

/// Draws the filter box and the feed table (only the visible rows are laid out).
pub fn feed_ui(ui: &mut egui::Ui, feed: &mut Feed) {
    ui.horizontal(|ui| {
        ui.heading("Live feed");
        ui.add_space(12.0);
        ui.add(
            egui::TextEdit::singleline(&mut feed.filter)
                .hint_text("🔎 filter by viewer or gift")
                .desired_width(220.0),
        );
        if !feed.filter.is_empty() && ui.small_button("✖").on_hover_text("Clear filter").clicked()
        {
            feed.filter.clear();
        }
        feed.apply_filter();
        let shown = feed.visible_len();
        let label = if feed.filter.trim().is_empty() {
            format!("{} shown", feed.len())
        } else {
            format!("{shown} of {} match", feed.len())
        };
        ui.label(RichText::new(label).weak());
        if feed.received > feed.len() as u64 {
            ui.label(RichText::new(format!("(oldest dropped; keeping {FEED_CAPACITY})")).weak())
                .on_hover_text("The feed keeps the newest rows; totals still count every gift.");
        }
    });
    ui.horizontal(|ui| {
        ui.label(RichText::new("Show:").weak());
        for (slot, kind) in EventKind::ALL.iter().enumerate() {
            ui.checkbox(&mut feed.shown[slot], kind.as_str())
                .on_hover_text(match kind {
                    EventKind::Like | EventKind::Join => "Grouped: one row per few seconds",
                    _ => "Show these rows",
                });
        }
        feed.apply_filter();
    });
    if feed.is_empty() {
        ui.add_space(16.0);
        ui.label(
            RichText::new(
                "No gifts yet. Connect to a live stream above, or press Demo to see a practice stream.",
            )
            .weak(),
        );
        return;
    }
    let rows = feed.visible_len();
    let matched_color = ui.visuals().widgets.active.fg_stroke.color;
    TableBuilder::new(ui)
        .id_salt("feed_table")
        .striped(true)
        .stick_to_bottom(true)
        .auto_shrink([false, false])
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(64.0))
        .column(Column::initial(200.0).at_least(120.0).clip(true))
        .column(Column::initial(190.0).at_least(120.0).clip(true))
        .column(Column::exact(52.0))
        .column(Column::exact(72.0))
        .column(Column::remainder().at_least(120.0).clip(true))
        .header(20.0, |mut header| {
            for title in ["Time", "Viewer", "What", "Count", "Diamonds", "Trigger"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows, |mut row| {
                let Some(r) = feed.visible_row(row.index()) else {
                    return;
                };
                row.col(|ui| {
                    ui.label(RichText::new(&r.time).monospace().weak());
                });
                row.col(|ui| {
                    ui.label(&r.nickname)
                        .on_hover_text(format!("@{}", r.handle));
                    ui.label(RichText::new(format!("@{}", r.handle)).weak());
                });
                row.col(|ui| {
                    if r.kind == EventKind::Gift {
                        ui.label(&r.gift_name)
                            .on_hover_text(format!("gift id {}", r.gift_id));
                        ui.label(RichText::new(format!("#{}", r.gift_id)).weak().small());
                    } else {
                        ui.label(&r.gift_name);
                    }
                });
                row.col(|ui| {
                    ui.label(RichText::new(format!("×{}", r.count)).strong());
                    if r.ended_by == EndedBy::Timeout {
                        ui.label(RichText::new("⏱").color(Color32::from_rgb(230, 160, 40)))
                            .on_hover_text(
                                "Counted when the streak timed out: TikTok never sent its end.",
                            );
                    }
                });
                row.col(|ui| {
                    if r.kind == EventKind::Gift {
                        let total = u64::from(r.diamonds) * u64::from(r.count);
                        ui.label(total.to_string())
                            .on_hover_text(format!("{} each", r.diamonds));
                    }
                });
                row.col(|ui| {
                    if r.test {
                        ui.label(RichText::new("TEST").small().color(Color32::LIGHT_BLUE));
                    }
                    match (&r.trigger, r.skipped) {
                        (Some(t), Some(skip)) => ui
                            .label(
                                RichText::new(format!("⏸ {t} skipped"))
                                    .color(Color32::from_rgb(230, 160, 40)),
                            )
                            .on_hover_text(format!("Nothing ran: {}", skip.describe())),
                        (Some(t), None) => {
                            ui.label(RichText::new(format!("▶ {t}")).color(matched_color))
                        }
                        (None, _) if r.kind == EventKind::Gift => {
                            ui.label(RichText::new("no mapping").weak())
                        }
                        (None, _) => ui.label(""),
                    };
                });
            });
        });
}
