//! The keystroke thread: runs one [`Plan`] at a time on a platform [`InputBackend`], sleeping
//! between events on a condition variable so "release all" (the panic button) cuts a hold short,
//! checks the focus guard before every press, and lets nothing stay held when a plan ends, fails
//! or is cut.

use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::names::{Key, MouseButton};
use super::plan::{Input, Plan};
use super::{KeysError, title_matches};

/// What sends input on this platform. Every call sends at once (no buffering past the call).
pub trait InputBackend: Send {
    /// Sends one event (never [`Input::Sleep`]). `game_mode`: Windows hardware scancodes.
    fn send(&mut self, input: &Input, game_mode: bool) -> Result<(), KeysError>;
    /// The focused window's title, `None` when no window has the focus.
    fn focused_title(&mut self) -> Result<Option<String>, KeysError>;
    /// Waits until everything sent so far has been handled (X11: one round trip).
    fn settle(&mut self) -> Result<(), KeysError> {
        Ok(())
    }
}

/// Makes the backend when the first plan runs (and again after a failure).
pub type BackendFactory = Box<dyn FnMut() -> Result<Box<dyn InputBackend>, KeysError> + Send>;

/// What a finished plan did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeysDone {
    /// Events sent (sleeps not counted).
    pub events: usize,
    pub elapsed: Duration,
}

struct Job {
    plan: Plan,
    generation: u64,
    reply: oneshot::Sender<Result<KeysDone, KeysError>>,
}

/// Bumped by "release all": a plan started under an older generation stops.
#[derive(Default)]
struct Generation {
    value: Mutex<u64>,
    changed: Condvar,
}

impl Generation {
    fn current(&self) -> u64 {
        *self.value.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn bump(&self) {
        let mut value = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        *value = value.wrapping_add(1);
        self.changed.notify_all();
    }

    /// Sleeps until `deadline`; false when the generation moved on first.
    fn sleep_until(&self, deadline: Instant, generation: u64) -> bool {
        let mut value = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if *value != generation {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            value = self
                .changed
                .wait_timeout(value, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// The handle to the keystroke thread. Cheap to clone.
#[derive(Clone)]
pub struct KeysRunner {
    jobs: SyncSender<Job>,
    generation: Arc<Generation>,
}

impl std::fmt::Debug for KeysRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeysRunner").finish_non_exhaustive()
    }
}

/// Plans that may wait for the thread (the executor runs one at a time, so one is plenty).
const WAITING_PLANS: usize = 4;

impl KeysRunner {
    /// Starts the thread `keys` with the backend `factory` makes.
    pub fn spawn(factory: BackendFactory) -> Result<Self, KeysError> {
        let (jobs, receiver) = sync_channel::<Job>(WAITING_PLANS);
        let generation = Arc::new(Generation::default());
        let shared = generation.clone();
        std::thread::Builder::new()
            .name("keys".into())
            .spawn(move || {
                let mut worker = Worker {
                    factory,
                    backend: None,
                    held_keys: Vec::new(),
                    held_buttons: Vec::new(),
                    generation: shared,
                };
                while let Ok(job) = receiver.recv() {
                    let result = worker.run(&job.plan, job.generation);
                    let _ = job.reply.send(result);
                }
            })
            .map_err(|err| KeysError::Thread(err.to_string()))?;
        Ok(Self { jobs, generation })
    }

    /// Starts the thread with this platform's backend (X11 XTest, Windows `SendInput`).
    pub fn spawn_system() -> Result<Self, KeysError> {
        Self::spawn(Box::new(super::system_backend))
    }

    /// Runs a plan and waits for it. Plans queued before a [`KeysRunner::release_all`] do not run.
    pub async fn run(&self, plan: Plan) -> Result<KeysDone, KeysError> {
        let (reply, done) = oneshot::channel();
        let job = Job {
            plan,
            generation: self.generation.current(),
            reply,
        };
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(KeysError::Busy),
            Err(TrySendError::Disconnected(_)) => return Err(KeysError::Thread("stopped".into())),
        }
        done.await
            .unwrap_or_else(|_| Err(KeysError::Thread("stopped".into())))
    }

    /// The panic button: cuts the running plan short, releases every key and button it holds, and
    /// drops plans already waiting. Never blocks.
    pub fn release_all(&self) {
        self.generation.bump();
    }
}

struct Worker {
    factory: BackendFactory,
    backend: Option<Box<dyn InputBackend>>,
    held_keys: Vec<Key>,
    held_buttons: Vec<MouseButton>,
    generation: Arc<Generation>,
}

impl Worker {
    fn run(&mut self, plan: &Plan, generation: u64) -> Result<KeysDone, KeysError> {
        if self.generation.current() != generation {
            return Err(KeysError::Released);
        }
        if self.backend.is_none() {
            self.backend = Some((self.factory)()?);
        }
        let started = Instant::now();
        let result = self.send_all(plan, generation);
        let released = self
            .release_held(plan.game_mode)
            .and_then(|()| self.backend.as_mut().map_or(Ok(()), |b| b.settle()));
        let broken = |e: Option<&KeysError>| {
            matches!(e, Some(KeysError::Send(_) | KeysError::NoDisplay { .. }))
        };
        if broken(result.as_ref().err()) || broken(released.as_ref().err()) {
            // A broken connection is made again for the next plan.
            self.backend = None;
        }
        let events = result?;
        released?;
        Ok(KeysDone {
            events,
            elapsed: started.elapsed(),
        })
    }

    fn send_all(&mut self, plan: &Plan, generation: u64) -> Result<usize, KeysError> {
        let mut events = 0;
        // Sleeps are measured from one deadline to the next, so sending time does not add up;
        // but never from before the event that starts them has been handled (a busy machine's
        // late press must not make its hold shorter than mapped: the game would see less).
        let mut deadline = Instant::now();
        for input in &plan.inputs {
            if let Input::Sleep { millis } = input {
                if let Some(backend) = self.backend.as_mut() {
                    backend.settle()?;
                }
                deadline = deadline.max(Instant::now()) + Duration::from_millis(*millis);
                if !self.generation.sleep_until(deadline, generation) {
                    return Err(KeysError::Released);
                }
                continue;
            }
            if self.generation.current() != generation {
                return Err(KeysError::Released);
            }
            let backend = self
                .backend
                .as_mut()
                .ok_or_else(|| KeysError::Thread("no input backend".into()))?;
            if starts_something(input) && !plan.window.is_empty() {
                let focused = backend.focused_title()?;
                if !focused
                    .as_deref()
                    .is_some_and(|title| title_matches(&plan.window, title))
                {
                    return Err(KeysError::WrongWindow {
                        wanted: plan.window.clone(),
                        focused,
                    });
                }
            }
            backend.send(input, plan.game_mode)?;
            events += 1;
            match *input {
                Input::Key { key, down: true } => self.held_keys.push(key),
                Input::Key { key, down: false } => self.held_keys.retain(|k| *k != key),
                Input::Button { button, down: true } => self.held_buttons.push(button),
                Input::Button {
                    button,
                    down: false,
                } => self.held_buttons.retain(|b| *b != button),
                _ => {}
            }
            deadline = deadline.max(Instant::now());
        }
        Ok(events)
    }

    /// Releases what is still down, newest first. Tries every one even when one fails.
    fn release_held(&mut self, game_mode: bool) -> Result<(), KeysError> {
        let Some(backend) = self.backend.as_mut() else {
            self.held_keys.clear();
            self.held_buttons.clear();
            return Ok(());
        };
        let mut first_error = None;
        for button in self.held_buttons.drain(..).rev() {
            if let Err(err) = backend.send(
                &Input::Button {
                    button,
                    down: false,
                },
                game_mode,
            ) {
                first_error.get_or_insert(err);
            }
        }
        for key in self.held_keys.drain(..).rev() {
            if let Err(err) = backend.send(&Input::Key { key, down: false }, game_mode) {
                first_error.get_or_insert(err);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// Inputs that begin something a wrong window must not get (releases always go through).
fn starts_something(input: &Input) -> bool {
    matches!(
        input,
        Input::Key { down: true, .. }
            | Input::Button { down: true, .. }
            | Input::Char(_)
            | Input::Scroll(_)
            | Input::MoveTo { .. }
            | Input::MoveBy { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::keys::plan::{KeysLimits, plan};
    use crate::actions::keys::spec::KeysAction;

    #[derive(Clone, Default)]
    struct Record {
        sent: Arc<Mutex<Vec<(Input, Instant)>>>,
        title: Arc<Mutex<Option<String>>>,
        /// How long each event takes to arrive (a busy machine).
        delay: Arc<Mutex<Duration>>,
    }

    struct Fake(Record);

    impl InputBackend for Fake {
        fn send(&mut self, input: &Input, _game_mode: bool) -> Result<(), KeysError> {
            let delay = *self.0.delay.lock().unwrap();
            std::thread::sleep(delay);
            self.0
                .sent
                .lock()
                .unwrap()
                .push((input.clone(), Instant::now()));
            Ok(())
        }
        fn focused_title(&mut self) -> Result<Option<String>, KeysError> {
            Ok(self.0.title.lock().unwrap().clone())
        }
    }

    fn runner(record: &Record) -> KeysRunner {
        let record = record.clone();
        KeysRunner::spawn(Box::new(move || Ok(Box::new(Fake(record.clone())) as _))).unwrap()
    }

    fn plan_of(json: &str) -> Plan {
        let action: KeysAction = serde_json::from_str(json).unwrap();
        plan(&action, &|t| t.to_owned(), &KeysLimits::default()).unwrap()
    }

    fn sent(record: &Record) -> Vec<Input> {
        record
            .sent
            .lock()
            .unwrap()
            .iter()
            .map(|(i, _)| i.clone())
            .collect()
    }

    #[tokio::test]
    async fn a_late_press_on_a_busy_machine_still_gets_its_whole_hold() {
        let record = Record::default();
        *record.delay.lock().unwrap() = Duration::from_millis(80);
        let keys = runner(&record);
        keys.run(plan_of(
            r#"{"steps":[{"press":"a"},{"press":"b"},{"hold":"w","millis":100}]}"#,
        ))
        .await
        .unwrap();
        let events = record.sent.lock().unwrap().clone();
        assert_eq!(events.len(), 6);
        // Four events arrived 80 ms apart before w went down: 320 ms behind the plan's start.
        let held = events[5].1 - events[4].1;
        assert!(held >= Duration::from_millis(100), "{held:?}");
    }

    #[tokio::test]
    async fn a_hold_lasts_its_time_and_releases() {
        let record = Record::default();
        let keys = runner(&record);
        let done = keys
            .run(plan_of(r#"{"steps":[{"hold":"w","millis":120}]}"#))
            .await
            .unwrap();
        assert_eq!(done.events, 2);
        let events = record.sent.lock().unwrap().clone();
        let held = events[1].1 - events[0].1;
        assert!(held >= Duration::from_millis(120), "{held:?}");
        assert!(held < Duration::from_millis(400), "{held:?}");
    }

    #[tokio::test]
    async fn release_all_cuts_a_hold_and_lets_nothing_stay_down() {
        let record = Record::default();
        let keys = runner(&record);
        let run = tokio::spawn({
            let keys = keys.clone();
            async move {
                keys.run(plan_of(r#"{"steps":[{"hold":"ctrl+w","millis":10000}]}"#))
                    .await
            }
        });
        // Wait (with a deadline) until both keys are down, then press the panic button.
        let deadline = Instant::now() + Duration::from_secs(5);
        while sent(&record).len() < 2 {
            assert!(Instant::now() < deadline, "the keys never went down");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let pressed_at = Instant::now();
        keys.release_all();
        let result = run.await.unwrap();
        assert!(matches!(result, Err(KeysError::Released)), "{result:?}");
        assert!(pressed_at.elapsed() < Duration::from_secs(2));
        assert_eq!(
            sent(&record),
            [
                Input::Key {
                    key: Key::ControlLeft,
                    down: true
                },
                Input::Key {
                    key: Key::Letter(b'w'),
                    down: true
                },
                Input::Key {
                    key: Key::Letter(b'w'),
                    down: false
                },
                Input::Key {
                    key: Key::ControlLeft,
                    down: false
                },
            ]
        );
        // The next plan runs normally.
        keys.run(plan_of(r#"{"steps":[{"press":"a"}]}"#))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn the_focus_guard_stops_before_a_wrong_window_gets_anything() {
        let record = Record::default();
        *record.title.lock().unwrap() = Some("OBS 30.0 - Scenes".into());
        let keys = runner(&record);
        let result = keys
            .run(plan_of(
                r#"{"steps":[{"type_text":"gg"}],"window":"minecraft"}"#,
            ))
            .await;
        match result {
            Err(KeysError::WrongWindow { wanted, focused }) => {
                assert_eq!(wanted, "minecraft");
                assert_eq!(focused.as_deref(), Some("OBS 30.0 - Scenes"));
            }
            other => panic!("{other:?}"),
        }
        assert!(sent(&record).is_empty());
        *record.title.lock().unwrap() = Some("Minecraft 1.21.4".into());
        keys.run(plan_of(
            r#"{"steps":[{"type_text":"gg"}],"window":"minecraft"}"#,
        ))
        .await
        .unwrap();
        assert_eq!(sent(&record), [Input::Char('g'), Input::Char('g')]);
    }
}
