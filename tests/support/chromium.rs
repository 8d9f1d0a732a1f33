//! A real headless Chromium (Debian's `chromium`) driven over the DevTools protocol on loopback:
//! open a page, evaluate JavaScript, take a screenshot. A missing browser is a missing real part
//! (`real.rs`: a failure under CI, a loud skip elsewhere); needs `mod real` beside it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The browser binary, or `None` when it is not installed (see `real::require`).
pub fn chromium() -> Option<PathBuf> {
    crate::real::program(
        "chromium",
        "apt-get install -y --no-install-recommends chromium",
    )
}

/// The flags every run uses: headless, no sandbox (CI runs as root), no network chatter.
fn base_args(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--mute-audio",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// A running browser with one page open.
pub struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Opens `url` in a `width`×`height` window and connects to the page over DevTools.
    pub async fn open(binary: &Path, url: &str, width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut args = base_args(profile.path());
        args.push("--remote-debugging-port=0".into());
        args.push(format!("--window-size={width},{height}"));
        args.push(url.to_owned());
        let child = Command::new(binary)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        // Chromium writes the port it chose into the profile once DevTools listens.
        let port_file = profile.path().join("DevToolsActivePort");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let port: u16 = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file)
                && let Some(port) = text.lines().next().and_then(|l| l.trim().parse().ok())
            {
                break port;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "chromium did not open DevTools within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let http = reqwest::Client::new();
        let page_ws = loop {
            let list: Option<Vec<Value>> = match http
                .get(format!("http://127.0.0.1:{port}/json/list"))
                .send()
                .await
            {
                Ok(r) => r.json().await.ok(),
                Err(_) => None,
            };
            let found = list.into_iter().flatten().find(|t| {
                t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(url))
            });
            if let Some(target) = found {
                break target["webSocketDebuggerUrl"].as_str().unwrap().to_owned();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "chromium did not list the page {url}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let (ws, _) = tokio_tungstenite::connect_async(&page_ws)
            .await
            .expect("connect to the page's DevTools socket");
        Browser {
            child,
            _profile: profile,
            ws,
            next_id: 1,
        }
    }

    /// Sends one DevTools command and returns its `result`.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.ws
            .send(Message::text(
                json!({"id": id, "method": method, "params": params}).to_string(),
            ))
            .await
            .unwrap();
        loop {
            let message = tokio::time::timeout(Duration::from_secs(30), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("no DevTools answer to {method} within 30 s"))
                .expect("DevTools socket open")
                .unwrap();
            let Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["id"] == id {
                assert!(value["error"].is_null(), "{method} failed: {value}");
                return value["result"].clone();
            }
        }
    }

    /// Evaluates `expression` in the page and returns its value.
    pub async fn eval(&mut self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true}),
            )
            .await;
        result["result"]["value"].clone()
    }

    /// Evaluates `expression` until `done` holds for its value (polling every 20 ms), or panics
    /// after `timeout` with the last value.
    pub async fn wait_for(
        &mut self,
        expression: &str,
        timeout: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let value = self.eval(expression).await;
            if done(&value) {
                return value;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "page never satisfied the condition; last `{expression}` = {value}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A PNG of `url` as Chromium's own `--screenshot` renders it, on a scene-like backdrop (the page
/// itself is transparent). `--timeout` ends the page's loading after `settle_millis` (its SSE
/// stream never ends by itself), and the picture is taken then. (DevTools' Page.captureScreenshot
/// never answers for http pages in this headless build, hence the command line.)
pub fn screenshot(
    binary: &Path,
    url: &str,
    width: u32,
    height: u32,
    settle_millis: u32,
    path: &Path,
) {
    let profile = tempfile::tempdir().unwrap();
    let mut args = base_args(profile.path());
    args.extend([
        format!("--screenshot={}", path.display()),
        format!("--window-size={width},{height}"),
        format!("--timeout={settle_millis}"),
        "--default-background-color=26344aff".to_owned(),
        url.to_owned(),
    ]);
    let output = Command::new(binary)
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .expect("run chromium --screenshot");
    let bytes = std::fs::read(path).unwrap_or_default();
    assert!(
        output.status.success() && bytes.starts_with(b"\x89PNG"),
        "chromium --screenshot failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A screenshot of `url`: into `docs/` when `GIFTDECK_SCREENSHOTS=1`, else a temp dir.
pub async fn docs_shot(binary: &Path, url: &str, width: u32, height: u32, name: &str) {
    #![allow(
        dead_code,
        reason = "the overlay pages' tests take pictures for the docs; other users of this file do not"
    )]
    docs_shot_after(binary, url, [width, height], name, 2_500).await;
}

/// [`docs_shot`] taken `settle_millis` after the page starts loading (a page that is empty until
/// its state arrives needs longer on a busy machine).
pub async fn docs_shot_after(
    binary: &Path,
    url: &str,
    [width, height]: [u32; 2],
    name: &str,
    settle_millis: u32,
) {
    #![allow(
        dead_code,
        reason = "the overlay pages' tests take pictures for the docs; other users of this file do not"
    )]
    let temp = tempfile::tempdir().unwrap();
    let dir = if std::env::var_os("GIFTDECK_SCREENSHOTS").is_some() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
    } else {
        temp.path().to_owned()
    };
    let path = dir.join(name);
    let (binary, url, shot) = (binary.to_owned(), url.to_owned(), path.clone());
    // Chromium blocks while it renders: off the runtime's worker threads.
    tokio::task::spawn_blocking(move || {
        screenshot(&binary, &url, width, height, settle_millis, &shot);
    })
    .await
    .unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 1_000);
}
