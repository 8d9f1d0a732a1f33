//! The action editor's keys and speak actions and the "Read chat aloud" window, driven headless
//! with egui_kittest as a streamer would: fields typed, steps added, moved and removed, and the
//! JSON saved in the settings file checked against the contract in docs/actions.md. The speech
//! queue's Skip, Stop all and Try it run against a speech service of the test's own, which speaks
//! until it is cut and keeps every text it was handed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use giftdeck::actions::speak::{
    Said, SpeechError, SpeechQueue, SpeechService, SpeechStatus, Utterance,
};
use giftdeck::mappings::{Action, Mapping};
use giftdeck::ui::GiftdeckApp;
use serde_json::Value;
use ui_harness::*;

#[path = "support/ui_harness.rs"]
mod ui_harness;

/// The keys action of the issue and docs/actions.md, exactly.
const KEYS_CONTRACT: &str = r#"{"type":"keys","steps":[{"press":"ctrl+shift+k"},{"hold":"w","millis":500},{"wait_millis":100},{"click":"left"},{"type_text":"gg"}],"window":"Minecraft"}"#;

/// A tall window: the actions window and the side panel fit without scrolling.
fn tall_harness(app: GiftdeckApp) -> Harness<'static, GiftdeckApp> {
    Harness::builder()
        .with_size([1280.0, 1400.0])
        .build_ui_state(|ui, app: &mut GiftdeckApp| app.frame_ui(ui), app)
}

fn steps(h: &mut Harness<'_, GiftdeckApp>, n: usize) {
    for _ in 0..n {
        h.step();
    }
}

/// The empty text field showing `hint`.
fn hinted_field<'h>(h: &'h Harness<'_, GiftdeckApp>, hint: &'h str) -> egui_kittest::Node<'h> {
    h.get_by(move |node| {
        node.role() == egui::accesskit::Role::TextInput && node.placeholder() == Some(hint)
    })
}

/// Focuses the empty field showing `hint` and types `text` into it, then leaves it.
fn fill_hinted(h: &mut Harness<'_, GiftdeckApp>, hint: &str, text: &str) {
    hinted_field(h, hint).focus();
    h.step();
    hinted_field_focused(h).type_text(text);
    steps(h, 2);
}

/// The text field that has the keyboard focus.
fn hinted_field_focused<'h>(h: &'h Harness<'_, GiftdeckApp>) -> egui_kittest::Node<'h> {
    h.get_by(|node| node.role() == egui::accesskit::Role::TextInput && node.is_focused())
}

/// The single- or multi-line text field that has the keyboard focus.
fn hinted_field_focused_any<'h>(h: &'h Harness<'_, GiftdeckApp>) -> egui_kittest::Node<'h> {
    h.get_by(|node| {
        matches!(
            node.role(),
            egui::accesskit::Role::TextInput | egui::accesskit::Role::MultilineTextInput
        ) && node.is_focused()
    })
}

fn fill_labelled(h: &mut Harness<'_, GiftdeckApp>, label: &str, text: &str) {
    labelled_field(h, label).focus();
    h.step();
    labelled_field(h, label).type_text(text);
    steps(h, 2);
}

/// Opens a menu button and picks `item`.
fn pick(h: &mut Harness<'_, GiftdeckApp>, menu: &str, item: &str) {
    h.get_by_label(menu).click();
    steps(h, 2);
    h.get_by_label(item).click();
    steps(h, 2);
}

/// The settings file once the app saved it with `done` holding.
fn saved(path: &Path, h: &mut Harness<'_, GiftdeckApp>, done: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        h.step();
        if let Some(json) = std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            && done(&json)
        {
            return json;
        }
        assert!(started.elapsed() < TIMEOUT, "settings never saved");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn open_editor(h: &mut Harness<'_, GiftdeckApp>) {
    h.get_by_label("🎁 Triggers").click();
    steps(h, 2);
    h.get_all_by_label("✏ Edit").next().unwrap().click();
    steps(h, 2);
}

#[test]
fn a_keys_action_built_in_the_editor_saves_as_the_documented_json() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut app = app(&rt, &path, false);
    app.set_mappings(vec![Mapping::new("Rose", vec![])]);
    let mut h = tall_harness(app);
    h.step();
    open_editor(&mut h);
    h.get_by_label("⌨ Keys").click();
    steps(&mut h, 2);
    fill_hinted(&mut h, "e.g. ctrl+shift+k", "ctrl+shift+k");
    pick(&mut h, "➕ Add step", "Hold keys");
    fill_hinted(&mut h, "e.g. ctrl+shift+k", "w");
    pick(&mut h, "➕ Add step", "Wait");
    pick(&mut h, "➕ Add step", "Click");
    pick(&mut h, "➕ Add step", "Type text");
    fill_hinted(&mut h, "e.g. gg {nickname}", "gg");
    fill_labelled(
        &mut h,
        "Only when the focused window's title contains",
        "Minecraft",
    );
    let contract: Value = serde_json::from_str(KEYS_CONTRACT).unwrap();
    let json = saved(&path, &mut h, |json| {
        json["mappings"][0]["actions"].get(0) == Some(&contract)
    });
    assert_eq!(json["mappings"][0]["actions"][0], contract);
    let action = serde_json::to_string(&h.state().mappings()[0].actions[0]).unwrap();
    assert_eq!(action, KEYS_CONTRACT);
    assert!(
        h.query_by_label_contains("is not a key name").is_none(),
        "a valid action shows no problem"
    );
}

#[test]
fn the_keys_editor_names_a_wrong_key_and_moves_and_removes_steps() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(&rt, &dir.path().join("settings.json"), false);
    app.set_mappings(vec![Mapping::new("Rose", vec![])]);
    let mut h = tall_harness(app);
    h.step();
    open_editor(&mut h);
    h.get_by_label("⌨ Keys").click();
    steps(&mut h, 2);
    fill_hinted(&mut h, "e.g. ctrl+shift+k", "w");
    pick(&mut h, "➕ Add step", "Press keys");
    fill_hinted(&mut h, "e.g. ctrl+shift+k", "ctlr+k");
    // Says which key and which step, in the editor and in the trigger table.
    assert!(
        h.query_by_label_contains("⚠ step 2: \"ctlr\" is not a key name")
            .is_some(),
        "the editor names the step and the key"
    );
    assert!(
        h.query_by_label_contains("action 1: step 2: \"ctlr\"")
            .is_some(),
        "the table's problems column names it too"
    );
    // A placeholder is never a key.
    labelled_text_replace(&mut h, "ctlr+k", "{nickname}");
    assert!(
        h.query_by_label_contains("⚠ step 2: \"{nickname}\" is a placeholder")
            .is_some(),
        "a placeholder in a key field is refused in plain words"
    );
    labelled_text_replace(&mut h, "{nickname}", "ctrl+k");
    assert!(h.query_by_label_contains("is a placeholder").is_none());
    let keys = |h: &Harness<'_, GiftdeckApp>| match &h.state().mappings()[0].actions[0] {
        Action::Keys(keys) => serde_json::to_value(&keys.steps).unwrap(),
        other => panic!("not keys: {other:?}"),
    };
    assert_eq!(
        keys(&h),
        serde_json::json!([{"press":"w"},{"press":"ctrl+k"}])
    );
    button_beside(&h, "⬆", "ctrl+k").click();
    steps(&mut h, 2);
    assert_eq!(
        keys(&h),
        serde_json::json!([{"press":"ctrl+k"},{"press":"w"}])
    );
    button_beside(&h, "⬇", "ctrl+k").click();
    steps(&mut h, 2);
    assert_eq!(
        keys(&h),
        serde_json::json!([{"press":"w"},{"press":"ctrl+k"}])
    );
    button_beside(&h, "🗑", "ctrl+k").click();
    steps(&mut h, 2);
    assert_eq!(keys(&h), serde_json::json!([{"press":"w"}]));
}

/// The button labelled `label` on the same line as the text field holding `value`.
fn button_beside<'h>(
    h: &'h Harness<'_, GiftdeckApp>,
    label: &'h str,
    value: &'h str,
) -> egui_kittest::Node<'h> {
    let row = text_field(h, value).rect();
    h.get_all_by_label(label)
        .find(|b| (row.min.y..=row.max.y).contains(&b.rect().center().y))
        .unwrap_or_else(|| panic!("no {label} beside {value:?}"))
}

/// Replaces the text of the field holding `old` with `new` (as a screen reader sets a value).
fn labelled_text_replace(h: &mut Harness<'_, GiftdeckApp>, old: &str, new: &str) {
    text_field(h, old).set_text_value_accesskit(new);
    steps(h, 2);
}

#[test]
fn a_speak_action_built_in_the_editor_saves_text_voice_rate_and_volume() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut app = app(&rt, &path, false);
    app.set_mappings(vec![Mapping::new("Rose", vec![])]);
    let mut h = tall_harness(app);
    h.step();
    open_editor(&mut h);
    h.get_by_label("🔊 Speak").click();
    steps(&mut h, 2);
    labelled_text_replace(
        &mut h,
        "{nickname} sent {count} {gift}",
        "thanks {nickname}",
    );
    fill_labelled(&mut h, "Voice", "en-us");
    h.get_by_label("Speed").set_value_accesskit(1.5);
    steps(&mut h, 2);
    h.get_by_label("Volume").set_value_accesskit(80.0);
    steps(&mut h, 2);
    let expected = serde_json::json!({
        "type": "speak",
        "text": "thanks {nickname}",
        "voice": "en-us",
        "rate": 1.5,
        "volume": 0.8
    });
    let json = saved(&path, &mut h, |json| {
        json["mappings"][0]["actions"].get(0) == Some(&expected)
    });
    assert_eq!(json["mappings"][0]["actions"][0], expected);
    // Back to normal speed and full volume: nothing but the text and voice is written.
    h.get_by_label("Speed").set_value_accesskit(1.0);
    h.get_by_label("Volume").set_value_accesskit(100.0);
    steps(&mut h, 2);
    let action = serde_json::to_string(&h.state().mappings()[0].actions[0]).unwrap();
    assert_eq!(
        action,
        r#"{"type":"speak","text":"thanks {nickname}","voice":"en-us"}"#
    );
}

/// Speaks until cut (Skip or Stop all); keeps every text it was handed, in order.
#[derive(Clone, Default)]
struct Endless {
    heard: Arc<Mutex<Vec<String>>>,
}

impl SpeechService for Endless {
    async fn say(
        &mut self,
        utterance: &Utterance,
        cancel: &mut tokio::sync::watch::Receiver<u64>,
    ) -> Result<Said, SpeechError> {
        self.heard.lock().unwrap().push(utterance.text.clone());
        let _ = cancel.changed().await;
        Ok(Said::Cancelled)
    }
}

fn speech(h: &Harness<'_, GiftdeckApp>) -> SpeechStatus {
    h.state().state().speech.clone().unwrap_or_default()
}

#[test]
fn the_read_chat_window_sets_every_filter_and_the_speech_queue_skips_and_stops() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let app = app(&rt, &path, false);
    let service = Endless::default();
    let queue = {
        let _guard = rt.enter();
        let service = service.clone();
        SpeechQueue::spawn(8, move || {
            let service = service.clone();
            async move { Ok(service) }
        })
    };
    app.set_speech(queue.clone());
    let mut h = tall_harness(app);
    h.step();
    h.get_by_label("Read chat aloud…").click();
    steps(&mut h, 2);
    h.get_by(|n| {
        n.role() == egui::accesskit::Role::CheckBox
            && n.label().as_deref() == Some("Read chat aloud")
    })
    .click();
    steps(&mut h, 2);
    h.get_by_label("every message").click();
    h.step();
    h.get_by_label("Whose messages are read").click();
    steps(&mut h, 2);
    for tally in ["the top gifter", "level ≥", "points ≥"] {
        assert!(
            h.query_by_label(tally).is_none(),
            "chat reading keeps no gift tally or ledger, so it does not offer {tally}"
        );
    }
    h.get_by_label("followers").click();
    steps(&mut h, 2);
    h.get_by_label("At most").set_value_accesskit(120.0);
    h.get_by_label("Each viewer").set_value_accesskit(30.0);
    h.get_by_label("runs of more than").set_value_accesskit(2.0);
    h.get_by_label("links").click();
    steps(&mut h, 2);
    let filter = |h: &Harness<'_, GiftdeckApp>| {
        h.get_by(|n| {
            n.role() == egui::accesskit::Role::MultilineTextInput
                && n.label().as_deref() == Some("Word filter")
        })
        .focus();
    };
    filter(&h);
    h.step();
    for line in ["darn", "Chat"] {
        hinted_field_focused_any(&h).type_text(line);
        h.step();
        h.key_press(egui::Key::Enter);
        h.step();
    }
    fill_labelled(&mut h, "Voice", "en-gb");
    h.get_by_label("➕ Add a viewer's voice").click();
    steps(&mut h, 2);
    fill_hinted(&mut h, "@handle", "@amy");
    fill_hinted(&mut h, "voice name", "en-us");
    let json = saved(&path, &mut h, |json| {
        json["read_chat"]["viewer_voices"][0]["voice"] == "en-us"
    });
    let read_chat = &json["read_chat"];
    assert_eq!(read_chat["enabled"], true);
    assert_eq!(read_chat["only_command"], false);
    assert_eq!(read_chat["audience"], serde_json::json!("followers"));
    assert_eq!(read_chat["max_chars"], 120);
    assert_eq!(read_chat["viewer_cooldown_seconds"], 30);
    assert_eq!(read_chat["max_emoji_run"], 2);
    assert_eq!(read_chat["skip_links"], false);
    assert_eq!(
        read_chat["word_filter"],
        serde_json::json!(["darn", "Chat"])
    );
    assert_eq!(read_chat["voice"], "en-gb");
    assert_eq!(
        read_chat["viewer_voices"],
        serde_json::json!([{"handle": "@amy", "voice": "en-us"}])
    );

    // Try it: the sample goes through the word filter ("chat" is gone, any case).
    h.get_by_label("▶ Try it").click();
    steps(&mut h, 2);
    h.get_by_label("▶ Try it").click();
    steps(&mut h, 2);
    let started = Instant::now();
    while speech(&h).speaking.is_none() || speech(&h).waiting < 1 {
        h.step();
        assert!(started.elapsed() < TIMEOUT, "Try it never spoke");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        service.heard.lock().unwrap().as_slice(),
        ["Viewer says this is how will sound"]
    );
    assert!(
        h.query_by_label("Saying: “Viewer says this is how will sound”")
            .is_some()
    );
    h.get_by_label("⏭ Skip").click();
    let started = Instant::now();
    while service.heard.lock().unwrap().len() < 2 {
        h.step();
        assert!(started.elapsed() < TIMEOUT, "Skip did not move on");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Two more wait behind the one being said; Stop all cuts it and drops them.
    h.get_by_label("▶ Try it").click();
    steps(&mut h, 2);
    h.get_by_label("▶ Try it").click();
    steps(&mut h, 2);
    let started = Instant::now();
    while speech(&h).waiting < 2 {
        h.step();
        assert!(started.elapsed() < TIMEOUT, "two never waited");
        std::thread::sleep(Duration::from_millis(20));
    }
    h.get_by_label("⏹ Stop all").click();
    let started = Instant::now();
    while speech(&h).speaking.is_some() || speech(&h).waiting > 0 {
        h.step();
        assert!(started.elapsed() < TIMEOUT, "Stop all left speech going");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        service.heard.lock().unwrap().len(),
        2,
        "nothing after Stop all"
    );
    assert!(speech(&h).cut >= 3, "{:?}", speech(&h));
    assert!(h.query_by_label("Saying nothing").is_some());
}

#[test]
fn the_keystroke_pace_is_set_in_settings_and_read_chat_opens_from_there() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut h = Harness::builder()
        .with_size([1280.0, 2400.0])
        .build_ui_state(
            |ui, app: &mut GiftdeckApp| app.frame_ui(ui),
            app(&rt, &path, false),
        );
    h.step();
    h.get_by_label("⚙ Settings").click();
    steps(&mut h, 2);
    h.get_by_label("Between two keys actions")
        .set_value_accesskit(400.0);
    h.get_by_label("Waiting per trigger, at most")
        .set_value_accesskit(5.0);
    steps(&mut h, 2);
    let json = saved(&path, &mut h, |json| {
        json["keys"]["pace"]["gap_millis"] == 400 && json["keys"]["pace"]["max_per_trigger"] == 5
    });
    assert_eq!(
        json["keys"]["limits"]["max_hold_millis"], 10_000,
        "limits stay"
    );
    h.get_by_label("Filters and voice…").click();
    steps(&mut h, 4);
    assert!(h.state().state().windows.read_chat, "asked to open");
    assert!(
        h.query_by(|n| n.role() == egui::accesskit::Role::CheckBox
            && n.label().as_deref() == Some("Read chat aloud"))
            .is_some(),
        "the Read chat aloud window is open"
    );
}
