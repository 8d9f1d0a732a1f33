//! The app's local servers for other programs: the TikFinity-compatible events API (a dispatch
//! subscriber, [`ToTikfinityWhenOn`], whose feed follows the server) and the external trigger
//! endpoint, each started, moved or stopped as its settings change, a busy port said once in a
//! notice and kept on its Settings line. An external call fires its trigger through the Test
//! button's path (a fresh pipeline, then the dispatch), shown in the feed as "external".

use std::time::Duration;

use tokio::sync::watch;

use super::super::local_servers::{self, ServerLine};
use super::super::state::NoticeLevel;
use super::super::tasks::UiMsg;
use super::GiftdeckApp;
use super::test_buttons::Ran;
use crate::dispatch::ToTikfinityWhenOn;
use crate::external::{ExternalCall, ExternalServer, Token};
use crate::tikfinity::{TikfinityFeed, TikfinityServer};

/// The servers the window owns (`None` while off or after they could not start).
#[derive(Debug)]
pub(super) struct LocalServers {
    tikfinity: Option<TikfinityServer>,
    /// The port that failed, so the same failure is not retried (or told) every frame.
    tikfinity_failed: Option<u16>,
    /// The current server's feed, for every dispatch (sessions come and go separately).
    feed: watch::Sender<Option<TikfinityFeed>>,
    /// The endpoint and the (port, token) it was started with.
    external: Option<(ExternalServer, u16, String)>,
    external_failed: Option<(u16, String)>,
}

impl Default for LocalServers {
    fn default() -> Self {
        Self {
            tikfinity: None,
            tikfinity_failed: None,
            feed: watch::channel(None).0,
            external: None,
            external_failed: None,
        }
    }
}

impl GiftdeckApp {
    /// The TikFinity events API as a dispatch subscriber (nothing while it is off).
    pub(super) fn tikfinity_subscriber(&self) -> ToTikfinityWhenOn {
        ToTikfinityWhenOn(self.local.feed.subscribe())
    }

    /// Makes the token on first start (saved with the secrets), then both servers match the
    /// settings.
    pub(super) fn sync_local_servers(&mut self) {
        if self.state.settings.external.ensure_token() {
            self.schedule_save();
        }
        self.sync_tikfinity();
        self.sync_external();
    }

    fn sync_tikfinity(&mut self) {
        let wanted = self.state.settings.tikfinity.port();
        let current = self.local.tikfinity.as_ref().map(TikfinityServer::port);
        if current == wanted || (current.is_none() && self.local.tikfinity_failed == wanted) {
            return;
        }
        // Stop the old one first: the new port may be the same one after a failure.
        self.local.feed.send_replace(None);
        self.local.tikfinity = None;
        self.local.tikfinity_failed = None;
        self.state.local_servers.tikfinity = ServerLine::default();
        let Some(port) = wanted else {
            return;
        };
        let started = {
            let _guard = self.tasks.runtime().enter();
            TikfinityServer::bind(port)
        };
        match started {
            Ok(server) => {
                tracing::info!(port, "TikFinity events API listening on 127.0.0.1:{port}");
                self.local.feed.send_replace(Some(server.feed()));
                self.local.tikfinity = Some(server);
            }
            Err(err) => {
                let words = local_servers::tikfinity_error(&err);
                self.notice(
                    NoticeLevel::Error,
                    crate::trf!("notice-tikfinity", words = words.to_string()),
                );
                self.state.local_servers.tikfinity.error = Some(words);
                self.local.tikfinity_failed = Some(port);
            }
        }
    }

    fn sync_external(&mut self) {
        let settings = &self.state.settings.external;
        let wanted = settings
            .port()
            .map(|port| (port, settings.token.trim().to_owned()));
        let current =
            (self.local.external.as_mut()).map(|(server, port, token)| (server, *port, token));
        if let (Some((server, port, token)), Some((wanted_port, wanted_token))) = (current, &wanted)
            && port == *wanted_port
        {
            // Same port, maybe a new token: the running server takes it (no restart, so
            // the port is never given up).
            if token != wanted_token {
                server.set_token(Token::from_secret(wanted_token.clone()));
                token.clone_from(wanted_token);
            }
            return;
        }
        if self.local.external.is_none() && self.local.external_failed == wanted {
            return;
        }
        self.local.external = None;
        self.local.external_failed = None;
        self.state.local_servers.external = ServerLine::default();
        let Some((port, token)) = wanted else {
            return;
        };
        let started = {
            let _guard = self.tasks.runtime().enter();
            ExternalServer::bind(
                port,
                Token::from_secret(token.clone()),
                self.mappings_tx.subscribe(),
            )
        };
        match started {
            Ok((server, mut calls)) => {
                tracing::info!(port, "external triggers listening on 127.0.0.1:{port}");
                let (ui, waker) = (self.tasks.sender(), self.tasks.waker());
                // Ends when the server is dropped (its sender goes with it).
                self.tasks.spawn_loop(async move {
                    while let Some(call) = calls.recv().await {
                        if ui.send(UiMsg::External(call)).await.is_err() {
                            return;
                        }
                        waker.wake();
                    }
                });
                self.state.local_servers.external.listening = Some(server.port());
                self.local.external = Some((server, port, token));
            }
            Err(err) => {
                let words = err.to_string();
                self.notice(
                    NoticeLevel::Error,
                    crate::trf!("notice-external", words = words.to_string()),
                );
                self.state.local_servers.external.error = Some(words);
                self.local.external_failed = Some((port, token));
            }
        }
    }

    /// Copies the servers' state for this frame; while Settings shows it, the client count is
    /// looked at again every second.
    pub(super) fn refresh_local_servers(&mut self, ctx: &egui::Context) {
        let line = &mut self.state.local_servers.tikfinity;
        match &self.local.tikfinity {
            Some(server) => {
                line.listening = Some(server.port());
                line.clients = server.feed().clients();
                if self.state.page == super::super::pages::Page::Settings {
                    ctx.request_repaint_after(Duration::from_secs(1));
                }
            }
            None => {
                line.listening = None;
                line.clients = 0;
            }
        }
    }

    /// A new token: the old one stops working at once (the endpoint restarts with the new one).
    pub(super) fn regenerate_external_token(&mut self) {
        self.state.settings.external.token.clear();
        self.settings_changed();
        self.notice(
            NoticeLevel::Info,
            crate::i18n::tr("notice-new-token").into(),
        );
    }

    /// Fires an accepted external call's trigger for its viewer, shown in the feed as "external".
    pub(super) fn on_external_call(&mut self, call: &ExternalCall) {
        self.state.local_servers.external_calls += 1;
        let Some(mapping) =
            (self.state.settings.mappings.iter()).find(|m| m.enabled && m.trigger == call.trigger)
        else {
            // Removed between the call and now.
            self.notice(
                NoticeLevel::Warning,
                crate::trf!("notice-external-gone", trigger = call.trigger.as_str()),
            );
            return;
        };
        let viewer = super::super::triggers::TestViewer::external(&call.viewer);
        let events =
            super::super::triggers::events_from(mapping, &self.state.catalog, call.count, &viewer);
        let Ran { fired, queued, .. } = self.run_made_up(events);
        tracing::info!(
            trigger = %call.trigger,
            count = call.count,
            fired,
            queued,
            "external call"
        );
    }
}
