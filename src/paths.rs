//! Where giftdeck keeps its files and how it writes them: the one `ProjectDirs` lookup (settings,
//! room memories, logs) and the atomic write (temp file, fsync, rename) that saved files go through,
//! owner-only on Unix for files that hold secrets. A leaf: it imports nothing from the crate.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Mode of files that hold secrets: read/write for the owner only.
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// Mode of the folder that holds them.
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// The OS folders named after giftdeck; `None` on a system without a home folder.
fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "giftdeck")
}

/// `settings.json` in the OS config dir (e.g. `~/.config/giftdeck/settings.json`).
pub fn settings_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("settings.json"))
}

/// `<OS data dir>/rooms` (e.g. `~/.local/share/giftdeck/rooms`).
pub fn rooms_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().join("rooms"))
}

/// The viewers' ledger: `<OS data dir>/ledger.sqlite` (e.g. `~/.local/share/giftdeck/ledger.sqlite`).
pub fn ledger_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().join("ledger.sqlite"))
}

/// The counters' and the stream timer's values: `<OS data dir>/counters.json`.
pub fn counters_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().join("counters.json"))
}

/// `<OS cache dir>/gifts` (e.g. `~/.cache/giftdeck/gifts`): the rooms' gift lists, per region.
pub fn gift_cache_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.cache_dir().join("gifts"))
}

/// `<OS cache dir>/pictures` (e.g. `~/.cache/giftdeck/pictures`): the gifts' pictures, bounded.
pub fn picture_cache_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.cache_dir().join("pictures"))
}

/// Where log files go: `<OS data dir>/giftdeck/logs` (e.g. `~/.local/share/giftdeck/logs`).
pub fn log_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().join("logs"))
}

/// True for the OS config folder named after us: safe to make private (a folder the user chose
/// for something else, like their home, is left alone).
pub fn is_our_config_dir(dir: &Path) -> bool {
    dir.file_name().is_some_and(|n| n == "giftdeck")
}

/// Sets `path`'s mode (Unix).
#[cfg(unix)]
pub fn make_private(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

/// Nothing to do: on Windows, files in the user's profile are private to the user by default ACLs.
#[cfg(not(unix))]
pub fn make_private(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Creates (truncates) a file; a private one is 0600 from its first byte on Unix.
pub fn create_file(path: &Path, private: bool) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(PRIVATE_FILE_MODE);
    }
    #[cfg(not(unix))]
    let _ = private;
    let file = options.open(path)?;
    // A stale temp file keeps its old mode when opened: set it.
    if private {
        make_private(path, PRIVATE_FILE_MODE)?;
    }
    Ok(file)
}

/// Writes bytes atomically (temp file in the same directory, fsync, rename), with the usual
/// permissions (room memories, exports the user shares).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_file(path, bytes, false)
}

/// Like [`write_atomic`], for a file that holds secrets: on Unix the file is created 0600 and a
/// folder we create (or the `giftdeck` config folder) is 0700.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_file(path, bytes, true)
}

fn write_file(path: &Path, bytes: &[u8], private: bool) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let existed = dir.is_dir();
        fs::create_dir_all(dir)?;
        if private && (!existed || is_our_config_dir(dir)) {
            make_private(dir, PRIVATE_DIR_MODE)?;
        }
    }
    let name = path
        .file_name()
        .map_or_else(|| "settings".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let result = (|| {
        let mut file = create_file(&tmp, private)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        // Best effort: a stray temp file is harmless, the error below is what matters.
        let _ = fs::remove_file(&tmp);
    }
    result
}
