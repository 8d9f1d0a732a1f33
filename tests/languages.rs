//! The window's languages: every word a page shows comes from the catalog (a pseudo-language
//! wraps each message in ‹…›, and a walk of the accessibility tree on every page and in the
//! actions editor finds any text without the marks), the picker in Settings switches the window
//! at once, and a German setting puts German words on the alert overlay in a real Chromium.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/chromium.rs"]
mod chromium;
#[path = "support/real.rs"]
mod real;
#[path = "support/ui_harness.rs"]
mod ui_harness;

use std::collections::BTreeSet;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use giftdeck::event::SocialKind;
use giftdeck::i18n::{Lang, PSEUDO_OPEN, tr};
use giftdeck::overlay::{HubConfig, Overlays, Page as OverlayPage};
use giftdeck::settings;
use giftdeck::testkit::outputs::{credit, social, viewer};
use giftdeck::ui::pages::Page;
use giftdeck::ui::{AppOptions, GiftdeckApp};
use ui_harness::*;

/// The window on a settings file that says `ui.language` is `language`, with overlays running.
fn app_in(
    rt: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    language: &str,
    extra: &str,
) -> GiftdeckApp {
    let path = dir.join("settings.json");
    std::fs::write(
        &path,
        format!(r#"{{"version": 1, "ui": {{"language": "{language}"}}{extra}}}"#),
    )
    .unwrap();
    let overlays = rt
        .block_on(Overlays::start(0, HubConfig::default()))
        .unwrap();
    GiftdeckApp::with_overlays(
        AppOptions {
            settings_path: Some(path),
            runtime: rt.handle().clone(),
            demo: false,
            secrets: settings::SecretsHome::SettingsFile,
        },
        Some(Ok(overlays)),
    )
}

/// Every text a fresh settings file holds (example triggers, their commands, the counters'
/// names, the panic cleanup): the streamer's own data, shown as it is in every language.
fn settings_data() -> Vec<String> {
    fn strings(value: &serde_json::Value, into: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) if s.chars().any(char::is_alphabetic) => {
                into.push(s.clone());
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, into)),
            serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, into)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    strings(
        &serde_json::to_value(settings::Settings::default()).unwrap(),
        &mut found,
    );
    found
}

/// Text that is data, not words: no letters at all (numbers, symbols, emoji), a URL, a
/// number with a unit the whole world writes the same way, a language's own name, or made of
/// the settings' own texts.
fn is_data(text: &str, data: &[String]) -> bool {
    let text = text.trim();
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !["ms", "s", "min", "%", "MB"].contains(w))
        .collect();
    let languages = Lang::OFFERED.map(Lang::native_name);
    !words.concat().chars().any(char::is_alphabetic)
        || text.contains("://")
        || languages.contains(&text)
        || text == Lang::Pseudo.native_name()
        || data
            .iter()
            .any(|d| text == d || (d.len() > 3 && text.contains(d.as_str())))
}

/// Every text the accessibility tree shows that neither came from the catalog nor is data or
/// something the streamer typed, as "role: text".
fn words_not_from_the_catalog(h: &Harness<'_, GiftdeckApp>) -> Vec<String> {
    let data = settings_data();
    let typed = |role: Role| {
        matches!(
            role,
            Role::TextInput | Role::MultilineTextInput | Role::PasswordInput
        )
    };
    let mut found = Vec::new();
    for node in h.get_all_by(|_| true) {
        let node = node.accesskit_node();
        let role = node.role();
        if role == Role::TextRun {
            // One line of a wrapped label; the label itself is checked whole.
            continue;
        }
        let mut texts = vec![node.label()];
        if !typed(role) {
            texts.push(node.value());
        }
        for text in texts.into_iter().flatten() {
            if !text.contains(PSEUDO_OPEN) && !is_data(&text, &data) {
                found.push(format!("{role:?}: {text}"));
            }
        }
    }
    found
}

#[test]
fn every_word_on_every_page_and_in_the_editor_comes_from_the_catalog() {
    let mut problems = BTreeSet::new();
    for extra in ["", r#", "setup": {"hidden": true}"#] {
        let rt = runtime();
        let dir = tempfile::tempdir().unwrap();
        let mut h = harness(app_in(&rt, dir.path(), "x-pseudo", extra));
        h.run_steps(3);
        for page in Page::ALL {
            h.state_mut().stop_editing_actions();
            show_page(&mut h, page.title());
            h.run_steps(2);
            problems.extend(words_not_from_the_catalog(&h));
        }
        // The actions editor of the first example trigger.
        show_page(&mut h, Page::Triggers.title());
        h.get_all_by_label(tr("triggers-edit"))
            .next()
            .unwrap()
            .click();
        h.run_steps(3);
        assert!(h.query_by_label(tr("actions-window-close")).is_some());
        problems.extend(words_not_from_the_catalog(&h));
    }
    assert!(
        problems.is_empty(),
        "{} texts on screen are not from the catalog:\n{}",
        problems.len(),
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// The language picker while English is picked.
fn english_picker(n: &egui_kittest::kittest::AccessKitNode<'_>) -> bool {
    n.role() == Role::ComboBox && n.value().as_deref() == Some("English")
}

#[test]
fn the_picker_in_settings_switches_the_window_at_once_and_the_choice_is_saved() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app_in(&rt, dir.path(), "en", ""));
    h.run_steps(2);
    show_page(&mut h, "⚙ Settings");
    assert!(h.query_by_label("Appearance").is_some());
    // Open the language picker and pick German, as a person would.
    // It sits low on the page: scroll to it, then open it.
    h.get_by(english_picker).scroll_to_me();
    h.run_steps(3);
    h.get_by(english_picker).click();
    h.run_steps(2);
    h.get_by_label("Deutsch").click();
    h.run_steps(2);
    assert!(
        h.query_by_label("Darstellung").is_some(),
        "the Settings page speaks German in the next frame"
    );
    assert!(
        h.query_by_label("⚙ Einstellungen").is_some(),
        "the tabs too"
    );
    assert!(h.query_by_label("Appearance").is_none());
    step_until(&mut h, "the settings saved", |_| {
        std::fs::read_to_string(dir.path().join("settings.json"))
            .is_ok_and(|text| text.contains(r#""language": "de""#))
    });
    drop(h);
    // A new window on the same file starts in German.
    let rt = runtime();
    let app = GiftdeckApp::new(AppOptions {
        settings_path: Some(dir.path().join("settings.json")),
        runtime: rt.handle().clone(),
        demo: false,
        secrets: settings::SecretsHome::SettingsFile,
    });
    let mut h = harness(app);
    h.run_steps(2);
    assert!(h.query_by_label("📺 Live").is_some());
    assert!(
        h.query_by_label("🎁 Trigger").is_some(),
        "German tabs after a restart"
    );
}

/// The alert card's words: the whole line and the name alone.
const ALERT: &str = "(() => { const c = document.querySelector('.alert-card:not(.leaving)'); \
    return c ? c.querySelector('.alert-text').textContent : null; })()";

#[test]
fn a_german_setting_puts_german_words_on_the_alert_overlay() {
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    std::fs::write(&path, r#"{"version": 1, "ui": {"language": "de"}}"#).unwrap();
    let overlays = rt
        .block_on(Overlays::start(0, HubConfig::default()))
        .unwrap();
    let hub = overlays.hub.clone();
    let port = overlays.server.port();
    let mut app = GiftdeckApp::with_overlays(
        AppOptions {
            settings_path: Some(path),
            runtime: rt.handle().clone(),
            demo: false,
            secrets: settings::SecretsHome::SettingsFile,
        },
        Some(Ok(overlays)),
    );
    english_for_auto();
    // One frame: the window tells the overlay server its language.
    app.logic_step(&egui::Context::default());
    rt.block_on(async {
        let url = format!("http://127.0.0.1:{port}/alerts?width=900&height=200");
        let mut browser = chromium::Browser::open(&binary, &url, 900, 200).await;
        browser
            .wait_for(
                "document.body.dataset.connected",
                Duration::from_secs(20),
                |v| v == "yes",
            )
            .await;
        assert_eq!(hub.connections(OverlayPage::Alerts), 1);
        let bob = viewer(9, "bob");
        hub.send_output(&social(1, &bob, SocialKind::Follow));
        let follow = format!("{} folgt dir jetzt", bob.nickname);
        browser
            .wait_for(ALERT, Duration::from_secs(20), |v| v == follow.as_str())
            .await;
        let alice = viewer(7, "alice");
        hub.send_output(&credit(2, &alice, 1, 5));
        let sent = format!("{} schickt 5 × Rose", alice.nickname);
        browser
            .wait_for(ALERT, Duration::from_secs(20), |v| v == sent.as_str())
            .await;
    });
}
