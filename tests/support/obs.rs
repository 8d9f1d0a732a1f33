//! A real OBS Studio (Debian's `obs-studio`, obs-websocket 5.x built in) under its own Xvfb, with a
//! throwaway HOME whose `global.ini` turns the WebSocket server on with a password on a free port.
//! Both processes are killed on drop. `RealObs::start` returns `None` only when the `obs` or `Xvfb`
//! binary is missing (`real.rs`: a failure under CI, a loud skip elsewhere; needs `mod real` beside
//! it); anything else that goes wrong fails the test.

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long OBS may take to start its WebSocket server (software OpenGL on a busy 2-core box).
const START_DEADLINE: Duration = Duration::from_secs(90);

pub struct RealObs {
    obs: Child,
    xvfb: Child,
    obs_bin: PathBuf,
    display: String,
    home: tempfile::TempDir,
    pub port: u16,
}

impl Drop for RealObs {
    fn drop(&mut self) {
        let _ = self.obs.kill();
        let _ = self.obs.wait();
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl RealObs {
    /// Starts Xvfb and OBS and waits (with a deadline) until OBS's WebSocket port accepts.
    pub fn start(password: &str) -> Option<Self> {
        let install = "apt-get install -y --no-install-recommends obs-studio xvfb";
        let obs_bin = crate::real::program("obs", install)?;
        let xvfb_bin = crate::real::program("Xvfb", install)?;
        let home = tempfile::tempdir().unwrap();
        let port = free_port();
        let config_dir = home.path().join(".config/obs-studio");
        std::fs::create_dir_all(&config_dir).unwrap();
        std::fs::write(
            config_dir.join("global.ini"),
            format!(
                "[General]\nFirstRun=true\n\n[OBSWebSocket]\nFirstLoad=false\nServerEnabled=true\nServerPort={port}\nAlertsEnabled=false\nAuthRequired=true\nServerPassword={password}\n"
            ),
        )
        .unwrap();

        // `-displayfd 1`: Xvfb picks a free display itself and writes its number to stdout once
        // it accepts connections, so parallel tests and other users' X servers never clash.
        let mut xvfb = Command::new(xvfb_bin)
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x720x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(xvfb.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let display = line.trim().to_owned();
        assert!(
            !display.is_empty() && display.chars().all(|c| c.is_ascii_digit()),
            "Xvfb did not report a display: {line:?}"
        );

        let obs = match spawn_obs(&obs_bin, home.path(), &display) {
            Ok(obs) => obs,
            Err(err) => {
                let _ = xvfb.kill();
                let _ = xvfb.wait();
                panic!("cannot start obs: {err}");
            }
        };
        let mut me = Self {
            obs,
            xvfb,
            obs_bin,
            display,
            home,
            port,
        };
        me.wait_for_port();
        Some(me)
    }

    fn wait_for_port(&mut self) {
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if let Some(status) = self.obs.try_wait().unwrap() {
                panic!(
                    "OBS exited ({status}) before its WebSocket server started; its log:\n{}",
                    self.log_tail()
                );
            }
            assert!(
                Instant::now() < deadline,
                "OBS did not open port {} within {START_DEADLINE:?}; its log:\n{}",
                self.port,
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The end of OBS's own output, for failure messages.
    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(self.home.path().join("obs.log")) {
            let _ = file.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Kills OBS and starts it again with the same settings (an OBS restart during a stream), then
    /// waits for its WebSocket port.
    pub fn restart_obs(&mut self) {
        self.kill_obs();
        self.obs = spawn_obs(&self.obs_bin, self.home.path(), &self.display).unwrap();
        self.wait_for_port();
    }

    /// Kills OBS now (Xvfb stays until drop): the "OBS went away" case.
    pub fn kill_obs(&mut self) {
        let _ = self.obs.kill();
        let _ = self.obs.wait();
    }
}

/// OBS on `display` with `home` as HOME, its output appended to `home/obs.log`.
fn spawn_obs(obs_bin: &Path, home: &Path, display: &str) -> std::io::Result<Child> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(home.join("obs.log"))?;
    Command::new(obs_bin)
        .args(["--disable-shutdown-check", "--minimize-to-tray", "--multi"])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("DISPLAY", format!(":{display}"))
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .current_dir(home)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
}
