//! Session totals: gifts, diamonds, likes, follows, shares, subscribers and the top gifters.

use crate::i18n::tr;
use egui::RichText;

use super::super::feed::{Feed, gifter_name};

/// Session totals: gifts, diamonds, likes (the engine's count) and the top gifters.
pub fn totals_ui(ui: &mut egui::Ui, feed: &Feed) {
    ui.heading(tr("totals-this-session"));
    egui::Grid::new("totals_grid")
        .num_columns(2)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            if let Some(count) = feed.viewers() {
                ui.label(tr("totals-viewers"));
                ui.strong(count.viewers.to_string())
                    .on_hover_text(crate::trf!(
                        "totals-most-this-session",
                        count = feed.peak_viewers()
                    ));
                ui.end_row();
            }
            ui.label(tr("totals-gifts"));
            ui.strong(feed.gifts_total.to_string());
            ui.end_row();
            ui.label(tr("totals-diamonds"));
            ui.strong(feed.diamonds_total.to_string());
            ui.end_row();
            ui.label(tr("totals-likes"));
            ui.strong(feed.likes_total().to_string());
            ui.end_row();
            ui.label(tr("totals-follows"));
            ui.strong(feed.follows_total.to_string());
            ui.end_row();
            ui.label(tr("totals-shares"));
            ui.strong(feed.shares_total.to_string());
            ui.end_row();
            ui.label(tr("totals-subscribers"));
            ui.strong(feed.subscribers_total.to_string());
            ui.end_row();
            ui.label(tr("totals-super-fans"));
            ui.strong(feed.super_fans_total.to_string());
            ui.end_row();
            ui.label(tr("totals-chests"));
            ui.strong(feed.chests_total.to_string());
            ui.end_row();
        });
    ui.add_space(4.0);
    ui.label(RichText::new(tr("totals-top-gifters")).strong());
    if feed.top_gifters().is_empty() {
        ui.label(RichText::new(tr("totals-nobody-yet")).weak());
    }
    for (place, gifter) in feed.top_gifters().iter().enumerate() {
        ui.horizontal(|ui| {
            ui.label(format!("{}.", place + 1));
            ui.label(gifter_name(gifter));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(crate::trf!(
                    "totals-gifter-diamonds",
                    count = gifter.diamonds
                ));
            });
        });
    }
}
