//! The settings window's TikTok session: what was pasted goes to the OS keyring (or the saved one
//! is forgotten) off the UI thread.

use super::super::errors::SessionKeepError;
use super::super::state::SessionStatus;
use super::super::tasks::UiMsg;
use super::GiftdeckApp;

impl GiftdeckApp {
    /// Saves what was pasted in the keyring (`save`), or forgets the saved session, off the UI
    /// thread. The pasted text leaves the window's memory at once.
    pub(super) fn keep_tiktok_session(&mut self, save: bool) {
        let login = &mut self.state.session_login;
        let pasted = std::mem::take(&mut login.input);
        let session = if save {
            match crate::keystore::TikTokSession::parse(&pasted) {
                Ok(session) => Some(session),
                Err(err) => {
                    login.status = SessionStatus::Failed(SessionKeepError::NotASession(err));
                    return;
                }
            }
        } else {
            None
        };
        login.status = SessionStatus::Working;
        self.tasks.spawn(async move {
            let kept = tokio::task::spawn_blocking(move || match &session {
                Some(session) => crate::keystore::store(session).map(|()| true),
                None => crate::keystore::delete().map(|()| false),
            })
            .await;
            UiMsg::SessionKept(match kept {
                Ok(result) => result.map_err(|error| SessionKeepError::Keyring {
                    saving: save,
                    error,
                }),
                Err(_) => Err(SessionKeepError::TaskStopped { saving: save }),
            })
        });
    }
}
