//! The cockpit, driven headless with egui_kittest: the pages and their shortcuts, the panic
//! button and Ctrl+P on a real loopback RCON server, the window's scale, and the layout walk:
//! at 1280×720, 1366×768 and 1920×1080, on every page, with the demo running and with the setup
//! checklist open, and goals on the Live page, every interactive widget lies inside the window (or
//! scrolls into it) and no two overlap; and no page paints a panel-sized fill over the window.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use giftdeck::mappings::{Action, Mapping};
use giftdeck::overlay::{HubConfig, Overlays};
use giftdeck::settings;
use giftdeck::testkit::rcon::{DEMO_RCON_PASSWORD, FakeRcon};
use giftdeck::ui::pages::Page;
use giftdeck::ui::{AppOptions, GiftdeckApp};
use ui_harness::*;

#[path = "support/ui_harness.rs"]
mod ui_harness;

fn page(h: &Harness<'_, GiftdeckApp>) -> Page {
    h.state().state().page
}

#[test]
fn ctrl_and_a_number_switch_pages_and_each_page_shows_its_own_controls() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(&rt, &dir.path().join("settings.json"), false));
    h.step();
    assert_eq!(page(&h), Page::Live, "a set-up table opens on Live");
    assert!(h.query_by_label("Live feed").is_some());
    assert!(h.query_by_label("➕ Add trigger").is_none());
    let landmarks = [
        (Key::Num2, Page::Triggers, "➕ Add trigger"),
        (Key::Num3, Page::Overlays, "Overlays"),
        (Key::Num4, Page::Settings, "Panic button"),
        (Key::Num1, Page::Live, "Live feed"),
    ];
    for (key, to, landmark) in landmarks {
        h.key_press_modifiers(Modifiers::COMMAND, key);
        h.step();
        h.step();
        assert_eq!(page(&h), to, "{key:?}");
        assert!(h.query_by_label(landmark).is_some(), "{landmark} on {to:?}");
    }
    // The panic button is on every page.
    for tab in ["🎁 Triggers", "🖼 Overlays", "⚙ Settings", "📺 Live"] {
        show_page(&mut h, tab);
        assert!(h.query_by_label("⛔ Panic").is_some(), "on {tab}");
    }
}

#[test]
fn a_table_without_triggers_opens_on_the_triggers_page() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    std::fs::write(&path, r#"{"version": 1, "mappings": []}"#).unwrap();
    let mut h = harness(app(&rt, &path, false));
    h.step();
    assert_eq!(page(&h), Page::Triggers);
    assert!(h.query_by_label_contains("No triggers yet").is_some());
}

/// Ctrl+P pauses; Test fills the queue; the panic button empties it, says how many, and sends the
/// cleanup to the server while the queue stays paused; Ctrl+P resumes; Ctrl+Shift+K is the same
/// button.
#[test]
fn the_panic_button_and_its_key_clear_the_queue_and_run_the_cleanup_while_paused() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let server = rt.block_on(FakeRcon::start_demo()).unwrap();
    let mut app = app(&rt, &path, false);
    app.set_rcon(settings::RconConfig {
        host: "127.0.0.1".into(),
        port: server.port(),
        password: DEMO_RCON_PASSWORD.into(),
    });
    app.set_mappings(vec![Mapping::new(
        "Rose",
        vec![Action::Command {
            command: "summon tnt ~ ~ ~".into(),
            repeat: 20,
        }],
    )]);
    let mut h = harness(app);
    h.step();

    h.key_press_modifiers(Modifiers::COMMAND, Key::P);
    step_until(&mut h, "Ctrl+P to pause the queue", |app| {
        app.queue().paused
    });
    h.step();
    assert!(h.query_by_label("⏸ queue paused").is_some());
    show_page(&mut h, "🎁 Triggers");
    h.get_by_label("▶ Test").click();
    step_until(&mut h, "20 actions to wait", |app| app.queue().depth == 20);

    h.get_by_label("⛔ Panic").click();
    step_until(&mut h, "the cleanup to reach the server", |_| {
        server.commands().contains(&"kill @e[type=tnt]".to_owned())
    });
    h.step();
    let queue = h.state().queue().clone();
    assert!(queue.paused, "still paused after the panic: {queue:?}");
    assert_eq!((queue.depth, queue.cleared), (0, 20));
    assert!(
        server.commands().iter().all(|c| !c.starts_with("summon")),
        "no TNT ran: {:?}",
        server.commands()
    );
    let report = h.state().state().last_panic.clone().unwrap();
    assert_eq!((report.cleared_total(), report.cleanup), (20, 1));
    assert!(
        h.query_by_label_contains("20 waiting action(s) cleared")
            .is_some(),
        "the count is shown"
    );
    step_until(&mut h, "the panic in the queue's log", |app| {
        app.exec_log().any(|line| line.text.contains("⛔ Panic"))
    });

    // Ctrl+P resumes: the next Test runs.
    h.key_press_modifiers(Modifiers::COMMAND, Key::P);
    step_until(&mut h, "Ctrl+P to resume", |app| !app.queue().paused);
    h.get_by_label("▶ Test").click();
    step_until(&mut h, "the Test's commands to run", |_| {
        server
            .commands()
            .iter()
            .filter(|c| c.starts_with("summon"))
            .count()
            >= 20
    });

    // Ctrl+Shift+K is the panic button too.
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::K);
    step_until(&mut h, "the second cleanup", |_| {
        server
            .commands()
            .iter()
            .filter(|c| *c == "kill @e[type=tnt]")
            .count()
            == 2
    });
    assert!(h.state().queue().paused);
}

/// The Settings page's cleanup list (a field of several lines).
fn cleanup_field<'h>(h: &'h Harness<'_, GiftdeckApp>) -> egui_kittest::Node<'h> {
    h.get_by(|node| {
        node.role() == egui::accesskit::Role::MultilineTextInput
            && node.label().as_deref() == Some("Cleanup commands")
    })
}

/// The cleanup list is edited on the Settings page, one command per line, and saved; the panic
/// button then sends the new list.
#[test]
fn the_panic_cleanup_is_set_on_the_settings_page_and_saved() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let server = rt.block_on(FakeRcon::start_demo()).unwrap();
    let mut app = app(&rt, &path, false);
    app.set_rcon(settings::RconConfig {
        host: "127.0.0.1".into(),
        port: server.port(),
        password: DEMO_RCON_PASSWORD.into(),
    });
    let mut h = harness(app);
    h.step();
    show_page(&mut h, "⚙ Settings");
    scroll_into_window(&mut h, cleanup_field);
    cleanup_field(&h).focus();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.step();
    cleanup_field(&h).type_text("/kill @e[type=creeper]\nweather clear");
    h.step();
    assert_eq!(
        h.state().settings().executor.panic_cleanup,
        ["kill @e[type=tnt]"],
        "applied only once the field is left"
    );
    h.key_press(Key::Escape);
    h.step();
    h.step();
    assert_eq!(
        h.state().settings().executor.panic_cleanup,
        ["/kill @e[type=creeper]", "weather clear"]
    );
    step_until(&mut h, "the list to be saved", |_| {
        settings::load(&path).settings.executor.panic_cleanup.len() == 2
    });
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::K);
    step_until(&mut h, "both cleanup commands to run", |_| {
        server.commands() == ["kill @e[type=creeper]", "weather clear"]
    });
}

/// The Size choice on the Settings page scales the whole window (egui's zoom) and is saved.
#[test]
fn the_ui_scale_setting_zooms_the_window() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut h = harness(app(&rt, &path, false));
    h.step();
    show_page(&mut h, "⚙ Settings");
    scroll_into_window(&mut h, |h| h.get_by_label("150 %"));
    h.get_by_label("150 %").click();
    h.run_steps(3);
    assert_eq!(h.state().settings().ui.scale, 1.5);
    assert_eq!(h.ctx.zoom_factor(), 1.5);
    // Ctrl+Minus and Ctrl+Plus step through the same sizes.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Minus);
    h.run_steps(3);
    assert_eq!(h.ctx.zoom_factor(), 1.25);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Plus);
    h.run_steps(3);
    assert_eq!(h.ctx.zoom_factor(), 1.5);
    step_until(&mut h, "the scale to be saved", |_| {
        settings::load(&path).settings.ui.scale == 1.5
    });
    drop(h);
    let mut again = harness(app(&rt, &path, false));
    again.run_steps(3);
    assert_eq!(again.ctx.zoom_factor(), 1.5, "a restart keeps it");
}

// ---- the layout walk ------------------------------------------------------------------------

/// The window sizes a streamer's screen has: a 720p laptop, the common 1366×768 one, full HD.
const SIZES: [[f32; 2]; 3] = [[1280.0, 720.0], [1366.0, 768.0], [1920.0, 1080.0]];

/// What is on screen for one check: a page, and on Triggers also with a row's actions open.
#[derive(Clone, Copy, Debug)]
enum View {
    Page(Page),
    ActionsEditor,
}

const VIEWS: [View; 5] = [
    View::Page(Page::Live),
    View::Page(Page::Triggers),
    View::ActionsEditor,
    View::Page(Page::Overlays),
    View::Page(Page::Settings),
];

/// One interactive widget as the accessibility tree and egui's hit-testing see it.
#[derive(Clone, Debug)]
struct Widget {
    id: egui::Id,
    what: String,
    /// The whole widget.
    rect: egui::Rect,
    /// The part that can be seen and clicked.
    shown: egui::Rect,
}

/// Every widget a person can click, type in, tick, pick from or drag, as egui counts them.
fn interactive_widgets(h: &Harness<'_, GiftdeckApp>) -> Vec<Widget> {
    h.get_all_by(|node| egui::accessibility::is_input(node.role()))
        .map(|node| {
            let (rect, shown) = widget_rects(h, &node);
            let what = format!(
                "{:?} {:?}",
                node.accesskit_node().role(),
                node.accesskit_node()
                    .label()
                    .or_else(|| node.accesskit_node().value())
                    .unwrap_or_default()
            );
            Widget {
                id: egui_id(&node),
                what,
                rect,
                shown,
            }
        })
        .collect()
}

/// Pairs of widgets whose visible parts overlap (more than a hairline where borders touch).
fn overlaps(widgets: &[Widget]) -> Vec<String> {
    const HAIRLINE: f32 = 1.0;
    let mut found = Vec::new();
    for (i, a) in widgets.iter().enumerate() {
        for b in &widgets[i + 1..] {
            let both = a.shown.intersect(b.shown);
            if both.width() > HAIRLINE && both.height() > HAIRLINE {
                found.push(format!(
                    "{} {:?} overlaps {} {:?}",
                    a.what, a.shown, b.what, b.shown
                ));
            }
        }
    }
    found
}

/// Opens `view` on the window, by the words it shows in the window's language (this thread
/// speaks it: the window sets it every frame).
fn open_view(h: &mut Harness<'_, GiftdeckApp>, view: View) {
    use giftdeck::i18n::tr;
    match view {
        View::Page(page) => {
            h.state_mut().stop_editing_actions();
            show_page(h, page.title());
        }
        View::ActionsEditor => {
            show_page(h, Page::Triggers.title());
            h.get_all_by_label(tr("triggers-edit"))
                .nth(2)
                .unwrap()
                .click();
            h.run_steps(3);
            assert!(
                h.query_by_label(tr("actions-window-close")).is_some(),
                "the editor is open"
            );
        }
    }
}

/// Checks the view on screen: each widget can be seen whole (inside the window, cut by nothing)
/// or scrolled until it can, and no two overlap, in every scroll position visited. Returns what
/// failed.
fn check_view(h: &mut Harness<'_, GiftdeckApp>) -> Vec<String> {
    let mut problems = overlaps(&interactive_widgets(h));
    let ids: Vec<(egui::Id, String)> = interactive_widgets(h)
        .into_iter()
        .map(|w| (w.id, w.what))
        .collect();
    for (id, what) in ids {
        let Some(widget) = interactive_widgets(h).into_iter().find(|w| w.id == id) else {
            continue;
        };
        if fully_inside(h, &widget) {
            continue;
        }
        // Out of sight: it must scroll into view, whole.
        let find = move |h: &Harness<'_, GiftdeckApp>| {
            interactive_widgets(h).into_iter().find(|w| w.id == id)
        };
        if !scroll_widget_into_view(h, &find) {
            let now = find(h).map(|w| (w.rect, w.shown));
            problems.push(format!("{what} cannot be seen whole: {now:?}"));
            continue;
        }
        problems.extend(overlaps(&interactive_widgets(h)));
    }
    problems.sort();
    problems.dedup();
    problems
}

fn fully_inside(h: &Harness<'_, GiftdeckApp>, w: &Widget) -> bool {
    const SLACK: f32 = 0.5;
    h.ctx.content_rect().expand(SLACK).contains_rect(w.rect)
        && (w.rect.width() - w.shown.width()).abs() <= SLACK
        && (w.rect.height() - w.shown.height()).abs() <= SLACK
}

/// Scrolls the widget's scroll area toward it until it is whole on screen (false: never).
fn scroll_widget_into_view(
    h: &mut Harness<'_, GiftdeckApp>,
    find: &impl Fn(&Harness<'_, GiftdeckApp>) -> Option<Widget>,
) -> bool {
    let mut last = None;
    for _ in 0..60 {
        let Some(widget) = find(h) else {
            return false;
        };
        if fully_inside(h, &widget) && last == Some(widget.rect) {
            return true;
        }
        let down = widget.shown.height() <= 0.0
            && widget.rect.min.y > h.ctx.content_rect().center().y
            || widget.shown.max.y < widget.rect.max.y - 0.5;
        let node = h
            .get_all_by(|n| egui::accessibility::is_input(n.role()))
            .find(|n| egui_id(n) == widget.id);
        match node {
            // egui's own "scroll into view" first: it reaches the widget's own scroll area even
            // past a scroll area nested after it.
            Some(node) if !fully_inside(h, &widget) && last.is_none() => node.scroll_to_me(),
            Some(node) if !fully_inside(h, &widget) && down => node.scroll_down(),
            Some(node) if !fully_inside(h, &widget) => node.scroll_up(),
            _ => {}
        }
        last = Some(widget.rect);
        h.step();
    }
    false
}

/// The layout walk for one language (`ui.language`): both checklist states, the demo running,
/// every size and view.
fn layout_walk(language: &str) {
    let mut problems = Vec::new();
    for checklist_open in [true, false] {
        let rt = runtime();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        // Goals, so the Live page has its strip of bars above the feed.
        let goals = r#""goals": [{"title": "Coins for the TNT rain", "metric": "coins", "initial_target": 5000},
            {"title": "Follows", "metric": "follows", "initial_target": 50},
            {"metric": "likes", "initial_target": 10000}]"#;
        let setup = if checklist_open {
            ""
        } else {
            r#", "setup": {"hidden": true}"#
        };
        std::fs::write(
            &path,
            format!(r#"{{"version": 1, "ui": {{"language": "{language}"}}, {goals}{setup}}}"#),
        )
        .unwrap();
        let overlays = rt
            .block_on(Overlays::start(0, HubConfig::default()))
            .unwrap();
        let app = GiftdeckApp::with_overlays(
            AppOptions {
                settings_path: Some(path),
                runtime: rt.handle().clone(),
                demo: true,
                secrets: settings::SecretsHome::SettingsFile,
            },
            Some(Ok(overlays)),
        );
        let mut h = harness(app);
        step_until(&mut h, "the demo's gifts and replies", |app| {
            app.feed().len() >= 5 && app.queue().done >= 3
        });
        // Some notices too, as a stream has them.
        h.state_mut().command(giftdeck::ui::Command::PauseQueue);
        h.state_mut().command(giftdeck::ui::Command::Panic);
        h.step();
        assert!(
            h.query_by_label("Coins for the TNT rain").is_some(),
            "the goals' strip is on the Live page"
        );
        for size in SIZES {
            h.set_size(egui::vec2(size[0], size[1]));
            h.run_steps(3);
            for view in VIEWS {
                open_view(&mut h, view);
                h.run_steps(2);
                for problem in check_view(&mut h) {
                    problems.push(format!(
                        "[{language} {}×{} {view:?} checklist {}] {problem}",
                        size[0],
                        size[1],
                        if checklist_open { "open" } else { "hidden" }
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_control_fits_at_720p_768p_and_1080p_on_every_page() {
    layout_walk("en");
}

#[test]
fn every_control_fits_in_german() {
    layout_walk("de");
}

#[test]
fn every_control_fits_in_spanish() {
    layout_walk("es");
}

#[test]
fn every_control_fits_in_brazilian_portuguese() {
    layout_walk("pt-BR");
}

#[test]
fn every_control_fits_in_indonesian() {
    layout_walk("id");
}

/// The area of `shape`'s filled rectangles inside `visible`, and the largest one's.
fn filled_area(shape: &egui::Shape, visible: egui::Rect, total: &mut f32, largest: &mut f32) {
    match shape {
        egui::Shape::Vec(shapes) => {
            for shape in shapes {
                filled_area(shape, visible, total, largest);
            }
        }
        egui::Shape::Rect(rect) if rect.fill.a() > 0 => {
            let area = rect.rect.intersect(visible).area().max(0.0);
            *total += area;
            *largest = largest.max(area);
        }
        _ => {}
    }
}

/// With software GL (no GPU driver) a frame costs the pixels it shades, and a filled panel
/// shades its whole area again over the window's clear. So no page paints a fill a tenth of the
/// window or larger (the Live page's side panel alone is a fifth), and all fills together (rows'
/// stripes, fields, buttons) stay under a quarter of it.
#[test]
fn no_page_paints_a_panel_sized_fill_over_the_windows_clear() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(&rt, &dir.path().join("settings.json"), true));
    step_until(&mut h, "the demo's rows in the feed", |app| {
        app.state().feed.len() >= 8
    });
    for tab in ["📺 Live", "🎁 Triggers", "🖼 Overlays", "⚙ Settings"] {
        show_page(&mut h, tab);
        h.step();
        let screen = h.ctx.content_rect();
        let (mut total, mut largest) = (0.0, 0.0);
        // The harness paints a frame behind the whole window, inside a margin: egui_kittest's
        // own (eframe has none), always the first shape.
        let shapes = &h.output().shapes;
        let harness_frame = shapes.first().is_some_and(|first| {
            matches!(&first.shape, egui::Shape::Rect(rect) if rect.rect.area() > 0.9 * screen.area())
        });
        for clipped in &shapes[usize::from(harness_frame)..] {
            let visible = clipped.clip_rect.intersect(screen);
            filled_area(&clipped.shape, visible, &mut total, &mut largest);
        }
        let window = screen.area();
        eprintln!(
            "{tab}: the largest fill covers {:.0} % of the window, all fills {:.0} %",
            100.0 * largest / window,
            100.0 * total / window
        );
        assert!(
            largest < 0.1 * window,
            "{tab}: one fill covers {:.0} % of the window",
            100.0 * largest / window
        );
        assert!(
            total < 0.25 * window,
            "{tab}: fills cover {:.0} % of the window",
            100.0 * total / window
        );
    }
}
