//! The chat, viewer-count and gifter-spotlight pages in a real headless Chromium: the hub feeds
//! them from pipeline outputs, viewer text shows as text, a moderator's deletion takes a chat
//! line back, and `?hygiene=1` hides gift pictures and gift words.

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

use giftdeck::engine::Output;
use giftdeck::event::{LiveEvent, RoomEvent, RoomKind, User, ViewerCount};
use giftdeck::overlay::{HubConfig, Overlays, Page};
use giftdeck::testkit::outputs::{chat, credit, viewer};

/// Fits a nickname or a message; must show as these characters.
const HOSTILE: &str = "<img src=x onerror=document.title=1>";

const WAIT: Duration = Duration::from_secs(20);

fn room(msg_id: i64, kind: RoomKind) -> Output {
    Output::Event(LiveEvent::Room(Box::new(RoomEvent {
        msg_id,
        create_time_millis: 0,
        user: User::default(),
        kind,
    })))
}

/// The chat lines on the page: `[name, text, child elements of both]`, oldest first.
const LINES: &str = "Array.from(document.querySelectorAll('.chat-line')).map(l => [\
    l.querySelector('.name').textContent, l.querySelector('.chat-text').textContent, \
    l.querySelector('.name').children.length + l.querySelector('.chat-text').children.length])";

async fn connected(browser: &mut chromium::Browser) {
    browser
        .wait_for("document.body.dataset.connected", WAIT, |v| v == "yes")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_page_shows_names_and_messages_as_text_and_a_deletion_removes_one() {
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
    let hub = &overlays.hub;
    let url = format!(
        "http://127.0.0.1:{}/chat?count=3&width=600&height=300",
        overlays.server.port()
    );
    let mut browser = chromium::Browser::open(&binary, &url, 600, 300).await;
    connected(&mut browser).await;
    assert_eq!(hub.connections(Page::Chat), 1);
    let title = browser.eval("document.title").await;
    let mut hostile = viewer(7, "amy");
    hostile.nickname = HOSTILE.into();
    hub.send_output(&chat(1, &viewer(8, "bob"), "first"));
    hub.send_output(&chat(2, &hostile, HOSTILE));
    hub.send_output(&chat(3, &viewer(9, "cat"), "hello 🌹 [smile]"));
    hub.send_output(&chat(4, &viewer(8, "bob"), "newest"));
    let shown = browser
        .wait_for(LINES, WAIT, |v| {
            v.as_array().is_some_and(|a| a.len() == 3) && v[2][1] == "newest"
        })
        .await;
    assert_eq!(shown[0][0], HOSTILE, "the nickname is text");
    assert_eq!(shown[0][1], HOSTILE, "the message is text");
    assert_eq!(shown[0][2], 0, "viewer text became HTML");
    assert_eq!(shown[1][1], "hello 🌹 [smile]", "emotes as their text");
    assert_eq!(browser.eval("document.title").await, title, "no script ran");
    chromium::docs_shot(&binary, &url, 600, 300, "overlay-chat.png").await;

    // A moderator deletes the hostile message: it goes, the others stay (and the older one it
    // pushed out comes back into the 3 shown).
    hub.send_output(&room(
        5,
        RoomKind::Deleted {
            msg_ids: vec![2],
            user_ids: vec![],
        },
    ));
    let after = browser
        .wait_for(LINES, WAIT, |v| {
            v.as_array()
                .is_some_and(|a| a.iter().all(|line| line[1] != HOSTILE))
        })
        .await;
    let texts: Vec<&str> = after
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line[1].as_str().unwrap())
        .collect();
    // The older message the hostile one had pushed out of the 3 shown comes back.
    assert_eq!(texts, ["first", "hello 🌹 [smile]", "newest"]);
    overlays.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_viewer_count_page_shows_the_latest_count() {
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
    let url = format!(
        "http://127.0.0.1:{}/viewers?title=Watching&total=1",
        overlays.server.port()
    );
    let mut browser = chromium::Browser::open(&binary, &url, 400, 200).await;
    connected(&mut browser).await;
    let count = "[document.querySelector('.viewers-count').textContent, \
        (document.querySelector('.viewers-total') || {}).textContent || null, \
        document.querySelector('.list-title').textContent]";
    let before = browser.eval(count).await;
    assert_eq!(before[0], "–", "no count yet");
    for (msg, viewers) in [(1, 120), (2, 1_234)] {
        overlays.hub.send_output(&room(
            msg,
            RoomKind::Viewers(ViewerCount {
                viewers,
                total_viewers: 5_000,
                ..ViewerCount::default()
            }),
        ));
    }
    let shown = browser.wait_for(count, WAIT, |v| v[0] == "👁 1,234").await;
    assert_eq!(shown[1], "5,000 so far");
    assert_eq!(shown[2], "Watching");
    overlays.stop().await;
}

/// The spotlight's cards: `[title, who, pictures]` each.
const SPOT: &str = "Array.from(document.querySelectorAll('.card')).map(c => [\
    c.querySelector('.list-title').textContent, c.querySelector('.spot-who').textContent, \
    c.querySelectorAll('img').length])";

/// A Rose with a picture URL (it need not load: a picture element is what `?hygiene=1` hides).
fn pictured(msg_id: i64, user: &User, diamonds: u32, count: u32, port: u16) -> Output {
    let mut output = credit(msg_id, user, diamonds, count);
    if let Output::Credit(decision) = &mut output {
        decision.gift.image_url = Some(format!("http://127.0.0.1:{port}/rose.png"));
    }
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spotlight_shows_the_last_and_the_top_gifter_and_hygiene_hides_gift_words_and_pictures()
{
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
    let port = overlays.server.port();
    let plain_url = format!("http://127.0.0.1:{port}/spotlight");
    let clean_url = format!("http://127.0.0.1:{port}/spotlight?hygiene=1");
    let mut plain = chromium::Browser::open(&binary, &plain_url, 600, 300).await;
    let mut clean = chromium::Browser::open(&binary, &clean_url, 600, 300).await;
    connected(&mut plain).await;
    connected(&mut clean).await;
    // Amy gives 100 diamonds' worth, then Bob 5: Bob is last, Amy on top.
    overlays
        .hub
        .send_output(&pictured(1, &viewer(7, "amy"), 10, 10, port));
    overlays
        .hub
        .send_output(&pictured(2, &viewer(8, "bob"), 1, 5, port));
    let shown = plain
        .wait_for(SPOT, WAIT, |v| {
            v[0][1].as_str().is_some_and(|s| s.starts_with("BOB"))
        })
        .await;
    assert_eq!(shown[0][0], "Last gift");
    assert_eq!(shown[0][1], "BOB sent 5 × Rose");
    assert_eq!(shown[0][2], 1, "the gift's picture");
    assert_eq!(shown[1][0], "Top gifter");
    assert_eq!(shown[1][1], "AMY 💎 100");
    let neutral = clean
        .wait_for(SPOT, WAIT, |v| {
            v[0][1].as_str().is_some_and(|s| s.starts_with("BOB"))
        })
        .await;
    assert_eq!(neutral[0][0], "Last supporter");
    assert_eq!(neutral[0][1], "BOB × 5", "no gift name, no \"sent\"");
    assert_eq!(neutral[0][2], 0, "no gift picture");
    assert_eq!(neutral[1][0], "Top supporter");
    assert_eq!(neutral[1][1], "AMY ★ 100");
    chromium::docs_shot(&binary, &plain_url, 600, 300, "overlay-spotlight.png").await;
    let text = clean.eval("document.body.textContent.toLowerCase()").await;
    for word in ["gift", "follow", "like", "💎", "rose"] {
        assert!(
            !text.as_str().unwrap().contains(word),
            "{word:?} shows in {text}"
        );
    }
    overlays.stop().await;
}
