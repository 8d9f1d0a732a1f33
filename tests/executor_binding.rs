//! The executor alone (no window): every action is bound to the server it was queued for, a server
//! switch holds the queue, credits from a stream are bound by their origin whenever they arrive,
//! and the stop handshake lets the running action finish, then lists what did not run. Real RCON
//! servers on loopback (our strict fake, two of them).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use giftdeck::actions::{
    ExecMsg, ExecutorConfig, ExecutorHandle, Origin, QueueStatus, RconConfig, ServerId,
    spawn_executor,
};
use giftdeck::engine::Decision;
use giftdeck::event::CreditedGift;
use giftdeck::mappings::{Action, Mapping, MappingTable};
use giftdeck::testkit::rcon::FakeRcon;
use tokio::sync::{mpsc, watch};

fn mapping() -> Mapping {
    Mapping::new(
        "Rose",
        vec![Action::Command {
            command: "say {nickname}".into(),
            repeat: 1,
        }],
    )
}

fn decision(nickname: &str) -> Decision {
    Decision {
        gift: CreditedGift {
            user_id: 2,
            unique_id: "viewer".into(),
            nickname: nickname.into(),
            trigger: Some("Rose".into()),
            ..giftdeck::testkit::outputs::rose()
        },
        mapping: Some(mapping()),
    }
}

fn rcon(server: &FakeRcon) -> Option<RconConfig> {
    Some(RconConfig {
        host: "127.0.0.1".into(),
        port: server.port(),
        password: "pw".into(),
    })
}

fn start(config: ExecutorConfig) -> (ExecutorHandle, mpsc::Receiver<ExecMsg>) {
    let (_tx, rx) = watch::channel(MappingTable::new(vec![mapping()]));
    let (events_tx, events) = mpsc::channel(1024);
    (
        spawn_executor(config, rx, events_tx, Arc::new(|| {})),
        events,
    )
}

/// Waits until the latest status satisfies `done`; fails after 10 s showing it.
async fn status_until(handle: &ExecutorHandle, done: impl Fn(&QueueStatus) -> bool) -> QueueStatus {
    let mut status = handle.status_watch();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = status.borrow_and_update().clone();
        if done(&now) {
            return now;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            tokio::time::timeout(left, status.changed()).await.is_ok(),
            "timed out; last status {now:?}"
        );
    }
}

async fn commands_until(server: &FakeRcon, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.commands().len() < n {
        assert!(Instant::now() < deadline, "{:?}", server.commands());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.commands()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_switch_holds_the_queue_and_keep_runs_it_on_its_own_server() {
    let a = FakeRcon::start("pw").await.unwrap();
    let b = FakeRcon::start("pw").await.unwrap();
    let on_a = ExecutorConfig {
        gap_millis: 300,
        rcon: rcon(&a),
        ..ExecutorConfig::default()
    };
    let on_b = ExecutorConfig {
        rcon: rcon(&b),
        ..on_a.clone()
    };
    let (exec, _events) = start(on_a.clone());
    for i in 0..5 {
        exec.enqueue(&decision(&format!("a{i}")));
    }
    commands_until(&a, 1).await;
    exec.set_config(on_b.clone());
    let status = status_until(&exec, |s| s.server == ServerId::rcon("127.0.0.1", b.port())).await;
    let a_id = ServerId::rcon("127.0.0.1", a.port());
    assert_eq!(status.depth, 0, "nothing carried across: {status:?}");
    assert_eq!(status.held.len(), 1);
    assert_eq!(status.held[0].server, a_id);
    assert!(status.held[0].count >= 3, "{status:?}");
    assert!(!status.held[0].kept);

    // B's own work runs on B, and only that.
    exec.enqueue(&decision("b0"));
    assert_eq!(commands_until(&b, 1).await, ["say b0"]);

    // Kept for A: still nothing on B; back on A the held actions run there, in order.
    assert!(exec.keep_held(&a_id));
    exec.set_config(on_a);
    let got = commands_until(&a, 5).await;
    assert_eq!(got, ["say a0", "say a1", "say a2", "say a3", "say a4"]);
    assert_eq!(b.commands(), ["say b0"]);
    assert!(exec.status().held.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credits_are_bound_by_their_origin_whenever_they_arrive() {
    let real = FakeRcon::start("pw").await.unwrap();
    let demo = FakeRcon::start("pw").await.unwrap();
    let real_only = ExecutorConfig {
        gap_millis: 0,
        rcon: rcon(&real),
        ..ExecutorConfig::default()
    };
    let in_demo = ExecutorConfig {
        demo_rcon: rcon(&demo),
        ..real_only.clone()
    };
    let (exec, _events) = start(in_demo);
    // While the demo runs, a late credit from the real stream is held for the real server.
    exec.enqueue_from(&decision("late-real"), Origin::Stream);
    exec.enqueue_from(&decision("demo"), Origin::Demo);
    assert_eq!(commands_until(&demo, 1).await, ["say demo"]);
    let status = exec.status();
    assert_eq!(status.server, ServerId::Demo);
    assert_eq!(
        status.held[0].server,
        ServerId::rcon("127.0.0.1", real.port())
    );

    // The demo stops; its streak is credited afterwards (as a stopping session does).
    exec.set_config(real_only);
    exec.enqueue_from(&decision("late-demo"), Origin::Demo);
    exec.enqueue_from(&decision("real"), Origin::Stream);
    assert_eq!(commands_until(&real, 1).await, ["say real"]);
    let status = status_until(&exec, |s| s.done == 2).await;
    assert_eq!(status.held.len(), 2, "{status:?}");
    assert!(
        status
            .held
            .iter()
            .any(|h| h.server == ServerId::Demo && h.next.as_deref() == Some("/say late-demo"))
    );
    assert_eq!(demo.commands(), ["say demo"], "nothing more on the demo");
    assert_eq!(exec.clear_held(&ServerId::Demo), 1);
    assert_eq!(exec.status().cleared, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_lets_the_running_action_finish_and_lists_the_rest() {
    let server = FakeRcon::start("pw").await.unwrap();
    let (exec, _events) = start(ExecutorConfig {
        gap_millis: 60_000,
        rcon: rcon(&server),
        ..ExecutorConfig::default()
    });
    for i in 0..4 {
        exec.enqueue(&decision(&format!("n{i}")));
    }
    commands_until(&server, 1).await;
    let report = exec.stop(Duration::from_secs(2)).await;
    assert!(report.clean, "the task ended by itself: {report:?}");
    assert_eq!(report.done, 1);
    assert_eq!(report.not_run_count(), 3);
    assert_eq!(
        report
            .not_run
            .iter()
            .map(|n| n.action.as_str())
            .collect::<Vec<_>>(),
        ["/say n1", "/say n2", "/say n3"]
    );
    // After the stop nothing is queued, and what arrives is counted as refused.
    assert_eq!(exec.enqueue(&decision("late")), 0);
    let again = exec.stop(Duration::from_secs(1)).await;
    assert_eq!(again.refused, 1);
    assert_eq!(server.commands(), ["say n0"]);
}
