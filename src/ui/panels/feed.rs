//! The live feed: the filter box, per-kind toggles and the table of gifts, fired triggers and
//! LIVE events (only the rows on screen are laid out).

use crate::i18n::tr;
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder, TableRow};

use super::super::feed::{FEED_CAPACITY, Feed, FeedRow, What};
use super::super::pictures::{GiftPictures, gift_picture_ui};
use super::{AMBER, BLUE};
use crate::catalog::Catalog;
use crate::event::EndedBy;
use crate::triggers::EventKind;

const ROW_HEIGHT: f32 = 20.0;
/// A gift's picture in a row (fits the row with a point to spare).
const PICTURE_SIDE: f32 = 18.0;

/// Draws the filter box, the kind toggles and the feed table (gifts with their pictures from
/// the catalog, which learnt each message's own).
pub fn feed_ui(ui: &mut egui::Ui, feed: &mut Feed, catalog: &Catalog, pictures: &mut GiftPictures) {
    filter_bar_ui(ui, feed);
    kind_toggles_ui(ui, feed);
    if feed.is_empty() {
        ui.add_space(16.0);
        ui.label(RichText::new(tr("feed-no-gifts-yet-connect-to")).weak());
        return;
    }
    table_ui(ui, feed, catalog, pictures);
}

/// The heading, the filter box and how many rows it matches.
fn filter_bar_ui(ui: &mut egui::Ui, feed: &mut Feed) {
    ui.horizontal(|ui| {
        ui.heading(tr("feed-live-feed"));
        ui.add_space(12.0);
        ui.add(
            egui::TextEdit::singleline(&mut feed.filter)
                .hint_text(tr("feed-filter-by-viewer-or-gift"))
                .desired_width(220.0),
        );
        if !feed.filter.is_empty()
            && ui
                .small_button("✖")
                .on_hover_text(tr("feed-clear-filter"))
                .clicked()
        {
            feed.filter.clear();
        }
        feed.apply_filter();
        let shown = feed.visible_len();
        let label = if feed.filter.trim().is_empty() {
            crate::trf!("feed-shown", count = feed.len())
        } else {
            crate::trf!("feed-match", shown = shown, count = feed.len())
        };
        ui.label(RichText::new(label).weak());
        if feed.received > feed.len() as u64 {
            ui.label(
                RichText::new(crate::trf!("feed-oldest-dropped", count = FEED_CAPACITY)).weak(),
            )
            .on_hover_text(tr("feed-the-feed-keeps-the-newest"));
        }
    });
}

/// One checkbox per row kind.
fn kind_toggles_ui(ui: &mut egui::Ui, feed: &mut Feed) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(tr("feed-show")).weak());
        for (slot, kind) in EventKind::ALL.iter().enumerate() {
            ui.checkbox(&mut feed.shown[slot], kind_word(*kind))
                .on_hover_text(match kind {
                    EventKind::Like | EventKind::Join => tr("feed-grouped"),
                    _ => tr("feed-show-rows"),
                });
        }
        feed.apply_filter();
    });
}

/// The table; only the rows on screen are laid out.
fn table_ui(ui: &mut egui::Ui, feed: &Feed, catalog: &Catalog, pictures: &mut GiftPictures) {
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
            for title in [
                "feed-col-time",
                "feed-col-viewer",
                "feed-col-what",
                "feed-col-count",
                "feed-col-diamonds",
                "feed-col-trigger",
            ] {
                header.col(|ui| {
                    ui.strong(tr(title));
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows, |mut row| {
                if let Some(r) = feed.visible_row(row.index()) {
                    row_ui(&mut row, r, matched_color, (catalog, pictures));
                }
            });
        });
}

/// One row's cells.
fn row_ui(
    row: &mut TableRow<'_, '_>,
    r: &FeedRow,
    matched_color: Color32,
    (catalog, pictures): (&Catalog, &mut GiftPictures),
) {
    row.col(|ui| {
        ui.label(RichText::new(&r.time).monospace().weak());
    });
    row.col(|ui| {
        ui.label(&r.nickname)
            .on_hover_text(format!("@{}", r.handle));
        ui.label(RichText::new(format!("@{}", r.handle)).weak());
    });
    row.col(|ui| match &r.what {
        What::Gift { name, id, diamonds } => {
            let url = catalog.picture_url(None, *id, name);
            gift_picture_ui(ui, pictures, url, *diamonds, PICTURE_SIDE);
            ui.label(name)
                .on_hover_text(crate::trf!("feed-gift-id", id = id.to_string()));
            ui.label(RichText::new(format!("#{id}")).weak().small());
        }
        What::Group(_) | What::Text { .. } if r.deleted => {
            ui.label(RichText::new(r.what_text()).strikethrough().weak())
                .on_hover_text(tr("feed-a-moderator-deleted-this-message"));
        }
        What::Group(_) | What::Text { .. } => {
            ui.label(r.what_text());
        }
    });
    row.col(|ui| {
        ui.label(RichText::new(format!("×{}", r.count)).strong());
        if r.ended_by == EndedBy::Timeout {
            ui.label(RichText::new("⏱").color(AMBER))
                .on_hover_text(tr("feed-counted-when-the-streak-timed"));
        }
    });
    row.col(|ui| {
        if let What::Gift { diamonds, .. } = &r.what {
            let total = u64::from(*diamonds) * u64::from(r.count);
            ui.label(total.to_string())
                .on_hover_text(crate::trf!("feed-each", diamonds = diamonds));
        }
    });
    row.col(|ui| {
        if r.test && r.user_id <= crate::ui::triggers::EXTERNAL_USER_ID {
            ui.label(RichText::new(tr("feed-external")).small().color(BLUE))
                .on_hover_text(tr("feed-fired-by-another-program-through"));
        } else if r.test {
            ui.label(RichText::new(tr("feed-test")).small().color(BLUE));
        }
        if r.deleted {
            ui.label(RichText::new(tr("feed-deleted")).small().color(AMBER));
        }
        match (&r.trigger, r.skipped) {
            (Some(t), Some(skip)) => ui
                .label(
                    RichText::new(crate::trf!("feed-skipped", trigger = t.to_string()))
                        .color(AMBER),
                )
                .on_hover_text(crate::trf!(
                    "feed-nothing-ran",
                    why = skip.describe().to_string()
                )),
            (Some(t), None) => ui.label(RichText::new(format!("▶ {t}")).color(matched_color)),
            (None, _) if matches!(r.what, What::Gift { .. }) => {
                ui.label(RichText::new(tr("feed-no-mapping")).weak())
            }
            (None, _) => ui.label(""),
        };
    });
}

/// A row kind's word on its toggle.
fn kind_word(kind: EventKind) -> &'static str {
    tr(match kind {
        EventKind::Gift => "kind-gift",
        EventKind::Follow => "kind-follow",
        EventKind::Share => "kind-share",
        EventKind::Subscribe => "kind-subscribe",
        EventKind::Join => "kind-join",
        EventKind::Like => "kind-like",
        EventKind::Chat => "kind-chat",
        EventKind::Viewers => "kind-viewers",
        EventKind::SuperFan => "kind-super-fan",
        EventKind::TreasureChest => "kind-treasure-chest",
        EventKind::Battle => "kind-battle",
        EventKind::Emote => "kind-emote",
        EventKind::Poll => "kind-poll",
        EventKind::Goal => "kind-goal",
        EventKind::Question => "kind-question",
    })
}
