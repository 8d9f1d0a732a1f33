//! The executor's keystroke thread and speech queue: made on first use (or handed in by the app
//! and the tests), the per-trigger cap and pace of keys actions ([`KeysTicket`] holds a place
//! until its action leaves the queue, however it leaves), reading chat aloud with the streamer's
//! filters, and "release all" for the panic button. Below `executor` and `runner`, which share it.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::keys::{KeysError, KeysGate, KeysPace, KeysRunner};
use super::speak::{ChatReader, NotRead, ReadChat, SpeakAction, SpeechQueue, Utterance, utterance};
use crate::event::User;

/// Utterances the speech queue holds; more are dropped and counted.
pub const SPEECH_CAPACITY: usize = 64;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A keys action's place under its trigger's cap, freed when dropped (the action ran, or was
/// cleared, too old, released or never run at the stop).
pub(super) struct KeysTicket {
    gate: Arc<Mutex<KeysGate>>,
    trigger: Arc<str>,
}

impl Drop for KeysTicket {
    fn drop(&mut self) {
        lock(&self.gate).leave(&self.trigger);
    }
}

impl std::fmt::Debug for KeysTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeysTicket({:?})", self.trigger)
    }
}

/// What "release all" did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Released {
    /// Keys and speak actions that waited in the queue, thrown away.
    pub dropped: usize,
    /// The keystroke thread was running: its held keys and buttons were let go.
    pub keys: bool,
    /// The speech queue was running: what was being said was cut and what waited dropped.
    pub speech: bool,
}

impl std::fmt::Display for Released {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.keys {
            "keystrokes stopped, every held key and button let go"
        } else {
            "no keystrokes had run"
        })?;
        f.write_str(if self.speech {
            "; speech stopped"
        } else {
            "; nothing was being said"
        })?;
        write!(f, "; {} waiting keys/speak action(s) dropped", self.dropped)
    }
}

/// The keystroke thread, the speech queue and what goes with them. Its locks are taken after the
/// queue's (`Shared`), never before: a ticket dropped under the queue's lock takes the gate's.
pub(super) struct Devices {
    keys: Mutex<Option<KeysRunner>>,
    speech: Mutex<Option<SpeechQueue>>,
    gate: Arc<Mutex<KeysGate>>,
    chat: Mutex<ChatReader>,
    /// Where the speech queue's task runs when it is made off the runtime (replay's dispatch).
    runtime: tokio::runtime::Handle,
    /// The gate's clock.
    epoch: Instant,
}

impl Devices {
    /// Call inside a tokio runtime.
    pub(super) fn new(pace: KeysPace, read_chat: ReadChat) -> Self {
        Self {
            keys: Mutex::new(None),
            speech: Mutex::new(None),
            gate: Arc::new(Mutex::new(KeysGate::new(pace))),
            chat: Mutex::new(ChatReader::new(read_chat)),
            runtime: tokio::runtime::Handle::current(),
            epoch: Instant::now(),
        }
    }

    fn now_millis(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A place for a keys action of `trigger`; `None` when the trigger's cap is reached (counted).
    pub(super) fn admit_keys(&self, trigger: &str) -> Option<KeysTicket> {
        lock(&self.gate).admit(trigger).then(|| KeysTicket {
            gate: self.gate.clone(),
            trigger: trigger.into(),
        })
    }

    /// How long the next keys action must still wait for the keys pace.
    pub(super) fn keys_wait(&self) -> Duration {
        let now = self.now_millis();
        Duration::from_millis(lock(&self.gate).next_start_millis(now).saturating_sub(now))
    }

    /// A keys action ended now: the pace counts from here.
    pub(super) fn keys_ran(&self) {
        let now = self.now_millis();
        lock(&self.gate).ran(now);
    }

    /// The keystroke thread, started on first use with this system's input backend.
    pub(super) fn keys(&self) -> Result<KeysRunner, KeysError> {
        let mut keys = lock(&self.keys);
        if let Some(runner) = keys.as_ref() {
            return Ok(runner.clone());
        }
        let runner = KeysRunner::spawn_system()?;
        *keys = Some(runner.clone());
        Ok(runner)
    }

    pub(super) fn set_keys(&self, runner: KeysRunner) {
        *lock(&self.keys) = Some(runner);
    }

    /// The speech queue, started on first use on this system's speech service.
    pub(super) fn speech(&self) -> SpeechQueue {
        lock(&self.speech)
            .get_or_insert_with(|| {
                let _entered = self.runtime.enter();
                super::speak::spawn_system_queue(SPEECH_CAPACITY)
            })
            .clone()
    }

    /// The speech queue if anything started it.
    pub(super) fn speech_if_started(&self) -> Option<SpeechQueue> {
        lock(&self.speech).clone()
    }

    pub(super) fn set_speech(&self, queue: SpeechQueue) {
        *lock(&self.speech) = Some(queue);
    }

    /// New settings: the pace applies to the next keys action; chat reading starts afresh
    /// (cooldowns forgotten) only when its settings changed.
    pub(super) fn configure(&self, pace: &KeysPace, read_chat: &ReadChat) {
        lock(&self.gate).set_pace(pace.clone());
        let mut chat = lock(&self.chat);
        if chat.settings() != read_chat {
            *chat = ChatReader::new(read_chat.clone());
        }
    }

    /// What a `speak` action says: `render_text` fills its placeholders, then the chat word filter
    /// and length apply to all of it. `None`: nothing left to say.
    pub(super) fn speak_text(
        &self,
        action: &SpeakAction,
        render_text: &dyn Fn(&str) -> String,
    ) -> Option<Utterance> {
        let chat = lock(&self.chat);
        utterance(
            action,
            render_text,
            chat.filter(),
            chat.settings().max_chars,
        )
    }

    /// Reads a chat message aloud if the "read chat aloud" setting takes it.
    pub(super) fn read_chat(
        &self,
        user: &User,
        message: &str,
        at_millis: u64,
    ) -> Result<Utterance, NotRead> {
        let utterance = lock(&self.chat).hear(user, message, at_millis)?;
        self.speech().say(utterance.clone());
        Ok(utterance)
    }

    /// Lets go of every held key and button and cuts all speech (without starting either).
    pub(super) fn release(&self) -> (bool, bool) {
        let keys = lock(&self.keys).clone();
        if let Some(keys) = &keys {
            keys.release_all();
        }
        let speech = lock(&self.speech).clone();
        if let Some(speech) = &speech {
            speech.stop_all();
        }
        (keys.is_some(), speech.is_some())
    }
}
