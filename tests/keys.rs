//! Keystrokes for real: a `keys` plan sent through XTest to a real X server (Xvfb), recorded by a
//! real X client window. The events must be exactly the mapped ones, in order, with the hold times
//! by the X server's clock; the focus guard and the panic button must let nothing through.
#![cfg(target_os = "linux")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/real.rs"]
mod real;
#[path = "support/xrecorder.rs"]
mod xrecorder;

use std::time::{Duration, Instant};

use giftdeck::actions::keys::{
    KeysAction, KeysError, KeysLimits, KeysRunner, Plan, names::char_keysym, plan, x11_backend,
};
use xrecorder::{Recorder, Seen, XServer};

const XK_CONTROL_L: u32 = 0xffe3;
const XK_SHIFT_L: u32 = 0xffe1;

fn runner(display: &str) -> KeysRunner {
    let display = display.to_owned();
    KeysRunner::spawn(Box::new(move || x11_backend(Some(&display)))).unwrap()
}

fn plan_of(json: &str, nickname: &str) -> Plan {
    let action: KeysAction = serde_json::from_str(json).unwrap();
    let render = |t: &str| t.replace("{nickname}", nickname);
    plan(&action, &render, &KeysLimits::default()).unwrap()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_issue_example_arrives_as_exactly_these_x_events() {
    let Some(x) = XServer::start() else { return };
    let recorder = Recorder::open(&x.display, "Minecraft 1.21.4 - Singleplayer");
    let keys = runner(&x.display);
    let plan = plan_of(
        r#"{"type":"keys","steps":[{"press":"ctrl+shift+k"},{"hold":"w","millis":500},{"wait_millis":100},{"click":"left"},{"type_text":"gg"}],"window":"Minecraft"}"#,
        "",
    );
    let done = rt().block_on(keys.run(plan)).unwrap();
    // Six key events for the chord, two for the hold, two for the click, one per typed character.
    assert_eq!(done.events, 12);
    let seen = recorder.wait_for(14, Duration::from_secs(10));
    let k = |down, keysym| ('k', down, keysym);
    let expected = vec![
        k(true, XK_CONTROL_L),
        k(true, XK_SHIFT_L),
        k(true, u32::from(b'k')),
        k(false, u32::from(b'k')),
        k(false, XK_SHIFT_L),
        k(false, XK_CONTROL_L),
        k(true, u32::from(b'w')),
        k(false, u32::from(b'w')),
        ('b', true, 1),
        ('b', false, 1),
        k(true, u32::from(b'g')),
        k(false, u32::from(b'g')),
        k(true, u32::from(b'g')),
        k(false, u32::from(b'g')),
    ];
    let got: Vec<_> = seen.iter().map(Seen::untimed).collect();
    assert_eq!(got, expected);
    // The hold, by the X server's clock: 500 ms, give or take a busy machine.
    let held = seen[7].time().wrapping_sub(seen[6].time());
    assert!((500..=600).contains(&held), "w was held {held} ms");
    // The wait and the step gaps separate the release of w from the click.
    let gap = seen[8].time().wrapping_sub(seen[7].time());
    assert!(gap >= 100, "only {gap} ms between the hold and the click");
    // Nothing else arrives later.
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(recorder.seen().len(), 14);
}

#[test]
fn text_the_layout_lacks_is_typed_on_a_borrowed_key() {
    let Some(x) = XServer::start() else { return };
    let recorder = Recorder::open(&x.display, "game");
    let keys = runner(&x.display);
    // A viewer's nickname with a character no US layout has, an uppercase letter (Shift) and a
    // line break that must not become Enter.
    let plan = plan_of(r#"{"steps":[{"type_text":"{nickname}"}]}"#, "Zé€\n!");
    rt().block_on(keys.run(plan)).unwrap();
    let seen = recorder.wait_for(12, Duration::from_secs(10));
    let presses: Vec<u32> = seen
        .iter()
        .filter_map(|s| match s {
            Seen::Key {
                down: true, keysym, ..
            } => Some(*keysym),
            _ => None,
        })
        .collect();
    // Z = Shift + z; é and € on borrowed key codes; the line break typed as a space; ! = Shift + 1.
    assert_eq!(
        presses,
        [
            XK_SHIFT_L,
            u32::from(b'z'),
            char_keysym('é'),
            char_keysym('€'),
            u32::from(b' '),
            XK_SHIFT_L,
            u32::from(b'1'),
        ]
    );
    assert!(
        !presses.contains(&0xff0d),
        "a line break in viewer text pressed Enter"
    );
}

#[test]
fn the_focus_guard_sends_nothing_to_another_window() {
    let Some(x) = XServer::start() else { return };
    let recorder = Recorder::open(&x.display, "OBS 30.2.3 - Profile: Untitled");
    let keys = runner(&x.display);
    let plan = plan_of(r#"{"steps":[{"press":"f5"}],"window":"Minecraft"}"#, "");
    let result = rt().block_on(keys.run(plan));
    match result {
        Err(KeysError::WrongWindow { focused, .. }) => {
            assert_eq!(focused.as_deref(), Some("OBS 30.2.3 - Profile: Untitled"));
        }
        other => panic!("expected the guard to refuse, got {other:?}"),
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(recorder.seen(), []);
}

#[test]
fn release_all_lets_go_of_a_long_hold_at_once() {
    let Some(x) = XServer::start() else { return };
    let recorder = Recorder::open(&x.display, "game");
    let keys = runner(&x.display);
    let plan = plan_of(r#"{"steps":[{"hold":"shift+w","millis":8000}]}"#, "");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let running = rt.spawn({
        let keys = keys.clone();
        async move { keys.run(plan).await }
    });
    let down = recorder.wait_for(2, Duration::from_secs(10));
    assert_eq!(down.len(), 2, "the hold never started: {down:?}");
    let pressed = Instant::now();
    keys.release_all();
    let result = rt.block_on(running).unwrap();
    assert!(matches!(result, Err(KeysError::Released)), "{result:?}");
    let returned = pressed.elapsed();
    let seen = recorder.wait_for(4, Duration::from_secs(5));
    let released = pressed.elapsed();
    assert!(
        returned < Duration::from_secs(3) && released < Duration::from_secs(3),
        "run returned after {returned:?}, the releases arrived after {released:?}: {seen:?}"
    );
    let got: Vec<_> = seen.iter().map(Seen::untimed).collect();
    assert_eq!(
        got,
        [
            ('k', true, XK_SHIFT_L),
            ('k', true, u32::from(b'w')),
            ('k', false, u32::from(b'w')),
            ('k', false, XK_SHIFT_L),
        ]
    );
    let held = seen[2].time().wrapping_sub(seen[1].time());
    assert!(held < 3_000, "released after {held} ms of an 8 s hold");
}
