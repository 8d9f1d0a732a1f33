//! The capture file format, in two versions that `replay` tells apart by their first bytes.
//! Version 1 (header-less, written before receive times were kept): a sequence of records, each a
//! `u32` little-endian length followed by that many bytes of one binary WebSocket message as
//! received. Version 2 (what `watch --record` writes): the header [`CAPTURE_MAGIC`] + `u32` LE
//! version, then records of a `u32` LE length, a `u64` LE receive time (Unix milliseconds) and
//! the message. `replay` reads both, streaming, one record at a time.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Records larger than this are refused: a corrupt length must not make us allocate gigabytes.
/// The live sockets refuse larger messages too (`live::socket::ws_config`), so whatever a session
/// receives can be recorded and replayed.
pub const MAX_RECORD_BYTES: u32 = 64 * 1024 * 1024;

/// The first four bytes of a version-2 capture. Read as a version-1 record length they claim
/// more than [`MAX_RECORD_BYTES`], so no version-1 capture can start with them.
pub const CAPTURE_MAGIC: [u8; 4] = *b"GDCP";

/// The version [`CaptureWriter`] writes after [`CAPTURE_MAGIC`].
pub const CAPTURE_VERSION: u32 = 2;

/// Which version a capture is, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureFormat {
    /// Header-less: records carry no receive time.
    V1,
    /// Each record carries its receive time.
    V2,
}

/// One record: a binary WebSocket message and, in a version-2 capture, when it arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// Unix milliseconds when the message was received (`None` in a version-1 capture).
    pub received_millis: Option<u64>,
    pub message: &'a [u8],
}

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("cannot open capture {path}: {source}")]
    Open { path: PathBuf, source: io::Error },
    #[error("cannot read capture {path} at byte {offset}: {source}")]
    Read {
        path: PathBuf,
        offset: u64,
        source: io::Error,
    },
    #[error(
        "capture {path} is truncated: record at byte {offset} wants {wanted} bytes, {got} remain"
    )]
    Truncated {
        path: PathBuf,
        offset: u64,
        wanted: u64,
        got: u64,
    },
    #[error(
        "capture {path}: record at byte {offset} claims {len} bytes (limit {MAX_RECORD_BYTES})"
    )]
    TooLarge {
        path: PathBuf,
        offset: u64,
        len: u32,
    },
    #[error("cannot write capture {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error(
        "capture {path} is version {version}; this giftdeck reads versions 1 and {CAPTURE_VERSION}"
    )]
    UnknownVersion { path: PathBuf, version: u32 },
}

/// Reads records one at a time, reusing one buffer, so memory does not grow with the file.
pub struct CaptureReader<R> {
    reader: R,
    path: PathBuf,
    offset: u64,
    buf: Vec<u8>,
    /// Decided by the first bytes, on the first read.
    format: Option<CaptureFormat>,
    /// The first bytes of a version-1 capture (its first record's length) and how many were read.
    first_len: Option<([u8; 4], usize)>,
}

impl CaptureReader<BufReader<File>> {
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let file = File::open(path).map_err(|source| CaptureError::Open {
            path: path.to_owned(),
            source,
        })?;
        Ok(Self::new(BufReader::with_capacity(1 << 16, file), path))
    }
}

impl<R: Read> CaptureReader<R> {
    /// `path` is only used in error messages.
    pub fn new(reader: R, path: &Path) -> Self {
        Self {
            reader,
            path: path.to_owned(),
            offset: 0,
            buf: Vec::new(),
            format: None,
            first_len: None,
        }
    }

    /// The capture's version, read from its first bytes (an empty file is a version-1 capture
    /// without records).
    pub fn format(&mut self) -> Result<CaptureFormat, CaptureError> {
        if let Some(format) = self.format {
            return Ok(format);
        }
        let mut first = [0u8; 4];
        let got =
            read_full(&mut self.reader, &mut first).map_err(|source| self.read_err(source))?;
        let format = if got == 4 && first == CAPTURE_MAGIC {
            let mut version = [0u8; 4];
            let got = read_full(&mut self.reader, &mut version)
                .map_err(|source| self.read_err(source))?;
            let version = u32::from_le_bytes(version);
            if got < 4 || version != CAPTURE_VERSION {
                return Err(CaptureError::UnknownVersion {
                    path: self.path.clone(),
                    version,
                });
            }
            self.offset = 8;
            CaptureFormat::V2
        } else {
            if got > 0 {
                self.first_len = Some((first, got));
            }
            CaptureFormat::V1
        };
        self.format = Some(format);
        Ok(format)
    }

    /// The next record's message, or `None` at a clean end of file. The slice is valid until the
    /// next call.
    pub fn next_record(&mut self) -> Result<Option<&[u8]>, CaptureError> {
        Ok(self.next_timed()?.map(|record| record.message))
    }

    /// The next record with its receive time, or `None` at a clean end of file.
    pub fn next_timed(&mut self) -> Result<Option<Record<'_>>, CaptureError> {
        let format = self.format()?;
        let mut len_bytes = [0u8; 4];
        let got = match self.first_len.take() {
            Some((first, got)) => {
                len_bytes = first;
                got
            }
            None => read_full(&mut self.reader, &mut len_bytes)
                .map_err(|source| self.read_err(source))?,
        };
        if got == 0 {
            return Ok(None);
        }
        if got < 4 {
            return Err(self.truncated(4, got));
        }
        let len = u32::from_le_bytes(len_bytes);
        if len > MAX_RECORD_BYTES {
            return Err(CaptureError::TooLarge {
                path: self.path.clone(),
                offset: self.offset,
                len,
            });
        }
        let received_millis = if format == CaptureFormat::V2 {
            let mut time = [0u8; 8];
            let got =
                read_full(&mut self.reader, &mut time).map_err(|source| self.read_err(source))?;
            if got < 8 {
                return Err(self.truncated(8, got));
            }
            Some(u64::from_le_bytes(time))
        } else {
            None
        };
        self.buf.resize(len as usize, 0);
        let got =
            read_full(&mut self.reader, &mut self.buf).map_err(|source| self.read_err(source))?;
        if got < self.buf.len() {
            return Err(self.truncated(u64::from(len), got));
        }
        let header = if received_millis.is_some() { 12 } else { 4 };
        self.offset += header + u64::from(len);
        Ok(Some(Record {
            received_millis,
            message: &self.buf,
        }))
    }

    fn truncated(&self, wanted: u64, got: usize) -> CaptureError {
        CaptureError::Truncated {
            path: self.path.clone(),
            offset: self.offset,
            wanted,
            got: got as u64,
        }
    }

    fn read_err(&self, source: io::Error) -> CaptureError {
        CaptureError::Read {
            path: self.path.clone(),
            offset: self.offset,
            source,
        }
    }
}

/// Reads until `buf` is full or EOF; returns the bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

/// Appends records to a capture file, in the current version (receive times kept).
pub struct CaptureWriter {
    writer: BufWriter<File>,
    path: PathBuf,
}

impl CaptureWriter {
    /// Creates the file and writes the version header.
    pub fn create(path: &Path) -> Result<Self, CaptureError> {
        let write_err = |source| CaptureError::Write {
            path: path.to_owned(),
            source,
        };
        let file = File::create(path).map_err(write_err)?;
        let mut writer = BufWriter::new(file);
        writer.write_all(&header()).map_err(write_err)?;
        Ok(Self {
            writer,
            path: path.to_owned(),
        })
    }

    /// Appends one message with the Unix milliseconds it was received at.
    pub fn write_record(
        &mut self,
        message: &[u8],
        received_millis: u64,
    ) -> Result<(), CaptureError> {
        let len = u32::try_from(message.len())
            .ok()
            .filter(|len| *len <= MAX_RECORD_BYTES)
            .ok_or_else(|| CaptureError::Write {
                path: self.path.clone(),
                source: io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "a record of {} bytes is over the capture limit",
                        message.len()
                    ),
                ),
            })?;
        self.writer
            .write_all(&len.to_le_bytes())
            .and_then(|()| self.writer.write_all(&received_millis.to_le_bytes()))
            .and_then(|()| self.writer.write_all(message))
            .map_err(|source| CaptureError::Write {
                path: self.path.clone(),
                source,
            })
    }

    /// Flushes buffered records to disk (call it on shutdown and now and then while recording).
    pub fn flush(&mut self) -> Result<(), CaptureError> {
        self.writer.flush().map_err(|source| CaptureError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

/// The version-2 header: [`CAPTURE_MAGIC`] and [`CAPTURE_VERSION`].
fn header() -> [u8; 8] {
    let mut header = [0u8; 8];
    header[..4].copy_from_slice(&CAPTURE_MAGIC);
    header[4..].copy_from_slice(&CAPTURE_VERSION.to_le_bytes());
    header
}

/// Encodes records into a header-less version-1 capture in memory (fixtures, tests, benchmarks).
pub fn encode_records<'a>(records: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for record in records {
        let len = u32::try_from(record.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(record);
    }
    out
}

/// Encodes `(received_millis, message)` records into a version-2 capture in memory.
pub fn encode_timed_records<'a>(records: impl IntoIterator<Item = (u64, &'a [u8])>) -> Vec<u8> {
    let mut out = header().to_vec();
    for (received_millis, record) in records {
        let len = u32::try_from(record.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&received_millis.to_le_bytes());
        out.extend_from_slice(record);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_records() {
        let bytes = encode_records([&b"one"[..], b"", b"three"]);
        let mut r = CaptureReader::new(&bytes[..], Path::new("mem"));
        assert_eq!(r.next_record().unwrap(), Some(&b"one"[..]));
        assert_eq!(r.next_record().unwrap(), Some(&b""[..]));
        assert_eq!(r.next_record().unwrap(), Some(&b"three"[..]));
        assert_eq!(r.next_record().unwrap(), None);
    }

    #[test]
    fn truncated_and_oversized_records_are_errors() {
        let mut bytes = encode_records([&b"hello"[..]]);
        bytes.pop();
        let mut r = CaptureReader::new(&bytes[..], Path::new("mem"));
        assert!(matches!(
            r.next_record(),
            Err(CaptureError::Truncated {
                wanted: 5,
                got: 4,
                ..
            })
        ));
        let huge = u32::MAX.to_le_bytes();
        let mut r = CaptureReader::new(&huge[..], Path::new("mem"));
        assert!(matches!(
            r.next_record(),
            Err(CaptureError::TooLarge { .. })
        ));
        let mut r = CaptureReader::new(&[1u8, 0][..], Path::new("mem"));
        assert!(matches!(
            r.next_record(),
            Err(CaptureError::Truncated { wanted: 4, .. })
        ));
    }

    #[test]
    fn writer_output_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        let mut w = CaptureWriter::create(&path).unwrap();
        w.write_record(b"abc", 1_700_000_000_123).unwrap();
        w.write_record(&[0; 300], 1_700_000_001_000).unwrap();
        w.flush().unwrap();
        let mut r = CaptureReader::open(&path).unwrap();
        assert_eq!(r.format().unwrap(), CaptureFormat::V2);
        let first = r.next_timed().unwrap().unwrap();
        assert_eq!(
            (first.received_millis, first.message),
            (Some(1_700_000_000_123), &b"abc"[..])
        );
        let second = r.next_timed().unwrap().unwrap();
        assert_eq!(second.received_millis, Some(1_700_000_001_000));
        assert_eq!(second.message.len(), 300);
        assert!(r.next_record().unwrap().is_none());
        assert_eq!(
            std::fs::read(&path).unwrap(),
            encode_timed_records([
                (1_700_000_000_123, &b"abc"[..]),
                (1_700_000_001_000, &[0; 300][..])
            ])
        );
    }

    #[test]
    fn header_less_captures_read_as_version_1() {
        let bytes = encode_records([&b"one"[..]]);
        let mut r = CaptureReader::new(&bytes[..], Path::new("mem"));
        assert_eq!(r.format().unwrap(), CaptureFormat::V1);
        let record = r.next_timed().unwrap().unwrap();
        assert_eq!(
            (record.received_millis, record.message),
            (None, &b"one"[..])
        );
        assert!(r.next_timed().unwrap().is_none());
        let mut empty = CaptureReader::new(&[][..], Path::new("mem"));
        assert_eq!(empty.format().unwrap(), CaptureFormat::V1);
        assert!(empty.next_record().unwrap().is_none());
        // As a version-1 length the magic is over the limit: no v1 capture starts with it.
        assert!(u32::from_le_bytes(CAPTURE_MAGIC) > MAX_RECORD_BYTES);
    }

    #[test]
    fn a_newer_or_damaged_version_2_capture_is_a_clear_error() {
        let mut bytes = encode_timed_records([(5, &b"x"[..])]);
        bytes[4] = 3;
        let mut r = CaptureReader::new(&bytes[..], Path::new("mem"));
        assert!(matches!(
            r.next_record(),
            Err(CaptureError::UnknownVersion { version: 3, .. })
        ));
        let bytes = encode_timed_records([(5, &b"hello"[..])]);
        let mut r = CaptureReader::new(&bytes[..bytes.len() - 7], Path::new("mem"));
        assert!(matches!(
            r.next_record(),
            Err(CaptureError::Truncated {
                offset: 8,
                wanted: 8,
                got: 6,
                ..
            })
        ));
        let mut r = CaptureReader::new(&bytes[..bytes.len() - 1], Path::new("mem"));
        assert!(matches!(
            r.next_record(),
            Err(CaptureError::Truncated {
                wanted: 5,
                got: 4,
                ..
            })
        ));
    }
}
