//! The desktop app driven headless with egui_kittest, for the UI tests: the app on a temp
//! settings file and its own runtime, a harness at 1280x800, and the ways a person finds and uses
//! a field.

#![allow(
    dead_code,
    reason = "each test binary that includes this file uses a different part"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use giftdeck::ui::{AppOptions, GiftdeckApp};

/// Generous: the machine running tests may be busy building.
pub const TIMEOUT: Duration = Duration::from_secs(60);

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("ui-test-rt")
        .enable_all()
        .build()
        .unwrap()
}

pub fn app(rt: &tokio::runtime::Runtime, settings_path: &Path, demo: bool) -> GiftdeckApp {
    english_for_auto();
    GiftdeckApp::new(AppOptions {
        settings_path: Some(settings_path.to_owned()),
        runtime: rt.handle().clone(),
        demo,
        secrets: giftdeck::settings::SecretsHome::SettingsFile,
    })
}

/// The tests find widgets by their English words: "auto" (a fresh settings file) reads as
/// English whatever the machine's locale says.
pub fn english_for_auto() {
    giftdeck::i18n::assume_os_language(giftdeck::i18n::Lang::En);
}

pub fn harness(app: GiftdeckApp) -> Harness<'static, GiftdeckApp> {
    english_for_auto();
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut GiftdeckApp| app.frame_ui(ui), app)
}

/// Steps frames until `done` holds, failing with `what` after [`TIMEOUT`].
pub fn step_until(
    h: &mut Harness<'_, GiftdeckApp>,
    what: &str,
    done: impl Fn(&GiftdeckApp) -> bool,
) {
    let started = Instant::now();
    loop {
        h.step();
        if done(h.state()) {
            return;
        }
        assert!(started.elapsed() < TIMEOUT, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The text field currently holding `value`.
pub fn text_field<'h>(h: &'h Harness<'_, GiftdeckApp>, value: &'h str) -> egui_kittest::Node<'h> {
    h.get_by(move |node| {
        node.role() == egui::accesskit::Role::TextInput && node.value().as_deref() == Some(value)
    })
}

/// The text (or password) field labelled `label`.
pub fn labelled_field<'h>(
    h: &'h Harness<'_, GiftdeckApp>,
    label: &'h str,
) -> egui_kittest::Node<'h> {
    h.get_by(move |node| {
        matches!(
            node.role(),
            egui::accesskit::Role::TextInput | egui::accesskit::Role::PasswordInput
        ) && node.label().as_deref() == Some(label)
    })
}

/// Types `text` into the field labelled `label` one character per frame, as a person would.
pub fn type_slowly(h: &mut Harness<'_, GiftdeckApp>, label: &str, text: &str) {
    labelled_field(h, label).focus();
    h.step();
    for ch in text.chars() {
        labelled_field(h, label).type_text(&ch.to_string());
        h.step();
    }
}

/// Opens the page whose tab reads `tab` ("🎁 Triggers", "⚙ Settings"), as a person would.
pub fn show_page(h: &mut Harness<'_, GiftdeckApp>, tab: &str) {
    h.get_by_label(tab).click();
    h.step();
    h.step();
}

/// The egui id of an accessibility node (egui names each node by its widget's id).
pub fn egui_id(node: &egui_kittest::Node<'_>) -> egui::Id {
    serde_json::from_value(serde_json::json!(node.accesskit_node().locate().0.0))
        .expect("an egui node id is an egui Id")
}

/// Where the widget behind `node` is, and the part of it that can be seen and clicked (after
/// its scroll area, panel or table column cut it), as egui hit-tests it.
pub fn widget_rects(
    h: &Harness<'_, GiftdeckApp>,
    node: &egui_kittest::Node<'_>,
) -> (egui::Rect, egui::Rect) {
    let response = h
        .ctx
        .read_response(egui_id(node))
        .expect("the widget was drawn this frame");
    (response.rect, response.interact_rect)
}

/// The widget lies wholly inside the window and nothing cuts it.
pub fn fully_shown(h: &Harness<'_, GiftdeckApp>, node: &egui_kittest::Node<'_>) -> bool {
    let (rect, shown) = widget_rects(h, node);
    const SLACK: f32 = 0.5;
    h.ctx.content_rect().expand(SLACK).contains_rect(rect)
        && (rect.width() - shown.width()).abs() <= SLACK
        && (rect.height() - shown.height()).abs() <= SLACK
}

/// Scrolls the scroll area holding the node `find` picks (100 points a step, down or up) until
/// the whole node can be seen; fails when it never can.
pub fn scroll_into_window(
    h: &mut Harness<'_, GiftdeckApp>,
    find: impl for<'h> Fn(&'h Harness<'_, GiftdeckApp>) -> egui_kittest::Node<'h>,
) {
    for _ in 0..100 {
        let node = find(h);
        if fully_shown(h, &node) {
            settle(h, &find);
            if fully_shown(h, &find(h)) {
                return;
            }
            continue;
        }
        let (rect, shown) = widget_rects(h, &node);
        // Cut at the bottom (or not shown at all, below): scroll down; cut at the top: up.
        if shown.height() <= 0.0 && rect.min.y > h.ctx.content_rect().center().y
            || shown.max.y < rect.max.y
        {
            node.scroll_down();
        } else {
            node.scroll_up();
        }
        h.step();
    }
    panic!(
        "{:?} never scrolled into view",
        find(h).accesskit_node().label()
    );
}

/// Steps until the node `find` picks stops moving (a scroll animates over a few frames).
fn settle(
    h: &mut Harness<'_, GiftdeckApp>,
    find: &impl for<'h> Fn(&'h Harness<'_, GiftdeckApp>) -> egui_kittest::Node<'h>,
) {
    let mut last = find(h).rect();
    for _ in 0..200 {
        h.step();
        let now = find(h).rect();
        if now == last {
            return;
        }
        last = now;
    }
    panic!(
        "{:?} never stopped moving",
        find(h).accesskit_node().label()
    );
}
