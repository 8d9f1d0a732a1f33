//! Keeps each room's engine memory on disk, so Disconnect/Connect, an app restart or a crash
//! within the same stream credits nothing twice. Owns the files and their timing; what is
//! remembered is `engine::memory`.
//!
//! Per room, in the store's directory (the OS data dir, `~/.local/share/giftdeck/rooms` on Linux):
//! - `<room id>.json`: a snapshot ([`RoomMemory`]), replaced atomically (temp file, fsync, rename);
//! - `<room id>.journal`: one JSON line ([`JournalEntry`]) per pipeline step since that snapshot.
//!
//! **The guarantee.** A step's journal line is written to the OS before any of that step's
//! credits leave the engine ([`RoomJournal::commit`], called by the session before it sends
//! outputs on). So if the app is killed or crashes at any point, every credit that reached the
//! queue is in the journal and is never credited again; a credit whose line was not written was
//! never queued. The windows, each losing at most and never doubling: actions already queued but
//! not yet run when the process dies are not re-run after the restart; and credits of a step whose
//! consumer vanished between the journal write and the send (the session checks just before
//! writing, so this is a race of microseconds). On power loss the OS may lose what it
//! had not flushed: gift changes are fsynced within about two [`SYNC_INTERVAL`]s.
//!
//! The journal is folded into a fresh snapshot when it passes [`COMPACT_BYTES`], when a room is
//! opened and when a session closes. A room's files are deleted when its stream ends, and any
//! room file not written for [`MAX_AGE`] is deleted (and never loaded). A file that cannot be read
//! or understood is renamed to `….bad` (never overwriting an older one), the session is warned,
//! and the room starts with an empty memory.
//!
//! One session at a time per room: in this process a second session waits for the first to close
//! ([`RoomStore::lease`]); another process finds the journal locked and runs without persistence.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use crate::engine::Pipeline;
use crate::engine::memory::{JournalEntry, MEMORY_VERSION, RoomMemory};

/// A room memory not written for this long belongs to a stream that is long over.
pub const MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);
/// The journal is folded into the snapshot once it is this large.
pub const COMPACT_BYTES: u64 = 4 * 1024 * 1024;
/// Longest time between two fsyncs of a journal that recorded gifts.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(1);

/// Why a room's memory could not be used or kept. The session runs on either way.
#[derive(Debug, thiserror::Error)]
pub enum RoomStoreError {
    #[error("room id {room_id:?} is not a number, so its memory is not kept on disk")]
    BadRoomId { room_id: String },
    #[error(
        "another giftdeck is connected to room {room_id} ({path} is locked); this session's memory is not saved"
    )]
    Busy { room_id: String, path: PathBuf },
    #[error("cannot use the room memory folder {path}: {source}")]
    Dir { path: PathBuf, source: io::Error },
    #[error("the room memory {path} could not be used ({reason}){}; the room starts with an empty memory",
        .aside.as_ref().map(|a| format!(", it was kept as {}", a.display())).unwrap_or_default())]
    Unusable {
        path: PathBuf,
        reason: String,
        aside: Option<PathBuf>,
    },
    #[error("cannot write the room memory {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// Where room memories live. Cheap to clone; stores for the same directory share their leases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomStore {
    dir: PathBuf,
    compact_bytes: u64,
}

/// Holds a room for one session of this process (see [`RoomStore::lease`]).
pub struct RoomLease {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl RoomStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            compact_bytes: COMPACT_BYTES,
        }
    }

    /// Folds the journal into the snapshot at this size instead of [`COMPACT_BYTES`].
    pub fn with_compact_bytes(self, compact_bytes: u64) -> Self {
        Self {
            compact_bytes,
            ..self
        }
    }

    /// `<OS data dir>/rooms` (e.g. `~/.local/share/giftdeck/rooms`); `None` on a system without one.
    pub fn default_dir() -> Option<PathBuf> {
        crate::paths::rooms_dir()
    }

    /// The app's store: the OS data dir for the usual settings file; for any other settings file
    /// (a portable setup, a test) a `rooms` folder beside it, so separate setups never share
    /// memory. `None` without a settings file: the memory then lives only as long as a session.
    pub fn for_app(settings_path: Option<&Path>) -> Option<Self> {
        let path = settings_path?;
        if crate::paths::settings_path().as_deref() == Some(path) {
            return Self::default_dir().map(Self::new);
        }
        Some(Self::new(
            path.parent().unwrap_or(Path::new(".")).join("rooms"),
        ))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn snapshot_path(&self, room_id: &str) -> PathBuf {
        self.dir.join(format!("{room_id}.json"))
    }

    pub fn journal_path(&self, room_id: &str) -> PathBuf {
        self.dir.join(format!("{room_id}.journal"))
    }

    /// Waits until no other session of this process has `room_id` open (a Disconnect still
    /// finalizing its streaks while the streamer already pressed Connect), then holds it.
    pub async fn lease(&self, room_id: &str) -> RoomLease {
        static LEASES: OnceLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
            OnceLock::new();
        let lock = {
            let mut leases = LEASES
                .get_or_init(Default::default)
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            leases
                .entry(self.journal_path(room_id))
                .or_default()
                .clone()
        };
        RoomLease {
            _guard: lock.lock_owned().await,
        }
    }

    /// Opens `room_id`'s memory: loads the snapshot and the journal into `pipeline` (which should
    /// be fresh), folds them into a new snapshot and starts journaling. Also deletes other rooms'
    /// files older than [`MAX_AGE`]. `warnings` receives what the streamer should hear about (a
    /// damaged file set aside); an error means the session runs without saved memory.
    pub fn open(
        &self,
        room_id: &str,
        lease: RoomLease,
        pipeline: &mut Pipeline,
        now: SystemTime,
        warnings: &mut Vec<RoomStoreError>,
    ) -> Result<RoomJournal, RoomStoreError> {
        if room_id.is_empty() || !room_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RoomStoreError::BadRoomId {
                room_id: room_id.to_owned(),
            });
        }
        fs::create_dir_all(&self.dir).map_err(|source| RoomStoreError::Dir {
            path: self.dir.clone(),
            source,
        })?;
        self.sweep(now);
        let journal_path = self.journal_path(room_id);
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&journal_path)
            .map_err(|source| RoomStoreError::Write {
                path: journal_path.clone(),
                source,
            })?;
        if let Err(err) = file.try_lock() {
            return Err(match err {
                fs::TryLockError::WouldBlock => RoomStoreError::Busy {
                    room_id: room_id.to_owned(),
                    path: journal_path,
                },
                fs::TryLockError::Error(source) => RoomStoreError::Write {
                    path: journal_path,
                    source,
                },
            });
        }
        let fresh_after = millis_since_epoch(now).saturating_sub(duration_millis(MAX_AGE));
        let snapshot_path = self.snapshot_path(room_id);
        let memory = load_snapshot(&snapshot_path, room_id, warnings)
            .filter(|m| m.updated_millis >= fresh_after);
        let seq = memory.as_ref().map_or(0, |m| m.seq);
        let entries = load_journal(&file, &journal_path, warnings);
        let last_seq = entries.last().map_or(seq, |e| e.seq.max(seq));
        let fresh = |e: &JournalEntry| e.seq > seq && e.clock_millis >= fresh_after;
        let entries: Vec<JournalEntry> = entries.into_iter().filter(fresh).collect();
        pipeline.restore(memory.unwrap_or_default(), entries);
        let mut journal = RoomJournal {
            file,
            journal_path,
            snapshot_path,
            room_id: room_id.to_owned(),
            seq: last_seq,
            bytes: 0,
            compact_bytes: self.compact_bytes,
            last_sync: Instant::now(),
            unsynced: false,
            _lease: lease,
        };
        journal.compact(pipeline)?;
        pipeline.start_journal();
        Ok(journal)
    }

    /// Deletes room files not written for [`MAX_AGE`] (best effort: a file in use is never old).
    fn sweep(&self, now: SystemTime) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let ours = path
                .extension()
                .is_some_and(|e| e == "json" || e == "journal");
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|at| now.duration_since(at).is_ok_and(|age| age > MAX_AGE));
            if ours && old {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

/// An open room: appends the pipeline's changes to the journal. Drop it to let the next session in.
#[derive(Debug)]
pub struct RoomJournal {
    // Declared before the lease: the file (and its OS lock) closes before the lease is released.
    file: File,
    journal_path: PathBuf,
    snapshot_path: PathBuf,
    room_id: String,
    /// Sequence number of the last line written (or folded into the snapshot).
    seq: u64,
    /// Journal bytes since the last snapshot.
    bytes: u64,
    compact_bytes: u64,
    last_sync: Instant,
    /// Gift changes written since the last fsync.
    unsynced: bool,
    _lease: RoomLease,
}

impl std::fmt::Debug for RoomLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RoomLease")
    }
}

impl RoomJournal {
    pub fn room_id(&self) -> &str {
        &self.room_id
    }

    /// Writes the pipeline's changes since the last commit as one journal line. Call it after each
    /// pipeline step and before sending that step's outputs on (see the module docs).
    /// Also fsyncs gift changes once [`SYNC_INTERVAL`] has passed since the last fsync (the
    /// session commits at least once a second, so they reach the disk within about two).
    pub fn commit(&mut self, pipeline: &mut Pipeline) -> Result<(), RoomStoreError> {
        if let Some(mut entry) = pipeline.take_journal() {
            self.seq += 1;
            entry.seq = self.seq;
            self.unsynced |= !entry.gift_ids.is_empty() || !entry.streaks.is_empty();
            let mut line =
                crate::jsonl::to_line(&entry).map_err(|err| self.write_error(err.into()))?;
            line.push(b'\n');
            // One write call per line: a crash tears at most the last line, which the loader skips.
            self.file
                .write_all(&line)
                .map_err(|err| self.write_error(err))?;
            self.bytes += line.len() as u64;
        }
        if self.unsynced && self.last_sync.elapsed() >= SYNC_INTERVAL {
            self.file.sync_data().map_err(|err| self.write_error(err))?;
            self.last_sync = Instant::now();
            self.unsynced = false;
        }
        if self.bytes >= self.compact_bytes {
            self.compact(pipeline)?;
        }
        Ok(())
    }

    /// Folds everything into a fresh snapshot and empties the journal.
    pub fn compact(&mut self, pipeline: &Pipeline) -> Result<(), RoomStoreError> {
        let mut memory = pipeline.snapshot(&self.room_id);
        memory.seq = self.seq;
        let json = serde_json::to_vec(&memory).map_err(|err| self.write_error(err.into()))?;
        crate::paths::write_atomic(&self.snapshot_path, &json).map_err(|source| {
            RoomStoreError::Write {
                path: self.snapshot_path.clone(),
                source,
            }
        })?;
        // A crash between the rename and this truncation is harmless: the journal's lines all
        // have `seq` at most the snapshot's and are skipped on load.
        self.file.set_len(0).map_err(|err| self.write_error(err))?;
        self.bytes = 0;
        Ok(())
    }

    /// The session ends with the stream still live (stop, failure): commit and fold, so the next
    /// session (or the next app start) continues from here.
    pub fn close(mut self, pipeline: &mut Pipeline) -> Result<(), RoomStoreError> {
        self.commit(pipeline)?;
        self.compact(pipeline)
    }

    /// The stream ended: its memory is of no further use, delete it.
    pub fn forget(self) -> Result<(), RoomStoreError> {
        let Self {
            file,
            journal_path,
            snapshot_path,
            ..
        } = self;
        drop(file);
        for path in [snapshot_path, journal_path] {
            match fs::remove_file(&path) {
                Err(err) if err.kind() != io::ErrorKind::NotFound => {
                    return Err(RoomStoreError::Write { path, source: err });
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn write_error(&self, source: io::Error) -> RoomStoreError {
        RoomStoreError::Write {
            path: self.journal_path.clone(),
            source,
        }
    }
}

/// Reads a snapshot; anything unusable is set aside with a warning and gives `None`.
fn load_snapshot(
    path: &Path,
    room_id: &str,
    warnings: &mut Vec<RoomStoreError>,
) -> Option<RoomMemory> {
    let reason = match fs::read(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => return None,
        Err(err) => format!("cannot read it: {err}"),
        Ok(bytes) => match serde_json::from_slice::<RoomMemory>(&bytes) {
            Ok(memory) if memory.version != MEMORY_VERSION => format!(
                "it has format version {}, this giftdeck reads {MEMORY_VERSION}",
                memory.version
            ),
            Ok(memory) if memory.room_id != room_id => {
                format!("it belongs to room {}", memory.room_id)
            }
            Ok(memory) => return Some(memory),
            Err(err) => format!("not valid room memory JSON: {err}"),
        },
    };
    warnings.push(unusable(path, reason));
    None
}

/// Reads the journal's lines. A torn last line (a crash mid-write) is skipped quietly: its step's
/// outputs were never sent. A bad line before the end stops the reading there, with a warning,
/// and the journal is kept aside.
fn load_journal(file: &File, path: &Path, warnings: &mut Vec<RoomStoreError>) -> Vec<JournalEntry> {
    let mut entries = Vec::new();
    let mut lines = BufReader::new(file).split(b'\n').peekable();
    while let Some(line) = lines.next() {
        let line = match line {
            Ok(line) => line,
            Err(err) => {
                warnings.push(unusable(path, format!("cannot read it: {err}")));
                break;
            }
        };
        match serde_json::from_slice::<JournalEntry>(&line) {
            Ok(entry) => entries.push(entry),
            Err(_) if lines.peek().is_none() => break,
            Err(err) => {
                let reason = format!("line {} is damaged: {err}", entries.len() + 1);
                let aside = copy_aside(path);
                warnings.push(RoomStoreError::Unusable {
                    path: path.to_owned(),
                    reason,
                    aside,
                });
                break;
            }
        }
    }
    entries
}

fn unusable(path: &Path, reason: String) -> RoomStoreError {
    let aside = next_free(path);
    let aside = fs::rename(path, &aside).ok().map(|()| aside);
    RoomStoreError::Unusable {
        path: path.to_owned(),
        reason,
        aside,
    }
}

/// Keeps a copy of an open (locked) file aside; it is truncated at the next compaction.
fn copy_aside(path: &Path) -> Option<PathBuf> {
    let aside = next_free(path);
    fs::copy(path, &aside).ok().map(|_| aside)
}

/// `path.bad`, or `.bad.2`, `.bad.3`…: an older bad file is never replaced.
fn next_free(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "room".into(), |n| n.to_string_lossy().into_owned());
    let mut candidate = path.with_file_name(format!("{name}.bad"));
    let mut n = 2;
    while candidate.exists() {
        candidate = path.with_file_name(format!("{name}.bad.{n}"));
        n += 1;
    }
    candidate
}

/// Wall-clock milliseconds since the Unix epoch: the engine clock of a live session.
pub fn millis_since_epoch(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, duration_millis)
}

fn duration_millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests;
