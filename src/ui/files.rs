//! Trigger files and sound files: the file dialogs and the reads and writes behind Import,
//! Export and Browse. Each function is a future for [`super::tasks::Tasks::spawn`]; the blocking
//! parts run on tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::tasks::UiMsg;
use crate::mappings::Mapping;
use crate::settings;

/// A file dialog that returns "nothing chosen" faster than this most likely never appeared.
const DIALOG_TOO_FAST: Duration = Duration::from_millis(400);

fn dialog_empty(opened: Instant) -> UiMsg {
    UiMsg::DialogEmpty {
        fast: opened.elapsed() < DIALOG_TOO_FAST,
    }
}

pub async fn import_dialog() -> UiMsg {
    let opened = Instant::now();
    let picked = rfd::AsyncFileDialog::new()
        .set_title("Import triggers")
        .add_filter("giftdeck JSON or Tiktok2Mc actions.mca", &["json", "mca"])
        .add_filter("All files", &["*"])
        .pick_file()
        .await;
    match picked {
        Some(file) => import_file(file.path().to_owned()).await,
        None => dialog_empty(opened),
    }
}

pub async fn import_file(path: PathBuf) -> UiMsg {
    let p = path.clone();
    let result = tokio::task::spawn_blocking(move || settings::load_mappings_file(&p))
        .await
        .map_err(|e| format!("the import task failed: {e}"))
        .and_then(|r| r.map_err(|e| format!("Could not import: {e}")));
    UiMsg::Imported(result.map(|file| (path, file)))
}

pub async fn export_dialog(mappings: Vec<Mapping>) -> UiMsg {
    let opened = Instant::now();
    let picked = rfd::AsyncFileDialog::new()
        .set_title("Export triggers")
        .set_file_name("giftdeck-triggers.json")
        .add_filter("giftdeck JSON", &["json"])
        .add_filter("Tiktok2Mc actions.mca", &["mca"])
        .save_file()
        .await;
    match picked {
        Some(file) => export_file(file.path().to_owned(), mappings).await,
        None => dialog_empty(opened),
    }
}

pub async fn export_file(path: PathBuf, mappings: Vec<Mapping>) -> UiMsg {
    let result = tokio::task::spawn_blocking(move || export_to(&path, &mappings).map(|()| path))
        .await
        .map_err(|e| format!("the export task failed: {e}"))
        .and_then(|r| r);
    UiMsg::Exported(result)
}

pub async fn pick_sound(row: usize, action: usize) -> UiMsg {
    let opened = Instant::now();
    let picked = rfd::AsyncFileDialog::new()
        .set_title("Choose a sound")
        .add_filter("Sound", &["wav", "ogg", "mp3"])
        .pick_file()
        .await;
    match picked {
        Some(file) => UiMsg::SoundPicked {
            row,
            action,
            path: file.path().to_owned(),
        },
        None => dialog_empty(opened),
    }
}

/// Writes `.mca` for Tiktok2Mc, our JSON otherwise.
fn export_to(path: &Path, mappings: &[Mapping]) -> Result<(), String> {
    let is_mca = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mca"));
    let text = if is_mca {
        let (text, warnings) = settings::export_mca(mappings);
        if !warnings.is_empty() {
            tracing::warn!(
                "mca export: {} action(s) could not be expressed",
                warnings.len()
            );
        }
        text
    } else {
        settings::export_mappings_json(mappings)
    };
    settings::write_atomic(path, text.as_bytes()).map_err(|e| format!("Could not export: {e}"))
}
