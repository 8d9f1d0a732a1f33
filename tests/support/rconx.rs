//! A running rconx 0.3.0 server (a real RCON server we did not write), as a Python subprocess
//! killed on drop. It logs every command it receives, answers `echo: <command>`, 10,000 `x` for
//! `big` (a multi-packet reply) and Minecraft's "Unknown or incomplete command" for `unknown…`.
#![allow(
    dead_code,
    reason = "each test binary that includes this file uses a different part of it"
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const RCONX_SERVER: &str = r#"
import json, sys, rconx
port, password, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
log = open(log_path, "a", buffering=1, encoding="utf-8")
def handle(content, info):
    text = content.text
    log.write(json.dumps(text) + "\n")
    if text == "big":
        return "x" * 10000
    if text.startswith("unknown"):
        return "Unknown or incomplete command, see below for error"
    return "echo: " + text
server = rconx.RconServer("127.0.0.1", port, authentication=password, command_handler=handle)
server.serve(on_started=lambda: print("ready", flush=True))
"#;

pub struct Rconx {
    child: Child,
    log: PathBuf,
    pub port: u16,
}

impl Drop for Rconx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Rconx {
    /// Starts the server on 127.0.0.1:`port` and waits until it listens.
    pub fn start(python: &Path, port: u16, password: &str, dir: &Path) -> Self {
        let log = dir.join(format!("rconx-{port}.log"));
        let mut child = Command::new(python)
            .args(["-c", RCONX_SERVER])
            .arg(port.to_string())
            .arg(password)
            .arg(&log)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start rconx");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("read rconx's first line");
        assert_eq!(line.trim(), "ready", "rconx did not start");
        Self { child, log, port }
    }

    /// Every command received so far, in order.
    pub fn commands(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("rconx log line"))
            .collect()
    }
}
