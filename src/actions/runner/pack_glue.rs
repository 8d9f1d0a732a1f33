//! The runner's side of the datapack: learning the server's version on a new connection, writing
//! the pack when the triggers change (and `/reload`ing once it changed), and running a batch's
//! `function` call in its turn, or its commands one by one when the call cannot run.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use super::Runner;
use crate::actions::binding;
use crate::actions::datapack::{self, BatchRoute, PackState, ReadyPack};
use crate::actions::queue::{ExecLogLine, Item, Work};

/// What the server answers for a function it does not have (the pack disabled, or not loaded).
fn unknown_function(reply: &str) -> bool {
    reply.starts_with("Unknown function") || reply.contains("Unknown or incomplete command")
}

impl Runner {
    fn set_route(&self, route: BatchRoute, ready: Option<ReadyPack>) {
        {
            let mut shared = self.inner.lock();
            shared.status.batches = route;
            shared.ready_pack = ready.map(Arc::new);
        }
        self.inner.publish();
    }

    /// Brings the datapack up to date for the current settings, the connection and the table.
    /// Cheap when nothing changed; waits for a connection before it asks the server anything.
    pub(super) async fn refresh_pack(&mut self) {
        let (world, server, version) = {
            let shared = self.inner.lock();
            (
                shared.config.datapack_world().cloned(),
                shared.config.server(),
                shared.config_version,
            )
        };
        let Some(world) = world else {
            if self.pack.key.is_some() || self.inner.lock().status.batches != BatchRoute::Off {
                self.pack = PackState::default();
                self.set_route(BatchRoute::Off, None);
            }
            return;
        };
        let key = (world.clone(), server.clone());
        if self.pack.key.as_ref() != Some(&key) {
            self.pack = PackState {
                stale: true,
                key: Some(key),
                ..PackState::default()
            };
            self.set_route(BatchRoute::Preparing, None);
        }
        let table_changed = self.mappings.has_changed().unwrap_or(false);
        if !(self.pack.stale || table_changed) || self.conn_version != version {
            return;
        }
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        self.pack.stale = false;
        if self.pack.version.is_none() {
            match datapack::probe_version(conn, &world).await {
                Ok(found) => self.pack.version = Some(found),
                Err(why) => return self.set_route(BatchRoute::LineByLine(why), None),
            }
        }
        let Some(found) = self.pack.version.clone() else {
            return;
        };
        let Some(format) = found.pack_format.filter(|f| f.has_macros()) else {
            let why = format!(
                "Minecraft {} has no function macros (1.20.2 or newer needed)",
                found.name
            );
            return self.set_route(BatchRoute::LineByLine(why), None);
        };
        let table = self.mappings.borrow_and_update().clone();
        let folder = world.clone();
        let written =
            tokio::task::spawn_blocking(move || datapack::write_for(&folder, format, &table)).await;
        let (names, changed) = match written {
            Ok(Ok(written)) => written,
            Ok(Err(err)) => return self.set_route(BatchRoute::LineByLine(err.to_string()), None),
            Err(_) => {
                let why = "writing the datapack stopped unexpectedly".to_owned();
                return self.set_route(BatchRoute::LineByLine(why), None);
            }
        };
        if changed {
            tracing::info!(folder = %world.display(), "giftdeck datapack written");
            self.pack.needs_reload = true;
        }
        if self.pack.needs_reload {
            // Before the route says "one call": no call is queued for a pack the server lacks.
            self.reload().await;
        }
        let triggers = names.len();
        self.set_route(
            BatchRoute::OneCall {
                version: found.name.clone(),
                pack_format: format,
                triggers,
            },
            Some(ReadyPack { server, names }),
        );
    }

    /// `/reload`, so the server reads the changed pack (logged, not counted as an action).
    async fn reload(&mut self) {
        let outcome = self.run_command("reload").await;
        if outcome.is_ok() {
            self.pack.needs_reload = false;
        }
        self.inner.log(ExecLogLine {
            time: SystemTime::now(),
            action: "/reload (giftdeck's datapack changed)".to_owned(),
            outcome,
        });
    }

    /// Runs a batch's call, or puts its commands back at the head of the queue when the pack no
    /// longer has its function (the triggers changed) or the server does not know it.
    pub(super) async fn run_function(&mut self, item: Item) {
        let Work::Function(call) = &item.work else {
            return;
        };
        // Just connected (or the table changed): the pack first.
        self.refresh_pack().await;
        let known = self
            .inner
            .lock()
            .ready_pack
            .as_ref()
            .is_some_and(|p| p.names.contains(&*call.name));
        if !known {
            return self.line_by_line(item, "the datapack changed since it was queued");
        }
        if self.pack.needs_reload {
            self.reload().await;
        }
        self.inner.publish();
        let outcome = self.run_command(&call.line).await;
        if let Ok(reply) = &outcome
            && unknown_function(reply)
        {
            let why = format!(
                "the server does not run giftdeck's functions ({}); is the datapack disabled? (/datapack enable \"file/giftdeck\")",
                crate::text::one_line(reply, 80)
            );
            self.set_route(BatchRoute::LineByLine(why.clone()), None);
            return self.line_by_line(item, &why);
        }
        self.last_end = Some(Instant::now());
        self.inner.lock().status.running = None;
        self.inner.record(&item.summary, outcome);
    }

    /// The call's commands, one queue item each, at the head of the queue in their order.
    fn line_by_line(&self, item: Item, why: &str) {
        let Work::Function(call) = &item.work else {
            return;
        };
        let runs = usize::try_from(call.runs).unwrap_or(usize::MAX);
        let back: std::collections::VecDeque<Item> = (0..runs)
            .flat_map(|_| call.run.iter())
            .map(|command| Item {
                work: Work::Command(command.clone()),
                summary: format!("/{command}").into(),
                enqueued: item.enqueued,
                urgent: item.urgent,
            })
            .collect();
        let count = back.len();
        {
            let mut shared = self.inner.lock();
            binding::prepend(&mut shared.queue, back);
            shared.status.running = None;
        }
        self.inner.log(ExecLogLine {
            time: SystemTime::now(),
            action: item.summary.to_string(),
            outcome: Ok(format!("sent as {count} commands instead: {why}")),
        });
        self.inner.work.notify_one();
        self.inner.publish();
    }
}
