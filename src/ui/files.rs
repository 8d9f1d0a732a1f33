//! Trigger files and sound files: the file dialogs and the reads and writes behind Import,
//! Export and Browse. Each function is a future for [`super::tasks::Tasks::spawn`]; the blocking
//! parts run on tokio's blocking pool.

use crate::i18n::tr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::errors::FileError;
use super::tasks::UiMsg;
use crate::mappings::Mapping;
use crate::settings;

fn task_failed(what: &'static str) -> impl FnOnce(tokio::task::JoinError) -> FileError {
    move |source| FileError::Task { what, source }
}

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
        .set_title(tr("files-import-triggers"))
        .add_filter(
            tr("files-giftdeck-json-or-tiktok2mc-actions"),
            &["json", "mca"],
        )
        .add_filter(tr("files-all-files"), &["*"])
        .pick_file()
        .await;
    match picked {
        Some(file) => import_file(file.path().to_owned()).await,
        None => dialog_empty(opened),
    }
}

/// Picks a Tiktok2Mc install folder (the one holding `config/` and `data/`).
pub async fn import_t2m_dialog() -> UiMsg {
    let opened = Instant::now();
    let picked = rfd::AsyncFileDialog::new()
        .set_title(tr("files-import-a-tiktok2mc-folder"))
        .pick_folder()
        .await;
    match picked {
        Some(folder) => import_file(folder.path().to_owned()).await,
        None => dialog_empty(opened),
    }
}

/// The Tiktok2Mc install a path belongs to: the folder itself, or the folder above its
/// `data/actions.mca` or `config/config.yaml`.
fn t2m_root(path: &Path) -> Option<PathBuf> {
    if crate::t2m::is_t2m_folder(path) {
        return Some(path.to_owned());
    }
    let root = path.parent()?.parent()?;
    crate::t2m::is_t2m_folder(root).then(|| root.to_owned())
}

pub async fn import_file(path: PathBuf) -> UiMsg {
    if let Some(root) = t2m_root(&path) {
        let r = root.clone();
        let result = tokio::task::spawn_blocking(move || crate::t2m::import_folder(&r))
            .await
            .map_err(task_failed("import"))
            .and_then(|r| r.map_err(FileError::ImportT2m));
        return UiMsg::ImportedT2m(result.map(|import| (root, Box::new(import))));
    }
    let p = path.clone();
    let result = tokio::task::spawn_blocking(move || settings::load_mappings_file(&p))
        .await
        .map_err(task_failed("import"))
        .and_then(|r| r.map_err(FileError::Import));
    UiMsg::Imported(result.map(|file| (path, file)))
}

pub async fn export_dialog(mappings: Vec<Mapping>) -> UiMsg {
    let opened = Instant::now();
    let picked = rfd::AsyncFileDialog::new()
        .set_title(tr("files-export-triggers"))
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
        .map_err(task_failed("export"))
        .and_then(|r| r);
    UiMsg::Exported(result)
}

pub async fn pick_sound(row: usize, action: usize) -> UiMsg {
    let opened = Instant::now();
    let picked = rfd::AsyncFileDialog::new()
        .set_title(tr("files-choose-a-sound"))
        .add_filter(tr("actions-window-sound"), &["wav", "ogg", "mp3"])
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

/// Picks the Minecraft world folder giftdeck writes its datapack into.
pub async fn pick_world_folder() -> UiMsg {
    let opened = Instant::now();
    let picked = rfd::AsyncFileDialog::new()
        .set_title(tr("files-choose-your-minecraft-world-folder"))
        .pick_folder()
        .await;
    match picked {
        Some(folder) => UiMsg::WorldFolderPicked(folder.path().to_owned()),
        None => dialog_empty(opened),
    }
}

/// Writes `.mca` for Tiktok2Mc, our JSON otherwise.
fn export_to(path: &Path, mappings: &[Mapping]) -> Result<(), FileError> {
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
    settings::write_atomic(path, text.as_bytes()).map_err(FileError::Export)
}
