//! The trigger kind picker and condition editor of a trigger row (kind, likes every N, chat
//! command…), and the "who and how often" section of the actions window (audience, cooldowns).

use crate::i18n::tr;
use egui::RichText;

use crate::event::BattlePhase;
use crate::mappings::{Mapping, SuperFanMoment};
use crate::triggers::{Audience, Condition};

/// Makes the condition a row gets when switched to a kind.
type MakeCondition = fn() -> Condition;

/// The kinds the picker offers (their catalog ids), with the condition a row gets when switched to it.
pub const KIND_CHOICES: &[(&str, MakeCondition)] = &[
    ("conditions-gift", || Condition::Gift),
    ("conditions-any-gift", || Condition::AnyGift),
    ("conditions-gifts-worth", || Condition::GiftsWorth {
        min_diamonds: 100,
    }),
    ("conditions-follow", || Condition::Follow),
    ("conditions-share", || Condition::Share),
    ("conditions-subscribe", || Condition::Subscribe),
    ("conditions-join", || Condition::Join),
    ("conditions-likes-every", || Condition::Likes { every: 100 }),
    ("conditions-chat-command", || Condition::ChatCommand {
        command: "!jump".into(),
    }),
    ("conditions-chat-keyword", || Condition::ChatKeyword {
        keyword: String::new(),
    }),
    ("conditions-viewers", || Condition::Viewers {
        at_least: 100,
    }),
    ("conditions-super-fan", || Condition::SuperFan {
        moment: SuperFanMoment::New,
    }),
    ("conditions-treasure-chest", || Condition::TreasureChest),
    ("conditions-battle", || Condition::Battle {
        phase: BattlePhase::Start,
    }),
    ("conditions-emote", || Condition::Emote),
];

/// Which entry of [`KIND_CHOICES`] a condition is; `None` for a kind from a newer giftdeck.
pub fn kind_index(condition: &Condition) -> Option<usize> {
    Some(match condition {
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
        Condition::Viewers { .. } => 10,
        Condition::SuperFan { .. } => 11,
        Condition::TreasureChest => 12,
        Condition::Battle { .. } => 13,
        Condition::Emote => 14,
        Condition::Unknown(_) => return None,
    })
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
    let Some(current) = kind_index(&mapping.on) else {
        // Kept exactly as a newer giftdeck wrote it: not editable here, so never rewritten.
        let label = format!("⚠ {}", mapping.on.describe());
        ui.add_enabled(false, egui::Button::new(label))
            .on_disabled_hover_text(mapping.on.problem().unwrap_or_default());
        return false;
    };
    let mut chosen = current;
    let picker = egui::ComboBox::from_id_salt(("trigger_kind", row))
        .width(118.0)
        .selected_text(tr(KIND_CHOICES[current].0))
        .show_ui(ui, |ui| {
            for (index, (label, _)) in KIND_CHOICES.iter().enumerate() {
                ui.selectable_value(&mut chosen, index, tr(label));
            }
        });
    name_combo(
        &picker.response,
        tr("conditions-trigger-kind"),
        tr(KIND_CHOICES[current].0),
    );
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
            .on_hover_text(tr("conditions-gifts-worth-at-least-this"))
            .changed(),
        Condition::Likes { every } => ui
            .add(
                egui::DragValue::new(every)
                    .range(1..=100_000_000)
                    .suffix(tr("unit-likes")),
            )
            .on_hover_text(tr("conditions-fires-once-for-every-block"))
            .changed(),
        Condition::ChatCommand { command } => ui
            .add(
                egui::TextEdit::singleline(command)
                    .id_salt(("chat_command", row))
                    .hint_text(tr("conditions-jump"))
                    .desired_width(f32::INFINITY),
            )
            .on_hover_text(tr("conditions-command-hover"))
            .changed(),
        Condition::ChatKeyword { keyword } => ui
            .add(
                egui::TextEdit::singleline(keyword)
                    .id_salt(("chat_keyword", row))
                    .hint_text(tr("conditions-keyword"))
                    .desired_width(f32::INFINITY),
            )
            .on_hover_text(tr("conditions-a-chat-message-containing-this"))
            .changed(),
        Condition::Follow => {
            ui.label(RichText::new(tr("conditions-once-per-viewer")).weak());
            false
        }
        Condition::Viewers { at_least } => ui
            .add(
                egui::DragValue::new(at_least)
                    .range(1..=100_000_000)
                    .suffix(tr("unit-viewers")),
            )
            .on_hover_text(tr("conditions-fires-once-per-stream-when"))
            .changed(),
        Condition::SuperFan { moment } => {
            let labels = [
                tr("conditions-becomes-one"),
                tr("conditions-joins"),
                tr("conditions-box-dropped"),
            ];
            let index = |m: SuperFanMoment| SuperFanMoment::ALL.iter().position(|&x| x == m);
            let current = index(*moment).unwrap_or(0);
            let mut chosen = current;
            let picker = egui::ComboBox::from_id_salt(("super_fan_moment", row))
                .selected_text(labels[current])
                .show_ui(ui, |ui| {
                    for (i, label) in labels.iter().enumerate() {
                        ui.selectable_value(&mut chosen, i, *label);
                    }
                });
            name_combo(
                &picker.response,
                tr("conditions-super-fan-moment"),
                labels[current],
            );
            *moment = SuperFanMoment::ALL[chosen];
            chosen != current
        }
        Condition::Battle { phase } => {
            let mut end = *phase == BattlePhase::End;
            let before = end;
            let picker = egui::ComboBox::from_id_salt(("battle_phase", row))
                .selected_text(if end {
                    tr("conditions-ends")
                } else {
                    tr("conditions-starts")
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut end, false, tr("conditions-starts"));
                    ui.selectable_value(&mut end, true, tr("conditions-ends"));
                });
            name_combo(
                &picker.response,
                tr("conditions-battle-phase"),
                if end {
                    tr("conditions-ends")
                } else {
                    tr("conditions-starts")
                },
            );
            *phase = if end {
                BattlePhase::End
            } else {
                BattlePhase::Start
            };
            end != before
        }
        Condition::Unknown(unknown) => {
            ui.label(RichText::new(unknown.reason()).weak());
            false
        }
        Condition::Share
        | Condition::Subscribe
        | Condition::Join
        | Condition::AnyGift
        | Condition::TreasureChest
        | Condition::Emote => false,
        Condition::Gift => false,
    };
    if changed {
        mapping.trigger = default_label(&mapping.on);
    }
    changed
}

/// Gives a label-less combo box an accessible name (screen readers, kittest), keeping its value.
pub fn name_combo(response: &egui::Response, name: &str, value: &str) {
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
        ui.label(tr("conditions-who"));
        changed |= audience_picker_ui(
            ui,
            ("audience", tr("conditions-who-may-fire-it")),
            &mut mapping.audience,
            true,
        );
    });
    ui.horizontal(|ui| {
        ui.label(tr("conditions-cooldown"));
        changed |= ui
            .add(
                egui::DragValue::new(&mut mapping.cooldown_seconds)
                    .range(0..=86_400)
                    .suffix(" s"),
            )
            .on_hover_text(tr("conditions-at-most-once-per-this"))
            .changed();
        ui.label(tr("conditions-per-viewer"));
        changed |= ui
            .add(
                egui::DragValue::new(&mut mapping.viewer_cooldown_seconds)
                    .range(0..=86_400)
                    .suffix(" s"),
            )
            .on_hover_text(tr("conditions-at-most-once-per-this-2"))
            .changed();
        ui.label(RichText::new(tr("conditions-a-trigger-cooling-down-is")).weak());
    });
    changed
}

/// Who: anyone, followers, subscribers, moderators, some @handles, fan club level (and the top
/// gifter, level ≥ and points ≥ where `tallies` is set: only triggers know the session's gifts
/// and the viewers' ledger). Draws in the current row. Returns true when it changed.
pub fn audience_picker_ui(
    ui: &mut egui::Ui,
    (id_salt, name): (&str, &str),
    audience: &mut Audience,
    tallies: bool,
) -> bool {
    let mut changed = false;
    let handles_text = match &*audience {
        Audience::Handles(h) => Some(h.join(" ")),
        _ => None,
    };
    let labels = [
        tr("conditions-anyone"),
        tr("conditions-followers"),
        tr("conditions-subscribers"),
        tr("conditions-moderators"),
        tr("conditions-these-handles"),
        tr("conditions-the-top-gifter"),
        tr("conditions-fan-club-level"),
        tr("conditions-level"),
        tr("conditions-points"),
    ];
    let current = match &*audience {
        Audience::Anyone => 0,
        Audience::Followers => 1,
        Audience::Subscribers => 2,
        Audience::Moderators => 3,
        Audience::Handles(_) => 4,
        Audience::TopGifter => 5,
        Audience::FanClubLevel(_) => 6,
        Audience::Level(_) => 7,
        Audience::Points(_) => 8,
    };
    let mut chosen = current;
    let picker = egui::ComboBox::from_id_salt(id_salt)
        .selected_text(labels[current])
        .show_ui(ui, |ui| {
            for (i, label) in labels.iter().enumerate() {
                if matches!(i, 5 | 7 | 8) && !tallies {
                    continue;
                }
                ui.selectable_value(&mut chosen, i, *label);
            }
        });
    name_combo(&picker.response, name, labels[current]);
    if chosen != current {
        *audience = match chosen {
            1 => Audience::Followers,
            2 => Audience::Subscribers,
            3 => Audience::Moderators,
            4 => Audience::Handles(Vec::new()),
            5 => Audience::TopGifter,
            6 => Audience::FanClubLevel(1),
            7 => Audience::Level(1),
            8 => Audience::Points(100),
            _ => Audience::Anyone,
        };
        changed = true;
    }
    changed |= ledger_audience_ui(ui, audience);
    if let Audience::FanClubLevel(level) = audience {
        changed |= ui
            .add(egui::DragValue::new(level).range(1..=100))
            .on_hover_text(
                "TikTok sends a viewer's fan club level with their gifts, chat, likes and \
                 joins; a viewer it never sent one for does not pass",
            )
            .changed();
    }
    if *audience == Audience::TopGifter {
        ui.label(RichText::new(tr("conditions-most-diamonds-this-session-so")).weak());
    }
    if let Some(mut text) = handles_text {
        let edit = ui.add(
            egui::TextEdit::singleline(&mut text)
                .hint_text(tr("conditions-amy-bob"))
                .desired_width(200.0),
        );
        if edit.changed() {
            *audience = Audience::Handles(
                text.split([' ', ','])
                    .filter(|h| !h.trim().is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
            changed = true;
        }
    }
    changed
}

/// The number of a "level ≥" or "points ≥" audience; true when it changed.
fn ledger_audience_ui(ui: &mut egui::Ui, audience: &mut Audience) -> bool {
    let how = tr("conditions-ledger-how");
    match audience {
        Audience::Level(level) => ui
            .add(egui::DragValue::new(level).range(0..=1000))
            .on_hover_text(how)
            .changed(),
        Audience::Points(points) => ui
            .add(egui::DragValue::new(points).range(0..=i64::MAX))
            .on_hover_text(how)
            .changed(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_choice_maps_back_to_its_index() {
        for (index, (_, make)) in KIND_CHOICES.iter().enumerate() {
            assert_eq!(kind_index(&make()), Some(index));
        }
    }
}
