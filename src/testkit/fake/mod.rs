//! A fake TikTok on loopback, for tests, benchmarks and the app's demo mode. One port serves the
//! live page (`SIGI_STATE`), `api-live` JSON, `room/check_alive`, the sign endpoint in both shapes
//! (Python's `/webcast/fetch`, Node's `/webcast/rooms/{id}/connect`) and the push WebSocket, which
//! plays a scripted [`Scenario`] and records every client frame. Faults are injected on request.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use giftdeck::testkit::fake::{FakeConfig, FakeTikTok};
//! let fake = FakeTikTok::start(FakeConfig::demo()).await?;
//! let config = fake.live_config(); // a LiveConfig pointing at the fake
//! # Ok(()) }
//! ```

mod euler;
mod http;
pub mod pictures;
mod scenario;
mod ws;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::AbortHandle;

use crate::live::LiveConfig;
use crate::testkit::frames::{self, BatchSpec, ClientFrame};

pub use euler::{EULER_WS_PATH, EulerFake};
pub use http::HttpRequest;
pub use scenario::{
    DEMO_GIFTS, DEMO_VIEWERS, DemoGenerator, DemoGift, HandshakeFault, Scenario, SignFault, Step,
    demo_scenario, gift, storm_scenario,
};

/// What the live page says about the user.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PageMode {
    /// `SIGI_STATE` with the room id, status 2.
    #[default]
    Live,
    /// `SIGI_STATE` with status 4.
    Offline,
    /// A captcha/WAF page (the API answers with one too).
    Captcha,
    /// A page without `SIGI_STATE` (the API still answers): forces the fallback.
    NoState,
    /// An age-restricted (18+) room: no `SIGI_STATE` for an anonymous visitor, and the API's
    /// status 4003110 unless the request carries a `sessionid` cookie.
    AgeRestricted,
}

/// How the fake behaves.
#[derive(Clone, Debug)]
pub struct FakeConfig {
    pub room_id: String,
    /// The one user the fake knows; others are "user not found".
    pub unique_id: String,
    pub page: PageMode,
    /// What `room/check_alive` answers.
    pub alive: bool,
    /// Consumed one per sign request; when empty, signing succeeds.
    pub sign_faults: Vec<SignFault>,
    /// Consumed one per WebSocket attempt; when empty, the upgrade succeeds.
    pub handshake_faults: Vec<HandshakeFault>,
    /// Sent as `Handshake-Options: ping-interval=…` (seconds); `None` sends no such header.
    pub ping_interval: Option<Duration>,
    /// The `X-Set-TT-Cookie` value.
    pub set_cookie: String,
    pub scenario: Scenario,
    /// Record when each `msg` frame was handed to the socket (benchmarks).
    pub record_send_times: bool,
    /// When set, sign requests without this `X-Api-Key` are refused with 401.
    pub sign_api_key: Option<String>,
    /// The fake managed WebSocket (Euler Stream's format and close codes).
    pub euler: EulerFake,
    /// `webcast/gift_info` answers 500 instead of the demo's gift list.
    pub gift_list_fails: bool,
    /// At most this many client frames, and as many sent batches, are kept per connection (and
    /// plain HTTP requests in all); later ones are only counted. Tests keep everything; the demo,
    /// which streams for hours inside the app, keeps the first [`DEMO_RECORD_LIMIT`].
    pub record_limit: usize,
}

/// What the demo fake records per connection (see [`FakeConfig::record_limit`]): enough for the
/// first minute of a storm, so the app's memory stays flat however long the demo runs.
pub const DEMO_RECORD_LIMIT: usize = 1_000;

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            room_id: "7000000000000000001".into(),
            unique_id: "fake_streamer".into(),
            page: PageMode::Live,
            alive: true,
            sign_faults: Vec::new(),
            handshake_faults: Vec::new(),
            ping_interval: Some(Duration::from_secs(10)),
            set_cookie:
                "ttwid=1%7CFAKE-ttwid; Path=/; Domain=tiktok.com; Max-Age=31536000; HttpOnly".into(),
            scenario: Scenario::default(),
            record_send_times: false,
            sign_api_key: None,
            euler: EulerFake::default(),
            gift_list_fails: false,
            record_limit: usize::MAX,
        }
    }
}

impl FakeConfig {
    /// A fake playing `scenario`.
    pub fn with_scenario(scenario: Scenario) -> Self {
        Self {
            scenario,
            ..Self::default()
        }
    }

    /// The endless demo stream, as `giftdeck --demo` uses it.
    pub fn demo() -> Self {
        Self {
            unique_id: "giftdeck_demo".into(),
            scenario: demo_scenario(),
            record_limit: DEMO_RECORD_LIMIT,
            ..Self::default()
        }
    }

    /// The demo's streamer in a storm of `gifts_per_second` gifts (load benchmarks).
    pub fn storm(gifts_per_second: u32) -> Self {
        Self {
            scenario: storm_scenario(gifts_per_second),
            ..Self::demo()
        }
    }
}

/// One WebSocket attempt, as the fake saw it.
#[derive(Clone, Debug, Default)]
pub struct WsConnection {
    pub request: HttpRequest,
    /// False when a handshake fault refused it.
    pub accepted: bool,
    /// The subprotocol the fake selected (`echo-protocol` only when offered).
    pub subprotocol: Option<String>,
    /// Client frames in order (the first [`FakeConfig::record_limit`] of them).
    pub frames: Vec<ClientFrame>,
    /// Client frames received beyond the record limit, counted but not kept.
    pub unrecorded_frames: usize,
    /// The client sent an enter-room frame (kept even when the frames themselves are not).
    pub entered_room: bool,
    /// Binary messages that were not valid client frames.
    pub undecodable: usize,
    /// `(log_id, internal_ext)` of every `msg` frame the fake sent with `need_ack` (the first
    /// [`FakeConfig::record_limit`] of them).
    pub sent_needing_ack: Vec<(i64, String)>,
    /// `msg` frames sent beyond the record limit, counted but not kept.
    pub unrecorded_sent: usize,
    /// The client's close frame code, if it sent one.
    pub client_close: Option<u16>,
    /// The connection has ended (either side).
    pub ended: bool,
}

impl WsConnection {
    pub fn heartbeats(&self) -> Vec<i64> {
        self.frames
            .iter()
            .filter_map(|f| match f {
                ClientFrame::Heartbeat { seq, .. } => Some(*seq),
                _ => None,
            })
            .collect()
    }

    pub fn acks(&self) -> Vec<(i64, String)> {
        self.frames
            .iter()
            .filter_map(|f| match f {
                ClientFrame::Ack {
                    log_id,
                    internal_ext,
                } => Some((*log_id, internal_ext.clone())),
                _ => None,
            })
            .collect()
    }
}

/// Everything the fake has seen so far.
#[derive(Clone, Debug, Default)]
pub struct Recorded {
    /// Every plain HTTP request (page, API, check_alive, sign), in order (the first
    /// [`FakeConfig::record_limit`] of them).
    pub http: Vec<HttpRequest>,
    /// Plain HTTP requests beyond the record limit, counted but not kept.
    pub unrecorded_http: usize,
    /// Every WebSocket attempt, in order.
    pub connections: Vec<WsConnection>,
    /// Every attempt on the fake managed WebSocket, in order.
    pub euler: Vec<WsConnection>,
}

impl Recorded {
    /// Sign requests, both shapes.
    pub fn sign_requests(&self) -> Vec<&HttpRequest> {
        self.http.iter().filter(|r| is_sign_path(&r.path)).collect()
    }

    pub fn accepted_connections(&self) -> usize {
        self.connections.iter().filter(|c| c.accepted).count()
    }

    fn slot_mut(&mut self, slot: Slot) -> &mut WsConnection {
        let list = if slot.euler {
            &mut self.euler
        } else {
            &mut self.connections
        };
        &mut list[slot.index]
    }
}

/// Which recorded connection a socket task writes to.
#[derive(Clone, Copy, Debug)]
struct Slot {
    /// The managed WebSocket's list, not the push socket's.
    euler: bool,
    index: usize,
}

struct State {
    config: FakeConfig,
    sign_faults: VecDeque<SignFault>,
    handshake_faults: VecDeque<HandshakeFault>,
    recorded: Recorded,
    send_times: Vec<(i64, Instant)>,
    tasks: Vec<AbortHandle>,
}

/// What connection tasks share.
struct Shared {
    state: Mutex<State>,
    /// Bumped on every recorded change, so tests can wait without polling sleeps.
    changed: watch::Sender<u64>,
    release: Semaphore,
    addr: SocketAddr,
    /// Frame log ids and msg ids the fake makes up, unique across connections.
    next_log_id: AtomicI64,
    next_msg_id: AtomicI64,
    sign_count: AtomicI64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test helper must not wedge the fake for the others.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn record<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let value = f(&mut self.lock());
        self.changed.send_modify(|v| *v += 1);
        value
    }

    fn push_server(&self) -> String {
        format!(
            "ws://{}/webcast/im/ws_proxy/ws_reuse_supplement/",
            self.addr
        )
    }
}

/// A running fake. Dropping it stops the server and every open connection.
pub struct FakeTikTok {
    shared: Arc<Shared>,
}

impl FakeTikTok {
    /// Binds 127.0.0.1 on a free port and starts serving. Call inside a tokio runtime.
    pub async fn start(config: FakeConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                sign_faults: config.sign_faults.iter().cloned().collect(),
                handshake_faults: config.handshake_faults.iter().cloned().collect(),
                config,
                recorded: Recorded::default(),
                send_times: Vec::new(),
                tasks: Vec::new(),
            }),
            changed: watch::channel(0).0,
            release: Semaphore::new(0),
            addr,
            next_log_id: AtomicI64::new(9_000),
            next_msg_id: AtomicI64::new(8_000_000_000),
            sign_count: AtomicI64::new(0),
        });
        let accept = tokio::spawn(accept_loop(listener, Arc::downgrade(&shared)));
        shared.lock().tasks.push(accept.abort_handle());
        Ok(Self { shared })
    }

    /// The demo fake (`FakeConfig::demo()`).
    pub async fn start_demo() -> std::io::Result<Self> {
        Self::start(FakeConfig::demo()).await
    }

    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// Replaces `https://www.tiktok.com`.
    pub fn tiktok_url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// Replaces `https://webcast.tiktok.com/webcast`.
    pub fn webcast_url(&self) -> String {
        format!("http://{}/webcast", self.shared.addr)
    }

    /// The sign server base (`SIGN_API_URL` for the reference clients).
    pub fn sign_url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// The push server URL the sign endpoint hands out.
    pub fn ws_url(&self) -> String {
        self.shared.push_server()
    }

    /// The fake managed WebSocket (`EULER_WS_URL` for Euler's SDK, `--euler-ws-url` for us).
    pub fn euler_ws_url(&self) -> String {
        format!("ws://{}{EULER_WS_PATH}", self.shared.addr)
    }

    pub fn room_id(&self) -> String {
        self.shared.lock().config.room_id.clone()
    }

    pub fn unique_id(&self) -> String {
        self.shared.lock().config.unique_id.clone()
    }

    /// A session config aimed at this fake, targeting its user by name.
    pub fn live_config(&self) -> LiveConfig {
        LiveConfig {
            target: format!("@{}", self.unique_id()),
            sign_url: self.sign_url(),
            tiktok_url: self.tiktok_url(),
            webcast_url: self.webcast_url(),
            euler_ws_url: self.euler_ws_url(),
            ..LiveConfig::default()
        }
    }

    /// A snapshot of everything recorded so far.
    pub fn recorded(&self) -> Recorded {
        self.shared.lock().recorded.clone()
    }

    /// `(msg_id, when its frame was sent)` for every message sent in a `msg` frame, when
    /// `record_send_times` is on.
    pub fn send_times(&self) -> Vec<(i64, Instant)> {
        self.shared.lock().send_times.clone()
    }

    /// Changes what `room/check_alive` answers from now on.
    pub fn set_alive(&self, alive: bool) {
        self.shared.lock().config.alive = alive;
    }

    /// Lets one `Step::WaitForRelease` proceed.
    pub fn release(&self) {
        self.shared.release.add_permits(1);
    }

    /// Waits until `done` holds for the recording, or `timeout` passes. Returns the last snapshot
    /// and whether `done` held.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        done: impl Fn(&Recorded) -> bool,
    ) -> (Recorded, bool) {
        let mut changed = self.shared.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let snapshot = self.recorded();
            if done(&snapshot) {
                return (snapshot, true);
            }
            match tokio::time::timeout_at(deadline, changed.changed()).await {
                Ok(Ok(())) => {}
                _ => {
                    let snapshot = self.recorded();
                    let ok = done(&snapshot);
                    return (snapshot, ok);
                }
            }
        }
    }
}

impl Drop for FakeTikTok {
    fn drop(&mut self) {
        for task in self.shared.lock().tasks.drain(..) {
            task.abort();
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: std::sync::Weak<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let task = tokio::spawn(serve(stream, Arc::clone(&shared)));
        let mut state = shared.lock();
        state.tasks.retain(|t| !t.is_finished());
        state.tasks.push(task.abort_handle());
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let Ok(Some((request, leftover))) = http::read_head(&mut stream).await else {
        return;
    };
    if request.is_websocket_upgrade() {
        if request.path == EULER_WS_PATH {
            euler::serve(stream, request, leftover, shared).await;
        } else {
            ws::serve(stream, request, leftover, shared).await;
        }
        return;
    }
    shared.record(|s| {
        if s.recorded.http.len() < s.config.record_limit {
            s.recorded.http.push(request.clone());
        } else {
            s.recorded.unrecorded_http += 1;
        }
    });
    let response = route(&request, &shared);
    let _ = http::write_response(&mut stream, &response).await;
}

fn is_sign_path(path: &str) -> bool {
    path == "/webcast/fetch"
        || path == "/webcast/fetch/"
        || (path.starts_with("/webcast/rooms/") && path.ends_with("/connect"))
}

fn route(request: &HttpRequest, shared: &Shared) -> http::Response {
    let path = request.path.as_str();
    let (unique_id, room_id, page, alive) = {
        let state = shared.lock();
        let c = &state.config;
        (c.unique_id.clone(), c.room_id.clone(), c.page, c.alive)
    };
    if is_sign_path(path) {
        return sign_response(request, shared);
    }
    if let Some(user) = path
        .strip_prefix("/@")
        .and_then(|rest| rest.strip_suffix("/live"))
    {
        return live_page(user == unique_id, page, &room_id, user);
    }
    if path.trim_end_matches('/') == "/api-live/user/room" {
        let user = request.query("uniqueId").unwrap_or_default();
        let logged_in = request
            .header("cookie")
            .is_some_and(|c| c.split(';').any(|p| p.trim().starts_with("sessionid=")));
        if page == PageMode::AgeRestricted && !logged_in && user == unique_id {
            return http::Response::json(
                200,
                &json!({"statusCode": 4_003_110, "message": "age restricted", "data": {}}),
            );
        }
        return api_live(user == unique_id, page, &room_id, user);
    }
    if path.trim_end_matches('/') == "/webcast/gift_info" {
        let host: String = (request.header("host").unwrap_or("127.0.0.1").chars())
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '[' | ']' | '-'))
            .take(64)
            .collect();
        return gift_info(shared.lock().config.gift_list_fails, &host);
    }
    if let Some(gift_id) = pictures::gift_id_of(path) {
        return http::Response::new(200, "image/png", pictures::picture_png(gift_id));
    }
    if path.trim_end_matches('/') == "/webcast/room/check_alive" {
        return http::Response::json(
            200,
            &json!({"status_code": 0, "data": [{"alive": alive, "room_id": room_id}]}),
        );
    }
    http::Response::new(404, "text/plain", "not found")
}

/// Euler's `webcast/gift_info` answer, with the demo's gifts and their pictures on the fake
/// reached at `host`.
fn gift_info(fails: bool, host: &str) -> http::Response {
    if fails {
        return http::Response::json(500, &json!({"message": "A 500 error occurred"}));
    }
    let gifts: Vec<serde_json::Value> = DEMO_GIFTS
        .iter()
        .map(|g| {
            json!({"id": g.id, "name": g.name, "diamond_count": g.diamonds,
                "image": {"url_list": [pictures::picture_url(host, g.id)]}})
        })
        .collect();
    http::Response::json(
        200,
        &json!({"code": 200, "response": {"data": {"gifts": gifts}}}),
    )
}

const CAPTCHA_PAGE: &str = "<html><head><title>Please wait...</title></head><body><script>window._wafchallengeid='fake';</script>Verify to continue</body></html>";

fn live_page(known: bool, page: PageMode, room_id: &str, user: &str) -> http::Response {
    let state = match (known, page) {
        (_, PageMode::Captcha) => return http::Response::new(200, "text/html", CAPTCHA_PAGE),
        (_, PageMode::NoState | PageMode::AgeRestricted) => {
            return http::Response::new(200, "text/html", "<html><body>TikTok</body></html>");
        }
        (false, _) => json!({"AppContext": {}}),
        (true, PageMode::Offline) => json!({"LiveRoom": {"liveRoomUserInfo": {
            "user": {"roomId": room_id, "status": 4, "uniqueId": user},
            "liveRoom": {"status": 4}}}}),
        (true, PageMode::Live) => json!({"LiveRoom": {"liveRoomUserInfo": {
            "user": {"roomId": room_id, "status": 2, "uniqueId": user},
            "liveRoom": {"status": 2, "title": "fake stream"}}}}),
    };
    let html = format!(
        "<!DOCTYPE html><html><head><script id=\"SIGI_STATE\" type=\"application/json\">{state}</script></head><body></body></html>"
    );
    http::Response::new(200, "text/html; charset=utf-8", html)
}

fn api_live(known: bool, page: PageMode, room_id: &str, user: &str) -> http::Response {
    let body = match (known, page) {
        (_, PageMode::Captcha) => return http::Response::new(200, "text/html", CAPTCHA_PAGE),
        (false, _) => json!({"statusCode": 19_881_007, "message": "user_not_found", "data": {}}),
        (true, PageMode::Offline) => json!({"statusCode": 0, "message": "", "data": {
            "user": {"roomId": room_id, "status": 4, "uniqueId": user}, "liveRoom": {"status": 4}}}),
        (true, _) => json!({"statusCode": 0, "message": "", "data": {
            "user": {"roomId": room_id, "status": 2, "uniqueId": user}, "liveRoom": {"status": 2}}}),
    };
    http::Response::json(200, &body)
}

fn sign_response(request: &HttpRequest, shared: &Shared) -> http::Response {
    let (fault, history, set_cookie, default_room, key) = {
        let mut state = shared.lock();
        let fault = state.sign_faults.pop_front();
        (
            fault,
            state.config.scenario.history.clone(),
            state.config.set_cookie.clone(),
            state.config.room_id.clone(),
            state.config.sign_api_key.clone(),
        )
    };
    if let Some(key) = key
        && request.header("x-api-key") != Some(key.as_str())
    {
        return http::Response::json(401, &json!({"message": "Invalid API key provided."}));
    }
    let room_id = request
        .query("room_id")
        .map(str::to_owned)
        .or_else(|| {
            request
                .path
                .strip_prefix("/webcast/rooms/")
                .and_then(|rest| rest.strip_suffix("/connect"))
                .map(str::to_owned)
        })
        .unwrap_or(default_room);
    let n = shared.sign_count.fetch_add(1, Ordering::Relaxed) + 1;
    let body = frames::encode_batch(&BatchSpec {
        messages: history,
        cursor: format!("c-sign-{n}"),
        internal_ext: format!("ie-sign-{n}"),
        need_ack: false,
        push_server: shared.push_server(),
        route_params: [("wrss".to_owned(), format!("fake-wrss-{n}"))]
            .into_iter()
            .collect(),
        is_first: true,
        heartbeat_duration_millis: 10_000,
    });
    let ok = |body: Vec<u8>| {
        http::Response::new(200, "application/protobuf", body)
            .header("X-Room-Id", &room_id)
            .header("X-Request-Id", &format!("fake-{n}"))
    };
    match fault {
        None | Some(SignFault::Pass) => ok(body).header("X-Set-TT-Cookie", &set_cookie),
        Some(SignFault::NoCookie) => ok(body),
        Some(SignFault::EmptyBody) => ok(Vec::new()).header("X-Set-TT-Cookie", &set_cookie),
        Some(SignFault::RateLimited { message }) => http::Response::json(
            429,
            &json!({"message": message, "limit_label": "fake-anonymous"}),
        ),
        Some(SignFault::RetryAfter { secs }) => http::Response::json(
            429,
            &json!({"message": "Rate limit reached.", "limit_label": "fake-anonymous"}),
        )
        .header("Retry-After", &secs.to_string()),
        Some(SignFault::FallbackStub) => {
            // What the sign server answered during the 2026-09 outages: a small body naming its
            // fallback proxy, which never completes an upgrade.
            let stub = frames::encode_batch(&BatchSpec {
                cursor: format!("c-stub-{n}"),
                internal_ext: "Connected through Euler Stream fallback proxy".into(),
                push_server: format!("wss://ws-fallback.eulerstream.com/?token=fake-jwt-{n}"),
                is_first: true,
                ..BatchSpec::default()
            });
            ok(stub).header("X-Set-TT-Cookie", &set_cookie)
        }
        Some(SignFault::ServerError { status, message }) => {
            http::Response::json(status, &json!({ "message": message }))
        }
        Some(SignFault::Status { status, body }) => http::Response::new(status, "text/plain", body),
    }
}

#[cfg(test)]
mod tests;
