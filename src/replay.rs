//! Replaying a recorded capture through the real decoder and engine, streaming: each credited gift is
//! handed to a callback in order (`giftdeck replay` prints them, see `cli::replay`). A capture that
//! kept receive times (version 2) runs the engine's clock, and so the streak timeouts, on them, as
//! the live session did; a header-less one on the messages' own `create_time`.

use std::io::{self, Read};

use crate::capture::{CaptureError, CaptureFormat, CaptureReader};
use crate::engine::{Decision, EngineConfig, Output, Pipeline, Stamped, Stats};
use crate::mappings::MappingTable;

/// What a replay saw, for the stderr summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplaySummary {
    pub stats: Stats,
    /// Set when the capture ended mid-record or had an impossible length: the rest was skipped.
    pub damaged_tail: Option<String>,
}

impl ReplaySummary {
    /// Malformed items skipped: bad frames and inner messages, plus a damaged tail.
    pub fn malformed(&self) -> u64 {
        self.stats.malformed + u64::from(self.damaged_tail.is_some())
    }
}

impl std::fmt::Display for ReplaySummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.stats;
        write!(
            f,
            "replay: {} frames, {} messages, {} gifts, {} credited, {} duplicates skipped, {} malformed items skipped, {} capped_streaks",
            s.frames,
            s.messages,
            s.gifts,
            s.credited,
            s.duplicates,
            self.malformed(),
            s.capped_streaks
        )
    }
}

/// Streams a capture through a [`Pipeline`], handing each credited gift to `on_credit` in order.
/// Only an I/O failure is an error; malformed content is counted and skipped.
pub fn replay<R: Read>(
    reader: CaptureReader<R>,
    table: MappingTable,
    mut on_credit: impl FnMut(&Decision) -> io::Result<()>,
) -> Result<ReplaySummary, ReplayError> {
    replay_outputs(reader, table, |stamped| match &stamped.output {
        Output::Credit(decision) => on_credit(decision),
        _ => Ok(()),
    })
}

/// Like [`replay`], handing every pipeline output (credits, events, fired triggers) to `on_output`,
/// stamped with the engine clock (the receive time, or in a header-less capture the messages'
/// create time).
pub fn replay_outputs<R: Read>(
    mut reader: CaptureReader<R>,
    table: MappingTable,
    mut on_output: impl FnMut(Stamped) -> io::Result<()>,
) -> Result<ReplaySummary, ReplayError> {
    let config = EngineConfig {
        // Without receive times, the messages' create_time drives streak timeouts; with them, a
        // far-off create_time in one message cannot move the clock and expire every streak.
        clock_from_messages: reader.format()? == CaptureFormat::V1,
        ..EngineConfig::default()
    };
    let mut pipeline = Pipeline::new(config, table);
    let mut out = Vec::new();
    let mut damaged_tail = None;
    let mut emit = |out: &mut Vec<Output>, pipeline: &Pipeline| -> Result<(), ReplayError> {
        for output in out.drain(..) {
            on_output(pipeline.stamp(output)).map_err(ReplayError::Output)?;
        }
        Ok(())
    };
    loop {
        match reader.next_timed() {
            Ok(Some(record)) => {
                let now = record.received_millis.unwrap_or(0);
                // What the live session's timer did between messages: close streaks timed out.
                pipeline.tick(now, &mut out);
                // A malformed frame is counted by the pipeline and loses only itself.
                let _ = pipeline.ingest_ws_message(record.message, now, &mut out);
                emit(&mut out, &pipeline)?;
            }
            Ok(None) => break,
            Err(err @ (CaptureError::Truncated { .. } | CaptureError::TooLarge { .. })) => {
                damaged_tail = Some(err.to_string());
                break;
            }
            Err(err) => return Err(ReplayError::Capture(err)),
        }
    }
    // End of capture: streaks whose end never came are finalized as "timeout".
    pipeline.finish(&mut out);
    emit(&mut out, &pipeline)?;
    Ok(ReplaySummary {
        stats: pipeline.stats(),
        damaged_tail,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error("cannot write output: {0}")]
    Output(io::Error),
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::capture::{encode_records, encode_timed_records};
    use crate::event::EndedBy;
    use crate::testkit::frames::{BatchSpec, Compression, GiftSpec, MessageSpec, encode_msg_frame};

    fn frame(messages: Vec<MessageSpec>) -> Vec<u8> {
        let batch = BatchSpec {
            messages,
            ..BatchSpec::default()
        };
        encode_msg_frame(1, 1, &batch, Compression::GzipWithHeader)
    }

    #[test]
    fn replays_credits_in_order_and_finalizes_open_streaks() {
        let rose = |msg_id, rc, end| {
            MessageSpec::Gift(GiftSpec {
                msg_id,
                repeat_count: rc,
                repeat_end: end,
                ..GiftSpec::default()
            })
        };
        let open = MessageSpec::Gift(GiftSpec {
            msg_id: 10,
            user_id: 222,
            repeat_count: 4,
            ..GiftSpec::default()
        });
        let frames = [
            frame(vec![rose(1, 1, false), rose(2, 2, false)]),
            b"garbage".to_vec(),
            frame(vec![rose(3, 2, true), open]),
        ];
        let bytes = encode_records(frames.iter().map(Vec::as_slice));
        let mut got = vec![];
        let summary = replay(
            CaptureReader::new(&bytes[..], Path::new("mem")),
            MappingTable::default(),
            |d| {
                got.push((d.gift.msg_id, d.gift.count, d.gift.ended_by));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(got, [(3, 2, EndedBy::StreakEnd), (10, 4, EndedBy::Timeout)]);
        assert_eq!(summary.stats.frames, 3);
        assert_eq!(summary.stats.messages, 4);
        assert_eq!(summary.malformed(), 1);
    }

    #[test]
    fn truncated_tail_is_reported_not_fatal() {
        let mut bytes = encode_records([frame(vec![]).as_slice()]);
        bytes.extend_from_slice(&[9, 0, 0, 0, 1]);
        let summary = replay(
            CaptureReader::new(&bytes[..], Path::new("mem")),
            MappingTable::default(),
            |_| Ok(()),
        )
        .unwrap();
        assert!(summary.damaged_tail.unwrap().contains("truncated"));
    }

    fn rose_at(msg_id: i64, rc: i32, end: bool, create_time_millis: i64) -> MessageSpec {
        MessageSpec::Gift(GiftSpec {
            msg_id,
            repeat_count: rc,
            repeat_end: end,
            create_time_millis,
            ..GiftSpec::default()
        })
    }

    fn credits_of(bytes: &[u8]) -> (Vec<(i64, u32, EndedBy)>, Vec<u64>) {
        let mut got = vec![];
        let mut stamps = vec![];
        replay_outputs(
            CaptureReader::new(bytes, Path::new("mem")),
            MappingTable::default(),
            |stamped| {
                if let Output::Credit(d) = &stamped.output {
                    got.push((d.gift.msg_id, d.gift.count, d.gift.ended_by));
                    stamps.push(stamped.at_millis);
                }
                Ok(())
            },
        )
        .unwrap();
        (got, stamps)
    }

    /// Reproduced on the old replay (as a header-less capture): the far-off create time of one
    /// message expired the open streak, which was then credited in two parts.
    #[test]
    fn receive_times_drive_the_streak_timeouts_not_a_far_off_create_time() {
        const T: i64 = 1_700_000_000_000;
        let far_off = T + 10 * 365 * 24 * 3600 * 1000;
        let other_user = MessageSpec::Gift(GiftSpec {
            msg_id: 20,
            user_id: 333,
            repeat_end: true,
            create_time_millis: far_off,
            ..GiftSpec::default()
        });
        let frames = [
            frame(vec![rose_at(1, 3, false, T)]),
            frame(vec![other_user]),
            frame(vec![rose_at(2, 5, true, T + 2_000)]),
        ];
        let received = [T as u64, T as u64 + 1_000, T as u64 + 2_000];
        let timed =
            encode_timed_records(received.into_iter().zip(frames.iter().map(Vec::as_slice)));
        let (got, stamps) = credits_of(&timed);
        assert_eq!(
            got,
            [(20, 1, EndedBy::StreakEnd), (2, 5, EndedBy::StreakEnd)]
        );
        assert_eq!(
            stamps,
            [T as u64 + 1_000, T as u64 + 2_000],
            "stamped with receive times"
        );
        // The same messages without receive times: the create time is all the clock has.
        let untimed = encode_records(frames.iter().map(Vec::as_slice));
        let (got, _) = credits_of(&untimed);
        assert_eq!(
            got,
            [
                (1, 3, EndedBy::Timeout),
                (20, 1, EndedBy::StreakEnd),
                (2, 2, EndedBy::StreakEnd)
            ]
        );
    }

    #[test]
    fn receive_times_time_out_a_streak_whose_end_never_came() {
        const T: u64 = 1_700_000_000_000;
        let chat = MessageSpec::Chat {
            msg_id: 30,
            user_id: 1,
            unique_id: "u".into(),
            nickname: "n".into(),
            text: "hi".into(),
        };
        let frames = [frame(vec![rose_at(1, 4, false, 0)]), frame(vec![chat])];
        let bytes = encode_timed_records([(T, &frames[0][..]), (T + 25_000, &frames[1][..])]);
        let (got, stamps) = credits_of(&bytes);
        // Timed out when the chat arrived 25 s later, not at the end of the capture.
        assert_eq!(got, [(1, 4, EndedBy::Timeout)]);
        assert_eq!(stamps, [T + 25_000]);
    }

    /// Reproduced on the old summary: it did not say how many streaks the cap credited early.
    #[test]
    fn the_summary_names_capped_streaks() {
        let summary = ReplaySummary {
            stats: Stats {
                capped_streaks: 3,
                ..Stats::default()
            },
            damaged_tail: None,
        };
        assert!(
            summary.to_string().ends_with(", 3 capped_streaks"),
            "{summary}"
        );
    }
}
