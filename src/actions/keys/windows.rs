//! Windows input through `SendInput`: virtual keys (each with its scancode, as Windows itself
//! sends them), or in game mode hardware scancodes (`KEYEVENTF_SCANCODE`, with the E0 flag for
//! extended keys) that DirectInput and raw-input games read. In game mode the virtual key is
//! filled in too (`MapVirtualKeyW`): Wine delivers scancode-only input with no virtual key.
//! Typed text goes as Unicode characters (`KEYEVENTF_UNICODE`), never as key combinations.
#![expect(
    unsafe_code,
    reason = "Win32 calls: SendInput with a slice we own, MapVirtualKeyW and \
              GetSystemMetrics with plain integers, GetWindowTextW into a buffer we own"
)]

use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    INPUT, INPUT_0, INPUT_KEYBOARD, INPUT_MOUSE, KEYBDINPUT, KEYEVENTF_EXTENDEDKEY,
    KEYEVENTF_KEYUP, KEYEVENTF_SCANCODE, KEYEVENTF_UNICODE, MAPVK_VK_TO_VSC, MAPVK_VSC_TO_VK_EX,
    MOUSEEVENTF_ABSOLUTE, MOUSEEVENTF_LEFTDOWN, MOUSEEVENTF_LEFTUP, MOUSEEVENTF_MIDDLEDOWN,
    MOUSEEVENTF_MIDDLEUP, MOUSEEVENTF_MOVE, MOUSEEVENTF_RIGHTDOWN, MOUSEEVENTF_RIGHTUP,
    MOUSEEVENTF_VIRTUALDESK, MOUSEEVENTF_WHEEL, MOUSEINPUT, MapVirtualKeyW, SendInput,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    GetForegroundWindow, GetSystemMetrics, GetWindowTextW, SM_CXVIRTUALSCREEN, SM_CYVIRTUALSCREEN,
    SM_XVIRTUALSCREEN, SM_YVIRTUALSCREEN, WHEEL_DELTA,
};

use super::KeysError;
use super::names::{Key, MouseButton};
use super::plan::Input;
use super::runner::InputBackend;
use super::scancodes::win_key;

#[derive(Default)]
pub struct Win32Input;

fn keyboard(vk: u16, scan: u16, flags: u32) -> INPUT {
    INPUT {
        r#type: INPUT_KEYBOARD,
        Anonymous: INPUT_0 {
            ki: KEYBDINPUT {
                wVk: vk,
                wScan: scan,
                dwFlags: flags,
                time: 0,
                dwExtraInfo: 0,
            },
        },
    }
}

fn mouse(dx: i32, dy: i32, data: u32, flags: u32) -> INPUT {
    INPUT {
        r#type: INPUT_MOUSE,
        Anonymous: INPUT_0 {
            mi: MOUSEINPUT {
                dx,
                dy,
                mouseData: data,
                dwFlags: flags,
                time: 0,
                dwExtraInfo: 0,
            },
        },
    }
}

/// The event for one key going down or up.
fn key_input(key: Key, down: bool, game_mode: bool) -> INPUT {
    let win = win_key(key);
    let up = if down { 0 } else { KEYEVENTF_KEYUP };
    let extended = if win.extended {
        KEYEVENTF_EXTENDEDKEY
    } else {
        0
    };
    if game_mode {
        let ext_scan = u32::from(win.scan) | if win.extended { 0xE000 } else { 0 };
        // SAFETY: MapVirtualKeyW takes two integers and touches no memory of ours.
        let mapped = unsafe { MapVirtualKeyW(ext_scan, MAPVK_VSC_TO_VK_EX) };
        let vk = u16::try_from(mapped)
            .ok()
            .filter(|&v| v != 0)
            .unwrap_or(win.vk);
        keyboard(vk, win.scan, KEYEVENTF_SCANCODE | extended | up)
    } else {
        // SAFETY: as above.
        let mapped = unsafe { MapVirtualKeyW(u32::from(win.vk), MAPVK_VK_TO_VSC) };
        let scan = u16::try_from(mapped)
            .ok()
            .filter(|&s| s != 0)
            .unwrap_or(win.scan);
        keyboard(win.vk, scan, extended | up)
    }
}

fn button_flags(button: MouseButton, down: bool) -> u32 {
    match (button, down) {
        (MouseButton::Left, true) => MOUSEEVENTF_LEFTDOWN,
        (MouseButton::Left, false) => MOUSEEVENTF_LEFTUP,
        (MouseButton::Right, true) => MOUSEEVENTF_RIGHTDOWN,
        (MouseButton::Right, false) => MOUSEEVENTF_RIGHTUP,
        (MouseButton::Middle, true) => MOUSEEVENTF_MIDDLEDOWN,
        (MouseButton::Middle, false) => MOUSEEVENTF_MIDDLEUP,
    }
}

/// A screen position in the 0..=65535 range `MOUSEEVENTF_ABSOLUTE` wants, over all monitors.
fn absolute(x: i32, y: i32) -> (i32, i32) {
    // SAFETY: GetSystemMetrics takes an integer index and touches no memory of ours.
    let (left, top, width, height) = unsafe {
        (
            GetSystemMetrics(SM_XVIRTUALSCREEN),
            GetSystemMetrics(SM_YVIRTUALSCREEN),
            GetSystemMetrics(SM_CXVIRTUALSCREEN).max(1),
            GetSystemMetrics(SM_CYVIRTUALSCREEN).max(1),
        )
    };
    let scale = |v: i32, origin: i32, size: i32| {
        let v = i64::from(v.saturating_sub(origin)).clamp(0, i64::from(size));
        i32::try_from(v * 65_535 / i64::from(size)).unwrap_or(65_535)
    };
    (scale(x, left, width), scale(y, top, height))
}

fn inputs_for(input: &Input, game_mode: bool) -> Vec<INPUT> {
    match *input {
        Input::Key { key, down } => vec![key_input(key, down, game_mode)],
        Input::Button { button, down } => vec![mouse(0, 0, 0, button_flags(button, down))],
        Input::MoveTo { x, y } => {
            let (ax, ay) = absolute(x, y);
            vec![mouse(
                ax,
                ay,
                0,
                MOUSEEVENTF_MOVE | MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK,
            )]
        }
        Input::MoveBy { x, y } => vec![mouse(x, y, 0, MOUSEEVENTF_MOVE)],
        Input::Scroll(notches) => {
            // Positive mouseData turns the wheel away from the user (up): ours is the other way.
            let delta = notches.saturating_mul(-i32::try_from(WHEEL_DELTA).unwrap_or(120));
            vec![mouse(0, 0, delta.cast_unsigned(), MOUSEEVENTF_WHEEL)]
        }
        Input::Char(c) => {
            let mut units = [0u16; 2];
            c.encode_utf16(&mut units)
                .iter()
                .flat_map(|&unit| {
                    [
                        keyboard(0, unit, KEYEVENTF_UNICODE),
                        keyboard(0, unit, KEYEVENTF_UNICODE | KEYEVENTF_KEYUP),
                    ]
                })
                .collect()
        }
        Input::Sleep { .. } => Vec::new(),
    }
}

impl InputBackend for Win32Input {
    fn send(&mut self, input: &Input, game_mode: bool) -> Result<(), KeysError> {
        let inputs = inputs_for(input, game_mode);
        if inputs.is_empty() {
            return Ok(());
        }
        let count = u32::try_from(inputs.len()).unwrap_or(u32::MAX);
        let size = i32::try_from(std::mem::size_of::<INPUT>()).unwrap_or(i32::MAX);
        // SAFETY: `inputs` is a live slice of `count` INPUT values and `size` is INPUT's size.
        let sent = unsafe { SendInput(count, inputs.as_ptr(), size) };
        if sent != count {
            return Err(KeysError::Send(format!(
                "Windows accepted {sent} of {count} input events (another program, or a window \
                 running as administrator, may be blocking input: run giftdeck as the same user \
                 level as the game)"
            )));
        }
        Ok(())
    }

    fn focused_title(&mut self) -> Result<Option<String>, KeysError> {
        // SAFETY: no arguments; returns a window handle or null.
        let window = unsafe { GetForegroundWindow() };
        if window.is_null() {
            return Ok(None);
        }
        let mut buffer = [0u16; 512];
        let capacity = i32::try_from(buffer.len()).unwrap_or(0);
        // SAFETY: the buffer is ours, `capacity` u16 long; Windows writes at most that many.
        let len = unsafe { GetWindowTextW(window, buffer.as_mut_ptr(), capacity) };
        let len = usize::try_from(len).unwrap_or(0).min(buffer.len());
        Ok(Some(String::from_utf16_lossy(&buffer[..len])))
    }
}
