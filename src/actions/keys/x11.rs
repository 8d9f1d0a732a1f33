//! Linux X11 input through the XTest extension (pure-Rust x11rb connection: no libX11 needed).
//! Keys are found in the server's keyboard mapping by keysym; a key or character the layout lacks
//! is put on a free key code for as long as giftdeck runs (and the mapping restored on drop). The
//! focused window is `_NET_ACTIVE_WINDOW` (the window manager's word) with `_NET_WM_NAME`, or the
//! input focus and `WM_NAME` where no window manager runs.

use x11rb::connection::{Connection, RequestConnection as _};
use x11rb::protocol::xproto::{
    AtomEnum, BUTTON_PRESS_EVENT, BUTTON_RELEASE_EVENT, ConnectionExt as _, KEY_PRESS_EVENT,
    KEY_RELEASE_EVENT, Keycode, MOTION_NOTIFY_EVENT, Window,
};
use x11rb::protocol::xtest::{self, ConnectionExt as _};
use x11rb::rust_connection::RustConnection;

use super::KeysError;
use super::names::{Key, char_keysym};
use super::plan::Input;
use super::runner::InputBackend;

fn failed(err: impl std::fmt::Display) -> KeysError {
    KeysError::Send(format!("X11: {err}"))
}

pub struct XTest {
    conn: RustConnection,
    root: Window,
    min_keycode: Keycode,
    per_keycode: usize,
    /// The keyboard mapping: `per_keycode` keysyms for each key code from `min_keycode`.
    keysyms: Vec<u32>,
    /// Key codes with no keysym, free to borrow; and what we put on them (oldest first).
    spare: Vec<Keycode>,
    borrowed: Vec<(Keycode, u32)>,
    shift: Option<Keycode>,
    net_active_window: u32,
    net_wm_name: u32,
    utf8_string: u32,
}

impl XTest {
    /// Connects to `display` (`None`: `$DISPLAY`).
    pub fn connect(display: Option<&str>) -> Result<Self, KeysError> {
        let shown = display.map_or_else(
            || std::env::var("DISPLAY").unwrap_or_default(),
            str::to_owned,
        );
        let (conn, screen) = x11rb::connect(display).map_err(|err| KeysError::NoDisplay {
            display: shown,
            reason: err.to_string(),
        })?;
        if conn
            .extension_information(xtest::X11_EXTENSION_NAME)
            .map_err(failed)?
            .is_none()
        {
            return Err(KeysError::NoXTest);
        }
        conn.xtest_get_version(2, 2)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let setup = conn.setup();
        let root = setup
            .roots
            .get(screen)
            .map(|s| s.root)
            .ok_or_else(|| failed("no such screen"))?;
        let (min_keycode, max_keycode) = (setup.min_keycode, setup.max_keycode);
        let atom = |name: &str| -> Result<u32, KeysError> {
            Ok(conn
                .intern_atom(false, name.as_bytes())
                .map_err(failed)?
                .reply()
                .map_err(failed)?
                .atom)
        };
        let net_active_window = atom("_NET_ACTIVE_WINDOW")?;
        let net_wm_name = atom("_NET_WM_NAME")?;
        let utf8_string = atom("UTF8_STRING")?;
        let mapping = conn
            .get_keyboard_mapping(min_keycode, max_keycode - min_keycode + 1)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let mut this = Self {
            conn,
            root,
            min_keycode,
            per_keycode: usize::from(mapping.keysyms_per_keycode).max(1),
            keysyms: mapping.keysyms,
            spare: Vec::new(),
            borrowed: Vec::new(),
            shift: None,
            net_active_window,
            net_wm_name,
            utf8_string,
        };
        this.spare = (0..this.keycode_count())
            .filter(|&i| this.row(i).iter().all(|&s| s == 0))
            .filter_map(|i| this.keycode_at(i))
            .collect();
        this.shift = this.find(Key::ShiftLeft.x11_keysym(), 0);
        Ok(this)
    }

    fn keycode_count(&self) -> usize {
        self.keysyms.len() / self.per_keycode
    }

    fn row(&self, index: usize) -> &[u32] {
        let start = index * self.per_keycode;
        self.keysyms
            .get(start..start + self.per_keycode)
            .unwrap_or(&[])
    }

    fn keycode_at(&self, index: usize) -> Option<Keycode> {
        u8::try_from(usize::from(self.min_keycode) + index).ok()
    }

    /// The key code whose `column` (0 = plain, 1 = with Shift) holds `keysym`.
    fn find(&self, keysym: u32, column: usize) -> Option<Keycode> {
        (0..self.keycode_count())
            .find(|&i| self.row(i).get(column) == Some(&keysym))
            .and_then(|i| self.keycode_at(i))
    }

    /// A key code that types `keysym` without Shift, borrowing a free one when the layout lacks it.
    fn borrow(&mut self, keysym: u32, what: impl FnOnce() -> String) -> Result<Keycode, KeysError> {
        if let Some(&(code, _)) = self.borrowed.iter().find(|(_, s)| *s == keysym) {
            return Ok(code);
        }
        let code = if let Some(code) = self.spare.pop() {
            code
        } else if !self.borrowed.is_empty() {
            // Reuse the oldest borrowed code (never one still held: chords are short).
            self.borrowed.remove(0).0
        } else {
            return Err(KeysError::NoKeycode { what: what() });
        };
        let row = vec![keysym; self.per_keycode];
        let per = u8::try_from(self.per_keycode).unwrap_or(u8::MAX);
        self.conn
            .change_keyboard_mapping(1, code, per, &row)
            .map_err(failed)?;
        // The round trip makes the server apply the mapping (and tell clients) before the key.
        self.conn
            .get_input_focus()
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        self.borrowed.push((code, keysym));
        Ok(code)
    }

    fn fake(&self, kind: u8, detail: u8, root: Window, x: i16, y: i16) -> Result<(), KeysError> {
        self.conn
            .xtest_fake_input(kind, detail, 0, root, x, y, 0)
            .map_err(failed)?;
        Ok(())
    }

    fn key(&mut self, key: Key, down: bool) -> Result<(), KeysError> {
        let keysym = key.x11_keysym();
        let code = match self.find(keysym, 0).or_else(|| self.find(keysym, 1)) {
            Some(code) => code,
            None => self.borrow(keysym, || format!("the {key} key"))?,
        };
        let kind = if down {
            KEY_PRESS_EVENT
        } else {
            KEY_RELEASE_EVENT
        };
        self.fake(kind, code, x11rb::NONE, 0, 0)
    }

    fn char(&mut self, c: char) -> Result<(), KeysError> {
        let keysym = char_keysym(c);
        let (code, shifted) = if let Some(code) = self.find(keysym, 0) {
            (code, false)
        } else if let (Some(code), Some(_)) = (self.find(keysym, 1), self.shift) {
            (code, true)
        } else {
            (
                self.borrow(keysym, || format!("the character {c:?}"))?,
                false,
            )
        };
        let shift = self.shift.filter(|_| shifted);
        if let Some(shift) = shift {
            self.fake(KEY_PRESS_EVENT, shift, x11rb::NONE, 0, 0)?;
        }
        self.fake(KEY_PRESS_EVENT, code, x11rb::NONE, 0, 0)?;
        self.fake(KEY_RELEASE_EVENT, code, x11rb::NONE, 0, 0)?;
        if let Some(shift) = shift {
            self.fake(KEY_RELEASE_EVENT, shift, x11rb::NONE, 0, 0)?;
        }
        Ok(())
    }

    fn clamp(v: i32) -> i16 {
        i16::try_from(v.clamp(i32::from(i16::MIN), i32::from(i16::MAX))).unwrap_or(0)
    }

    fn title_of(&self, window: Window) -> Result<Option<String>, KeysError> {
        let utf8 = self
            .conn
            .get_property(false, window, self.net_wm_name, self.utf8_string, 0, 1024)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        if !utf8.value.is_empty() {
            return Ok(Some(String::from_utf8_lossy(&utf8.value).into_owned()));
        }
        let latin1 = self
            .conn
            .get_property(false, window, AtomEnum::WM_NAME, AtomEnum::STRING, 0, 1024)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        Ok((!latin1.value.is_empty())
            .then(|| latin1.value.iter().map(|&b| char::from(b)).collect()))
    }

    fn active_window(&self) -> Result<Option<Window>, KeysError> {
        let reply = self
            .conn
            .get_property(
                false,
                self.root,
                self.net_active_window,
                AtomEnum::WINDOW,
                0,
                1,
            )
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        if let Some(window) = reply
            .value32()
            .and_then(|mut v| v.next())
            .filter(|&w| w != 0)
        {
            return Ok(Some(window));
        }
        // No window manager: the input focus (0 = none, 1 = pointer root).
        let focus = self
            .conn
            .get_input_focus()
            .map_err(failed)?
            .reply()
            .map_err(failed)?
            .focus;
        Ok((focus > 1 && focus != self.root).then_some(focus))
    }
}

impl InputBackend for XTest {
    fn send(&mut self, input: &Input, _game_mode: bool) -> Result<(), KeysError> {
        match *input {
            Input::Key { key, down } => self.key(key, down)?,
            Input::Button { button, down } => {
                let kind = if down {
                    BUTTON_PRESS_EVENT
                } else {
                    BUTTON_RELEASE_EVENT
                };
                self.fake(kind, button.x11_button(), x11rb::NONE, 0, 0)?;
            }
            Input::MoveTo { x, y } => {
                self.fake(
                    MOTION_NOTIFY_EVENT,
                    0,
                    self.root,
                    Self::clamp(x),
                    Self::clamp(y),
                )?;
            }
            Input::MoveBy { x, y } => {
                self.fake(
                    MOTION_NOTIFY_EVENT,
                    1,
                    x11rb::NONE,
                    Self::clamp(x),
                    Self::clamp(y),
                )?;
            }
            Input::Scroll(notches) => {
                // Buttons 4 and 5 are the wheel's up and down.
                let button = if notches < 0 { 4 } else { 5 };
                for _ in 0..notches.unsigned_abs() {
                    self.fake(BUTTON_PRESS_EVENT, button, x11rb::NONE, 0, 0)?;
                    self.fake(BUTTON_RELEASE_EVENT, button, x11rb::NONE, 0, 0)?;
                }
            }
            Input::Char(c) => self.char(c)?,
            Input::Sleep { .. } => {}
        }
        self.conn.flush().map_err(failed)
    }

    fn settle(&mut self) -> Result<(), KeysError> {
        self.conn
            .get_input_focus()
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        Ok(())
    }

    fn focused_title(&mut self) -> Result<Option<String>, KeysError> {
        let Some(mut window) = self.active_window()? else {
            return Ok(None);
        };
        // The focus may be a child of the titled top-level window: walk up to the root.
        for _ in 0..32 {
            if let Some(title) = self.title_of(window)? {
                return Ok(Some(title));
            }
            let tree = self
                .conn
                .query_tree(window)
                .map_err(failed)?
                .reply()
                .map_err(failed)?;
            if tree.parent == 0 || tree.parent == tree.root {
                return Ok(None);
            }
            window = tree.parent;
        }
        Ok(None)
    }
}

impl Drop for XTest {
    fn drop(&mut self) {
        // Give borrowed key codes back to the layout as it was (no keysym).
        let per = u8::try_from(self.per_keycode).unwrap_or(u8::MAX);
        let empty = vec![0u32; self.per_keycode];
        for (code, _) in self.borrowed.drain(..) {
            let _ = self.conn.change_keyboard_mapping(1, code, per, &empty);
        }
        let _ = self.conn.flush();
    }
}
