//! A real X server (Xvfb, on a display it picks itself) and a small X client window that records
//! every key and button event it receives, with the X server's own time stamps and the keysym the
//! key code had at that moment (the mapping is read again on every MappingNotify, so a borrowed
//! key code reads as what it typed). A held key's autorepeat is folded back into one hold. `XServer::start` returns `None` (after saying so) only when
//! Xvfb is missing; under CI that fails instead (`crate::real`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt as _, CreateWindowAux, EventMask, InputFocus, PropMode, WindowClass,
};
use x11rb::wrapper::ConnectionExt as _;

pub struct XServer {
    xvfb: Child,
    /// `:N`.
    pub display: String,
}

impl Drop for XServer {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

impl XServer {
    pub fn start() -> Option<Self> {
        let xvfb = crate::real::program(
            "Xvfb",
            "apt-get install -y --no-install-recommends xvfb (this test needs a real X server)",
        )?;
        // `-displayfd 1`: Xvfb picks a free display and prints it once it accepts connections.
        let mut child = Command::new(xvfb)
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "640x480x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let number = line.trim();
        assert!(
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
            "Xvfb did not report a display: {line:?}"
        );
        Some(Self {
            display: format!(":{number}"),
            xvfb: child,
        })
    }
}

/// One recorded event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    Key { down: bool, keysym: u32, time: u32 },
    Button { down: bool, button: u8, time: u32 },
}

impl Seen {
    /// The event without its time, for comparing sequences.
    pub fn untimed(&self) -> (char, bool, u32) {
        match *self {
            Self::Key { down, keysym, .. } => ('k', down, keysym),
            Self::Button { down, button, .. } => ('b', down, u32::from(button)),
        }
    }

    pub fn time(&self) -> u32 {
        match *self {
            Self::Key { time, .. } | Self::Button { time, .. } => time,
        }
    }
}

/// The recording window: full screen (so the pointer is over it), focused, titled `title`.
pub struct Recorder {
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Recorder {
    pub fn open(display: &str, title: &str) -> Self {
        let (conn, screen) = x11rb::connect(Some(display)).unwrap();
        let screen = &conn.setup().roots[screen];
        let (root, width, height) = (screen.root, screen.width_in_pixels, screen.height_in_pixels);
        let window = conn.generate_id().unwrap();
        let mask = EventMask::KEY_PRESS
            | EventMask::KEY_RELEASE
            | EventMask::BUTTON_PRESS
            | EventMask::BUTTON_RELEASE
            | EventMask::STRUCTURE_NOTIFY;
        conn.create_window(
            x11rb::COPY_DEPTH_FROM_PARENT,
            window,
            root,
            0,
            0,
            width,
            height,
            0,
            WindowClass::INPUT_OUTPUT,
            x11rb::COPY_FROM_PARENT,
            &CreateWindowAux::new().event_mask(mask),
        )
        .unwrap();
        let utf8 = conn
            .intern_atom(false, b"UTF8_STRING")
            .unwrap()
            .reply()
            .unwrap()
            .atom;
        let net_wm_name = conn
            .intern_atom(false, b"_NET_WM_NAME")
            .unwrap()
            .reply()
            .unwrap()
            .atom;
        conn.change_property8(
            PropMode::REPLACE,
            window,
            net_wm_name,
            utf8,
            title.as_bytes(),
        )
        .unwrap();
        conn.change_property8(
            PropMode::REPLACE,
            window,
            AtomEnum::WM_NAME,
            AtomEnum::STRING,
            title.as_bytes(),
        )
        .unwrap();
        conn.map_window(window).unwrap();
        conn.flush().unwrap();
        // Wait for the map before taking the focus (a focus on an unmapped window fails).
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match conn.poll_for_event().unwrap() {
                Some(Event::MapNotify(_)) => break,
                Some(_) => {}
                None => {
                    assert!(
                        Instant::now() < deadline,
                        "the recorder window never mapped"
                    );
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
        conn.set_input_focus(InputFocus::PARENT, window, x11rb::CURRENT_TIME)
            .unwrap();
        conn.get_input_focus().unwrap().reply().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("x-recorder".into())
            .spawn({
                let seen = seen.clone();
                let stop = stop.clone();
                move || record(conn, seen, stop)
            })
            .unwrap();
        Self {
            seen,
            stop,
            thread: Some(thread),
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits (with a deadline) until at least `count` events were recorded.
    pub fn wait_for(&self, count: usize, deadline: Duration) -> Vec<Seen> {
        let until = Instant::now() + deadline;
        loop {
            let seen = self.seen();
            if seen.len() >= count || Instant::now() > until {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn keymap(conn: &impl Connection) -> (u8, usize, Vec<u32>) {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let reply = conn
        .get_keyboard_mapping(min, max - min + 1)
        .unwrap()
        .reply()
        .unwrap();
    (min, usize::from(reply.keysyms_per_keycode), reply.keysyms)
}

fn record(
    conn: x11rb::rust_connection::RustConnection,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
) {
    let mut map = keymap(&conn);
    let keysym = |map: &(u8, usize, Vec<u32>), code: u8| {
        let index = usize::from(code.saturating_sub(map.0)) * map.1;
        map.2.get(index).copied().unwrap_or(0)
    };
    while !stop.load(Ordering::Relaxed) {
        let event = match conn.poll_for_event() {
            Ok(Some(event)) => event,
            Ok(None) => {
                std::thread::sleep(Duration::from_millis(1));
                continue;
            }
            Err(_) => return,
        };
        let item = match event {
            Event::MappingNotify(_) => {
                map = keymap(&conn);
                continue;
            }
            Event::KeyPress(e) => Seen::Key {
                down: true,
                keysym: keysym(&map, e.detail),
                time: e.time,
            },
            Event::KeyRelease(e) => Seen::Key {
                down: false,
                keysym: keysym(&map, e.detail),
                time: e.time,
            },
            Event::ButtonPress(e) => Seen::Button {
                down: true,
                button: e.detail,
                time: e.time,
            },
            Event::ButtonRelease(e) => Seen::Button {
                down: false,
                button: e.detail,
                time: e.time,
            },
            _ => continue,
        };
        let mut seen = seen.lock().unwrap();
        // The X server repeats a held key (after 660 ms on Xvfb) as a release and a press with
        // the same time stamp; applications fold those back into one hold, and so do we.
        if let Seen::Key {
            down: true,
            keysym,
            time,
        } = item
            && seen.last()
                == Some(&Seen::Key {
                    down: false,
                    keysym,
                    time,
                })
        {
            seen.pop();
            continue;
        }
        seen.push(item);
    }
}
