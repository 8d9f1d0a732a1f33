//! The fake's own bounds, with the real live client connected to it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::*;
use crate::mappings::MappingTable;

const WAIT: Duration = Duration::from_secs(10);

/// The demo's fake streams for hours inside the app: past `record_limit` it only counts client
/// frames, sent batches and HTTP requests, and it still sees the enter-room frame.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_keeps_at_most_its_record_limit_and_counts_the_rest() {
    assert_eq!(FakeConfig::demo().record_limit, DEMO_RECORD_LIMIT);
    assert_eq!(FakeConfig::storm(1_000).record_limit, DEMO_RECORD_LIMIT);
    assert_eq!(
        FakeConfig::default().record_limit,
        usize::MAX,
        "tests keep all"
    );

    let limit = 2;
    let batches = 6;
    let mut steps = vec![Step::WaitForEnterRoom];
    steps.extend((0..batches).map(|i| Step::Batch(scenario::storm_batch(100 + 10 * i, 3))));
    let fake = FakeTikTok::start(FakeConfig {
        ping_interval: Some(Duration::from_millis(20)),
        record_limit: limit,
        ..FakeConfig::with_scenario(Scenario {
            connections: vec![steps],
            ..Scenario::default()
        })
    })
    .await
    .expect("fake binds loopback");
    let (_mappings, mappings_rx) = watch::channel(MappingTable::default());
    let (tx, mut rx) = mpsc::channel(64);
    let _session = crate::live::spawn_session(fake.live_config(), mappings_rx, tx, Arc::new(|| {}));
    tokio::spawn(async move { while rx.recv().await.is_some() {} });

    // The batches are played only after the enter-room frame was seen, so all of them being sent
    // shows the wait works without frames being kept.
    let (recorded, ok) = fake
        .wait_for(WAIT, |r| {
            r.connections.first().is_some_and(|c| {
                c.sent_needing_ack.len() + c.unrecorded_sent == batches as usize
                    && c.frames.len() + c.unrecorded_frames >= 1 + batches as usize + 2
            })
        })
        .await;
    assert!(
        ok,
        "batches sent, acks and heartbeats counted: {recorded:#?}"
    );
    let conn = &recorded.connections[0];
    assert!(conn.entered_room);
    assert!(matches!(conn.frames[0], ClientFrame::EnterRoom { .. }));
    assert_eq!(conn.frames.len(), limit, "{conn:#?}");
    assert_eq!(conn.sent_needing_ack.len(), limit, "{conn:#?}");
    assert_eq!(conn.unrecorded_sent, batches as usize - limit);
    let http = recorded.http.len() + recorded.unrecorded_http;
    assert!(http >= 2, "at least the live page and the sign request");
    assert_eq!(recorded.http.len(), limit.min(http));
}
