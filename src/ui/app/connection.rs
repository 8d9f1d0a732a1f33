//! The connection half of the app: starting and stopping sessions and the demo, each session
//! with its dispatch (executor, overlays, window) and its own `watch` channels for status and
//! counters.

use tokio::sync::{mpsc, watch};

use super::super::bridge::{self, ConnStatus, LiveConfig, RconConfig};
use super::super::errors::DemoError;
use super::super::failure;
use super::super::link::{DemoBackends, Link, SessionWatch};
use super::super::outbox::{SessionSenders, ToWindow};
use super::super::state::NoticeLevel;
use super::super::tasks::{self, UiMsg};
use super::{GiftdeckApp, LIVE_CHANNEL_CAPACITY, executor_config};
use crate::dispatch::{Dispatch, ReadAloud, Source, ToExecutor, ToGame, ToOverlays};
use crate::engine;
use crate::settings::Settings;
use crate::testkit::rcon::{DEMO_RCON_PASSWORD, FakeRcon};

impl GiftdeckApp {
    /// Stops whatever runs (the demo's backends stop when dropped) and starts a new session id.
    fn new_session(&mut self) -> u64 {
        if let Link::Session { handle, .. } = self.set_link(Link::Off) {
            handle.stop();
        }
        let conn = &mut self.state.conn;
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
                crate::i18n::tr("notice-type-username").into(),
            );
            return;
        }
        let session = self.new_session();
        self.executor.set_config(executor_config(
            &self.state.settings,
            None,
            self.bedrock.link(),
        ));
        if self.state.settings.connection.last_target != target {
            self.state.settings.connection.last_target = target.clone();
            self.schedule_save();
        }
        let mut config = self.state.settings.live_config(&target);
        config.standings = self.standings();
        // The room's memory outlives Disconnect/Connect and restarts (not the demo's: its fake
        // stream reuses ids).
        config.memory = self
            .room_store
            .clone()
            .or_else(|| crate::room_store::RoomStore::for_app(self.state.save.path.as_deref()));
        self.start_session(session, config, target, None);
    }

    /// Puts what runs behind the connect bar in place (the panels see its phase) and returns
    /// what ran before.
    pub(super) fn set_link(&mut self, link: Link) -> Link {
        self.link.replace(link, &mut self.state.conn)
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
        if demo.is_none() && config.webcast_url == crate::live::DEFAULT_WEBCAST_URL {
            // Connected to TikTok itself: its picture servers are reachable and expected.
            self.state.pictures.fetch_from_tiktok();
        }
        let (live_tx, live_rx) = mpsc::channel(LIVE_CHANNEL_CAPACITY);
        let (status_tx, status_rx) = watch::channel(ConnStatus::Resolving);
        let (stats_tx, stats_rx) = watch::channel(engine::Stats::default());
        let (route_tx, route_rx) = watch::channel(None);
        // The window's subscriber wakes the UI, and only for what it shows.
        let handle = bridge::spawn_session(
            config,
            self.mappings_tx.subscribe(),
            live_tx,
            tasks::no_wake(),
        );
        // The session's credits are bound to its server: a demo streak finalized after
        // Disconnect is held for the demo, never run on the streamer's world.
        let source = if demo.is_some() {
            Source::DEMO
        } else {
            Source::STREAM
        };
        let mut dispatch = Dispatch::new(source);
        // The executor first: actions never wait for the window.
        dispatch
            .subscribe(ToExecutor::new(self.executor.clone()))
            .subscribe(ReadAloud::new(self.executor.clone()))
            .subscribe_some(self.overlays.as_ref().map(|o| ToOverlays(o.hub.clone())))
            .subscribe_some(self.ledger_subscriber(demo.is_some()))
            .subscribe(ToGame(self.game.clone()))
            .subscribe(self.tikfinity_subscriber())
            .subscribe(ToWindow::session(
                session,
                self.inbox.clone(),
                SessionSenders {
                    status: status_tx,
                    stats: stats_tx,
                    route: route_tx,
                },
            ));
        self.tasks.spawn_loop(dispatch.run(live_rx));
        self.set_link(Link::Session {
            handle,
            watch: Box::new(SessionWatch {
                status: status_rx,
                stats: stats_rx,
                route: route_rx,
            }),
            demo,
        });
        let conn = &mut self.state.conn;
        conn.target = target;
        conn.route = None;
        conn.set_status(ConnStatus::Resolving);
    }

    pub(super) fn disconnect(&mut self) {
        match self.set_link(Link::Off) {
            Link::Session {
                handle,
                watch,
                demo: None,
            } => {
                // A clean stop: open streaks are credited, then the session reports Ended.
                handle.stop();
                self.set_link(Link::Session {
                    handle,
                    watch,
                    demo: None,
                });
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
        self.set_link(Link::Off);
        let conn = &mut self.state.conn;
        conn.session += 1;
        conn.set_status(ConnStatus::Idle);
        self.executor.set_config(executor_config(
            &self.state.settings,
            None,
            self.bedrock.link(),
        ));
    }

    pub(super) fn start_demo(&mut self) {
        let session = self.new_session();
        self.set_link(Link::StartingDemo);
        let conn = &mut self.state.conn;
        conn.target = crate::i18n::tr("conn-demo-stream").into();
        conn.set_status(ConnStatus::Resolving);
        if self.state.settings.mappings.is_empty() {
            self.state.settings.mappings = Settings::default().mappings;
            self.mappings_changed();
            self.notice(
                NoticeLevel::Info,
                crate::i18n::tr("notice-demo-triggers").into(),
            );
        }
        self.tasks.spawn(async move {
            let result = async {
                let rcon = FakeRcon::start_demo().await.map_err(DemoError::Minecraft)?;
                let fake = bridge::start_demo_backend().await?;
                Ok(DemoBackends { fake, rcon })
            }
            .await;
            UiMsg::DemoReady { session, result }
        });
    }

    pub(super) fn on_demo_ready(&mut self, session: u64, result: Result<DemoBackends, DemoError>) {
        let conn = &self.state.conn;
        if session != conn.session || !conn.starting_demo() {
            return; // the user moved on; dropping the backends stops them
        }
        match result {
            Ok(demo) => {
                let rcon = Self::demo_rcon_config(demo.rcon.port());
                self.executor.set_config(executor_config(
                    &self.state.settings,
                    Some(rcon),
                    self.bedrock.link(),
                ));
                let config = LiveConfig {
                    target: demo.fake.target.clone(),
                    sign_url: demo.fake.sign_url.clone(),
                    sign_api_key: None,
                    tiktok_url: demo.fake.tiktok_url.clone(),
                    webcast_url: demo.fake.webcast_url.clone(),
                    engine: self.state.settings.engine.engine_config(),
                    ..LiveConfig::default()
                };
                // The demo's gift list points at pictures the fake itself draws.
                self.state.pictures.allow_origin(&demo.fake.sign_url);
                let target = crate::trf!(
                    "conn-demo-target",
                    user = demo.fake.target.trim_start_matches('@')
                );
                self.start_session(session, config, target, Some(demo));
            }
            Err(err) => {
                // Nothing of TikTok's failed: the notice says what did.
                self.set_link(Link::Off);
                self.state.conn.set_status(ConnStatus::Idle);
                self.notice(NoticeLevel::Error, failure::demo_failure(&err));
            }
        }
    }
}
