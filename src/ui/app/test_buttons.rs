//! The Test buttons: a trigger row's event through a fresh copy of the real pipeline and the same
//! dispatch a session uses, and the settings window's RCON and OBS connection tests.

use super::super::bridge::{self, LiveMsg};
use super::super::errors::ObsTestError;
use super::super::state::{NoticeLevel, ObsTest, RconTest};
use super::super::tasks::UiMsg;
use super::{GiftdeckApp, unix_millis};
use crate::actions::Origin;
use crate::dispatch::{Dispatch, ReadAloud, Source, ToExecutor, ToOverlays};
use crate::engine::{self, EngineConfig, Output};

/// What made-up events did.
pub(super) struct Ran {
    /// Triggers that fired.
    pub fired: usize,
    /// Triggers that matched but were cooling down.
    pub skipped: usize,
    /// Actions queued.
    pub queued: u64,
}

impl GiftdeckApp {
    /// Sends `count` of row `row`'s event (gifts, follows, blocks of likes, chat messages…)
    /// through a fresh copy of the real pipeline (dedupe, streaks, triggers, cooldowns) with the
    /// current table, then through the same dispatch a session uses (the queue, bound to the
    /// current stream's server; the overlays; the feed), exactly as viewers' events would arrive.
    pub(super) fn test_row(&mut self, row: usize, count: u32) {
        let Some(mapping) = self.state.settings.mappings.get(row) else {
            return;
        };
        let label = mapping.trigger.trim().to_owned();
        let events = super::super::triggers::test_events(mapping, &self.state.catalog, count);
        let Ran {
            fired,
            skipped,
            queued,
        } = self.run_made_up(events);
        if fired > 0 && queued > 0 {
            self.trigger_tried();
        }
        if fired > 0 {
            self.notice(
                NoticeLevel::Info,
                crate::trf!(
                    "notice-test-fired",
                    label = label.as_str(),
                    fired = fired,
                    queued = queued
                ),
            );
        } else if skipped > 0 {
            self.notice(
                NoticeLevel::Warning,
                crate::trf!("notice-test-cooling", label = label.as_str()),
            );
        } else {
            self.notice(
                NoticeLevel::Warning,
                crate::trf!("notice-test-no-match", label = label.as_str()),
            );
        }
    }

    /// Runs made-up events (a Test's, an external call's) through a fresh copy of the real
    /// pipeline with the current table, then through the dispatch a session uses, marked as not
    /// from a viewer (shown and run, never counted in totals or the ledger).
    pub(super) fn run_made_up(&mut self, events: Vec<crate::event::LiveEvent>) -> Ran {
        let mut pipeline = engine::Pipeline::new(EngineConfig::default(), self.table.clone());
        let mut out = Vec::new();
        let batch = crate::wire::Batch {
            messages: u32::try_from(events.len()).unwrap_or(u32::MAX),
            events,
            ..crate::wire::Batch::default()
        };
        pipeline.ingest_batch(batch, unix_millis(), &mut out);
        pipeline.finish(&mut out);
        let (mut fired, mut skipped) = (0, 0);
        for output in &out {
            match output {
                Output::Credit(decision) => {
                    fired += usize::from(decision.mapping.is_some());
                    skipped += usize::from(decision.gift.skipped.is_some());
                }
                Output::Fired(f) => {
                    fired += usize::from(f.mapping.is_some());
                    skipped += usize::from(f.line.skipped.is_some());
                }
                Output::Event(_) | Output::Likes(_) => {}
            }
        }
        let origin = if self.state.conn.is_demo() {
            Origin::Demo
        } else {
            Origin::Stream
        };
        let mut executor = ToExecutor::new(self.executor.clone());
        {
            let mut dispatch = Dispatch::new(Source { origin, test: true });
            dispatch
                .subscribe(&mut executor)
                .subscribe(ReadAloud::new(self.executor.clone()))
                .subscribe_some(self.overlays.as_ref().map(|o| ToOverlays(o.hub.clone())))
                .subscribe(self.tikfinity_subscriber())
                .subscribe(self.window_subscriber());
            for output in out {
                dispatch.deliver(&LiveMsg::Output(pipeline.stamp(output)));
            }
        }
        Ran {
            fired,
            skipped,
            queued: executor.queued(),
        }
    }

    pub(super) fn test_rcon(&mut self) {
        self.state.rcon_test = RconTest::Running;
        let mut config = self.state.settings.rcon.clone();
        config.host = config.host.trim().to_owned();
        self.tasks
            .spawn(async move { UiMsg::RconTested(bridge::test_rcon_connection(config).await) });
    }

    pub(super) fn test_obs(&mut self) {
        let Some(config) = self.state.settings.obs.if_set_up() else {
            self.state.obs_test = ObsTest::Done(Err(ObsTestError::NotSetUp));
            return;
        };
        self.state.obs_test = ObsTest::Running;
        self.tasks
            .spawn(async move { UiMsg::ObsTested(bridge::test_obs_connection(config).await) });
    }
}
