//! The capture file format: a sequence of records, each a `u32` little-endian length followed by that
//! many bytes of one binary WebSocket message as received. `watch --record` writes it; `replay` reads
//! it, streaming, one record at a time.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Records larger than this are refused: a corrupt length must not make us allocate gigabytes.
pub const MAX_RECORD_BYTES: u32 = 64 * 1024 * 1024;

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
}

/// Reads records one at a time, reusing one buffer, so memory does not grow with the file.
pub struct CaptureReader<R> {
    reader: R,
    path: PathBuf,
    offset: u64,
    buf: Vec<u8>,
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
        }
    }

    /// The next record, or `None` at a clean end of file. The slice is valid until the next call.
    pub fn next_record(&mut self) -> Result<Option<&[u8]>, CaptureError> {
        let mut len_bytes = [0u8; 4];
        let got =
            read_full(&mut self.reader, &mut len_bytes).map_err(|source| self.read_err(source))?;
        if got == 0 {
            return Ok(None);
        }
        if got < 4 {
            return Err(CaptureError::Truncated {
                path: self.path.clone(),
                offset: self.offset,
                wanted: 4,
                got: got as u64,
            });
        }
        let len = u32::from_le_bytes(len_bytes);
        if len > MAX_RECORD_BYTES {
            return Err(CaptureError::TooLarge {
                path: self.path.clone(),
                offset: self.offset,
                len,
            });
        }
        self.buf.resize(len as usize, 0);
        let got =
            read_full(&mut self.reader, &mut self.buf).map_err(|source| self.read_err(source))?;
        if got < self.buf.len() {
            return Err(CaptureError::Truncated {
                path: self.path.clone(),
                offset: self.offset,
                wanted: u64::from(len),
                got: got as u64,
            });
        }
        self.offset += 4 + u64::from(len);
        Ok(Some(&self.buf))
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

/// Appends records to a capture file.
pub struct CaptureWriter {
    writer: BufWriter<File>,
    path: PathBuf,
}

impl CaptureWriter {
    pub fn create(path: &Path) -> Result<Self, CaptureError> {
        let file = File::create(path).map_err(|source| CaptureError::Write {
            path: path.to_owned(),
            source,
        })?;
        Ok(Self {
            writer: BufWriter::new(file),
            path: path.to_owned(),
        })
    }

    pub fn write_record(&mut self, message: &[u8]) -> Result<(), CaptureError> {
        let len = u32::try_from(message.len()).map_err(|_| CaptureError::Write {
            path: self.path.clone(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "record over 4 GiB"),
        })?;
        self.writer
            .write_all(&len.to_le_bytes())
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

/// Encodes records into capture bytes in memory (fixtures, tests, benchmarks).
pub fn encode_records<'a>(records: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for record in records {
        let len = u32::try_from(record.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
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
        w.write_record(b"abc").unwrap();
        w.write_record(&[0; 300]).unwrap();
        w.flush().unwrap();
        let mut r = CaptureReader::open(&path).unwrap();
        assert_eq!(r.next_record().unwrap().unwrap(), b"abc");
        assert_eq!(r.next_record().unwrap().unwrap().len(), 300);
        assert!(r.next_record().unwrap().is_none());
    }
}
