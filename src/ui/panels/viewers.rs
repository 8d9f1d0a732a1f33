//! The Viewers panel: the leaderboards (this stream or all time, by coins, likes or points), a
//! viewer lookup by @handle (first seen, coins, points, level, last gift), and the CSV exports of
//! the ledger and of every stream's summary.

use egui::RichText;

use super::super::commands::{Command, Commands};
use super::super::viewers::{BoardScope, Csv, ViewersView};
use crate::ledger::{By, ViewerCard};

/// Places the panel's board shows.
const SHOWN: usize = 10;

/// "just now", "5 min ago", "3 h ago", "12 days ago".
pub fn ago_words(millis_ago: i64) -> String {
    let minutes = millis_ago.max(0) / 60_000;
    match minutes {
        0 => "just now".to_owned(),
        1..=59 => format!("{minutes} min ago"),
        60..=2_879 => format!("{} h ago", minutes / 60),
        _ => format!("{} days ago", minutes / 1_440),
    }
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The panel (in the side column).
pub fn viewers_ui(ui: &mut egui::Ui, view: &mut ViewersView, cmds: &mut Commands) {
    ui.heading("Viewers");
    if !view.open {
        ui.label(RichText::new("The viewers' ledger is off or not open yet.").weak());
        return;
    }
    board_ui(ui, view);
    ui.separator();
    lookup_ui(ui, view, cmds);
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("Export viewers (CSV)…")
            .on_hover_text("One row per viewer: coins, likes, points, level, first and last seen")
            .clicked()
        {
            cmds.push(Command::ExportCsv(Csv::Viewers));
        }
        if ui
            .button("Export streams (CSV)…")
            .on_hover_text("One row per stream: gifts, coins, new followers, top gifters")
            .clicked()
        {
            cmds.push(Command::ExportCsv(Csv::Streams));
        }
    });
}

fn board_ui(ui: &mut egui::Ui, view: &mut ViewersView) {
    ui.horizontal_wrapped(|ui| {
        ui.selectable_value(&mut view.scope, BoardScope::Stream, "This stream");
        ui.selectable_value(&mut view.scope, BoardScope::AllTime, "All time");
        ui.separator();
        let mut by = view.by();
        for (b, word) in [
            (By::Coins, "coins"),
            (By::Likes, "likes"),
            (By::Points, "points"),
        ] {
            ui.selectable_value(&mut by, b, word);
        }
        view.by = Some(by);
    });
    let metric = match view.scope {
        BoardScope::Stream => &view.boards.stream,
        BoardScope::AllTime => &view.boards.all_time,
    };
    let rows = metric.get(view.by());
    if rows.is_empty() {
        ui.label(RichText::new("Nobody yet.").weak());
    }
    egui::Grid::new("board").striped(true).show(ui, |ui| {
        for row in rows.iter().take(SHOWN) {
            ui.label(format!("{}.", row.rank));
            ui.label(&row.nickname)
                .on_hover_text(format!("@{}", row.unique_id));
            ui.label(row.value.to_string());
            ui.label(RichText::new(format!("lvl {}", row.level)).weak());
            ui.end_row();
        }
    });
}

fn lookup_ui(ui: &mut egui::Ui, view: &mut ViewersView, cmds: &mut Commands) {
    let edit = ui
        .horizontal(|ui| {
            let label = ui.label("Find a viewer");
            ui.add(
                egui::TextEdit::singleline(&mut view.query)
                    .hint_text("@handle")
                    .desired_width(160.0),
            )
            .labelled_by(label.id)
        })
        .inner;
    let query = view.query.trim().trim_start_matches('@').to_owned();
    if edit.changed() && !query.is_empty() {
        cmds.push(Command::LookupViewer(query.clone()));
    }
    if query.is_empty() {
        return;
    }
    match &view.found {
        Some((asked, Ok(cards))) if *asked == query => {
            if cards.is_empty() {
                ui.label(RichText::new("No viewer with that handle.").weak());
            }
            for card in cards {
                card_ui(ui, card);
            }
        }
        Some((asked, Err(err))) if *asked == query => {
            ui.label(RichText::new(err).color(super::RED));
        }
        _ => {
            ui.label(RichText::new("Looking…").weak());
        }
    }
}

fn card_ui(ui: &mut egui::Ui, card: &ViewerCard) {
    let now = now_millis();
    ui.group(|ui| {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&card.nickname).strong());
            ui.label(RichText::new(format!("@{}", card.unique_id)).weak());
        });
        ui.label(format!(
            "{} points · level {} · {} coins",
            card.points, card.level, card.coins
        ));
        ui.label(
            RichText::new(format!(
                "first seen {} · {} streams",
                ago_words(now - card.first_seen_millis),
                card.streams
            ))
            .small(),
        );
        if let Some(gift) = &card.last_gift {
            ui.label(
                RichText::new(format!(
                    "last gift: {} × {} ({})",
                    gift.count,
                    gift.gift_name,
                    ago_words(now - gift.at_millis)
                ))
                .small(),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_in_words() {
        assert_eq!(ago_words(-5), "just now");
        assert_eq!(ago_words(59_999), "just now");
        assert_eq!(ago_words(5 * 60_000), "5 min ago");
        assert_eq!(ago_words(3 * 3_600_000), "3 h ago");
        assert_eq!(ago_words(12 * 86_400_000), "12 days ago");
    }
}
