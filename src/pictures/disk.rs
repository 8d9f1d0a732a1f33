//! The picture cache on disk: one file per URL (named by [`super::policy::cache_file_name`]),
//! written to a `.part` file and renamed into place so a crash never leaves half a picture, read
//! back with its time touched (least recently used goes first), and trimmed to a size bound.
//! Blocking file I/O: the cache task runs it on tokio's blocking pool.

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::policy::{self, CachedFile};

/// A `.part` file older than this is a leftover of a crash and is removed by the trim.
const STALE_PART: Duration = Duration::from_secs(600);

/// Where a URL's picture is kept under `dir`.
pub fn path_for(dir: &Path, url: &str) -> PathBuf {
    dir.join(policy::cache_file_name(url))
}

/// The cached bytes for `url`, if any (at most `max_bytes`: a bigger file is not ours and is
/// ignored). A hit marks the file as just used.
pub fn read(dir: &Path, url: &str, max_bytes: u64) -> Option<Vec<u8>> {
    // Opened for writing too: Windows sets a file's time only through a handle that may write.
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path_for(dir, url))
        .ok()?;
    if file.metadata().ok()?.len() > max_bytes {
        return None;
    }
    let mut bytes = Vec::new();
    (&mut file).take(max_bytes).read_to_end(&mut bytes).ok()?;
    // Best effort: a cache whose times cannot be set still works, it only evicts less well.
    file.set_modified(SystemTime::now()).ok();
    Some(bytes)
}

/// Keeps `bytes` as the picture of `url` (atomically: `.part`, then rename).
pub fn write(dir: &Path, url: &str, bytes: &[u8]) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    let path = path_for(dir, url);
    let part = path.with_extension("part");
    let result = (|| {
        let mut file = fs::File::create(&part)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&part, &path)
    })();
    if result.is_err() {
        // Best effort: a stray .part is removed by the next trim anyway.
        fs::remove_file(&part).ok();
    }
    result
}

/// Deletes the least recently used pictures until the folder holds at most `limit_bytes`, and
/// stale `.part` files. Returns how many pictures were deleted. Files that are not the cache's
/// (another name) are left alone.
pub fn trim(dir: &Path, limit_bytes: u64) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut paths = Vec::new();
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = entry.metadata() else { continue };
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        match path.extension().and_then(|e| e.to_str()) {
            Some("img") if meta.is_file() => {
                files.push(CachedFile {
                    bytes: meta.len(),
                    modified,
                });
                paths.push(path);
            }
            Some("part") if now.duration_since(modified).unwrap_or_default() > STALE_PART => {
                fs::remove_file(&path).ok();
            }
            _ => {}
        }
    }
    let evict = policy::files_to_evict(&files, limit_bytes);
    evict
        .iter()
        .filter(|&&i| fs::remove_file(&paths[i]).is_ok())
        .count()
}

/// Bytes the cache's pictures take.
pub fn size_bytes(dir: &Path) -> u64 {
    fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "img"))
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_pictures_read_back_and_the_trim_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().join("pictures");
        assert_eq!(read(&dir, "https://a/1", 1_000), None);
        write(&dir, "https://a/1", &[1; 100]).unwrap();
        write(&dir, "https://a/2", &[2; 100]).unwrap();
        write(&dir, "https://a/3", &[3; 100]).unwrap();
        let old = SystemTime::now() - Duration::from_secs(3_600);
        for (n, url) in ["https://a/1", "https://a/2"].iter().enumerate() {
            let file = fs::File::options()
                .write(true)
                .open(path_for(&dir, url))
                .unwrap();
            file.set_modified(old + Duration::from_secs(n as u64))
                .unwrap();
        }
        // Reading 1 makes it the newest.
        assert_eq!(read(&dir, "https://a/1", 1_000), Some(vec![1; 100]));
        assert_eq!(
            read(&dir, "https://a/1", 99),
            None,
            "bigger than the bound: not read"
        );
        fs::write(dir.join("notes.txt"), b"not ours").unwrap();
        assert_eq!(size_bytes(&dir), 300);
        assert_eq!(trim(&dir, 250), 1);
        assert!(
            !path_for(&dir, "https://a/2").exists(),
            "the least recently used went"
        );
        assert!(path_for(&dir, "https://a/1").exists());
        assert!(dir.join("notes.txt").exists(), "other files are left alone");
        assert_eq!(size_bytes(&dir), 200);
        assert_eq!(trim(&dir, 1_000), 0);
        let leftovers = fs::read_dir(&dir).unwrap().flatten();
        assert!(
            leftovers
                .into_iter()
                .all(|e| e.path().extension() != Some("part".as_ref()))
        );
    }
}
