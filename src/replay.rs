//! Replaying a recorded capture through the real decoder and engine, streaming: each credited gift is
//! handed to a callback in order (`giftdeck replay` prints them, see `cli::replay`).

use std::io::{self, Read};

use crate::capture::{CaptureError, CaptureReader};
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
            "replay: {} frames, {} messages, {} gifts, {} credited, {} duplicates skipped, {} malformed items skipped",
            s.frames,
            s.messages,
            s.gifts,
            s.credited,
            s.duplicates,
            self.malformed()
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
/// stamped with the engine clock (the messages' create time).
pub fn replay_outputs<R: Read>(
    mut reader: CaptureReader<R>,
    table: MappingTable,
    mut on_output: impl FnMut(Stamped) -> io::Result<()>,
) -> Result<ReplaySummary, ReplayError> {
    let config = EngineConfig {
        // A capture has no timestamps of its own: the messages' create_time drives streak timeouts.
        clock_from_messages: true,
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
        match reader.next_record() {
            Ok(Some(record)) => {
                // A malformed frame is counted by the pipeline and loses only itself.
                let _ = pipeline.ingest_ws_message(record, 0, &mut out);
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
    use crate::capture::encode_records;
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
}
