//! Text-to-speech for real: giftdeck's SSIP client and speech queue against Debian's
//! speech-dispatcher with espeak-ng, speaking into PulseAudio's null sink, recorded with parec.
#![cfg(target_os = "linux")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/real.rs"]
mod real;
#[path = "support/speech.rs"]
mod speech;

use std::time::{Duration, Instant};

use giftdeck::actions::speak::ssip::Ssip;
use giftdeck::actions::speak::{ChatReader, ReadChat, SpeechQueue, SpeechStatus, Utterance, Voice};
use giftdeck::event::User;
use speech::SpeechRig;
use tokio::sync::watch;

async fn settle(
    status: &mut watch::Receiver<SpeechStatus>,
    what: &str,
    done: impl Fn(&SpeechStatus) -> bool,
) {
    let reached = tokio::time::timeout(Duration::from_secs(60), status.wait_for(|s| done(s)))
        .await
        .is_ok_and(|r| r.is_ok());
    assert!(
        reached,
        "the speech queue never got to: {what} (status {:?})",
        status.borrow()
    );
}

fn viewer() -> User {
    User {
        user_id: 1,
        unique_id: "bob".into(),
        nickname: "Bob".into(),
        ..User::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_is_spoken_with_the_filtered_word_left_out() {
    let Some(rig) = SpeechRig::start() else {
        return;
    };
    let (proxy, sent) = rig.proxy().await;
    let recording = rig.record("chat.wav");
    let mut reader = ChatReader::new(ReadChat {
        enabled: true,
        word_filter: vec!["darn".into()],
        ..ReadChat::default()
    });
    let utterance = reader
        .hear(&viewer(), "!tts what a DARN good stream", 0)
        .unwrap();
    assert_eq!(utterance.text, "Bob says what a good stream");
    let queue = SpeechQueue::spawn(8, move || Ssip::connect(Some(proxy.clone())));
    let mut status = queue.status();
    assert!(queue.say(utterance));
    settle(&mut status, "spoken", |s| s.spoken == 1 || s.failed > 0).await;
    assert_eq!(
        status.borrow().failed,
        0,
        "{:?}",
        status.borrow().last_error
    );
    let audio = recording.stop();
    // "Bob says what a good stream" at espeak-ng's default rate: about 1.5 s.
    assert!(
        (0.6..6.0).contains(&audio.voiced_seconds),
        "implausible speech length: {audio:?}"
    );
    assert!(audio.peak > 0.05, "silence was recorded: {audio:?}");
    let sent = String::from_utf8_lossy(&sent.lock().unwrap()).into_owned();
    assert!(
        sent.contains("SPEAK\r\nBob says what a good stream\r\n.\r\n"),
        "{sent}"
    );
    assert!(
        !sent.to_lowercase().contains("darn"),
        "the filtered word reached the service: {sent}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_all_cuts_speech_short() {
    let Some(rig) = SpeechRig::start() else {
        return;
    };
    let recording = rig.record("long.wav");
    let socket = rig.socket.clone();
    let queue = SpeechQueue::spawn(8, move || Ssip::connect(Some(socket.clone())));
    let mut status = queue.status();
    // About 20 s of speech.
    let long = "This is a very long message that keeps going so that the panic button has something to cut. ".repeat(6);
    queue.say(Utterance {
        text: long,
        voice: Voice::new(None, None, None),
    });
    queue.say(Utterance {
        text: "and this one waits behind it".into(),
        voice: Voice::new(None, None, None),
    });
    // Wait (with a deadline) until speech is audible.
    let deadline = Instant::now() + Duration::from_secs(30);
    while recording.audio().voiced_seconds < 1.0 {
        assert!(
            Instant::now() < deadline,
            "no speech was heard: {:?}",
            recording.audio()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pressed = Instant::now();
    queue.stop_all();
    settle(&mut status, "cut", |s| s.speaking.is_none() && s.cut >= 2).await;
    assert!(pressed.elapsed() < Duration::from_secs(3));
    let after_stop = recording.audio().voiced_seconds;
    // Nothing more is said after Stop all (the waiting message was dropped too).
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let audio = recording.stop();
    assert!(
        audio.voiced_seconds < after_stop + 0.5,
        "speech went on after Stop all: {after_stop:.2} s then {audio:?}"
    );
    assert!(
        audio.voiced_seconds < 6.0,
        "Stop all did not cut 20 s of speech: {audio:?}"
    );
    assert_eq!(status.borrow().spoken, 0);
}
