//! The overlay hub: one tokio task that owns the page policies (alert queue, like goal, top
//! gifters, recent events, overlay text), fed through a bounded channel that never blocks the
//! sender, and publishes each page's latest state (a `watch` per page: a slow page skips stale
//! states, it never lags) and every event for `/events` (a `broadcast`).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::{broadcast, mpsc, watch};

use super::Page;
use super::alerts::{AlertConfig, AlertKind, AlertQueue};
use super::chat::{self, ChatLog, LastGift};
use super::messages::{self, RecentItem, TextOverlay};
use super::tallies::{GoalConfig, LikeGoal, Recent, TopGifters};
use crate::engine::{Output, Stamped};
use crate::event::{LiveEvent, MEMBER_SUBSCRIBED, RoomKind, ViewerCount};

/// Inputs waiting for the hub; more are dropped and counted (the sender never waits).
const INPUT_CAPACITY: usize = 8_192;
/// `/events` messages a slow client may fall behind before it is told it missed some.
pub const EVENTS_CAPACITY: usize = 16_384;

/// What the pages show and how (the `overlays` part of settings).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct HubConfig {
    pub alerts: AlertConfig,
    pub goal: GoalConfig,
    /// Viewers the top-gifters list keeps (a page shows `?count=` of them).
    pub top_size: usize,
    /// Items the recent-events ticker keeps.
    pub recent_size: usize,
    /// Chat lines the chat page keeps (a page shows `?count=` of them).
    pub chat_size: usize,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            alerts: AlertConfig::default(),
            goal: GoalConfig::default(),
            top_size: 10,
            recent_size: 20,
            chat_size: 50,
        }
    }
}

/// One thing for the overlays.
#[derive(Debug)]
enum Input {
    // Boxed: an Output is several times the other inputs, and one allocation per event is cheap
    // next to the JSON the hub writes for it.
    Output {
        stamped: Box<Stamped>,
        /// From the app's Test button: shown, never counted in the tallies.
        test: bool,
    },
    Text(TextOverlay),
    Config(HubConfig),
    /// The catalog's pictures by gift id, for gifts whose message carries none.
    Pictures(Arc<HashMap<i64, String>>),
}

/// The shared ends the server reads.
pub(crate) struct Channels {
    pub(crate) pages: Vec<watch::Sender<Arc<str>>>,
    pub(crate) events: broadcast::Sender<Arc<str>>,
    /// Open connections per page (index [`Page::index`]) and for `/events` (the last one).
    pub(crate) connections: Vec<AtomicUsize>,
    /// Bumped whenever a page or `/events` client connects or leaves: the app redraws its
    /// Overlays panel then, instead of polling the counts.
    pub(crate) connections_changed: watch::Sender<u64>,
    dropped_inputs: AtomicU64,
}

impl Channels {
    pub(crate) fn page(&self, page: Page) -> &watch::Sender<Arc<str>> {
        &self.pages[page.index()]
    }
}

/// Feeds the overlays. Cheap to clone; every method returns at once. The hub task ends when the
/// last clone is dropped.
#[derive(Clone)]
pub struct OverlayHub {
    input: mpsc::Sender<Input>,
    pub(crate) channels: Arc<Channels>,
}

impl std::fmt::Debug for OverlayHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OverlayHub").finish_non_exhaustive()
    }
}

impl OverlayHub {
    /// Starts the hub task on the current tokio runtime.
    pub fn start(config: HubConfig) -> Self {
        let (input, rx) = mpsc::channel(INPUT_CAPACITY);
        let state = State::new(config);
        let channels = Arc::new(Channels {
            pages: Page::ALL
                .iter()
                .map(|&p| watch::Sender::new(state.page_message(p, 0)))
                .collect(),
            events: broadcast::Sender::new(EVENTS_CAPACITY),
            connections: (0..=Page::ALL.len()).map(|_| AtomicUsize::new(0)).collect(),
            connections_changed: watch::Sender::new(0),
            dropped_inputs: AtomicU64::new(0),
        });
        tokio::spawn(run(state, rx, channels.clone()));
        Self { input, channels }
    }

    fn send(&self, input: Input) {
        if self.input.try_send(input).is_err() {
            self.channels.dropped_inputs.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A pipeline output (a credited gift or another event) for the pages and `/events`, with
    /// the engine's stamp; `test` when the app's Test button sent it (alerts and the recent
    /// list show it; the top gifters and the like goal count viewers only).
    pub fn send_stamped(&self, stamped: &Stamped, test: bool) {
        self.send(Input::Output {
            stamped: Box::new(stamped.clone()),
            test,
        });
    }

    /// A viewer's output stamped now (tools and tests that have no engine stamp).
    pub fn send_output(&self, output: &Output) {
        let stamped = Stamped {
            at_millis: wall_millis(),
            output: output.clone(),
        };
        self.send_stamped(&stamped, false);
    }

    /// Shows an overlay text on `/text` (replacing the one showing).
    pub fn show_text(&self, text: TextOverlay) {
        self.send(Input::Text(text));
    }

    pub fn set_config(&self, config: HubConfig) {
        self.send(Input::Config(config));
    }

    /// The gift catalog's pictures by gift id: an alert, the recent list and the spotlight show
    /// the catalog's picture when a gift message carries none (sent when the catalog changed).
    pub fn set_gift_pictures(&self, pictures: Arc<HashMap<i64, String>>) {
        self.send(Input::Pictures(pictures));
    }

    /// Pages open in a browser right now.
    pub fn connections(&self, page: Page) -> usize {
        self.channels.connections[page.index()].load(Ordering::Relaxed)
    }

    /// `/events` clients connected right now.
    pub fn event_clients(&self) -> usize {
        self.channels.connections[Page::ALL.len()].load(Ordering::Relaxed)
    }

    /// Changes (to a new number) each time a page or `/events` client connects or leaves.
    pub fn subscribe_connections(&self) -> watch::Receiver<u64> {
        self.channels.connections_changed.subscribe()
    }

    /// Inputs lost because the hub fell 8,192 behind (should stay 0).
    pub fn dropped_inputs(&self) -> u64 {
        self.channels.dropped_inputs.load(Ordering::Relaxed)
    }

    /// Subscribes to `/events` messages (what the WebSocket sends), from now on.
    pub fn subscribe_events(&self) -> broadcast::Receiver<Arc<str>> {
        self.channels.events.subscribe()
    }

    /// Replaces a page's state whose owner is not the hub (the game's goals and timer pages).
    /// Never blocks; pages open now get it at once.
    pub fn publish(&self, page: Page, state: String) {
        self.channels.page(page).send_if_modified(|shown| {
            let modified = **shown != *state;
            if modified {
                *shown = state.into();
            }
            modified
        });
    }

    /// Subscribes to a page's latest state.
    pub fn subscribe_page(&self, page: Page) -> watch::Receiver<Arc<str>> {
        self.channels.page(page).subscribe()
    }
}

/// Everything the pages show, owned by the hub task.
struct State {
    started: Instant,
    alerts: AlertQueue,
    goal: LikeGoal,
    goal_config: GoalConfig,
    top: TopGifters,
    recent: Recent<RecentItem>,
    text: Option<(u64, TextOverlay, u64)>,
    next_text_id: u64,
    chat: ChatLog,
    viewers: Option<ViewerCount>,
    last_gift: Option<LastGift>,
    /// The catalog's pictures by gift id ([`OverlayHub::set_gift_pictures`]).
    pictures: Arc<HashMap<i64, String>>,
    seq: u64,
}

impl State {
    fn new(config: HubConfig) -> Self {
        Self {
            started: Instant::now(),
            alerts: AlertQueue::new(config.alerts),
            goal: LikeGoal::new(config.goal),
            goal_config: config.goal,
            top: TopGifters::new(config.top_size),
            recent: Recent::new(config.recent_size),
            text: None,
            next_text_id: 1,
            chat: ChatLog::new(config.chat_size),
            viewers: None,
            last_gift: None,
            pictures: Arc::default(),
            seq: 0,
        }
    }

    fn now_millis(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn page_message(&self, page: Page, now: u64) -> Arc<str> {
        match page {
            Page::Alerts => {
                messages::alert_state(self.alerts.showing(), now, self.alerts.waiting())
            }
            Page::Goal => messages::goal_state(&self.goal),
            Page::Top => messages::top_state(self.top.top()),
            Page::Recent => messages::recent_state(self.recent.items()),
            Page::Text => match &self.text {
                Some((id, text, until)) => {
                    messages::text_state(Some((*id, text)), until.saturating_sub(now))
                }
                None => messages::text_state(None, 0),
            },
            // Fed from the counter hub (`OverlayHub::show_counters`), not from here.
            Page::Counter | Page::Timer => super::counters::empty_state(),
            // Published by their owner (`OverlayHub::publish`); until then, nothing to show.
            Page::Goals => r#"{"type":"goals","goals":[]}"#.to_owned(),
            Page::Subathon => {
                r#"{"type":"subathon","state":"idle","remaining_millis":0,"added_millis":0}"#
                    .to_owned()
            }
            Page::Board => r#"{"type":"board","boards":null}"#.to_owned(),
            Page::Points => r#"{"type":"points","card":null}"#.to_owned(),
            Page::Chat => self.chat.state(),
            Page::Viewers => chat::viewers_state(self.viewers.as_ref()),
            Page::Spotlight => {
                chat::spotlight_state(self.last_gift.as_ref(), self.top.top().first())
            }
        }
        .into()
    }

    fn next_deadline(&self) -> Option<u64> {
        let text = self.text.as_ref().map(|t| t.2);
        match (self.alerts.next_deadline_millis(), text) {
            (Some(a), Some(t)) => Some(a.min(t)),
            (a, t) => a.or(t),
        }
    }

    /// Applies one input; returns which pages changed and the `/events` lines.
    fn apply(&mut self, input: Input, now: u64, changed: &mut [bool], events: &mut Vec<String>) {
        match input {
            Input::Output { stamped, test } => {
                let Stamped { at_millis, output } = *stamped;
                self.apply_output(output, test, now, changed, events, at_millis);
            }
            Input::Text(text) => {
                events.push(messages::text_event(&text, &mut self.seq, wall_millis()));
                let until = now.saturating_add(u64::from(text.seconds.max(1)) * 1_000);
                self.text = Some((self.next_text_id, text, until));
                self.next_text_id += 1;
                changed[Page::Text.index()] = true;
            }
            Input::Config(config) => {
                self.alerts.set_config(config.alerts);
                if config.goal != self.goal_config {
                    self.goal = LikeGoal::new(config.goal);
                    self.goal_config = config.goal;
                    changed[Page::Goal.index()] = true;
                }
                changed[Page::Alerts.index()] = true;
                // The lists take their new sizes at once.
                changed[Page::Top.index()] |= self.top.set_size(config.top_size);
                changed[Page::Chat.index()] |= self.chat.set_size(config.chat_size);
                changed[Page::Recent.index()] |= self.recent.set_size(config.recent_size);
            }
            Input::Pictures(pictures) => self.pictures = pictures,
        }
    }

    /// A pipeline output: `/events` lines, alerts, tallies (viewers' only: never a test's).
    /// `wall` is the engine's stamp, the time the `/events` messages carry.
    fn apply_output(
        &mut self,
        output: Output,
        test: bool,
        now: u64,
        changed: &mut [bool],
        events: &mut Vec<String>,
        wall: u64,
    ) {
        match output {
            Output::Credit(decision) => {
                events.extend(messages::credit_events(&decision, &mut self.seq, wall));
                let mut alert = messages::gift_alert(&decision.gift);
                if alert.image_url.is_none() {
                    let catalog = self.pictures.get(&alert.gift_id);
                    alert.image_url = messages::safe_image_url(catalog.map(String::as_str));
                }
                self.last_gift = Some(LastGift {
                    nickname: alert.nickname.clone(),
                    gift_name: alert.gift_name.clone(),
                    count: alert.count,
                    diamonds: alert.value(),
                    image_url: alert.image_url.clone(),
                });
                changed[Page::Spotlight.index()] = true;
                self.recent.push(RecentItem::from(&alert));
                changed[Page::Recent.index()] = true;
                if !test
                    && self.top.add(
                        alert.user_id,
                        &alert.unique_id,
                        &alert.nickname,
                        alert.value(),
                        u64::from(alert.count),
                    )
                {
                    changed[Page::Top.index()] = true;
                }
                self.alerts.push(alert, now);
                changed[Page::Alerts.index()] = true;
            }
            Output::Fired(fired) => {
                events.push(messages::fired_event(&fired, &mut self.seq, wall));
            }
            Output::Likes(likes) => {
                if !test {
                    self.goal.add_likes(likes.added);
                    changed[Page::Goal.index()] = true;
                }
            }
            Output::Event(event) => {
                events.push(messages::live_event(&event, &mut self.seq, wall));
                let alert = match &event {
                    // The goal counts the engine's likes (`Output::Likes`), not each message's.
                    LiveEvent::Like { .. } => None,
                    LiveEvent::Member {
                        user,
                        action,
                        msg_id,
                        ..
                    } if *action == MEMBER_SUBSCRIBED => {
                        Some(messages::social_alert(AlertKind::Subscribe, user, *msg_id))
                    }
                    LiveEvent::Social {
                        user, kind, msg_id, ..
                    } => messages::social_kind(*kind)
                        .map(|kind| messages::social_alert(kind, user, *msg_id)),
                    LiveEvent::Chat {
                        msg_id, user, text, ..
                    } => {
                        self.chat.push(*msg_id, user, text);
                        changed[Page::Chat.index()] = true;
                        None
                    }
                    LiveEvent::Room(room) => {
                        match &room.kind {
                            RoomKind::Deleted { msg_ids, user_ids } => {
                                self.take_back(msg_ids, user_ids, now, changed);
                            }
                            RoomKind::Viewers(count) => {
                                self.viewers = Some(count.clone());
                                changed[Page::Viewers.index()] = true;
                            }
                            _ => {}
                        }
                        messages::room_alert(room)
                    }
                    _ => None,
                };
                if let Some(alert) = alert {
                    self.recent.push(RecentItem::from(&alert));
                    changed[Page::Recent.index()] = true;
                    self.alerts.push(alert, now);
                    changed[Page::Alerts.index()] = true;
                }
            }
        }
    }

    /// A moderator deleted messages: their alerts and recent items go (the `/events` clients got
    /// the `delete` message and take their own rows back).
    fn take_back(&mut self, msg_ids: &[i64], user_ids: &[i64], now: u64, changed: &mut [bool]) {
        if self.alerts.take_back(msg_ids, user_ids, now) {
            changed[Page::Alerts.index()] = true;
        }
        if self
            .recent
            .retain(|item| !item.deleted_by(msg_ids, user_ids))
        {
            changed[Page::Recent.index()] = true;
        }
        if self.chat.delete(msg_ids, user_ids) {
            changed[Page::Chat.index()] = true;
        }
    }

    /// Time-driven changes: the next alert, the end of an overlay text.
    fn tick(&mut self, now: u64, changed: &mut [bool]) {
        if self.alerts.tick(now) {
            changed[Page::Alerts.index()] = true;
        }
        if self.text.as_ref().is_some_and(|t| now >= t.2) {
            self.text = None;
            changed[Page::Text.index()] = true;
        }
    }
}

fn wall_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Most inputs handled before the pages are republished: a burst becomes one page update.
const BATCH: usize = 256;

async fn run(mut state: State, mut rx: mpsc::Receiver<Input>, channels: Arc<Channels>) {
    let mut changed = vec![false; Page::ALL.len()];
    let mut events = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let deadline = state
            .next_deadline()
            .map(|d| state.started + Duration::from_millis(d));
        let received = match deadline {
            Some(deadline) => tokio::select! {
                n = rx.recv_many(&mut batch, BATCH) => n,
                () = tokio::time::sleep_until(deadline.into()) => usize::MAX,
            },
            None => rx.recv_many(&mut batch, BATCH).await,
        };
        if received == 0 {
            break;
        }
        let now = state.now_millis();
        state.tick(now, &mut changed);
        for input in batch.drain(..) {
            state.apply(input, now, &mut changed, &mut events);
        }
        for line in events.drain(..) {
            // No subscriber is fine: nobody listens.
            let _ = channels.events.send(line.into());
        }
        for page in Page::ALL {
            if std::mem::take(&mut changed[page.index()]) {
                channels
                    .page(page)
                    .send_replace(state.page_message(page, now));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Decision;
    use crate::event::{CreditedGift, SocialKind, User};

    fn credit(user: &str, gift: &str, count: u32) -> Output {
        Output::Credit(Decision {
            gift: CreditedGift {
                user_id: user.len() as i64,
                unique_id: user.to_lowercase(),
                nickname: user.to_owned(),
                gift_name: gift.to_owned(),
                count,
                image_url: Some("https://example.invalid/rose.png".into()),
                ..crate::testkit::outputs::rose()
            },
            mapping: None,
        })
    }

    async fn wait_page(hub: &OverlayHub, page: Page, want: impl Fn(&serde_json::Value) -> bool) {
        let mut rx = hub.subscribe_page(page);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let value: serde_json::Value = serde_json::from_str(&rx.borrow_and_update()).unwrap();
            if want(&value) {
                return;
            }
            tokio::time::timeout_at(deadline, rx.changed())
                .await
                .expect("page state did not arrive in time")
                .unwrap();
        }
    }

    #[tokio::test]
    async fn gifts_and_follows_reach_every_page() {
        let hub = OverlayHub::start(HubConfig::default());
        let mut events = hub.subscribe_events();
        hub.send_output(&credit("Alice", "Rose", 2));
        hub.send_output(&credit("Alice", "Rose", 3));
        hub.send_output(&Output::Event(LiveEvent::Social {
            msg_id: 2,
            create_time_millis: 0,
            user: User {
                user_id: 9,
                unique_id: "bob".into(),
                nickname: "Bob".into(),
                ..User::default()
            },
            kind: SocialKind::Follow,
        }));
        hub.send_output(&Output::Event(LiveEvent::Like {
            msg_id: 3,
            create_time_millis: 0,
            user: User::default(),
            count: 15,
            total: 15,
        }));
        // The engine's count of it, right after (the goal counts this, not the message).
        hub.send_output(&Output::Likes(crate::engine::Likes {
            added: 15,
            counted: 15,
        }));
        wait_page(&hub, Page::Alerts, |v| {
            v["alert"]["count"] == 5 && v["alert"]["nickname"] == "Alice" && v["waiting"] == 1
        })
        .await;
        wait_page(&hub, Page::Goal, |v| v["likes"] == 15).await;
        wait_page(&hub, Page::Top, |v| v["gifters"][0]["diamonds"] == 5).await;
        wait_page(&hub, Page::Recent, |v| {
            v["items"][0]["kind"] == "follow" && v["items"].as_array().unwrap().len() == 3
        })
        .await;
        let mut types = Vec::new();
        for _ in 0..4 {
            let line = events.recv().await.unwrap();
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            types.push((
                v["seq"].as_u64().unwrap(),
                v["type"].as_str().unwrap().to_owned(),
            ));
        }
        assert_eq!(
            types,
            [
                (1, "gift".to_owned()),
                (2, "gift".to_owned()),
                (3, "follow".to_owned()),
                (4, "like".to_owned())
            ]
        );
    }

    #[tokio::test]
    async fn text_shows_then_clears_itself() {
        let hub = OverlayHub::start(HubConfig::default());
        hub.show_text(TextOverlay {
            title: "Thanks Alice".into(),
            subtitle: "5 × Rose".into(),
            seconds: 1,
        });
        wait_page(&hub, Page::Text, |v| v["text"]["title"] == "Thanks Alice").await;
        wait_page(&hub, Page::Text, |v| v["text"].is_null()).await;
    }

    fn room(msg_id: i64, kind: crate::event::RoomKind) -> Output {
        Output::Event(LiveEvent::Room(Box::new(crate::event::RoomEvent {
            msg_id,
            create_time_millis: 0,
            user: User {
                user_id: 9,
                unique_id: "bob".into(),
                nickname: "Bob".into(),
                ..User::default()
            },
            kind,
        })))
    }

    #[tokio::test]
    async fn the_2026_kinds_reach_events_and_alerts_and_a_deletion_takes_them_back() {
        use crate::event::{Chest, RoomKind, SuperFanMoment, ViewerCount};
        let hub = OverlayHub::start(HubConfig::default());
        let mut events = hub.subscribe_events();
        hub.send_output(&room(1, RoomKind::Subscription { months: 2 }));
        hub.send_output(&room(
            2,
            RoomKind::Chest(Chest {
                envelope_id: "e".into(),
                diamonds: 500,
                openers: 20,
                super_fan_box: false,
            }),
        ));
        hub.send_output(&room(
            3,
            RoomKind::SuperFan {
                moment: SuperFanMoment::New,
            },
        ));
        hub.send_output(&room(
            4,
            RoomKind::Viewers(ViewerCount {
                viewers: 77,
                ..ViewerCount::default()
            }),
        ));
        wait_page(&hub, Page::Alerts, |v| {
            v["alert"]["kind"] == "subscribe" && v["waiting"] == 2
        })
        .await;
        wait_page(&hub, Page::Recent, |v| {
            v["items"].as_array().unwrap().len() == 3
        })
        .await;
        hub.send_output(&room(
            5,
            RoomKind::Deleted {
                msg_ids: vec![1, 2],
                user_ids: vec![],
            },
        ));
        wait_page(&hub, Page::Alerts, |v| {
            v["alert"]["kind"] == "super_fan" && v["waiting"] == 0
        })
        .await;
        wait_page(&hub, Page::Recent, |v| {
            v["items"].as_array().unwrap().len() == 1 && v["items"][0]["kind"] == "super_fan"
        })
        .await;
        let mut seen = Vec::new();
        for _ in 0..5 {
            let v: serde_json::Value = serde_json::from_str(&events.recv().await.unwrap()).unwrap();
            seen.push(v);
        }
        let types: Vec<&str> = seen.iter().map(|v| v["type"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            [
                "subscribe",
                "treasure_chest",
                "super_fan",
                "viewers",
                "delete"
            ]
        );
        assert_eq!(seen[0]["months"], 2);
        assert_eq!(
            (seen[1]["diamonds"].clone(), seen[1]["openers"].clone()),
            (500.into(), 20.into())
        );
        assert_eq!(seen[2]["moment"], "new");
        assert_eq!(seen[3]["viewers"], 77);
        assert_eq!(seen[4]["msg_ids"], serde_json::json!([1, 2]));
    }

    #[tokio::test]
    async fn a_new_chat_size_applies_at_once() {
        use crate::testkit::outputs::{chat, viewer};
        let hub = OverlayHub::start(HubConfig {
            chat_size: 5,
            ..HubConfig::default()
        });
        let lines =
            |n: usize| move |v: &serde_json::Value| v["lines"].as_array().unwrap().len() == n;
        for id in 1..=5 {
            hub.send_output(&chat(id, &viewer(7, "amy"), &format!("line {id}")));
        }
        wait_page(&hub, Page::Chat, lines(5)).await;
        hub.set_config(HubConfig {
            chat_size: 2,
            ..HubConfig::default()
        });
        wait_page(&hub, Page::Chat, |v| {
            lines(2)(v) && v["lines"][0]["text"] == "line 5" && v["lines"][1]["text"] == "line 4"
        })
        .await;
        hub.set_config(HubConfig {
            chat_size: 3,
            ..HubConfig::default()
        });
        for id in 6..=9 {
            hub.send_output(&chat(id, &viewer(7, "amy"), &format!("line {id}")));
        }
        wait_page(&hub, Page::Chat, |v| {
            lines(3)(v) && v["lines"][0]["text"] == "line 9"
        })
        .await;
    }
}
