//! The leaderboard and `!points` pages in a real headless Chromium, fed the way the app feeds
//! them: a stream's messages go through one [`Dispatch`] to the viewers' ledger and the game,
//! the boards are read from the ledger file after it commits, and the pages draw what arrives.
//! A board lists the right viewers in the right order for its scope and metric; `!points` shows
//! the viewer's points and level; a hostile nickname stays text on both.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/chromium.rs"]
mod chromium;
#[path = "support/real.rs"]
mod real;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use giftdeck::dispatch::{Dispatch, Source, Subscriber, ToGame, ToLedger, ToOverlays};
use giftdeck::engine::{Output, Stamped};
use giftdeck::event::User;
use giftdeck::game::{Game, GameConfig, boards};
use giftdeck::ledger::{self, Ledger, Levels, PointRules, Rate};
use giftdeck::live::{ConnStatus, LiveMsg};
use giftdeck::overlay::{HubConfig, Overlays, Page};
use giftdeck::testkit::outputs::{chat, credit, likes, viewer};

/// Fits a nickname; must show as these characters.
const HOSTILE: &str = "<img src=x onerror=document.title=1>";

const WAIT: Duration = Duration::from_secs(30);

/// 1 point per coin, 1 per like; nothing else (so the figures below are the rates by hand).
fn rules() -> PointRules {
    PointRules {
        coin: Rate::new(1, 1),
        like: Rate::new(1, 1),
        ..PointRules::off()
    }
}

fn hostile() -> User {
    User {
        nickname: HOSTILE.into(),
        ..viewer(10, "dan")
    }
}

/// The overlay server, the ledger in a temp dir, the game and the boards task, wired as in the
/// app (`ui::app::ledger`, `cli::watch`), and a session's channel into one dispatch.
struct Stage {
    overlays: Overlays,
    ledger: Ledger,
    session: tokio::sync::mpsc::Sender<LiveMsg>,
    /// Messages sent into the session's channel, and those the dispatch handed on.
    sent: usize,
    delivered: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

/// Counts what the dispatch handed on (registered last).
struct Count(Arc<AtomicUsize>);

impl Subscriber for Count {
    fn deliver(&mut self, _: &LiveMsg, _: Source) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Stage {
    async fn start() -> Stage {
        let dir = tempfile::tempdir().unwrap();
        let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
        let (ledger, reader) = ledger::open(dir.path().join("ledger.sqlite"), rules())
            .await
            .unwrap();
        let config = GameConfig {
            points_command: "!points".into(),
            ..GameConfig::default()
        };
        let game = Game::start(config, Some(overlays.hub.clone()));
        game.attach(ledger.handle(), reader.clone());
        let (boards_out, _) = tokio::sync::watch::channel(boards::Boards::default());
        tokio::spawn(boards::run(
            reader,
            ledger.status(),
            Levels::default(),
            Some(overlays.hub.clone()),
            boards_out,
        ));
        let (session, rx) = tokio::sync::mpsc::channel(256);
        let delivered = Arc::new(AtomicUsize::new(0));
        let mut dispatch = Dispatch::new(Source::STREAM);
        dispatch
            .subscribe(ToOverlays(overlays.hub.clone()))
            .subscribe(ToLedger::new(ledger.handle()))
            .subscribe(ToGame(game))
            .subscribe(Count(delivered.clone()));
        tokio::spawn(dispatch.run(rx));
        Stage {
            overlays,
            ledger,
            session,
            sent: 0,
            delivered,
            _dir: dir,
        }
    }

    fn port(&self) -> u16 {
        self.overlays.server.port()
    }

    async fn live(&mut self, room_id: &str) {
        self.sent += 1;
        let status = ConnStatus::Live {
            room_id: room_id.into(),
        };
        self.session.send(LiveMsg::Status(status)).await.unwrap();
    }

    async fn send(&mut self, outputs: Vec<Output>) {
        for (at, output) in (1_000..).zip(outputs) {
            self.sent += 1;
            let stamped = Stamped {
                at_millis: at,
                output,
            };
            self.session.send(LiveMsg::Output(stamped)).await.unwrap();
        }
    }

    /// Everything sent so far is committed in the ledger: the last subscriber has seen it (so
    /// the ledger's, registered before, has handed it on in order), and the writer committed.
    async fn committed(&mut self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while self.delivered.load(Ordering::SeqCst) < self.sent {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the dispatch stalled"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.ledger.synced().await.unwrap();
    }
}

/// The first stream: amy 500 coins, cat 300, the hostile dan 150, bob 20 coins and 400 likes.
fn first_stream() -> Vec<Output> {
    let (amy, bob, cat) = (viewer(7, "amy"), viewer(8, "bob"), viewer(9, "cat"));
    vec![
        credit(1, &bob, 20, 1),
        credit(2, &cat, 100, 3),
        credit(3, &amy, 100, 4),
        credit(4, &hostile(), 50, 3),
        likes(5, &bob, 150),
        likes(6, &bob, 250),
        credit(7, &amy, 100, 1),
        chat(8, &amy, "hi everyone"),
    ]
}

/// The board's rows: `[rank, name, value, child elements of the name]`.
const ROWS: &str = "Array.from(document.querySelectorAll('.rows li:not(.empty)')).map(li => [\
    li.querySelector('.rank').textContent, li.querySelector('.name').textContent, \
    li.querySelector('.diamonds').textContent.replace(/[^0-9]/g, ''), \
    li.querySelector('.name').children.length])";

async fn board_rows(binary: &std::path::Path, url: &str, rows: usize) -> serde_json::Value {
    let mut browser = chromium::Browser::open(binary, url, 600, 400).await;
    let shown = browser
        .wait_for(ROWS, WAIT, |v| {
            v.as_array().is_some_and(|a| a.len() == rows)
        })
        .await;
    assert_eq!(
        browser.eval("document.title").await,
        "giftdeck · Leaderboard"
    );
    shown
}

/// `[name, value]` of each row.
fn names_and_values(rows: &serde_json::Value) -> Vec<(String, String)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r[3], 0, "a name became HTML: {r}");
            (
                r[1].as_str().unwrap().to_owned(),
                r[2].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, u32)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_ranks_the_streams_viewers_by_coins_likes_and_points_and_all_time() {
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let mut stage = Stage::start().await;
    let port = stage.port();
    stage.live("7001").await;
    stage.send(first_stream()).await;
    stage.committed().await;

    let url = |query: &str| format!("http://127.0.0.1:{port}/board?{query}");
    let coins = board_rows(&binary, &url("count=10"), 4).await;
    let ranks: Vec<&str> = (0..4).map(|i| coins[i][0].as_str().unwrap()).collect();
    assert_eq!(ranks, ["1.", "2.", "3.", "4."]);
    assert_eq!(
        names_and_values(&coins),
        pairs(&[("AMY", 500), ("CAT", 300), (HOSTILE, 150), ("BOB", 20)])
    );
    let by_likes = board_rows(&binary, &url("by=likes"), 1).await;
    assert_eq!(names_and_values(&by_likes), pairs(&[("BOB", 400)]));
    // Points: coins and likes at their rates (bob: 20 + 400).
    let by_points = board_rows(&binary, &url("by=points&count=3"), 3).await;
    assert_eq!(
        names_and_values(&by_points),
        pairs(&[("AMY", 500), ("BOB", 420), ("CAT", 300)])
    );
    chromium::docs_shot(
        &binary,
        &url("by=points&count=4"),
        600,
        400,
        "overlay-board.png",
    )
    .await;

    // The next stream: "this stream" is it; all time keeps everyone.
    stage.live("7002").await;
    stage.send(vec![credit(20, &viewer(9, "cat"), 10, 7)]).await;
    stage.committed().await;
    let stream = board_rows(&binary, &url("scope=stream"), 1).await;
    assert_eq!(names_and_values(&stream), pairs(&[("CAT", 70)]));
    let all_time = board_rows(&binary, &url("scope=all_time&count=2"), 2).await;
    assert_eq!(
        names_and_values(&all_time),
        pairs(&[("AMY", 500), ("CAT", 370)])
    );
    stage.overlays.stop().await;
}

/// The card on `/points`: `[name, points line, child elements of the name]`, or null.
const CARD: &str = "(() => { const c = document.querySelector('.points-card'); if (!c) return null; \
    return [c.querySelector('.name').textContent, c.querySelector('.points-line').textContent, \
    c.querySelector('.name').children.length]; })()";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_in_chat_shows_that_viewers_points_and_level_as_text() {
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let mut stage = Stage::start().await;
    let url = format!("http://127.0.0.1:{}/points", stage.port());
    let mut browser = chromium::Browser::open(&binary, &url, 600, 200).await;
    browser
        .wait_for("document.body.dataset.connected", WAIT, |v| v == "yes")
        .await;
    assert_eq!(stage.overlays.hub.connections(Page::Points), 1);
    let title = browser.eval("document.title").await;
    stage.live("7001").await;
    stage.send(first_stream()).await;
    stage.committed().await;

    // Not the command: no card.
    stage
        .send(vec![chat(30, &viewer(9, "cat"), "what are !points")])
        .await;
    // Levels by default: 100, 250, 500 … points; cat's 300 is level 2, amy's 500 level 3.
    stage
        .send(vec![chat(31, &viewer(9, "cat"), "!points")])
        .await;
    let card = browser.wait_for(CARD, WAIT, |v| !v.is_null()).await;
    assert_eq!(card[0], "CAT");
    assert_eq!(card[1], "300 points · level 2");
    stage
        .send(vec![chat(32, &viewer(7, "amy"), "!POINTS")])
        .await;
    browser
        .wait_for(CARD, WAIT, |v| {
            v[0] == "AMY" && v[1] == "500 points · level 3"
        })
        .await;

    stage.send(vec![chat(33, &hostile(), "!points")]).await;
    let card = browser
        .wait_for(CARD, WAIT, |v| v[1] == "150 points · level 1")
        .await;
    assert_eq!(card[0], HOSTILE, "the nickname is text");
    assert_eq!(card[2], 0, "the nickname became HTML");
    assert_eq!(browser.eval("document.title").await, title, "no script ran");
    // The card shows for 8 s: asked again each second while the picture is taken (Chromium's
    // start may take longer on a busy machine), so a card is on the page whenever it renders.
    let session = stage.session.clone();
    let asking = tokio::spawn(async move {
        for msg_id in 100.. {
            let output = chat(msg_id, &viewer(9, "cat"), "!points");
            let stamped = Stamped {
                at_millis: 5_000,
                output,
            };
            if session.send(LiveMsg::Output(stamped)).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    // Without the pop-in: each new card would start it again under the camera.
    let still = format!("{url}?animate=0");
    chromium::docs_shot_after(&binary, &still, [600, 200], "overlay-points.png", 6_000).await;
    asking.abort();
    stage.overlays.stop().await;
}
