//! The gift picker for a trigger row: search the catalog by name or id, narrow it to a coin
//! range, see every gift with its picture and value (cheapest first), and click one to make it
//! the row's trigger.

use crate::i18n::tr;
use egui::RichText;

use super::super::pictures::{GiftPictures, coins_ui, gift_picture_ui};
use super::super::triggers::{COIN_RANGES, GiftPicker};
use crate::catalog::Catalog;

/// A gift's picture in the list.
const PICTURE_SIDE: f32 = 32.0;
/// The coin value's column.
const COINS_WIDTH: f32 = 44.0;
/// Rows the list shows before it scrolls.
const LIST_HEIGHT: f32 = 320.0;

/// Draws the picker window while `picker` is open; returns the gift name chosen for its row.
/// Closing the window (✖ or Escape) or choosing (a click, or Enter for the first match) closes
/// the picker.
pub fn gift_picker_ui(
    ctx: &egui::Context,
    picker: &mut Option<GiftPicker>,
    catalog: &Catalog,
    pictures: &mut GiftPictures,
) -> Option<(usize, String)> {
    let state = picker.as_mut()?;
    let mut open = true;
    let mut chosen = None;
    egui::Window::new(tr("gift-picker-pick-a-gift"))
        .id(egui::Id::unique("gift_picker"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .default_width(440.0)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            chosen = picker_body_ui(ui, state, catalog, pictures);
        });
    let row = state.row;
    if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        open = false;
    }
    if !open || chosen.is_some() {
        *picker = None;
    }
    chosen.map(|name| (row, name))
}

fn picker_body_ui(
    ui: &mut egui::Ui,
    state: &mut GiftPicker,
    catalog: &Catalog,
    pictures: &mut GiftPictures,
) -> Option<String> {
    let search = ui.add(
        egui::TextEdit::singleline(&mut state.query.text)
            .id_salt("gift_picker_search")
            .hint_text(tr("gift-picker-name-or-id"))
            .desired_width(f32::INFINITY),
    );
    if search.gained_focus() || !ui.ctx().memory(|m| m.focused().is_some()) {
        search.request_focus();
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(tr("gift-picker-coins")).weak());
        for (label, min, max) in COIN_RANGES {
            let on = state.query.min_coins == min && state.query.max_coins == max;
            if ui.selectable_label(on, label).clicked() {
                state.query.min_coins = min;
                state.query.max_coins = max;
            }
        }
    });
    let gifts = catalog.pick(&state.query);
    // Enter in the search takes the first (cheapest) match.
    let entered = (search.has_focus() || search.lost_focus())
        && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.label(RichText::new(crate::trf!("gift-picker-count", count = gifts.len())).weak());
    let mut chosen = None;
    egui::ScrollArea::vertical()
        .max_height(LIST_HEIGHT)
        .auto_shrink([false, true])
        .show_rows(ui, PICTURE_SIDE + 4.0, gifts.len(), |ui, range| {
            for gift in &gifts[range] {
                ui.horizontal(|ui| {
                    let url = gift.picture_url.as_deref();
                    gift_picture_ui(ui, pictures, url, gift.diamonds, PICTURE_SIDE);
                    // A column of its own, so the names line up.
                    let coins_slot = egui::vec2(COINS_WIDTH, PICTURE_SIDE);
                    ui.allocate_ui_with_layout(
                        coins_slot,
                        egui::Layout::left_to_right(egui::Align::Center),
                        |ui| {
                            ui.set_min_width(COINS_WIDTH);
                            coins_ui(ui, gift.diamonds);
                        },
                    );
                    let id = gift.id.map_or(String::new(), |id| format!("  #{id}"));
                    if ui
                        .selectable_label(false, format!("{}{id}", gift.name))
                        .on_hover_text(tr("gift-picker-make-this-gift-the-row"))
                        .clicked()
                    {
                        chosen = Some(gift.name.clone());
                    }
                });
            }
        });
    if entered && chosen.is_none() {
        chosen = gifts.first().map(|g| g.name.clone());
    }
    if gifts.is_empty() {
        ui.label(RichText::new(tr("gift-picker-no-gift-matches-a-gift")).weak());
    }
    chosen
}
