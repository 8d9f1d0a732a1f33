//! The goals and subathon pages in a real headless Chromium: the game task publishes to the
//! overlay server, the page draws what arrives (as text), and the timer counts down by itself.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/chromium.rs"]
mod chromium;
#[path = "support/real.rs"]
mod real;

use std::time::Duration;

use giftdeck::engine::Stamped;
use giftdeck::game::{Control, Game, GameConfig};
use giftdeck::goals::{GoalDef, GoalStep, Metric};
use giftdeck::overlay::{HubConfig, Overlays, Page};
use giftdeck::subathon::SubathonRates;
use giftdeck::testkit::outputs::{credit, social, viewer};

/// Fits what a title could hold; must show as these characters.
const HOSTILE: &str = "<img src=x onerror=document.title=1>";

fn config() -> GameConfig {
    GameConfig {
        goals: vec![
            GoalDef {
                title: HOSTILE.into(),
                metric: Metric::Coins,
                initial_target: 100,
                step: GoalStep::Multiply { factor: 2 },
            },
            GoalDef {
                title: "Follows".into(),
                metric: Metric::Follows,
                initial_target: 10,
                step: GoalStep::Reset,
            },
        ],
        subathon: SubathonRates {
            start_millis: 60_000,
            ..SubathonRates::default()
        },
        points_command: "!points".into(),
    }
}

fn now_stamped(output: giftdeck::engine::Output) -> Stamped {
    Stamped {
        at_millis: 0,
        output,
    }
}

/// The page's goals: `[title, numbers, fill width]` per card.
const GOALS: &str = "Array.from(document.querySelectorAll('.goal-card')).map(c => [\
    c.querySelector('.goal-name').textContent, c.querySelector('.goal-numbers').textContent, \
    c.querySelector('.goal-fill').style.width, c.querySelector('.goal-name').children.length])";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_goals_page_shows_every_goals_progress_as_text() {
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
    let port = overlays.server.port();
    let game = Game::start(config(), Some(overlays.hub.clone()));
    let url = format!("http://127.0.0.1:{port}/goals?width=800&height=300");
    let mut browser = chromium::Browser::open(&binary, &url, 800, 300).await;
    browser
        .wait_for(
            "document.body.dataset.connected",
            Duration::from_secs(20),
            |v| v == "yes",
        )
        .await;
    assert_eq!(overlays.hub.connections(Page::Goals), 1);
    let title = browser.eval("document.title").await;
    // 150 coins pass the first target (100 → 200), and one follow.
    game.on_output(&now_stamped(credit(1, &viewer(7, "amy"), 50, 3)));
    game.on_output(&now_stamped(social(
        2,
        &viewer(8, "bob"),
        giftdeck::event::SocialKind::Follow,
    )));
    let shown = browser
        .wait_for(GOALS, Duration::from_secs(20), |v| {
            v[0][1] == "150 / 200" && v[1][1] == "1 / 10"
        })
        .await;
    assert_eq!(shown[0][0], HOSTILE, "the title is text");
    assert_eq!(shown[0][3], 0, "the title became HTML");
    assert_eq!(shown[0][2], "75%");
    assert_eq!(shown[1][0], "Follows");
    assert_eq!(browser.eval("document.title").await, title, "no script ran");

    // How it looks (docs/ with GIFTDECK_SCREENSHOTS=1, as for the other pages).
    chromium::docs_shot(&binary, &url, 800, 300, "overlay-goals.png").await;

    // ?goal=2 shows the second only.
    let one = format!("http://127.0.0.1:{port}/goals?goal=2");
    let mut second = chromium::Browser::open(&binary, &one, 800, 200).await;
    second
        .wait_for(GOALS, Duration::from_secs(20), |v| {
            v.as_array().is_some_and(|a| a.len() == 1) && v[0][0] == "Follows"
        })
        .await;
    overlays.stop().await;
}

/// The clock's text in seconds (`m:ss` or `h:mm:ss`), or null.
const CLOCK_SECONDS: &str = "(() => { const t = document.querySelector('.clock'); if (!t) return null; \
    return t.textContent.split(':').reduce((a, p) => a * 60 + Number(p), 0); })()";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subathon_page_counts_down_with_the_time_added_and_stands_still_when_paused() {
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
    let port = overlays.server.port();
    let game = Game::start(config(), Some(overlays.hub.clone()));
    game.control(Control::SubathonStart);
    game.control(Control::SubathonAdd { millis: 5 * 60_000 });
    game.synced().await;
    // A page opened after the time was added still shows the right time.
    let url = format!("http://127.0.0.1:{port}/subathon?title=Subathon");
    let mut browser = chromium::Browser::open(&binary, &url, 600, 200).await;
    let first = browser
        .wait_for(CLOCK_SECONDS, Duration::from_secs(20), |v| {
            v.as_f64().is_some_and(|s| (340.0..=360.0).contains(&s))
        })
        .await;
    // It counts down by itself: a later reading is lower.
    browser
        .wait_for(CLOCK_SECONDS, Duration::from_secs(10), |v| {
            v.as_f64().is_some_and(|s| s < first.as_f64().unwrap())
        })
        .await;
    game.control(Control::SubathonPause);
    let paused = browser
        .wait_for(
            "document.getElementById('overlay').dataset.state",
            Duration::from_secs(10),
            |v| v == "paused",
        )
        .await;
    assert_eq!(paused, "paused");
    let at_pause = browser.eval(CLOCK_SECONDS).await;
    chromium::docs_shot(&binary, &url, 600, 200, "overlay-subathon.png").await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(
        browser.eval(CLOCK_SECONDS).await,
        at_pause,
        "paused: the clock stands still"
    );
    overlays.stop().await;
}
