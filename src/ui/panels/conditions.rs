//! The trigger kind picker and condition editor of a trigger row (kind, likes every N, chat
//! command…), and the "who and how often" section of the actions window (audience, cooldowns).

use egui::RichText;

use crate::mappings::Mapping;
use crate::triggers::{Audience, Condition};

/// Makes the condition a row gets when switched to a kind.
type MakeCondition = fn() -> Condition;

/// The kinds the picker offers, with the condition a row gets when switched to it.
pub const KIND_CHOICES: &[(&str, MakeCondition)] = &[
    ("🎁 Gift", || Condition::Gift),
    ("🎁 Any gift", || Condition::AnyGift),
    ("💎 Gifts worth ≥", || Condition::GiftsWorth {
        min_diamonds: 100,
    }),
    ("➕ Follow", || Condition::Follow),
    ("↗ Share", || Condition::Share),
    ("⭐ Subscribe", || Condition::Subscribe),
    ("👋 Join", || Condition::Join),
    ("❤ Likes every", || Condition::Likes { every: 100 }),
    ("💬 Chat command", || Condition::ChatCommand {
        command: "!jump".into(),
    }),
    ("💬 Chat keyword", || Condition::ChatKeyword {
        keyword: String::new(),
    }),
];

/// Which entry of [`KIND_CHOICES`] a condition is.
pub fn kind_index(condition: &Condition) -> usize {
    match condition {
        Condition::Gift => 0,
        Condition::AnyGift => 1,
        Condition::GiftsWorth { .. } => 2,
        Condition::Follow => 3,
        Condition::Share => 4,
        Condition::Subscribe => 5,
        Condition::Join => 6,
        Condition::Likes { .. } => 7,
        Condition::ChatCommand { .. } => 8,
        Condition::ChatKeyword { .. } => 9,
    }
}

/// The label a non-gift row's trigger gets from its condition (shown in the feed and `--events`).
pub fn default_label(condition: &Condition) -> String {
    match condition {
        Condition::ChatCommand { command } => command.trim().to_owned(),
        other => other.describe(),
    }
}

/// The kind picker. Returns true when the kind changed (the row's condition was reset to the new
/// kind's default, and a non-gift row's label follows it).
pub fn kind_picker_ui(ui: &mut egui::Ui, row: usize, mapping: &mut Mapping) -> bool {
    let current = kind_index(&mapping.on);
    let mut chosen = current;
    let picker = egui::ComboBox::from_id_salt(("trigger_kind", row))
        .width(118.0)
        .selected_text(KIND_CHOICES[current].0)
        .show_ui(ui, |ui| {
            for (index, (label, _)) in KIND_CHOICES.iter().enumerate() {
                ui.selectable_value(&mut chosen, index, *label);
            }
        });
    name_combo(&picker.response, "Trigger kind", KIND_CHOICES[current].0);
    if chosen == current {
        return false;
    }
    let was_gift = mapping.on == Condition::Gift;
    mapping.on = (KIND_CHOICES[chosen].1)();
    if mapping.on != Condition::Gift {
        mapping.trigger = default_label(&mapping.on);
    } else if !was_gift {
        mapping.trigger.clear();
    }
    true
}

/// The condition's own field (N likes, the command word…) next to the picker, for non-gift rows.
/// Returns true when it changed.
pub fn condition_fields_ui(ui: &mut egui::Ui, row: usize, mapping: &mut Mapping) -> bool {
    let changed = match &mut mapping.on {
        Condition::GiftsWorth { min_diamonds } => ui
            .add(
                egui::DragValue::new(min_diamonds)
                    .range(1..=10_000_000)
                    .suffix(" 💎"),
            )
            .on_hover_text("Gifts worth at least this many diamonds (count × value of one)")
            .changed(),
        Condition::Likes { every } => ui
            .add(
                egui::DragValue::new(every)
                    .range(1..=100_000_000)
                    .suffix(" likes"),
            )
            .on_hover_text("Fires once for every block of this many room likes since connecting")
            .changed(),
        Condition::ChatCommand { command } => ui
            .add(
                egui::TextEdit::singleline(command)
                    .id_salt(("chat_command", row))
                    .hint_text("!jump")
                    .desired_width(f32::INFINITY),
            )
            .on_hover_text("A chat message whose first word is this (any case); {args} is the rest")
            .changed(),
        Condition::ChatKeyword { keyword } => ui
            .add(
                egui::TextEdit::singleline(keyword)
                    .id_salt(("chat_keyword", row))
                    .hint_text("keyword")
                    .desired_width(f32::INFINITY),
            )
            .on_hover_text("A chat message containing this (any case)")
            .changed(),
        Condition::Follow => {
            ui.label(RichText::new("once per viewer").weak());
            false
        }
        Condition::Share | Condition::Subscribe | Condition::Join | Condition::AnyGift => false,
        Condition::Gift => false,
    };
    if changed {
        mapping.trigger = default_label(&mapping.on);
    }
    changed
}

/// Gives a label-less combo box an accessible name (screen readers, kittest), keeping its value.
fn name_combo(response: &egui::Response, name: &str, value: &str) {
    response.widget_info(|| {
        let mut info = egui::WidgetInfo::labeled(egui::Role::ComboBox, true, name);
        info.current_text_value = Some(value.to_owned());
        info
    });
}

/// Audience and cooldowns, in the actions window. Returns true when something changed.
pub fn audience_cooldown_ui(ui: &mut egui::Ui, mapping: &mut Mapping) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        ui.label("Who:");
        let handles_text = match &mapping.audience {
            Audience::Handles(h) => Some(h.join(" ")),
            _ => None,
        };
        let labels = [
            "anyone",
            "followers",
            "subscribers",
            "moderators",
            "these @handles",
        ];
        let current = match &mapping.audience {
            Audience::Anyone => 0,
            Audience::Followers => 1,
            Audience::Subscribers => 2,
            Audience::Moderators => 3,
            Audience::Handles(_) => 4,
        };
        let mut chosen = current;
        let picker = egui::ComboBox::from_id_salt("audience")
            .selected_text(labels[current])
            .show_ui(ui, |ui| {
                for (i, label) in labels.iter().enumerate() {
                    ui.selectable_value(&mut chosen, i, *label);
                }
            });
        name_combo(&picker.response, "Who may fire it", labels[current]);
        if chosen != current {
            mapping.audience = match chosen {
                1 => Audience::Followers,
                2 => Audience::Subscribers,
                3 => Audience::Moderators,
                4 => Audience::Handles(Vec::new()),
                _ => Audience::Anyone,
            };
            changed = true;
        }
        if let Some(mut text) = handles_text {
            let edit = ui.add(
                egui::TextEdit::singleline(&mut text)
                    .hint_text("@amy @bob")
                    .desired_width(200.0),
            );
            if edit.changed() {
                mapping.audience = Audience::Handles(
                    text.split([' ', ','])
                        .filter(|h| !h.trim().is_empty())
                        .map(str::to_owned)
                        .collect(),
                );
                changed = true;
            }
        }
    });
    ui.horizontal(|ui| {
        ui.label("Cooldown:");
        changed |= ui
            .add(
                egui::DragValue::new(&mut mapping.cooldown_seconds)
                    .range(0..=86_400)
                    .suffix(" s"),
            )
            .on_hover_text("At most once per this many seconds (0 = no cooldown)")
            .changed();
        ui.label("per viewer:");
        changed |= ui
            .add(
                egui::DragValue::new(&mut mapping.viewer_cooldown_seconds)
                    .range(0..=86_400)
                    .suffix(" s"),
            )
            .on_hover_text("At most once per this many seconds for the same viewer (0 = none)")
            .changed();
        ui.label(RichText::new("A trigger cooling down is shown as skipped.").weak());
    });
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_choice_maps_back_to_its_index() {
        for (index, (_, make)) in KIND_CHOICES.iter().enumerate() {
            assert_eq!(kind_index(&make()), index);
        }
    }
}
