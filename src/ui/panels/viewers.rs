//! The Viewers panel: the leaderboards (this stream or all time, by coins, likes or points), a
//! viewer lookup by @handle (first seen, coins, points, level, last gift), and the CSV exports of
//! the ledger and of every stream's summary.

use crate::i18n::tr;
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
        0 => crate::i18n::tr("viewers-just-now").to_owned(),
        1..=59 => crate::trf!("viewers-min-ago", minutes = minutes),
        60..=2_879 => crate::trf!("viewers-hours-ago", hours = minutes / 60),
        _ => crate::trf!("viewers-days-ago", days = minutes / 1_440),
    }
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The panel (in the side column).
pub fn viewers_ui(ui: &mut egui::Ui, view: &mut ViewersView, cmds: &mut Commands) {
    ui.heading(tr("totals-viewers"));
    if !view.open {
        ui.label(RichText::new(tr("viewers-the-viewers-ledger-is-off")).weak());
        return;
    }
    board_ui(ui, view);
    ui.separator();
    lookup_ui(ui, view, cmds);
    ui.horizontal_wrapped(|ui| {
        if ui
            .button(tr("viewers-export-viewers-csv"))
            .on_hover_text(tr("viewers-one-row-per-viewer-coins"))
            .clicked()
        {
            cmds.push(Command::ExportCsv(Csv::Viewers));
        }
        if ui
            .button(tr("viewers-export-streams-csv"))
            .on_hover_text(tr("viewers-one-row-per-stream-gifts"))
            .clicked()
        {
            cmds.push(Command::ExportCsv(Csv::Streams));
        }
    });
}

fn board_ui(ui: &mut egui::Ui, view: &mut ViewersView) {
    ui.horizontal_wrapped(|ui| {
        ui.selectable_value(
            &mut view.scope,
            BoardScope::Stream,
            tr("viewers-this-stream"),
        );
        ui.selectable_value(&mut view.scope, BoardScope::AllTime, tr("viewers-all-time"));
        ui.separator();
        let mut by = view.by();
        for (b, word) in [
            (By::Coins, tr("viewers-coins")),
            (By::Likes, tr("viewers-likes")),
            (By::Points, tr("actions-window-points")),
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
        ui.label(RichText::new(tr("viewers-nobody-yet")).weak());
    }
    egui::Grid::new("board").striped(true).show(ui, |ui| {
        for row in rows.iter().take(SHOWN) {
            ui.label(format!("{}.", row.rank));
            ui.label(&row.nickname)
                .on_hover_text(format!("@{}", row.unique_id));
            ui.label(row.value.to_string());
            ui.label(RichText::new(crate::trf!("viewers-level-short", level = row.level)).weak());
            ui.end_row();
        }
    });
}

fn lookup_ui(ui: &mut egui::Ui, view: &mut ViewersView, cmds: &mut Commands) {
    let edit = ui
        .horizontal(|ui| {
            let label = ui.label(tr("viewers-find-a-viewer"));
            ui.add(
                egui::TextEdit::singleline(&mut view.query)
                    .hint_text(tr("viewers-handle"))
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
                ui.label(RichText::new(tr("viewers-no-viewer-with-that-handle")).weak());
            }
            for card in cards {
                card_ui(ui, card);
            }
        }
        Some((asked, Err(err))) if *asked == query => {
            ui.label(RichText::new(err).color(super::RED));
        }
        _ => {
            ui.label(RichText::new(tr("viewers-looking")).weak());
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
        ui.label(crate::trf!(
            "viewers-card-totals",
            points = card.points,
            level = card.level,
            coins = card.coins
        ));
        ui.label(
            RichText::new(crate::trf!(
                "viewers-card-seen",
                ago = ago_words(now - card.first_seen_millis),
                streams = card.streams
            ))
            .small(),
        );
        if let Some(gift) = &card.last_gift {
            ui.label(
                RichText::new(crate::trf!(
                    "viewers-card-last-gift",
                    count = gift.count,
                    gift = gift.gift_name.as_str(),
                    ago = ago_words(now - gift.at_millis)
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
