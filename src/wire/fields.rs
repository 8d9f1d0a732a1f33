//! A borrowing protobuf field reader for the envelope layers (push frame, batch, message envelope):
//! each field is read in place, a length-delimited one as a slice of the input, so decoding a frame
//! allocates nothing per field and a batch's messages can be handled one at a time.

/// What a field holds, by wire type. Groups (deprecated, never sent by TikTok) are skipped whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    Varint(u64),
    Fixed64,
    Fixed32,
    Bytes(&'a [u8]),
    Group,
}

/// Why the input is not a sequence of protobuf fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FieldError {
    #[error("truncated at byte {at}")]
    Truncated { at: usize },
    #[error("varint longer than 10 bytes at byte {at}")]
    LongVarint { at: usize },
    #[error("invalid field key at byte {at}")]
    BadKey { at: usize },
    #[error("unmatched or too deeply nested group at byte {at}")]
    BadGroup { at: usize },
}

/// Groups nested deeper than this are refused (prost's own recursion limit).
const MAX_GROUP_DEPTH: u32 = 100;

/// Reads fields from a message's bytes, in order.
#[derive(Clone, Debug)]
pub(crate) struct Fields<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self { input, pos: 0 }
    }

    /// The next field as `(field number, value)`, `Ok(None)` at the end of the input.
    pub(crate) fn next_field(&mut self) -> Result<Option<(u32, Value<'a>)>, FieldError> {
        if self.pos >= self.input.len() {
            return Ok(None);
        }
        let at = self.pos;
        let key = self.varint()?;
        let number = u32::try_from(key >> 3).map_err(|_| FieldError::BadKey { at })?;
        if number == 0 {
            return Err(FieldError::BadKey { at });
        }
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Value::Fixed64
            }
            2 => {
                let len = self.varint()?;
                let len = usize::try_from(len).map_err(|_| FieldError::Truncated { at })?;
                Value::Bytes(self.take(len)?)
            }
            3 => {
                self.skip_group(number, 1)?;
                Value::Group
            }
            5 => {
                self.take(4)?;
                Value::Fixed32
            }
            _ => return Err(FieldError::BadKey { at }),
        };
        Ok(Some((number, value)))
    }

    /// Skips the run of fields that follows, as long as each is a length-delimited field whose
    /// key is the one byte `key` and whose length fits one byte; returns how many it skipped.
    /// The fast path for a batch past its message cap: millions of tiny messages are counted,
    /// not read. It stops (without error) at anything else, which `next_field` then reads.
    pub(crate) fn skip_run(&mut self, key: u8) -> u32 {
        let mut count = 0u32;
        while let Some(&[k, len]) = self.input.get(self.pos..self.pos.saturating_add(2)) {
            let end = self.pos + 2 + usize::from(len);
            if k != key || len >= 0x80 || end > self.input.len() {
                break;
            }
            self.pos = end;
            count = count.saturating_add(1);
        }
        count
    }

    fn varint(&mut self) -> Result<u64, FieldError> {
        let at = self.pos;
        if let Some(&byte) = self.input.get(at)
            && byte < 0x80
        {
            self.pos += 1;
            return Ok(u64::from(byte));
        }
        let mut value = 0u64;
        for shift in 0..10u32 {
            let byte = *self
                .input
                .get(self.pos)
                .ok_or(FieldError::Truncated { at })?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << (7 * shift);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(FieldError::LongVarint { at })
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], FieldError> {
        let at = self.pos;
        let end = at.checked_add(len).ok_or(FieldError::Truncated { at })?;
        let slice = self
            .input
            .get(at..end)
            .ok_or(FieldError::Truncated { at })?;
        self.pos = end;
        Ok(slice)
    }

    /// Skips to the end-group key matching `number`, nested groups included.
    fn skip_group(&mut self, number: u32, depth: u32) -> Result<(), FieldError> {
        if depth > MAX_GROUP_DEPTH {
            return Err(FieldError::BadGroup { at: self.pos });
        }
        loop {
            let at = self.pos;
            if at >= self.input.len() {
                return Err(FieldError::Truncated { at });
            }
            let key = self.varint()?;
            let inner = u32::try_from(key >> 3).map_err(|_| FieldError::BadKey { at })?;
            match key & 7 {
                4 if inner == number => return Ok(()),
                4 => return Err(FieldError::BadGroup { at }),
                3 => self.skip_group(inner, depth + 1)?,
                0 => {
                    self.varint()?;
                }
                1 => {
                    self.take(8)?;
                }
                2 => {
                    let len = self.varint()?;
                    let len = usize::try_from(len).map_err(|_| FieldError::Truncated { at })?;
                    self.take(len)?;
                }
                5 => {
                    self.take(4)?;
                }
                _ => return Err(FieldError::BadKey { at }),
            }
        }
    }
}

/// Text from the wire: a bad byte costs that character (U+FFFD), never the message.
pub(crate) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `bytes`-declared text field that giftdeck reads, decoded the same forgiving way.
pub(crate) fn lossy_vec(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::wire::pb;

    fn all(bytes: &[u8]) -> Result<Vec<(u32, Value<'_>)>, FieldError> {
        let mut fields = Fields::new(bytes);
        let mut out = Vec::new();
        while let Some(field) = fields.next_field()? {
            out.push(field);
        }
        Ok(out)
    }

    #[test]
    fn reads_what_prost_writes() {
        let bytes = pb::BaseProtoMessage {
            method: prost::bytes::Bytes::from_static(b"WebcastGiftMessage"),
            payload: prost::bytes::Bytes::from_static(&[1, 2, 3]),
            msg_id: -5,
            is_history: true,
            ..Default::default()
        }
        .encode_to_vec();
        assert_eq!(
            all(&bytes).unwrap(),
            [
                (1, Value::Bytes(b"WebcastGiftMessage")),
                (2, Value::Bytes(&[1, 2, 3])),
                (3, Value::Varint(-5i64 as u64)),
                (6, Value::Varint(1)),
            ]
        );
    }

    #[test]
    fn fixed_and_group_fields_are_skipped_in_place() {
        // field 2 fixed64, field 3 fixed32, field 4 a group holding field 1 varint, then field 5.
        let mut bytes = vec![0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1d, 1, 2, 3, 4];
        bytes.extend_from_slice(&[0x23, 0x08, 0x07, 0x24, 0x28, 0x09]);
        assert_eq!(
            all(&bytes).unwrap(),
            [
                (2, Value::Fixed64),
                (3, Value::Fixed32),
                (4, Value::Group),
                (5, Value::Varint(9))
            ]
        );
    }

    #[test]
    fn broken_input_is_an_error_never_a_panic() {
        assert_eq!(all(&[0x0a, 5, 1]), Err(FieldError::Truncated { at: 2 }));
        assert_eq!(all(&[0x08]), Err(FieldError::Truncated { at: 1 }));
        assert_eq!(all(&[0x00]), Err(FieldError::BadKey { at: 0 }));
        assert_eq!(all(&[0x0e, 0]), Err(FieldError::BadKey { at: 0 }));
        assert_eq!(
            all(&[
                0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
            ]),
            Err(FieldError::LongVarint { at: 1 })
        );
        assert_eq!(all(&[0x0b, 0x14]), Err(FieldError::BadGroup { at: 1 }));
        assert_eq!(all(&[0x0b]), Err(FieldError::Truncated { at: 1 }));
        let deep: Vec<u8> = std::iter::repeat_n(0x0b, 200).collect();
        assert!(matches!(all(&deep), Err(FieldError::BadGroup { .. })));
        // A length past the end of a huge claimed size does not overflow.
        assert!(
            all(&[
                0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
            ])
            .is_err()
        );
    }

    #[test]
    fn skip_run_counts_tiny_fields_and_stops_at_anything_else() {
        let mut bytes = vec![0x0a, 0x00, 0x0a, 0x02, 1, 2, 0x0a, 0x00];
        bytes.extend_from_slice(&[0x10, 0x05, 0x0a, 0x00, 0x0a, 0x05, 1]);
        let mut fields = Fields::new(&bytes);
        assert_eq!(fields.skip_run(0x0a), 3);
        assert_eq!(fields.next_field(), Ok(Some((2, Value::Varint(5)))));
        assert_eq!(fields.skip_run(0x0a), 1);
        // A length past the end is left to `next_field`, which reports it.
        assert_eq!(fields.skip_run(0x0a), 0);
        assert_eq!(fields.next_field(), Err(FieldError::Truncated { at: 14 }));
        let long = [0x0a, 0x80, 0x01];
        assert_eq!(Fields::new(&long).skip_run(0x0a), 0);
    }

    #[test]
    fn lossy_text_replaces_only_the_bad_byte() {
        assert_eq!(lossy(b"Ali\xffce"), "Ali\u{fffd}ce");
        assert_eq!(lossy_vec(b"Rose".to_vec()), "Rose");
        assert_eq!(lossy_vec(vec![b'a', 0xc3]), "a\u{fffd}");
    }
}
