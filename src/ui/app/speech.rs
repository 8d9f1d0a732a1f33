//! The speech queue as the window sees it: its status (followed once something started the
//! queue), Skip, Stop all, and "Try it" of the "Read chat aloud" window.

use super::super::commands::Command;
use super::super::state::NoticeLevel;
use super::GiftdeckApp;
use crate::actions::speak::{ChatReader, ReadChat};
use crate::event::User;

impl GiftdeckApp {
    /// Speaks through `queue` instead of the system's speech service (tests: a service of their
    /// own).
    pub fn set_speech(&self, queue: crate::actions::speak::SpeechQueue) {
        self.executor.set_speech(queue);
    }

    /// Takes the speech queue's newest status. The queue starts on first use (a speak action,
    /// chat read aloud, Try it); from then on its changes wake the window.
    pub(super) fn speech_step(&mut self) {
        if self.speech_rx.is_none()
            && let Some(queue) = self.executor.speech_if_started()
        {
            let status = queue.status();
            self.wake_on_change(status.clone());
            self.speech_rx = Some(status);
        }
        if let Some(rx) = &mut self.speech_rx
            && (self.state.speech.is_none() || rx.has_changed().unwrap_or(false))
        {
            self.state.speech = Some(rx.borrow_and_update().clone());
        }
    }

    pub(super) fn speech_command(&mut self, command: &Command) {
        match command {
            Command::SkipSpeech => {
                if let Some(queue) = self.executor.speech_if_started() {
                    queue.skip();
                }
            }
            Command::StopSpeech => {
                if let Some(queue) = self.executor.speech_if_started() {
                    queue.stop_all();
                }
            }
            Command::TrySpeech => self.try_speech(),
            Command::OpenReadChat => self.state.windows.read_chat = true,
            _ => {}
        }
    }

    /// Says a sample message through the same filters chat is read with (the `!tts` rule, the
    /// audience and the cooldown aside).
    fn try_speech(&mut self) {
        let settings = ReadChat {
            enabled: true,
            only_command: false,
            audience: crate::mappings::Audience::Anyone,
            viewer_cooldown_seconds: 0,
            ..self.state.settings.read_chat.clone()
        };
        let viewer = User {
            unique_id: "viewer".into(),
            nickname: "Viewer".into(),
            ..User::default()
        };
        match ChatReader::new(settings).hear(&viewer, crate::i18n::tr("speech-sample"), 0) {
            Ok(utterance) => {
                if !self.executor.speech().say(utterance) {
                    self.notice(
                        NoticeLevel::Warning,
                        crate::i18n::tr("notice-speech-full").into(),
                    );
                }
            }
            Err(why) => self.notice(
                NoticeLevel::Warning,
                crate::trf!("notice-nothing-to-say", why = format!("{why:?}")),
            ),
        }
    }
}
