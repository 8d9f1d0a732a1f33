//! Reading the world's version from `<world>/level.dat` (gzip-compressed NBT): the data version
//! and version name the server last saved it with. A small reader that only walks the file to
//! `Data.DataVersion` and `Data.Version.Name`; anything malformed is an error, never a panic.

use std::io::Read as _;
use std::path::Path;

use thiserror::Error;

/// The most level.dat may decompress to (a real one is a few kilobytes).
const MAX_LEVEL_DAT_BYTES: u64 = 16 * 1024 * 1024;
/// Deeper nesting than this is not a level.dat.
const MAX_DEPTH: usize = 64;

/// What level.dat says about the version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelVersion {
    pub data_version: i32,
    /// e.g. `1.21.4`; empty when the file has no name (worlds before 1.9).
    pub name: String,
}

#[derive(Debug, Error)]
pub enum LevelError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a Minecraft level.dat ({why})")]
    Format { path: String, why: &'static str },
}

/// Reads `<world>/level.dat`.
pub fn read_level(world: &Path) -> Result<LevelVersion, LevelError> {
    let path = world.join("level.dat");
    let shown = path.display().to_string();
    let file = std::fs::File::open(&path).map_err(|source| LevelError::Read {
        path: shown.clone(),
        source,
    })?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .take(MAX_LEVEL_DAT_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|source| LevelError::Read {
            path: shown.clone(),
            source,
        })?;
    parse_level(&bytes).map_err(|why| LevelError::Format { path: shown, why })
}

/// The version in decompressed level.dat bytes.
pub fn parse_level(bytes: &[u8]) -> Result<LevelVersion, &'static str> {
    let mut r = Reader { bytes, at: 0 };
    if r.u8()? != COMPOUND {
        return Err("it does not start with a compound");
    }
    r.string()?;
    let mut found = Found::default();
    r.compound(&mut Vec::new(), &mut found, 0)?;
    Ok(LevelVersion {
        data_version: found.data_version.ok_or("it has no Data.DataVersion")?,
        name: found.name.unwrap_or_default(),
    })
}

const END: u8 = 0;
const INT: u8 = 3;
const STRING: u8 = 8;
const LIST: u8 = 9;
const COMPOUND: u8 = 10;

#[derive(Default)]
struct Found {
    data_version: Option<i32>,
    name: Option<String>,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], &'static str> {
        let end = self.at.checked_add(n).ok_or("a length is too large")?;
        let out = self.bytes.get(self.at..end).ok_or("it ends early")?;
        self.at = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, &'static str> {
        Ok(self.take(1)?[0])
    }

    fn i32(&mut self) -> Result<i32, &'static str> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn len(&mut self) -> Result<usize, &'static str> {
        usize::try_from(self.i32()?).map_err(|_| "a length is negative")
    }

    fn string(&mut self) -> Result<String, &'static str> {
        let b = self.take(2)?;
        let n = usize::from(u16::from_be_bytes([b[0], b[1]]));
        // Java's modified UTF-8; version names are ASCII.
        Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
    }

    /// Reads a compound's entries, noting the two values we want by their path.
    fn compound(
        &mut self,
        path: &mut Vec<String>,
        found: &mut Found,
        depth: usize,
    ) -> Result<(), &'static str> {
        if depth > MAX_DEPTH {
            return Err("it nests too deep");
        }
        loop {
            let kind = self.u8()?;
            if kind == END {
                return Ok(());
            }
            let name = self.string()?;
            let here = path.iter().map(String::as_str).collect::<Vec<_>>();
            match (kind, here.as_slice(), name.as_str()) {
                (INT, ["Data"], "DataVersion") => found.data_version = Some(self.i32()?),
                (STRING, ["Data", "Version"], "Name") => found.name = Some(self.string()?),
                (COMPOUND, _, _) => {
                    path.push(name);
                    self.compound(path, found, depth + 1)?;
                    path.pop();
                }
                _ => self.skip(kind, depth)?,
            }
        }
    }

    /// Skips one payload of `kind`.
    fn skip(&mut self, kind: u8, depth: usize) -> Result<(), &'static str> {
        if depth > MAX_DEPTH {
            return Err("it nests too deep");
        }
        match kind {
            1 => self.take(1).map(drop),
            2 => self.take(2).map(drop),
            3 | 5 => self.take(4).map(drop),
            4 | 6 => self.take(8).map(drop),
            7 => {
                let n = self.len()?;
                self.take(n).map(drop)
            }
            STRING => self.string().map(drop),
            LIST => {
                let item = self.u8()?;
                let n = self.len()?;
                for _ in 0..n {
                    self.skip(item, depth + 1)?;
                }
                Ok(())
            }
            COMPOUND => loop {
                let kind = self.u8()?;
                if kind == END {
                    return Ok(());
                }
                self.string()?;
                self.skip(kind, depth + 1)?;
            },
            11 => {
                let n = self.len()?;
                self.take(n.checked_mul(4).ok_or("a length is too large")?)
                    .map(drop)
            }
            12 => {
                let n = self.len()?;
                self.take(n.checked_mul(8).ok_or("a length is too large")?)
                    .map(drop)
            }
            _ => Err("it has an unknown tag type"),
        }
    }
}

/// Writes a minimal level.dat (uncompressed NBT) for tests: `Data.DataVersion`,
/// `Data.Version.Name`, and a few other tags to skip.
#[doc(hidden)]
pub fn level_nbt(data_version: i32, name: &str) -> Vec<u8> {
    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&u16::try_from(s.len()).unwrap_or(0).to_be_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    let mut out = vec![COMPOUND];
    string(&mut out, "");
    out.push(COMPOUND);
    string(&mut out, "Data");
    // A list of longs and a byte array before the values, to be skipped.
    out.push(LIST);
    string(&mut out, "ServerBrands");
    out.push(STRING);
    out.extend_from_slice(&1i32.to_be_bytes());
    string(&mut out, "vanilla");
    out.push(7);
    string(&mut out, "Bytes");
    out.extend_from_slice(&3i32.to_be_bytes());
    out.extend_from_slice(&[1, 2, 3]);
    out.push(INT);
    string(&mut out, "DataVersion");
    out.extend_from_slice(&data_version.to_be_bytes());
    out.push(COMPOUND);
    string(&mut out, "Version");
    out.push(STRING);
    string(&mut out, "Name");
    string(&mut out, name);
    out.push(END);
    out.push(END);
    out.push(END);
    out
}

/// [`level_nbt`] gzip-compressed, as the game writes level.dat.
#[doc(hidden)]
pub fn level_dat(data_version: i32, name: &str) -> Vec<u8> {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = gz.write_all(&level_nbt(data_version, name));
    gz.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_data_version_and_name() {
        let v = parse_level(&level_nbt(4189, "1.21.4")).unwrap();
        assert_eq!(
            v,
            LevelVersion {
                data_version: 4189,
                name: "1.21.4".into()
            }
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("level.dat"), level_dat(3578, "1.20.2")).unwrap();
        assert_eq!(read_level(dir.path()).unwrap().data_version, 3578);
    }

    #[test]
    fn malformed_files_are_errors_never_panics() {
        let good = level_nbt(4189, "1.21.4");
        for cut in 0..good.len() {
            assert!(parse_level(&good[..cut]).is_err(), "cut at {cut}");
        }
        assert!(
            parse_level(&[COMPOUND, 0, 0, LIST, 0, 1, b'x', 3, 0xff, 0xff, 0xff, 0xff]).is_err()
        );
        let mut deep = vec![COMPOUND, 0, 0];
        for _ in 0..10_000 {
            deep.extend_from_slice(&[COMPOUND, 0, 0]);
        }
        assert!(parse_level(&deep).is_err());
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("level.dat"), b"not gzip").unwrap();
        assert!(read_level(dir.path()).is_err());
        assert!(matches!(
            read_level(&dir.path().join("missing")),
            Err(LevelError::Read { .. })
        ));
    }
}
