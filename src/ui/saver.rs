//! The settings saver: one background loop that writes the newest settings whenever they
//! change, one save at a time, off the UI thread, and tells the window how it went.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::errors::SaveError;
use super::tasks::{UiMsg, Waker};
use crate::settings::{self, Settings};

/// Saves the newest settings whenever they change.
pub async fn save_settings(
    path: PathBuf,
    mut rx: watch::Receiver<Option<Settings>>,
    ui_tx: mpsc::Sender<UiMsg>,
    waker: Arc<Waker>,
) {
    while rx.changed().await.is_ok() {
        let Some(settings) = rx.borrow_and_update().clone() else {
            continue;
        };
        let target = path.clone();
        let result = tokio::task::spawn_blocking(move || settings::save_atomic(&target, &settings))
            .await
            .map_err(SaveError::Task)
            .and_then(|r| r.map_err(SaveError::Write))
            .map(|()| path.clone());
        if ui_tx.send(UiMsg::Saved(result)).await.is_err() {
            return;
        }
        waker.wake();
    }
}
