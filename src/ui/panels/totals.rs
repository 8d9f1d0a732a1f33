//! Session totals: gifts, diamonds, likes, follows, shares, subscribers and the top gifters.

use egui::RichText;

use super::super::feed::{Feed, gifter_name};

/// Session totals: gifts, diamonds, likes (the engine's count) and the top gifters.
pub fn totals_ui(ui: &mut egui::Ui, feed: &Feed) {
    ui.heading("This session");
    egui::Grid::new("totals_grid")
        .num_columns(2)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            if let Some(count) = feed.viewers() {
                ui.label("Viewers");
                ui.strong(count.viewers.to_string())
                    .on_hover_text(format!("Most this session: {}", feed.peak_viewers()));
                ui.end_row();
            }
            ui.label("Gifts");
            ui.strong(feed.gifts_total.to_string());
            ui.end_row();
            ui.label("Diamonds");
            ui.strong(feed.diamonds_total.to_string());
            ui.end_row();
            ui.label("Likes");
            ui.strong(feed.likes_total().to_string());
            ui.end_row();
            ui.label("Follows");
            ui.strong(feed.follows_total.to_string());
            ui.end_row();
            ui.label("Shares");
            ui.strong(feed.shares_total.to_string());
            ui.end_row();
            ui.label("Subscribers");
            ui.strong(feed.subscribers_total.to_string());
            ui.end_row();
            ui.label("Super Fans");
            ui.strong(feed.super_fans_total.to_string());
            ui.end_row();
            ui.label("Chests");
            ui.strong(feed.chests_total.to_string());
            ui.end_row();
        });
    ui.add_space(4.0);
    ui.label(RichText::new("Top gifters").strong());
    if feed.top_gifters().is_empty() {
        ui.label(RichText::new("nobody yet").weak());
    }
    for (place, gifter) in feed.top_gifters().iter().enumerate() {
        ui.horizontal(|ui| {
            ui.label(format!("{}.", place + 1));
            ui.label(gifter_name(gifter));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(format!("{} diamonds", gifter.diamonds));
            });
        });
    }
}
