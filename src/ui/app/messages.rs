//! The background's messages to the window ([`UiMsg`]): each one applied to the state once.

use super::super::failure;
use super::super::state::{NoticeLevel, ObsTest, RconTest, SessionStatus};
use super::super::tasks::UiMsg;
use super::GiftdeckApp;
use crate::mappings::Action;

impl GiftdeckApp {
    /// Applies one message from the background.
    pub(super) fn on_msg(&mut self, msg: UiMsg) {
        match msg {
            UiMsg::Gift { .. }
            | UiMsg::Event { .. }
            | UiMsg::Fired { .. }
            | UiMsg::Likes { .. } => {
                self.on_feed_msg(msg);
            }
            UiMsg::LedgerOpened(opened) => self.on_ledger_opened(opened),
            UiMsg::ViewersFound { query, found } => {
                self.state.viewers.found = Some((query, found));
            }
            UiMsg::CsvExported(Ok((path, rows))) => self.notice(
                NoticeLevel::Info,
                crate::trf!(
                    "notice-exported-rows",
                    rows = rows,
                    path = path.display().to_string()
                ),
            ),
            UiMsg::CsvExported(Err(err)) => {
                self.notice(
                    NoticeLevel::Error,
                    crate::trf!("notice-export-failed", error = err.to_string()),
                );
            }
            UiMsg::External(call) => self.on_external_call(&call),
            UiMsg::LiveWarning(warning) => {
                self.notice(NoticeLevel::Warning, failure::session_warning(&warning));
            }
            UiMsg::Saved(result) => {
                if let Err(err) = &result {
                    self.notice(NoticeLevel::Error, failure::save_failure(err));
                }
                self.state.save.last = Some(result);
            }
            UiMsg::DemoReady { session, result } => self.on_demo_ready(session, result),
            UiMsg::Imported(Ok((path, file))) => self.apply_import(&path, file),
            UiMsg::Imported(Err(err)) => {
                self.notice(NoticeLevel::Error, failure::file_failure(&err))
            }
            UiMsg::ImportedT2m(Ok((path, import))) => self.apply_t2m_import(&path, *import),
            UiMsg::ImportedT2m(Err(err)) => {
                self.notice(NoticeLevel::Error, failure::file_failure(&err));
            }
            UiMsg::Exported(Ok(path)) => self.notice(
                NoticeLevel::Info,
                crate::trf!(
                    "notice-exported-triggers",
                    path = path.display().to_string()
                ),
            ),
            UiMsg::Exported(Err(err)) => {
                self.notice(NoticeLevel::Error, failure::file_failure(&err))
            }
            UiMsg::DialogEmpty { fast: true } => {
                self.notice(
                    NoticeLevel::Warning,
                    crate::i18n::tr("notice-no-dialog").into(),
                );
                self.state.windows.path = true;
            }
            UiMsg::DialogEmpty { fast: false } => {}
            UiMsg::SoundPicked { row, action, path } => {
                if let Some(Action::Sound { path: p, .. }) = self
                    .state
                    .settings
                    .mappings
                    .get_mut(row)
                    .and_then(|m| m.actions.get_mut(action))
                {
                    *p = path;
                    self.mappings_changed();
                }
            }
            UiMsg::WorldFolderPicked(path) => {
                self.state.settings.minecraft_world.world_folder = Some(path);
                self.settings_changed();
            }
            UiMsg::ObsTested(result) => self.state.obs_test = ObsTest::Done(result),
            UiMsg::SessionKept(result) => {
                self.state.session_login.status = match result {
                    Ok(true) => SessionStatus::Saved,
                    Ok(false) => SessionStatus::Forgotten,
                    Err(error) => SessionStatus::Failed(error),
                }
            }
            UiMsg::SecretsWarning(warning) => {
                self.notice(NoticeLevel::Warning, failure::secrets_warning(&warning));
            }
            UiMsg::RconTested(result) => {
                if result.is_ok() && !self.state.settings.setup.minecraft_ok {
                    // The test always uses the streamer's own server, never the demo's.
                    self.state.settings.setup.minecraft_ok = true;
                    self.schedule_save();
                }
                self.state.rcon_test = RconTest::Done(result);
            }
        }
    }

    /// A row for the feed, from the current session (rows of a session already left are
    /// dropped).
    fn on_feed_msg(&mut self, msg: UiMsg) {
        match msg {
            UiMsg::Gift {
                session,
                gift,
                at_millis,
                test,
            } if session == self.state.conn.session => {
                self.on_gift(&gift, at_millis, test);
            }
            UiMsg::Event {
                session,
                event,
                at_millis,
            } if session == self.state.conn.session => {
                self.state.feed.push_event_at(&event, at_millis);
            }
            UiMsg::Fired {
                session,
                line,
                at_millis,
                test,
            } if session == self.state.conn.session => {
                self.state.feed.push_fired_at(&line, test, at_millis);
            }
            UiMsg::Likes {
                session,
                likes,
                at_millis,
            } if session == self.state.conn.session => {
                self.state.feed.push_likes_at(&likes, at_millis);
            }
            _ => {}
        }
    }
}
