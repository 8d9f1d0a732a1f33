//! The Settings window driven headless with egui_kittest: fields that apply when the streamer
//! leaves them (never per keystroke), the provider chain (order, which are on, keys masked), and
//! the TikTok session field's words.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/ui_harness.rs"]
mod ui_harness;

use egui_kittest::kittest::{NodeT, Queryable};
use giftdeck::settings;
use ui_harness::*;

#[test]
fn rcon_fields_apply_once_when_the_streamer_leaves_them_not_per_keystroke() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut first = app(&rt, &dir.path().join("settings.json"), false);
    first.set_rcon(settings::RconConfig {
        host: String::new(),
        port: 25575,
        password: String::new(),
    });
    let mut h = harness(first);
    h.step();
    h.step();
    let before = h.state().executor_config_version();

    // The host, typed in the checklist: nothing applies while typing.
    type_slowly(&mut h, "Host", "127.0.0.1");
    assert_eq!(
        h.state().executor_config_version(),
        before,
        "applied mid-typing"
    );
    assert_eq!(h.state().settings().rcon.host, "");
    // Enter commits it, once.
    h.key_press(egui::Key::Enter);
    h.step();
    h.step();
    assert_eq!(h.state().settings().rcon.host, "127.0.0.1");
    assert_eq!(h.state().executor_config_version(), before + 1);
    h.step();
    assert_eq!(h.state().executor_config_version(), before + 1);

    // The password: no login is tried with part of it.
    type_slowly(&mut h, "Password", "hunter22");
    assert_eq!(
        h.state().executor_config_version(),
        before + 1,
        "applied mid-typing"
    );
    assert_eq!(h.state().settings().rcon.password, "");
    h.key_press(egui::Key::Enter);
    h.step();
    h.step();
    assert_eq!(h.state().settings().rcon.password, "hunter22");
    assert_eq!(h.state().executor_config_version(), before + 2);
    h.step();
    assert_eq!(h.state().executor_config_version(), before + 2);
    assert_eq!(h.state().queue().server.to_string(), "127.0.0.1:25575");
    assert!(
        h.state().queue().held.is_empty(),
        "no queue held for half a host"
    );
}

#[test]
fn sign_server_fields_apply_when_the_streamer_leaves_them_not_per_keystroke() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(&rt, &dir.path().join("settings.json"), false));
    h.step();
    h.get_by_label("⚙ Settings").click();
    h.step();
    h.step();
    let url_before = h.state().settings().connection.sign_url.clone();

    type_slowly(&mut h, "Sign server API key", "key-42");
    assert_eq!(
        h.state().settings().connection.sign_api_key,
        None,
        "a half-typed key was applied"
    );
    h.key_press(egui::Key::Enter);
    h.step();
    h.step();
    assert_eq!(
        h.state().settings().connection.sign_api_key.as_deref(),
        Some("key-42")
    );

    type_slowly(&mut h, "Sign server URL", "/x");
    assert_eq!(
        h.state().settings().connection.sign_url,
        url_before,
        "a half-typed URL was applied"
    );
    h.key_press(egui::Key::Enter);
    h.step();
    h.step();
    assert_eq!(
        h.state().settings().connection.sign_url,
        format!("{url_before}/x")
    );
    assert!(
        h.query_by_label_contains("key-42").is_none(),
        "the key is never shown"
    );
}

/// The three rows of the chain, top to bottom, each with whether it is ticked.
fn chain_on_screen(
    h: &egui_kittest::Harness<'_, giftdeck::ui::GiftdeckApp>,
) -> Vec<(String, bool)> {
    let mut rows: Vec<(f64, String, bool)> =
        ["Sign server", "Euler's WebSocket", "Your own sign server"]
            .into_iter()
            .map(|name| {
                let node = h.get_by(|node| {
                    node.role() == egui::accesskit::Role::CheckBox
                        && node.label().as_deref() == Some(name)
                });
                let ticked =
                    node.accesskit_node().toggled() == Some(egui::accesskit::Toggled::True);
                let top = node.accesskit_node().raw_bounds().unwrap().y0;
                (top, name.to_owned(), ticked)
            })
            .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows.into_iter().map(|(_, name, on)| (name, on)).collect()
}

/// The app on `path` with the Settings window open.
fn settings_window(
    rt: &tokio::runtime::Runtime,
    path: &std::path::Path,
) -> egui_kittest::Harness<'static, giftdeck::ui::GiftdeckApp> {
    let mut h = harness(app(rt, path, false));
    h.step();
    h.get_by_label("⚙ Settings").click();
    h.step();
    h.step();
    h
}

/// Whether each row's `button` ("Up" or "Down") can be pressed, top to bottom.
fn enabled_buttons(
    h: &egui_kittest::Harness<'_, giftdeck::ui::GiftdeckApp>,
    button: &str,
) -> Vec<bool> {
    let mut buttons: Vec<(f64, bool)> = h
        .get_all_by_label(button)
        .map(|node| {
            let node = node.accesskit_node();
            (node.raw_bounds().unwrap().y0, !node.is_disabled())
        })
        .collect();
    buttons.sort_by(|a, b| a.0.total_cmp(&b.0));
    buttons.into_iter().map(|(_, enabled)| enabled).collect()
}

/// Clicks the `button` ("Up" or "Down") of the chain's `row`-th row (from the top).
fn move_row(
    h: &mut egui_kittest::Harness<'_, giftdeck::ui::GiftdeckApp>,
    row: usize,
    button: &str,
) {
    let mut buttons: Vec<(f64, egui_kittest::Node<'_>)> = h
        .get_all_by_label(button)
        .map(|node| (node.accesskit_node().raw_bounds().unwrap().y0, node))
        .collect();
    buttons.sort_by(|a, b| a.0.total_cmp(&b.0));
    buttons.remove(row).1.click();
    h.step();
    h.step();
}

#[test]
fn the_provider_chain_takes_the_order_and_choice_the_streamer_sets_and_keeps_them() {
    use giftdeck::live::ProviderKind::{Custom, EulerWs, Sign};
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut h = settings_window(&rt, &path);
    let on = |name: &str| (name.to_owned(), true);
    let off = |name: &str| (name.to_owned(), false);
    // The default chain: every provider on, in the default order.
    assert_eq!(
        chain_on_screen(&h),
        [
            on("Sign server"),
            on("Euler's WebSocket"),
            on("Your own sign server")
        ]
    );
    assert!(h.state().settings().connection.providers.is_empty());

    // Switched off, a provider leaves the chain and goes to the bottom.
    h.get_by_label("Sign server").click();
    h.step();
    h.step();
    assert_eq!(h.state().settings().connection.providers, [EulerWs, Custom]);
    assert_eq!(
        chain_on_screen(&h),
        [
            on("Euler's WebSocket"),
            on("Your own sign server"),
            off("Sign server")
        ]
    );
    // Down and Up reorder the ticked ones; an unticked one has no place to move to, and the last
    // ticked one cannot go below the chain's end.
    move_row(&mut h, 0, "Down");
    assert_eq!(h.state().settings().connection.providers, [Custom, EulerWs]);
    assert_eq!(
        chain_on_screen(&h),
        [
            on("Your own sign server"),
            on("Euler's WebSocket"),
            off("Sign server")
        ]
    );
    assert_eq!(enabled_buttons(&h, "Up"), [false, true, false]);
    assert_eq!(enabled_buttons(&h, "Down"), [true, false, false]);
    // Ticked again, it joins at the end, and Up moves it ahead.
    h.get_by_label("Sign server").click();
    h.step();
    h.step();
    assert_eq!(
        h.state().settings().connection.providers,
        [Custom, EulerWs, Sign]
    );
    move_row(&mut h, 2, "Up");
    assert_eq!(
        h.state().settings().connection.providers,
        [Custom, Sign, EulerWs]
    );
    assert_eq!(
        chain_on_screen(&h),
        [
            on("Your own sign server"),
            on("Sign server"),
            on("Euler's WebSocket")
        ]
    );

    // The chain reaches the session config and the file, as the streamer set it.
    assert_eq!(
        h.state().settings().live_config("@x").providers,
        [Custom, Sign, EulerWs]
    );
    // Saves follow edits after a pause: wait for the one with the last edit.
    step_until(&mut h, "the chain to be saved", |_app| {
        settings::load(&path).settings.connection.providers == [Custom, Sign, EulerWs]
    });
}

#[test]
fn provider_keys_are_masked_and_apply_only_when_the_field_is_left() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut h = settings_window(&rt, &path);
    // Keys are password fields: applied once the field is left, never shown.
    for (field, key) in [
        ("Euler's WebSocket key", "ws-KEY-3141"),
        ("Its API key", "custom-KEY-2718"),
    ] {
        let node = labelled_field(&h, field);
        assert_eq!(
            node.accesskit_node().role(),
            egui::accesskit::Role::PasswordInput,
            "{field}"
        );
        type_slowly(&mut h, field, key);
        let key_now = |h: &egui_kittest::Harness<'_, giftdeck::ui::GiftdeckApp>| {
            let c = &h.state().settings().connection;
            match field {
                "Its API key" => c.custom_sign_api_key.clone(),
                _ => c.euler_ws_api_key.clone(),
            }
        };
        assert_eq!(key_now(&h), None, "{field}: applied mid-typing");
        h.key_press(egui::Key::Enter);
        h.step();
        h.step();
        assert!(
            h.query_by_label_contains(key).is_none(),
            "{field}: the key is shown"
        );
        assert!(
            h.query_by(|node| node.value().is_some_and(|v| v.contains(key)))
                .is_none(),
            "{field}: the key is readable in the field"
        );
    }
    let c = &h.state().settings().connection;
    assert_eq!(c.euler_ws_api_key.as_deref(), Some("ws-KEY-3141"));
    assert_eq!(c.custom_sign_api_key.as_deref(), Some("custom-KEY-2718"));
    // The URL field is plain text, applied when left too.
    type_slowly(
        &mut h,
        "Your own sign server URL",
        "http://127.0.0.1:9/sign",
    );
    assert_eq!(
        h.state().settings().connection.custom_sign_url,
        None,
        "applied mid-typing"
    );
    h.key_press(egui::Key::Enter);
    h.step();
    h.step();
    assert_eq!(
        h.state().settings().connection.custom_sign_url.as_deref(),
        Some("http://127.0.0.1:9/sign")
    );
    assert!(
        h.query_all_by(|node| node.value().is_some_and(|v| v.contains("127.0.0.1:9/sign")))
            .next()
            .is_some(),
        "a plain field's text is readable (so the keys' absence above means something)"
    );
    assert_eq!(
        h.state()
            .settings()
            .live_config("@x")
            .custom_sign_url
            .as_deref(),
        Some("http://127.0.0.1:9/sign")
    );
}

#[test]
fn a_paste_that_is_not_a_tiktok_session_is_said_in_its_own_words_and_never_kept() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut h = settings_window(&rt, &path);
    // A paste that is not a session is said in the words of its kind, and never kept.
    type_slowly(&mut h, "Your TikTok session (for 18+ rooms)", "ttwid=1");
    h.get_by_label("Save in the keyring").click();
    h.step();
    h.step();
    assert!(
        h.query_by_label_contains(
            "That is not a TikTok session: paste the value of the sessionid cookie"
        )
        .is_some()
    );
    assert!(
        h.query_by(|node| node.value().is_some_and(|v| v.contains("ttwid")))
            .is_none()
    );
    assert_eq!(
        h.state().state().session_login.input,
        "",
        "the paste leaves the window's memory"
    );
}
