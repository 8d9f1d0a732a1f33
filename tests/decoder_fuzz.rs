//! Property tests: no byte sequence, random or a mutated real frame, panics the decoder or the
//! pipeline, and a bad frame never loses a good one that follows it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

use giftdeck::engine::{EngineConfig, Output, Pipeline};
use giftdeck::mappings::MappingTable;
use giftdeck::testkit::frames::{
    BatchSpec, Compression, GiftSpec, MessageSpec, decode_client_frame, encode_msg_frame,
};
use giftdeck::wire::{decode_batch, decode_push_frame};
use proptest::prelude::*;

fn valid_frame(compression: Compression) -> Vec<u8> {
    let batch = BatchSpec {
        messages: vec![
            MessageSpec::Gift(GiftSpec {
                msg_id: 7,
                repeat_count: 3,
                repeat_end: true,
                ..GiftSpec::default()
            }),
            MessageSpec::Chat {
                msg_id: 8,
                user_id: 1,
                unique_id: "u".into(),
                nickname: "n".into(),
                text: "hello".into(),
            },
        ],
        need_ack: true,
        internal_ext: "ie".into(),
        ..BatchSpec::default()
    };
    encode_msg_frame(1, 2, &batch, compression)
}

fn compression() -> impl Strategy<Value = Compression> {
    prop_oneof![
        Just(Compression::None),
        Just(Compression::GzipWithHeader),
        Just(Compression::GzipMagicOnly)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_push_frame(&bytes);
        let _ = decode_batch(&bytes);
        let _ = decode_client_frame(&bytes);
        let mut pipeline = Pipeline::new(EngineConfig::default(), MappingTable::default());
        let _ = pipeline.ingest_ws_message(&bytes, 0, &mut Vec::new());
    }

    #[test]
    fn mutated_frames_never_panic_and_never_poison_the_next_frame(
        compression in compression(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = valid_frame(compression);
        for (index, value) in flips {
            let i = index.index(bytes.len());
            bytes[i] ^= value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let mut pipeline = Pipeline::new(EngineConfig::default(), MappingTable::default());
        let mut out = Vec::new();
        let _ = pipeline.ingest_ws_message(&bytes, 0, &mut out);
        // A flip can turn another message's id into 99; then the good gift is rightly a duplicate.
        let id_taken = out.iter().any(|o| match o {
            Output::Credit(d) => d.gift.msg_id == 99,
            Output::Event(e) => e.msg_id() == 99,
            Output::Fired(_) | Output::Likes(_) => false,
        });
        // A different, intact frame right after still decodes and credits.
        let good = encode_msg_frame(
            3,
            4,
            &BatchSpec {
                messages: vec![MessageSpec::Gift(GiftSpec {
                    msg_id: 99,
                    gift_type: 2,
                    ..GiftSpec::default()
                })],
                ..BatchSpec::default()
            },
            compression,
        );
        out.clear();
        pipeline.ingest_ws_message(&good, 0, &mut out).unwrap();
        let credited = out.iter().any(|o| matches!(o, Output::Credit(d) if d.gift.msg_id == 99));
        prop_assert!(credited || id_taken);
    }
}
