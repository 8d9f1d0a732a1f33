//! Settings sections: the panic button's cleanup commands (`executor.panic_cleanup`), the
//! window's look (`ui.theme`, `ui.scale`) and the gift pictures' disk cache
//! (`pictures.cache_limit_mb`).

use egui::RichText;

use super::drafts::committed_edit_ui;
use crate::settings::{PictureSettings, ThemeChoice, UiSettings};

/// The cleanup the panic button runs, one command per line (applied once the field is left).
/// Returns true when it changed.
pub fn panic_cleanup_ui(ui: &mut egui::Ui, cleanup: &mut Vec<String>) -> bool {
    ui.heading("Panic button");
    ui.label(
        RichText::new(
            "⛔ Panic (Ctrl+Shift+K) pauses the queue, throws away what waits, lets go of every key, stops speech and sends these commands to the current server at once. One per line.",
        )
        .weak(),
    );
    let mut text = cleanup.join("\n");
    let label = ui.label("Cleanup commands");
    let committed = committed_edit_ui(ui, &mut text, |ui, draft: &mut String| {
        ui.add(
            egui::TextEdit::multiline(draft)
                .desired_rows(3)
                .desired_width(f32::INFINITY)
                .code_editor()
                .hint_text("kill @e[type=tnt]"),
        )
        .labelled_by(label.id)
    });
    if committed {
        *cleanup = text.lines().map(str::to_owned).collect();
    }
    committed
}

/// Light, dark or the system's; the scale of everything. Returns true when one changed.
pub fn appearance_ui(ui: &mut egui::Ui, look: &mut UiSettings) -> bool {
    let mut changed = false;
    ui.heading("Appearance");
    egui::Grid::new("look_grid").num_columns(2).show(ui, |ui| {
        ui.label("Theme");
        ui.horizontal(|ui| {
            for (choice, words) in [
                (ThemeChoice::System, "Like the system"),
                (ThemeChoice::Light, "Light"),
                (ThemeChoice::Dark, "Dark"),
            ] {
                changed |= ui
                    .radio_value(&mut look.theme, choice, words)
                    .changed();
            }
        });
        ui.end_row();
        ui.label("Size");
        ui.horizontal(|ui| {
            let current = look.zoom_factor();
            for scale in crate::ui::look::SCALE_STEPS {
                let chosen = (current - scale).abs() < 0.01;
                let words = format!("{:.0} %", scale * 100.0);
                if ui.selectable_label(chosen, words).clicked() && !chosen {
                    look.scale = scale;
                    changed = true;
                }
            }
        })
        .response
        .on_hover_text("Draws everything bigger, for a high-DPI screen (on top of the system's own scale). Ctrl+Plus and Ctrl+Minus change it too.");
        ui.end_row();
    });
    changed
}

/// Most megabytes the gift pictures' cache may be set to.
const MAX_PICTURE_CACHE_MB: u32 = 2_000;

/// How much disk the gift pictures may take. Returns true when it changed.
pub fn picture_cache_ui(ui: &mut egui::Ui, pictures: &mut PictureSettings) -> bool {
    ui.horizontal(|ui| {
        ui.label("Gift pictures kept on disk");
        ui.add(
            egui::DragValue::new(&mut pictures.cache_limit_mb)
                .range(1..=MAX_PICTURE_CACHE_MB)
                .suffix(" MB"),
        )
        .on_hover_text(
            "At most this much in the OS cache folder; the least recently used pictures go first.",
        )
        .changed()
    })
    .inner
}
