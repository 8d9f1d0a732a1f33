//! Real parts a test needs (a program from Debian, the Python venv, a sound server): what happens
//! when one is missing. Under CI (env var `CI` set, as `.ci/run` does) a missing part FAILS the
//! test, since CI installs every part and a green run must mean every test ran. Elsewhere the test
//! says loudly on stderr that it was skipped, what is missing and how to install it, and returns.
//!
//! Include it beside the support file or test that uses it (`#[path = "support/real.rs"] mod
//! real;`; the other support files call it as `crate::real`), then:
//!
//! ```ignore
//! let Some(binary) = real::program("chromium", "apt-get install chromium") else {
//!     return;
//! };
//! let Some(venv) = real::require(find_venv(), "the Python venv", "install python3") else {
//!     return;
//! };
//! ```

#![allow(
    dead_code,
    reason = "each test binary that includes this file uses a different part"
)]

use std::io::Write as _;
use std::path::PathBuf;

/// `found`, or — when it is `None` — the verdict on `part` missing (see [`missing`]).
pub fn require<T>(found: Option<T>, part: &str, how_to_install: &str) -> Option<T> {
    if found.is_none() {
        missing(part, how_to_install);
    }
    found
}

/// The program `name` from PATH, required as [`require`] does.
pub fn program(name: &str, how_to_install: &str) -> Option<PathBuf> {
    require(
        find_program(name),
        &format!("the `{name}` program"),
        how_to_install,
    )
}

/// The first `name` on PATH, without a verdict (for parts that are optional to a test).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// `part` is missing: panics under CI, prints a loud SKIPPED line elsewhere. The caller returns.
pub fn missing(part: &str, how_to_install: &str) {
    let current = std::thread::current();
    // libtest names each test's thread after the test.
    let test = current.name().unwrap_or("a test");
    assert!(
        !in_ci(),
        "{test}: {part} is missing, and under CI (env var CI is set) every test must run: \
         {how_to_install}"
    );
    // Straight to stderr, not `eprintln!`: libtest hides what a passing test prints that way.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!!!! SKIPPED: {test}: {part} is missing: {how_to_install} !!!!!\n"
    );
}

/// Whether this is a CI run: `CI` set to anything but empty, `0` or `false`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}
