//! The game task against a real overlay hub and a real ledger file: pages follow the outputs and
//! the controls, and a second game on the same ledger continues where the first stopped.

use super::*;
use crate::goals::{GoalStep, Metric};
use crate::ledger::{PointRules, open};
use crate::overlay::{HubConfig, Page};
use crate::testkit::outputs::{credit, viewer};

fn stamped(output: crate::engine::Output) -> Stamped {
    Stamped {
        at_millis: wall_millis(),
        output,
    }
}

fn config() -> GameConfig {
    GameConfig {
        goals: vec![
            GoalDef {
                title: "Coins".into(),
                metric: Metric::Coins,
                initial_target: 100,
                step: GoalStep::Add { step: 100 },
            },
            GoalDef {
                title: "Follows".into(),
                metric: Metric::Follows,
                initial_target: 5,
                step: GoalStep::Reset,
            },
        ],
        subathon: SubathonRates {
            start_millis: 60_000,
            coin_millis: 1_000,
            ..SubathonRates::default()
        },
        points_command: "!points".into(),
    }
}

async fn page(
    hub: &OverlayHub,
    page: Page,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let mut rx = hub.subscribe_page(page);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let v: serde_json::Value = serde_json::from_str(&rx.borrow_and_update()).unwrap();
        if wanted(&v) {
            return v;
        }
        tokio::time::timeout_at(deadline, rx.changed())
            .await
            .expect("the page never showed it")
            .unwrap();
    }
}

#[tokio::test]
async fn outputs_and_controls_reach_the_pages_and_a_restart_continues_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let hub = OverlayHub::start(HubConfig::default());
    {
        let (ledger, reader) = open(path.clone(), PointRules::default()).await.unwrap();
        let game = Game::start(config(), Some(hub.clone()));
        game.attach(ledger.handle(), reader);
        game.control(Control::SubathonStart);
        // 150 coins: the coin goal passes 100 (its target grows to 200), 150 s on the clock.
        game.on_output(&stamped(credit(1, &viewer(7, "amy"), 50, 3)));
        game.control(Control::GoalAdd {
            index: 1,
            amount: 2,
        });
        game.synced().await;
        let goals = page(&hub, Page::Goals, |v| v["goals"][0]["progress"] == 150).await;
        assert_eq!(goals["goals"][0]["target"], 200);
        assert_eq!(goals["goals"][0]["reached"], 1);
        assert_eq!(goals["goals"][1]["progress"], 2);
        let timer = page(&hub, Page::Subathon, |v| v["added_millis"] == 150_000).await;
        assert_eq!(timer["state"], "running");
        let left = timer["remaining_millis"].as_u64().unwrap();
        assert!((200_000..=210_000).contains(&left), "{left}");
        game.control(Control::SubathonPause);
        game.synced().await;
        assert!(game.view().borrow().saved);
        ledger.close().await.unwrap();
    }
    // The app starts again: the same ledger, a new game.
    let (ledger, reader) = open(path, PointRules::default()).await.unwrap();
    let game = Game::start(config(), Some(hub.clone()));
    game.attach(ledger.handle(), reader);
    game.synced().await;
    let view = game.view().borrow().clone();
    assert_eq!(view.goals.get(0).unwrap().progress, 150);
    assert_eq!(view.goals.get(1).unwrap().progress, 2);
    assert!(matches!(
        view.subathon.clock,
        crate::subathon::Clock::Paused { remaining_millis } if (200_000..=210_000).contains(&remaining_millis)
    ));
    assert_eq!(view.subathon.added_millis, 150_000);
}

#[tokio::test]
async fn a_goal_renamed_keeps_its_progress_and_one_redefined_starts_over() {
    let game = Game::start(config(), None);
    game.on_output(&stamped(credit(1, &viewer(7, "amy"), 40, 1)));
    let mut renamed = config();
    renamed.goals[0].title = "Coins for the next challenge".into();
    game.set_config(renamed.clone());
    game.synced().await;
    assert_eq!(game.view().borrow().goals.get(0).unwrap().progress, 40);
    renamed.goals[0].metric = Metric::Likes;
    game.set_config(renamed);
    game.synced().await;
    assert_eq!(game.view().borrow().goals.get(0).unwrap().progress, 0);
}
