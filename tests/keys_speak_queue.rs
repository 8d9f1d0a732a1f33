//! Keys and speak actions in the one action queue: in order with the other actions, keys at their
//! own pace and under a per-trigger cap, speech handed to the speech queue (filtered, never holding
//! the queue up, counted once said), chat read aloud from the dispatch, and "release all" letting
//! go of held keys and cutting speech. The keystroke thread and the speech queue are the real ones;
//! only the platform ends (an input backend, a speech service) are recording fakes here —
//! tests/keys.rs and tests/speak.rs drive the real X server and speech-dispatcher.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use giftdeck::actions::keys::{
    Input, InputBackend, Key, KeysAction, KeysError, KeysPace, KeysRunner,
};
use giftdeck::actions::speak::{
    ReadChat, Said, SpeakAction, SpeechError, SpeechQueue, SpeechService, Utterance,
};
use giftdeck::actions::{ExecMsg, ExecutorConfig, ExecutorHandle, QueueStatus, spawn_executor};
use giftdeck::dispatch::{Dispatch, ReadAloud, Source};
use giftdeck::engine::{Decision, Output, Stamped};
use giftdeck::event::{CreditedGift, LiveEvent, User};
use giftdeck::live::LiveMsg;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use tokio::sync::{mpsc, watch};

const WAIT: Duration = Duration::from_secs(20);

/// Every input event the fake backend got, with when.
#[derive(Clone, Default)]
struct Inputs(Arc<Mutex<Vec<(Input, Instant)>>>);

impl Inputs {
    fn events(&self) -> Vec<Input> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(i, _)| i.clone())
            .collect()
    }

    fn timed(&self) -> Vec<(Input, Instant)> {
        self.0.lock().unwrap().clone()
    }

    fn runner(&self) -> KeysRunner {
        let inputs = self.clone();
        KeysRunner::spawn(Box::new(move || {
            Ok(Box::new(Backend(inputs.clone())) as Box<dyn InputBackend>)
        }))
        .unwrap()
    }
}

struct Backend(Inputs);

impl InputBackend for Backend {
    fn send(&mut self, input: &Input, _game_mode: bool) -> Result<(), KeysError> {
        self.0
            .0
            .lock()
            .unwrap()
            .push((input.clone(), Instant::now()));
        Ok(())
    }
    fn focused_title(&mut self) -> Result<Option<String>, KeysError> {
        Ok(Some("game".into()))
    }
}

/// What the fake speech service was asked to say and how each ended.
#[derive(Clone, Default)]
struct Heard(Arc<Mutex<Vec<(String, Said)>>>);

struct Voice {
    heard: Heard,
    millis: u64,
}

impl SpeechService for Voice {
    async fn say(
        &mut self,
        utterance: &Utterance,
        cancel: &mut watch::Receiver<u64>,
    ) -> Result<Said, SpeechError> {
        let said = tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(self.millis)) => Said::Finished,
            _ = cancel.changed() => Said::Cancelled,
        };
        self.heard
            .0
            .lock()
            .unwrap()
            .push((utterance.text.clone(), said));
        Ok(said)
    }
}

impl Heard {
    fn queue(&self, millis: u64) -> SpeechQueue {
        let heard = self.clone();
        SpeechQueue::spawn(16, move || {
            let heard = heard.clone();
            async move { Ok(Voice { heard, millis }) }
        })
    }

    fn all(&self) -> Vec<(String, Said)> {
        self.0.lock().unwrap().clone()
    }
}

fn keys(json: &str) -> Action {
    Action::Keys(serde_json::from_str::<KeysAction>(json).unwrap())
}

fn speak(text: &str) -> Action {
    Action::Speak(SpeakAction {
        text: text.into(),
        ..SpeakAction::default()
    })
}

fn overlay(title: &str) -> Action {
    Action::OverlayText {
        title: title.into(),
        subtitle: String::new(),
        seconds: 1,
    }
}

fn decision(mapping: &Mapping, count: u32) -> Decision {
    Decision {
        gift: CreditedGift {
            msg_id: 7,
            user_id: 42,
            unique_id: "bob".into(),
            nickname: "Bob".into(),
            gift_name: mapping.trigger.clone(),
            count,
            trigger: Some(mapping.trigger.clone()),
            ..giftdeck::testkit::outputs::rose()
        },
        mapping: Some(mapping.clone()),
    }
}

struct Exec {
    handle: Arc<ExecutorHandle>,
    events: mpsc::Receiver<ExecMsg>,
    _mappings: watch::Sender<MappingTable>,
}

fn start(config: ExecutorConfig) -> Exec {
    let (tx, rx) = watch::channel(MappingTable::default());
    let (events_tx, events) = mpsc::channel(4096);
    let handle = Arc::new(spawn_executor(config, rx, events_tx, Arc::new(|| {})));
    Exec {
        handle,
        events,
        _mappings: tx,
    }
}

impl Exec {
    /// The log so far: what ran and its outcome, in the order logged.
    fn logs(&mut self) -> Vec<(String, Result<String, String>)> {
        let mut out = Vec::new();
        while let Ok(ExecMsg::Log(line)) = self.events.try_recv() {
            out.push((line.action, line.outcome.map_err(|e| e.to_string())));
        }
        out
    }
}

fn config() -> ExecutorConfig {
    ExecutorConfig {
        gap_millis: 0,
        ..ExecutorConfig::default()
    }
}

async fn status_until(handle: &ExecutorHandle, done: impl Fn(&QueueStatus) -> bool) -> QueueStatus {
    let mut status = handle.status_watch();
    let reached = tokio::time::timeout(WAIT, status.wait_for(|s| done(s))).await;
    assert!(
        matches!(reached, Ok(Ok(_))),
        "timed out; last status {:?}",
        handle.status()
    );
    handle.status()
}

async fn drained(handle: &ExecutorHandle) {
    tokio::time::timeout(WAIT, handle.drained())
        .await
        .expect("the queue drained in time");
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn letter(c: u8, down: bool) -> Input {
    Input::Key {
        key: Key::Letter(c),
        down,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_run_in_queue_order_at_their_own_pace() {
    let inputs = Inputs::default();
    let mut exec = start(ExecutorConfig {
        keys_pace: KeysPace {
            gap_millis: 300,
            ..KeysPace::default()
        },
        ..config()
    });
    exec.handle.set_keys(inputs.runner());
    let mapping = Mapping::new(
        "Rose",
        vec![
            keys(r#"{"steps":[{"press":"a"}]}"#),
            overlay("between"),
            keys(r#"{"steps":[{"type_text":"{nickname}"}]}"#),
        ],
    );
    assert_eq!(exec.handle.enqueue(&decision(&mapping, 1)), 3);
    drained(&exec.handle).await;
    assert_eq!(
        inputs.events(),
        [
            letter(b'a', true),
            letter(b'a', false),
            Input::Char('B'),
            Input::Char('o'),
            Input::Char('b'),
        ]
    );
    let timed = inputs.timed();
    let gap = timed[2].1 - timed[1].1;
    assert!(
        gap >= Duration::from_millis(300),
        "the second keys action started {gap:?} after the first ended (queue gap 0, keys pace 300 ms)"
    );
    let logs = exec.logs();
    let actions: Vec<&str> = logs.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        ["⌨ a", ">> between (1 s)", "⌨ type “Bob”"],
        "{logs:?}"
    );
    assert!(logs.iter().all(|(_, outcome)| outcome.is_ok()), "{logs:?}");
    assert_eq!(exec.handle.status().done, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_is_capped_per_trigger_and_the_places_come_back() {
    let inputs = Inputs::default();
    let exec = start(ExecutorConfig {
        keys_pace: KeysPace {
            max_per_trigger: 3,
            gap_millis: 0,
        },
        ..config()
    });
    exec.handle.set_keys(inputs.runner());
    let walk = Mapping::new(
        "Rose",
        vec![keys(r#"{"steps":[{"hold":"w","millis":50}]}"#)],
    );
    let jump = Mapping::new("Lion", vec![keys(r#"{"steps":[{"press":"space"}]}"#)]);
    // 50 roses at once would be 50 holds: three wait, the rest are dropped and counted.
    assert_eq!(exec.handle.enqueue(&decision(&walk, 50)), 3);
    assert_eq!(
        exec.handle.enqueue(&decision(&jump, 5)),
        3,
        "another trigger has its own cap"
    );
    let status = exec.handle.status();
    assert_eq!((status.keys_capped, status.dropped), (49, 49), "{status:?}");
    drained(&exec.handle).await;
    let holds = inputs
        .events()
        .iter()
        .filter(|i| **i == letter(b'w', true))
        .count();
    assert_eq!(holds, 3);
    // Once they ran, the trigger's places are free again.
    assert_eq!(exec.handle.enqueue(&decision(&walk, 2)), 2);
    drained(&exec.handle).await;
    assert_eq!(exec.handle.status().done, 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speech_is_filtered_never_holds_the_queue_and_counts_once_said() {
    let heard = Heard::default();
    let mut exec = start(ExecutorConfig {
        read_chat: ReadChat {
            word_filter: vec!["darn".into()],
            ..ReadChat::default()
        },
        ..config()
    });
    exec.handle.set_speech(heard.queue(400));
    let mapping = Mapping::new(
        "Rose",
        vec![speak("{nickname} sent a DARN {gift}"), overlay("after")],
    );
    exec.handle.enqueue(&decision(&mapping, 1));
    // The overlay action runs while the text is still being said.
    let status = status_until(&exec.handle, |s| s.done == 1).await;
    assert_eq!(status.speaking, 1, "{status:?}");
    drained(&exec.handle).await;
    assert_eq!(
        heard.all(),
        [("Bob sent a Rose".to_owned(), Said::Finished)]
    );
    let logs = exec.logs();
    assert_eq!(
        logs,
        [
            (
                ">> after (1 s)".to_owned(),
                Ok("not shown: overlays are off (overlay port 0)".to_owned())
            ),
            ("🔊 “Bob sent a Rose”".to_owned(), Ok("said".to_owned())),
        ]
    );
    let status = exec.handle.status();
    assert_eq!((status.done, status.speaking), (2, 0), "{status:?}");
}

fn chat(text: &str, at_millis: u64) -> LiveMsg {
    LiveMsg::Output(Stamped {
        at_millis,
        output: Output::Event(LiveEvent::Chat {
            msg_id: i64::try_from(at_millis).unwrap(),
            user: User {
                user_id: 42,
                unique_id: "bob".into(),
                nickname: "Bob".into(),
                ..User::default()
            },
            text: text.into(),
            create_time_millis: 0,
        }),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_is_read_aloud_from_the_dispatch_by_the_settings() {
    let heard = Heard::default();
    let exec = start(ExecutorConfig {
        read_chat: ReadChat {
            enabled: true,
            word_filter: vec!["darn".into()],
            viewer_cooldown_seconds: 10,
            ..ReadChat::default()
        },
        ..config()
    });
    exec.handle.set_speech(heard.queue(10));
    let mut reader = ReadAloud::new(exec.handle.clone());
    {
        let mut dispatch = Dispatch::new(Source::STREAM);
        dispatch.subscribe(&mut reader);
        dispatch.deliver(&chat("hello everyone", 1_000));
        dispatch.deliver(&chat("!tts what a darn good stream", 2_000));
        // The same viewer again within the cooldown (by the engine's clock): not read.
        dispatch.deliver(&chat("!tts again", 5_000));
        dispatch.deliver(&chat("!tts later", 13_000));
    }
    assert_eq!(reader.read(), 2);
    until("two messages said", || heard.all().len() == 2).await;
    assert_eq!(
        heard.all(),
        [
            ("Bob says what a good stream".to_owned(), Said::Finished),
            ("Bob says later".to_owned(), Said::Finished),
        ]
    );
    // Turned off: nothing is read.
    exec.handle.set_config(config());
    exec.handle
        .read_chat(&User::default(), "!tts hi", 60_000)
        .unwrap_err();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_all_lets_go_of_held_keys_cuts_speech_and_drops_what_waits() {
    let inputs = Inputs::default();
    let heard = Heard::default();
    let mut exec = start(config());
    exec.handle.set_keys(inputs.runner());
    exec.handle.set_speech(heard.queue(60_000));
    let talk = Mapping::new("Talk", vec![speak("a very long speech")]);
    let walk = Mapping::new(
        "Walk",
        vec![keys(r#"{"steps":[{"hold":"w","millis":8000}]}"#)],
    );
    let more = Mapping::new(
        "More",
        vec![keys(r#"{"steps":[{"press":"x"}]}"#), speak("never said")],
    );
    exec.handle.enqueue(&decision(&talk, 1));
    exec.handle.enqueue(&decision(&walk, 1));
    exec.handle.enqueue(&decision(&more, 1));
    until("w is held", || inputs.events() == [letter(b'w', true)]).await;
    let status = exec.handle.status();
    assert_eq!((status.speaking, status.depth), (1, 2), "{status:?}");

    let pressed = Instant::now();
    let released = exec.handle.release_all();
    assert_eq!(released.dropped, 2, "{released:?}");
    assert!(released.keys && released.speech, "{released:?}");
    let status = status_until(&exec.handle, |s| s.speaking == 0 && s.running.is_none()).await;
    assert!(
        pressed.elapsed() < Duration::from_secs(2),
        "released after {:?}",
        pressed.elapsed()
    );
    assert_eq!(inputs.events(), [letter(b'w', true), letter(b'w', false)]);
    assert_eq!(
        heard.all(),
        [("a very long speech".to_owned(), Said::Cancelled)]
    );
    assert_eq!(status.depth, 0);
    assert_eq!(status.cleared, 2);
    let logs = exec.logs();
    let hold = logs.iter().find(|(a, _)| a.contains("hold w")).unwrap();
    assert!(
        hold.1.as_ref().unwrap_err().contains("released"),
        "{logs:?}"
    );
    assert!(
        logs.iter().any(|(a, _)| a.contains("Release keys")),
        "{logs:?}"
    );

    // Afterwards keys and speech work again.
    let again = Mapping::new("Again", vec![keys(r#"{"steps":[{"press":"z"}]}"#)]);
    exec.handle.enqueue(&decision(&again, 1));
    drained(&exec.handle).await;
    assert_eq!(inputs.events().last(), Some(&letter(b'z', false)));
}

/// The panic button, end to end on a real RCON server: everything that waits is thrown away (the
/// paused queue and a queue held for another server), the held key is let go, speech is cut, and
/// the cleanup command runs on the current server at once, while the queue stays paused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panic_clears_what_waits_releases_keys_and_runs_the_cleanup_while_paused() {
    use giftdeck::actions::{Origin, ServerId};
    use giftdeck::testkit::rcon::FakeRcon;
    let server = FakeRcon::start("pw").await.unwrap();
    let inputs = Inputs::default();
    let heard = Heard::default();
    let mut exec = start(ExecutorConfig {
        rcon: Some(giftdeck::actions::RconConfig {
            host: "127.0.0.1".into(),
            port: server.port(),
            password: "pw".into(),
        }),
        ..config()
    });
    exec.handle.set_keys(inputs.runner());
    exec.handle.set_speech(heard.queue(60_000));
    let talk = Mapping::new("Talk", vec![speak("a very long speech")]);
    let walk = Mapping::new(
        "Walk",
        vec![keys(r#"{"steps":[{"hold":"w","millis":8000}]}"#)],
    );
    let tnt = Mapping::new(
        "TNT",
        vec![Action::Command {
            command: "summon tnt".into(),
            repeat: 1,
        }],
    );
    exec.handle.enqueue(&decision(&talk, 1));
    exec.handle.enqueue(&decision(&walk, 1));
    until("w is held", || inputs.events() == [letter(b'w', true)]).await;
    exec.handle.pause();
    assert_eq!(exec.handle.enqueue(&decision(&tnt, 30)), 30);
    assert_eq!(
        exec.handle.enqueue_from(&decision(&tnt, 5), Origin::Demo),
        5,
        "held for the demo server"
    );

    let report = exec
        .handle
        .panic(&["/kill @e[type=tnt]".into(), "  ".into()]);
    assert_eq!((report.cleared, report.cleared_held), (30, 5), "{report:?}");
    assert!(report.released.keys && report.released.speech, "{report:?}");
    assert_eq!(report.cleanup, 1);
    assert_eq!(report.server, ServerId::rcon("127.0.0.1", server.port()));

    until("the cleanup reaches the server", || {
        server.commands().contains(&"kill @e[type=tnt]".to_owned())
    })
    .await;
    let status = status_until(&exec.handle, |s| s.urgent == 0 && s.running.is_none()).await;
    assert!(status.paused, "the queue stays paused: {status:?}");
    assert_eq!((status.depth, status.held.len()), (0, 0), "{status:?}");
    assert_eq!(status.cleared, 35);
    assert_eq!(server.commands(), ["kill @e[type=tnt]"], "no TNT ever ran");
    assert_eq!(inputs.events(), [letter(b'w', true), letter(b'w', false)]);
    until("the speech is cut", || {
        heard.all() == [("a very long speech".to_owned(), Said::Cancelled)]
    })
    .await;
    let logs = exec.logs();
    let panic = logs.iter().find(|(a, _)| a.contains("Panic")).unwrap();
    assert!(
        panic
            .1
            .as_ref()
            .unwrap()
            .contains("35 waiting action(s) cleared"),
        "{logs:?}"
    );

    // What arrives after the press waits for Resume.
    exec.handle.enqueue(&decision(&tnt, 1));
    let status = exec.handle.status();
    assert_eq!((status.paused, status.depth), (true, 1));
    exec.handle.resume();
    drained(&exec.handle).await;
    assert_eq!(server.commands(), ["kill @e[type=tnt]", "summon tnt"]);
}
