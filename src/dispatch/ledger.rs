//! The viewers' ledger as a subscriber: a live stream's outputs become points, tallies and stream
//! totals ([`Ledger::on_output`]), its points actions become adjustments, and its status opens and
//! closes the stream. Only the streamer's own stream counts: a Test's outputs and the demo's never
//! reach the ledger. Never blocks (the ledger's handle queues in order when its channel is full).

use super::points::adjustments;
use super::{Source, Subscriber};
use crate::actions::Origin;
use crate::ledger::Ledger;
use crate::live::{ConnStatus, LiveMsg};

/// Feeds one session's messages to the ledger.
#[derive(Debug)]
pub struct ToLedger {
    ledger: Ledger,
    /// Points actions whose amount could not be read (each logged once per session).
    unreadable: u64,
}

impl ToLedger {
    /// `ledger`: a handle of its own ([`Ledger::handle`]).
    pub fn new(ledger: Ledger) -> Self {
        Self {
            ledger,
            unreadable: 0,
        }
    }

    /// Points actions whose amount was not a number.
    pub fn unreadable(&self) -> u64 {
        self.unreadable
    }

    /// Whether `source` may write the ledger: the streamer's stream, never a Test or the demo.
    pub fn counts(source: Source) -> bool {
        !source.test && source.origin == Origin::Stream
    }

    fn on_output(&mut self, stamped: &crate::engine::Stamped) {
        self.ledger.on_output(&stamped.output, stamped.at_millis);
        for adjustment in adjustments(&stamped.output, stamped.at_millis) {
            match adjustment {
                Ok(adjustment) => self.ledger.adjust(adjustment),
                Err(err) => {
                    if self.unreadable == 0 {
                        tracing::warn!("a points action did nothing: {err}");
                    }
                    self.unreadable += 1;
                }
            }
        }
    }
}

fn unix_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Subscriber for ToLedger {
    fn deliver(&mut self, msg: &LiveMsg, source: Source) {
        if !Self::counts(source) {
            return;
        }
        match msg {
            LiveMsg::Output(stamped) => self.on_output(stamped),
            // Every (re)connection says Live again: the same room continues its stream.
            LiveMsg::Status(ConnStatus::Live { room_id }) => {
                self.ledger.begin_stream(room_id, unix_millis());
            }
            LiveMsg::Status(ConnStatus::Ended | ConnStatus::Failed { .. }) => {
                self.ledger.end_stream(unix_millis());
            }
            LiveMsg::Status(_) | LiveMsg::Stats(_) | LiveMsg::Warning(_) | LiveMsg::Route(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Decision, Output, Stamped};
    use crate::ledger::{By, LedgerReader, PointRules, Scope, open, queries};
    use crate::mappings::{Action, Mapping};
    use crate::testkit::outputs::{credit, viewer};

    fn rose_with_points(msg_id: i64, user_id: i64) -> LiveMsg {
        let Output::Credit(decision) = credit(msg_id, &viewer(user_id, "amy"), 1, 3) else {
            unreachable!()
        };
        let mapping = Mapping::new(
            "Rose",
            vec![Action::Points {
                add: "100*{count}".into(),
                remove: String::new(),
            }],
        );
        LiveMsg::Output(Stamped {
            at_millis: 1_000,
            output: Output::Credit(Decision {
                mapping: Some(mapping),
                ..decision
            }),
        })
    }

    async fn points_of(reader: &LedgerReader, user_id: i64) -> i64 {
        reader
            .read(move |conn| {
                let board = crate::ledger::Board {
                    scope: Scope::AllTime,
                    by: By::Points,
                    limit: 10,
                };
                let rows = queries::leaderboard(conn, &board, &crate::ledger::Levels::default())?;
                Ok(rows
                    .iter()
                    .find(|r| r.user_id == user_id)
                    .map_or(0, |r| r.points))
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_streams_credit_and_points_action_count_once_and_reach_the_standings() {
        let dir = tempfile::tempdir().unwrap();
        let rules = PointRules::default();
        let (mut ledger, reader) = open(dir.path().join("ledger.sqlite"), rules).await.unwrap();
        let standings = ledger.standings();
        let mut sub = ToLedger::new(ledger.handle());
        let live = LiveMsg::Status(ConnStatus::Live {
            room_id: "7001".into(),
        });
        sub.deliver(&live, Source::STREAM);
        sub.deliver(&rose_with_points(11, 5), Source::STREAM);
        // A reconnect's history delivers it again: nothing more.
        sub.deliver(&live, Source::STREAM);
        sub.deliver(&rose_with_points(11, 5), Source::STREAM);
        // Neither a Test nor the demo writes the real ledger.
        let test = Source {
            test: true,
            ..Source::STREAM
        };
        sub.deliver(&rose_with_points(12, 5), test);
        sub.deliver(&rose_with_points(13, 6), Source::DEMO);
        drop(sub);
        ledger.synced().await.unwrap();
        // 3 coins at 1 point per coin, and 100 × 3 from the action.
        assert_eq!(points_of(&reader, 5).await, 303);
        assert_eq!(points_of(&reader, 6).await, 0);
        assert_eq!(standings.points(5), 303);
        assert_eq!(standings.level(5), 2);
    }
}
