//! Python virtualenvs with the reference tools our tests compare against (`tiktoklive==7.0.1`,
//! `rconx==0.3.0`; and apart, because it pins older `websockets` and `attrs`, the Bedrock server
//! library `bedrockpy==1.0.1`). Created on first use under the cargo target dir, so `cargo test` alone works on a
//! fresh machine; `.ci/run` creates it ahead of time. Only a missing Python is a missing real part
//! (`real.rs`: a failure under CI, a loud skip elsewhere); needs `mod real` beside it.

#![allow(
    dead_code,
    reason = "each test binary that includes this file uses a different part"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The packages the venv holds, pinned.
pub const PACKAGES: &[&str] = &["tiktoklive==7.0.1", "rconx==0.3.0"];
/// The Bedrock peer's venv (`GIFTDECK_TEST_BEDROCKPY_VENV`, which `.ci/run` fills).
pub const BEDROCKPY_PACKAGES: &[&str] = &["bedrockpy==1.0.1"];

/// The venv's python, ready to use; `None` where Python itself is missing (see `real::require`).
/// Panics when Python exists but the venv cannot be made: that is a broken setup, not a skip.
pub fn venv_python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    // The verdict each time: every test that needs Python is reported, not only the first.
    crate::real::require(
        PYTHON
            .get_or_init(|| make_venv(venv_dir("GIFTDECK_TEST_VENV", "giftdeck-venv"), PACKAGES))
            .clone(),
        "python3 (for the reference tools tiktoklive and rconx)",
        "apt-get install -y --no-install-recommends python3 python3-venv",
    )
}

/// The Python of the venv that holds bedrockpy, as [`venv_python`].
pub fn bedrockpy_python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    crate::real::require(
        PYTHON
            .get_or_init(|| {
                make_venv(
                    venv_dir("GIFTDECK_TEST_BEDROCKPY_VENV", "giftdeck-bedrockpy-venv"),
                    BEDROCKPY_PACKAGES,
                )
            })
            .clone(),
        "python3 (for the Bedrock peer server bedrockpy)",
        "apt-get install -y --no-install-recommends python3 python3-venv",
    )
}

fn venv_dir(variable: &str, name: &str) -> PathBuf {
    if let Ok(dir) = std::env::var(variable) {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

fn make_venv(dir: PathBuf, packages: &[&str]) -> Option<PathBuf> {
    let system = ["python3", "python"].into_iter().find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let system = system?;
    let python = dir.join("bin").join("python");
    let stamp = dir.join(".giftdeck-ready");
    let wanted = packages.join(" ");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Some(python);
    }
    // Several test binaries may get here at once: a lock directory makes one of them build it.
    let lock = dir.with_extension("lock");
    let _ = std::fs::create_dir_all(dir.parent().unwrap_or(Path::new(".")));
    let started = Instant::now();
    while std::fs::create_dir(&lock).is_err() {
        if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
            return Some(python);
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "venv lock {lock:?} held for 10 min"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let result = (|| {
        run(Command::new(system).args(["-m", "venv"]).arg(&dir))?;
        run(Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(packages))?;
        std::fs::write(&stamp, &wanted).map_err(|e| e.to_string())
    })();
    let _ = std::fs::remove_dir(&lock);
    if let Err(err) = result {
        panic!("could not prepare the test venv at {dir:?}: {err}");
    }
    Some(python)
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
