//! Settings sections: the panic button's cleanup commands (`executor.panic_cleanup`), the
//! window's look and language (`ui.theme`, `ui.scale`, `ui.language`) and the gift pictures'
//! disk cache (`pictures.cache_limit_mb`).

use egui::RichText;

use super::drafts::committed_edit_ui;
use crate::i18n::{Lang, LanguageChoice, tr, tr_args};
use crate::settings::{PictureSettings, ThemeChoice, UiSettings};

/// The cleanup the panic button runs, one command per line (applied once the field is left).
/// Returns true when it changed.
pub fn panic_cleanup_ui(ui: &mut egui::Ui, cleanup: &mut Vec<String>) -> bool {
    ui.heading(tr("panic-heading"));
    ui.label(RichText::new(tr("panic-explained")).weak());
    let mut text = cleanup.join("\n");
    let label = ui.label(tr("panic-cleanup-label"));
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
    ui.heading(tr("look-heading"));
    egui::Grid::new("look_grid").num_columns(2).show(ui, |ui| {
        let label = ui.label(tr("look-language"));
        changed |= language_picker_ui(ui, &mut look.language, label.id);
        ui.end_row();
        ui.label(tr("look-theme"));
        ui.horizontal(|ui| {
            for (choice, words) in [
                (ThemeChoice::System, tr("look-theme-system")),
                (ThemeChoice::Light, tr("look-theme-light")),
                (ThemeChoice::Dark, tr("look-theme-dark")),
            ] {
                changed |= ui.radio_value(&mut look.theme, choice, words).changed();
            }
        });
        ui.end_row();
        ui.label(tr("look-size"));
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
        .on_hover_text(tr("look-size-hover"));
        ui.end_row();
    });
    changed
}

/// "Like the system (Deutsch)" or one language by its own name. Returns true when the pick
/// changed (the window speaks it from the next frame).
fn language_picker_ui(ui: &mut egui::Ui, choice: &mut LanguageChoice, label: egui::Id) -> bool {
    let auto_words = tr_args(
        "look-language-auto",
        &[("language", crate::i18n::os_language().native_name().into())],
    );
    let shown = match *choice {
        LanguageChoice::Auto => auto_words.clone(),
        LanguageChoice::Fixed(lang) => lang.native_name().to_owned(),
    };
    let before = *choice;
    egui::ComboBox::from_id_salt("look_language")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            ui.selectable_value(choice, LanguageChoice::Auto, auto_words);
            for lang in Lang::OFFERED {
                ui.selectable_value(choice, LanguageChoice::Fixed(lang), lang.native_name());
            }
        })
        .response
        .labelled_by(label);
    *choice != before
}

/// Most megabytes the gift pictures' cache may be set to.
const MAX_PICTURE_CACHE_MB: u32 = 2_000;

/// How much disk the gift pictures may take. Returns true when it changed.
pub fn picture_cache_ui(ui: &mut egui::Ui, pictures: &mut PictureSettings) -> bool {
    ui.horizontal(|ui| {
        ui.label(tr("look-pictures-kept"));
        ui.add(
            egui::DragValue::new(&mut pictures.cache_limit_mb)
                .range(1..=MAX_PICTURE_CACHE_MB)
                .suffix(" MB"),
        )
        .on_hover_text(tr("look-pictures-kept-hover"))
        .changed()
    })
    .inner
}
