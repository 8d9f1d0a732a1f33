//! The connection half of the app: starting and stopping sessions and the demo, each session
//! with its router and its own `watch` channels for status and counters.

use tokio::sync::{mpsc, watch};

use super::super::bridge::{self, ConnStatus, LiveConfig, RconConfig};
use super::super::router::{self, SessionSenders};
use super::super::state::{DemoBackends, Link, NoticeLevel, SessionWatch};
use super::super::tasks::{self, UiMsg};
use super::{GiftdeckApp, LIVE_CHANNEL_CAPACITY, executor_config};
use crate::actions::Origin;
use crate::engine;
use crate::settings::Settings;
use crate::testkit::rcon::{DEMO_RCON_PASSWORD, FakeRcon};

impl GiftdeckApp {
    /// Stops whatever runs (the demo's backends stop when dropped) and starts a new session id.
    fn new_session(&mut self) -> u64 {
        let conn = &mut self.state.conn;
        if let Link::Session { handle, .. } = std::mem::take(&mut conn.link) {
            handle.stop();
        }
        conn.session += 1;
        conn.stats = engine::Stats::default();
        self.state.feed.reset();
        conn.session
    }

    pub(super) fn connect(&mut self) {
        let target = self.state.target_input.trim().to_owned();
        if target.is_empty() {
            self.notice(
                NoticeLevel::Warning,
                "Type the TikTok @username (or live URL) to connect to.".into(),
            );
            return;
        }
        let session = self.new_session();
        self.executor
            .set_config(executor_config(&self.state.settings, None));
        if self.state.settings.connection.last_target != target {
            self.state.settings.connection.last_target = target.clone();
            self.schedule_save();
        }
        let mut config = self.state.settings.live_config(&target);
        // The room's memory outlives Disconnect/Connect and restarts (not the demo's: its fake
        // stream reuses ids).
        config.memory = crate::room_store::RoomStore::for_app(self.state.save.path.as_deref());
        self.start_session(session, config, target, None);
    }

    /// Where the executor reaches the demo's server.
    pub(super) fn demo_rcon_config(port: u16) -> RconConfig {
        RconConfig {
            host: "127.0.0.1".into(),
            port,
            password: DEMO_RCON_PASSWORD.into(),
        }
    }

    fn start_session(
        &mut self,
        session: u64,
        config: LiveConfig,
        target: String,
        demo: Option<DemoBackends>,
    ) {
        let _guard = self.tasks.runtime().enter();
        let (live_tx, live_rx) = mpsc::channel(LIVE_CHANNEL_CAPACITY);
        let (status_tx, status_rx) = watch::channel(ConnStatus::Resolving);
        let (stats_tx, stats_rx) = watch::channel(engine::Stats::default());
        let (route_tx, route_rx) = watch::channel(None);
        // The router wakes the UI, and only for what it shows.
        let handle = bridge::spawn_session(
            config,
            self.mappings_tx.subscribe(),
            live_tx,
            tasks::no_wake(),
        );
        // The session's credits are bound to its server: a demo streak finalized after
        // Disconnect is held for the demo, never run on the streamer's world.
        let origin = if demo.is_some() {
            Origin::Demo
        } else {
            Origin::Stream
        };
        self.tasks.spawn_loop(router::route_session(
            session,
            live_rx,
            self.executor.clone(),
            SessionSenders {
                status: status_tx,
                stats: stats_tx,
                route: route_tx,
                origin,
                overlay: self.overlays.as_ref().map(|o| o.hub.clone()),
            },
            self.tasks.sender(),
            self.tasks.waker(),
            self.drops.clone(),
        ));
        let conn = &mut self.state.conn;
        conn.link = Link::Session {
            handle,
            watch: Box::new(SessionWatch {
                status: status_rx,
                stats: stats_rx,
                route: route_rx,
            }),
            demo,
        };
        conn.target = target;
        conn.route = None;
        conn.set_status(ConnStatus::Resolving);
    }

    pub(super) fn disconnect(&mut self) {
        let conn = &mut self.state.conn;
        match std::mem::take(&mut conn.link) {
            Link::Session {
                handle,
                watch,
                demo: None,
            } => {
                // A clean stop: open streaks are credited, then the session reports Ended.
                handle.stop();
                conn.link = Link::Session {
                    handle,
                    watch,
                    demo: None,
                };
            }
            Link::Session { handle, .. } => {
                // The demo: stop it all at once (dropping the backends stops them).
                handle.stop();
                self.stop_demo();
            }
            Link::StartingDemo => self.stop_demo(),
            Link::Off => {}
        }
    }

    fn stop_demo(&mut self) {
        let conn = &mut self.state.conn;
        conn.link = Link::Off;
        conn.session += 1;
        conn.set_status(ConnStatus::Idle);
        self.executor
            .set_config(executor_config(&self.state.settings, None));
    }

    pub(super) fn start_demo(&mut self) {
        let session = self.new_session();
        let conn = &mut self.state.conn;
        conn.link = Link::StartingDemo;
        conn.target = "demo stream".into();
        conn.set_status(ConnStatus::Resolving);
        if self.state.settings.mappings.is_empty() {
            self.state.settings.mappings = Settings::default().mappings;
            self.mappings_changed();
            self.notice(
                NoticeLevel::Info,
                "Added example triggers for the demo; edit or delete them freely.".into(),
            );
        }
        self.tasks.spawn(async move {
            let result = async {
                let rcon = FakeRcon::start_demo()
                    .await
                    .map_err(|e| format!("cannot start the demo Minecraft server: {e}"))?;
                let fake = bridge::start_demo_backend().await?;
                Ok(DemoBackends { fake, rcon })
            }
            .await;
            UiMsg::DemoReady { session, result }
        });
    }

    pub(super) fn on_demo_ready(&mut self, session: u64, result: Result<DemoBackends, String>) {
        let conn = &self.state.conn;
        if session != conn.session || !conn.starting_demo() {
            return; // the user moved on; dropping the backends stops them
        }
        match result {
            Ok(demo) => {
                let rcon = Self::demo_rcon_config(demo.rcon.port());
                self.executor
                    .set_config(executor_config(&self.state.settings, Some(rcon)));
                let config = LiveConfig {
                    target: demo.fake.target.clone(),
                    sign_url: demo.fake.sign_url.clone(),
                    sign_api_key: None,
                    tiktok_url: demo.fake.tiktok_url.clone(),
                    webcast_url: demo.fake.webcast_url.clone(),
                    engine: self.state.settings.engine.engine_config(),
                    ..LiveConfig::default()
                };
                let target = format!("@{} (demo)", demo.fake.target.trim_start_matches('@'));
                self.start_session(session, config, target, Some(demo));
            }
            Err(err) => {
                // Nothing of TikTok's failed: the notice says what did.
                self.state.conn.link = Link::Off;
                self.state.conn.set_status(ConnStatus::Idle);
                self.notice(NoticeLevel::Error, format!("Demo could not start: {err}"));
            }
        }
    }
}
