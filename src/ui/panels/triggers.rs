//! The trigger table: one row per mapping (enabled, trigger with completion from the gift
//! catalog, actions, repeat, Test, problems, copy/delete).

use crate::i18n::tr;
use egui::RichText;
use egui_extras::{Column, TableBuilder, TableRow};

use super::super::catalog::Catalog;
use super::super::commands::{Command, Commands};
use super::super::pictures::{GiftPictures, coins_ui, gift_picture_ui};
use super::super::triggers::{GiftPicker, Problem, TriggerEditor, actions_summary, blank_mapping};
use super::{AMBER, GREEN, RED, conditions, gift_picker};
use crate::mappings::Mapping;

const ROW_HEIGHT: f32 = 26.0;
/// A gift trigger's picture in its row.
const PICTURE_SIDE: f32 = 22.0;
const MAX_TEST_COUNT: u32 = 999;
/// Most repeats of one row or one command.
pub const MAX_REPEAT: u32 = 100;

/// What the streamer did to the rows this frame, applied after the table is drawn.
#[derive(Default)]
struct RowEdits {
    delete: Option<usize>,
    duplicate: Option<usize>,
    changed: bool,
}

/// Draws the trigger table; edits apply to `mappings` at once and are announced as commands.
/// `file_menu` draws the triggers-file menu in the heading's row.
pub fn triggers_ui(
    ui: &mut egui::Ui,
    mappings: &mut Vec<Mapping>,
    editor: &mut TriggerEditor,
    catalog: &Catalog,
    pictures: &mut GiftPictures,
    cmds: &mut Commands,
    file_menu: impl FnOnce(&mut egui::Ui, &mut Commands),
) {
    editor.test_counts.resize(mappings.len(), 1);
    header_ui(ui, mappings, editor, cmds, file_menu);
    if mappings.is_empty() {
        ui.label(RichText::new(tr("triggers-no-triggers-yet-press-add")).weak());
        return;
    }
    let mut edits = RowEdits::default();
    TableBuilder::new(ui)
        .id_salt("triggers_table")
        .striped(true)
        .auto_shrink([false, false])
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(28.0))
        .column(Column::initial(340.0).at_least(300.0))
        .column(Column::remainder().at_least(160.0).clip(true))
        .column(Column::exact(60.0))
        .column(Column::exact(116.0))
        .column(Column::exact(170.0).clip(true))
        .column(Column::exact(124.0))
        .header(20.0, |mut header| {
            for title in [
                "triggers-col-on",
                "triggers-col-trigger",
                "triggers-col-actions",
                "triggers-col-repeat",
                "triggers-col-test",
                "triggers-col-check",
                "",
            ] {
                header.col(|ui| {
                    if !title.is_empty() {
                        ui.strong(tr(title));
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, mappings.len(), |mut row| {
                let index = row.index();
                let row_context = RowContext {
                    index,
                    catalog,
                    pictures: &mut *pictures,
                    cmds: &mut *cmds,
                    edits: &mut edits,
                };
                row_ui(&mut row, &mut mappings[index], editor, row_context);
            });
        });
    if let Some((row, name)) =
        gift_picker::gift_picker_ui(ui.ctx(), &mut editor.picker, catalog, pictures)
        && let Some(mapping) = mappings.get_mut(row)
    {
        mapping.trigger = name;
        edits.changed = true;
    }
    apply_edits(mappings, editor, &mut edits);
    if edits.changed {
        cmds.push(Command::MappingsChanged);
    }
}

/// The heading, the file menu, "Add trigger" and how many problems the rows have.
fn header_ui(
    ui: &mut egui::Ui,
    mappings: &mut Vec<Mapping>,
    editor: &mut TriggerEditor,
    cmds: &mut Commands,
    file_menu: impl FnOnce(&mut egui::Ui, &mut Commands),
) {
    ui.horizontal(|ui| {
        ui.heading(tr("triggers-triggers"));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            file_menu(ui, cmds);
            if ui.button(tr("triggers-add-trigger")).clicked() {
                mappings.push(blank_mapping());
                editor.test_counts.push(1);
                cmds.push(Command::MappingsChanged);
            }
            let problems = editor.problem_count();
            if problems > 0 {
                ui.label(
                    RichText::new(crate::trf!("triggers-problems", count = problems)).color(AMBER),
                );
            }
        });
    });
    ui.label(RichText::new(tr("triggers-when-a-viewer-sends-this")).weak());
}

/// What a row's cells need besides its mapping.
struct RowContext<'a> {
    index: usize,
    catalog: &'a Catalog,
    pictures: &'a mut GiftPictures,
    cmds: &'a mut Commands,
    edits: &'a mut RowEdits,
}

/// One row's cells: enabled, trigger, actions, repeat, Test, problems, copy/delete.
fn row_ui(
    row: &mut TableRow<'_, '_>,
    mapping: &mut Mapping,
    editor: &mut TriggerEditor,
    cx: RowContext<'_>,
) {
    let RowContext {
        index,
        catalog,
        pictures,
        cmds,
        edits,
    } = cx;
    row.col(|ui| {
        if let crate::triggers::Condition::Unknown(unknown) = &mapping.on {
            // Shown off (it cannot fire here), while the file keeps it as the newer version wrote it.
            let mut off = false;
            ui.add_enabled(false, egui::Checkbox::new(&mut off, ""))
                .on_disabled_hover_text(unknown.reason());
            return;
        }
        edits.changed |= ui
            .checkbox(&mut mapping.enabled, "")
            .on_hover_text(tr("triggers-enabled"))
            .changed();
    });
    row.col(|ui| {
        edits.changed |= conditions::kind_picker_ui(ui, index, mapping);
        if mapping.on == crate::triggers::Condition::Gift {
            gift_of_row_ui(ui, index, &mapping.trigger, catalog, pictures, editor);
            edits.changed |= trigger_field_ui(ui, index, &mut mapping.trigger, catalog);
        } else {
            edits.changed |= conditions::condition_fields_ui(ui, index, mapping);
        }
    });
    row.col(|ui| {
        if ui.small_button(tr("triggers-edit")).clicked() {
            editor.editing = Some(index);
        }
        let summary = actions_summary(&mapping.actions);
        ui.label(summary.clone()).on_hover_text(summary);
    });
    row.col(|ui| {
        edits.changed |= ui
            .add(
                egui::DragValue::new(&mut mapping.repeat)
                    .range(1..=MAX_REPEAT)
                    .prefix("×"),
            )
            .on_hover_text(tr("triggers-runs-the-whole-action-list"))
            .changed();
    });
    row.col(|ui| test_cell_ui(ui, index, &mut editor.test_counts[index], cmds));
    row.col(|ui| {
        let problems = editor.problems.get(index).map_or(&[][..], Vec::as_slice);
        problems_cell_ui(ui, problems);
    });
    row.col(|ui| {
        if ui
            .small_button(tr("triggers-copy"))
            .on_hover_text(tr("triggers-duplicate-this-row"))
            .clicked()
        {
            edits.duplicate = Some(index);
        }
        if ui
            .small_button(tr("triggers-delete"))
            .on_hover_text(tr("triggers-delete-this-row"))
            .clicked()
        {
            edits.delete = Some(index);
        }
    });
}

/// A gift row's picture, coin value and the button that opens the gift picker.
fn gift_of_row_ui(
    ui: &mut egui::Ui,
    index: usize,
    trigger: &str,
    catalog: &Catalog,
    pictures: &mut GiftPictures,
    editor: &mut TriggerEditor,
) {
    let gift = catalog.by_trigger(trigger);
    ui.add_space(-4.0);
    if ui
        .add(egui::Button::new("🔎").small())
        .on_hover_text(tr("triggers-pick-a-gift-search-by"))
        .clicked()
    {
        editor.picker = Some(GiftPicker {
            row: index,
            ..GiftPicker::default()
        });
    }
    match gift {
        Some(gift) => {
            let url = gift.picture_url.as_deref();
            gift_picture_ui(ui, pictures, url, gift.diamonds, PICTURE_SIDE);
            coins_ui(ui, gift.diamonds);
        }
        // Not a gift the catalog knows (yet): the picture's space stays, empty.
        None => {
            ui.allocate_exact_size(egui::Vec2::splat(PICTURE_SIDE), egui::Sense::hover());
        }
    }
}

/// How many to send, and the Test button.
fn test_cell_ui(ui: &mut egui::Ui, index: usize, count: &mut u32, cmds: &mut Commands) {
    ui.add(
        egui::DragValue::new(count)
            .range(1..=MAX_TEST_COUNT)
            .prefix("×"),
    )
    .on_hover_text(tr("triggers-how-many-the-test-sends"));
    if ui
        .button(tr("triggers-test"))
        .on_hover_text(tr("triggers-send-this-event-through-the"))
        .clicked()
    {
        cmds.push(Command::Test {
            row: index,
            count: *count,
        });
    }
}

/// The row's first problem (all of them on hover), or "ok".
fn problems_cell_ui(ui: &mut egui::Ui, problems: &[Problem]) {
    match problems.first() {
        None => {
            ui.label(RichText::new(tr("triggers-ok")).color(GREEN));
        }
        Some(first) => {
            let color = if problems.iter().any(Problem::is_error) {
                RED
            } else {
                AMBER
            };
            let all: Vec<String> = problems.iter().map(Problem::text).collect();
            ui.label(RichText::new(format!("⚠ {}", first.text())).color(color))
                .on_hover_text(all.join("\n"));
        }
    }
}

/// Copies or deletes the row the streamer asked for (after drawing: the table borrowed them).
fn apply_edits(mappings: &mut Vec<Mapping>, editor: &mut TriggerEditor, edits: &mut RowEdits) {
    if let Some(index) = edits.duplicate {
        let copy = mappings[index].clone();
        mappings.insert(index + 1, copy);
        let count = editor.test_counts.get(index).copied().unwrap_or(1);
        editor.test_counts.insert(index + 1, count);
        edits.changed = true;
    }
    if let Some(index) = edits.delete {
        mappings.remove(index);
        if index < editor.test_counts.len() {
            editor.test_counts.remove(index);
        }
        editor.editing = match editor.editing {
            Some(e) if e == index => None,
            Some(e) if e > index => Some(e - 1),
            other => other,
        };
        edits.changed = true;
    }
}

/// The trigger text field with catalog completion below it. Returns true when the text changed.
fn trigger_field_ui(
    ui: &mut egui::Ui,
    row: usize,
    trigger: &mut String,
    catalog: &Catalog,
) -> bool {
    let response = ui.add(
        egui::TextEdit::singleline(trigger)
            .id_salt(("trigger", row))
            .hint_text(tr("triggers-gift-name-or-id"))
            .desired_width(f32::INFINITY),
    );
    let mut changed = response.changed();
    let popup_id = egui::Id::unique(("trigger_suggest", row));
    let suggestions = if response.has_focus() || egui::Popup::is_id_open(ui.ctx(), popup_id) {
        catalog.suggestions(trigger)
    } else {
        Vec::new()
    };
    if response.has_focus() && response.changed() && !suggestions.is_empty() {
        egui::Popup::open_id(ui.ctx(), popup_id);
    }
    if suggestions.is_empty() {
        return changed;
    }
    let mut chosen = None;
    egui::Popup::from_response(&response)
        .id(popup_id)
        .open_memory(None)
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .width(response.rect.width().max(200.0))
        .show(|ui| {
            for gift in &suggestions {
                let id = gift.id.map_or(String::new(), |id| format!("  #{id}"));
                let text = crate::trf!(
                    "triggers-suggestion",
                    name = gift.name.as_str(),
                    diamonds = gift.diamonds,
                    id = id
                );
                if ui.selectable_label(false, text).clicked() {
                    chosen = Some(gift.name.clone());
                }
            }
        });
    if let Some(name) = chosen {
        *trigger = name;
        changed = true;
        egui::Popup::close_id(ui.ctx(), popup_id);
    }
    changed
}
