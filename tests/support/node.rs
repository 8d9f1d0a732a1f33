//! Node packages our tests run against: Euler Stream's public SDK
//! (`@eulerstream/euler-websocket-sdk`) for the tests that check our fake managed WebSocket against
//! the provider's own code, and `mcpews` (MIT), whose client plays the Bedrock game against
//! giftdeck's `/connect` server (tests/bedrock_mcpews.rs). Installed on first use under the
//! cargo target dir (or `GIFTDECK_TEST_NODE_DIR`, which `.ci/run` fills ahead of time). Where Node
//! is missing the test is skipped loudly, and fails under `CI` (`support/real.rs`).

#![allow(
    dead_code,
    reason = "each test binary that includes this file uses a different part"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The packages, pinned (`.ci/run` installs the same list).
pub const EULER_SDK: &str = "@eulerstream/euler-websocket-sdk@0.0.6";
pub const MCPEWS: &str = "mcpews@4.0.1";
const PACKAGES: &[&str] = &[EULER_SDK, MCPEWS];

/// What the ready stamp holds: the package list.
fn wanted() -> String {
    PACKAGES.join(" ")
}

/// Node (with its built-in WebSocket) and the folder whose `node_modules` holds the packages;
/// `None` (after a loud message) where Node or npm is missing outside CI.
pub fn euler_sdk() -> Option<(PathBuf, PathBuf)> {
    node_packages()
}

/// The same for any of the packages.
pub fn node_packages() -> Option<(PathBuf, PathBuf)> {
    static SDK: OnceLock<Option<(PathBuf, PathBuf)>> = OnceLock::new();
    // The verdict each time (a failure under CI), as `python::venv_python` gives it: every test
    // that needs Node is reported, not only the first.
    crate::real::require(
        SDK.get_or_init(install).clone(),
        "Node 20+ and npm",
        "apt-get install nodejs npm",
    )
}

fn sdk_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("GIFTDECK_TEST_NODE_DIR") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("giftdeck-node")
}

fn works(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn install() -> Option<(PathBuf, PathBuf)> {
    if !works("node") || !works("npm") {
        return None;
    }
    let dir = sdk_dir();
    let stamp = dir.join(".giftdeck-ready");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| *s == wanted()) {
        return Some((PathBuf::from("node"), dir));
    }
    // Several test binaries may get here at once: a lock directory makes one of them install.
    let lock = dir.with_extension("lock");
    let _ = std::fs::create_dir_all(dir.parent().unwrap_or(Path::new(".")));
    let started = Instant::now();
    while std::fs::create_dir(&lock).is_err() {
        if std::fs::read_to_string(&stamp).is_ok_and(|s| *s == wanted()) {
            return Some((PathBuf::from("node"), dir));
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "npm lock {lock:?} held for 10 min"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let result = (|| {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let output = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&dir)
            .args(PACKAGES)
            .output()
            .map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        std::fs::write(&stamp, wanted()).map_err(|e| e.to_string())
    })();
    let _ = std::fs::remove_dir(&lock);
    if let Err(err) = result {
        panic!("could not install {} into {dir:?}: {err}", wanted());
    }
    Some((PathBuf::from("node"), dir))
}
