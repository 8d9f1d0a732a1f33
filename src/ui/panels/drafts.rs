//! Text fields whose edits stay drafts until the field is left, so a half-typed URL, key or
//! password never reaches the settings (used by the settings window and its parts).

/// Draws `edit_ui` on a draft of `value` kept while the widget is focused or dragged, and
/// writes the draft back once the streamer leaves it. Returns true when `value` changed.
pub fn committed_edit_ui<T>(
    ui: &mut egui::Ui,
    value: &mut T,
    edit_ui: impl FnOnce(&mut egui::Ui, &mut T) -> egui::Response,
) -> bool
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    // Keyed by position in the layout, which is stable from frame to frame.
    let draft_id = ui.next_auto_id().with("draft");
    let mut draft = ui
        .data(|d| d.get_temp::<T>(draft_id))
        .unwrap_or_else(|| value.clone());
    let response = edit_ui(ui, &mut draft);
    let editing = response.has_focus() || response.dragged();
    if editing && !response.lost_focus() {
        ui.data_mut(|d| d.insert_temp(draft_id, draft));
        return false;
    }
    ui.data_mut(|d| d.remove::<T>(draft_id));
    if draft != *value {
        *value = draft;
        return true;
    }
    false
}
