//! Each [`Key`] on Windows: its virtual-key code, its set-1 hardware scancode and whether it is an
//! "extended" (E0-prefixed) key. Pure data, compiled on every platform so it is tested everywhere;
//! the `SendInput` code (`windows.rs`) reads it. Values from Microsoft's "Keyboard Input"
//! documentation (virtual-key codes; the scan code table of the keyboard overview).

use super::names::Key;

/// How Windows names one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WinKey {
    /// `VK_*`.
    pub vk: u16,
    /// The set-1 make code, without the E0 prefix.
    pub scan: u16,
    /// E0-prefixed: sent with `KEYEVENTF_EXTENDEDKEY`.
    pub extended: bool,
}

const fn k(vk: u16, scan: u16) -> WinKey {
    WinKey {
        vk,
        scan,
        extended: false,
    }
}

const fn e(vk: u16, scan: u16) -> WinKey {
    WinKey {
        vk,
        scan,
        extended: true,
    }
}

/// Scancodes of `a`..`z` (US positions).
const LETTER_SCANS: [u16; 26] = [
    0x1E, 0x30, 0x2E, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32, 0x31, 0x18, 0x19,
    0x10, 0x13, 0x1F, 0x14, 0x16, 0x2F, 0x11, 0x2D, 0x15, 0x2C,
];

/// Scancodes of F13..F24.
const F13_SCANS: [u16; 12] = [
    0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x76,
];

/// Scancodes of numpad 0..9 (with Num Lock on they type digits).
const NUMPAD_SCANS: [u16; 10] = [0x52, 0x4F, 0x50, 0x51, 0x4B, 0x4C, 0x4D, 0x47, 0x48, 0x49];

/// The key's Windows codes.
pub fn win_key(key: Key) -> WinKey {
    match key {
        Key::Letter(c) => {
            let index = usize::from(c.saturating_sub(b'a')).min(25);
            k(u16::from(c.to_ascii_uppercase()), LETTER_SCANS[index])
        }
        // 1..9 are 0x02..0x0A, 0 is 0x0B.
        Key::Digit(c) => {
            let n = u16::from(c.saturating_sub(b'0')).min(9);
            k(u16::from(c), if n == 0 { 0x0B } else { 0x01 + n })
        }
        Key::F(n) => {
            let n16 = u16::from(n.clamp(1, 24));
            let scan = match n16 {
                1..=10 => 0x3A + n16,
                11 => 0x57,
                12 => 0x58,
                _ => F13_SCANS[usize::from(n16 - 13)],
            };
            k(0x6F + n16, scan)
        }
        Key::Numpad(n) => {
            let n = n.min(9);
            k(0x60 + u16::from(n), NUMPAD_SCANS[usize::from(n)])
        }
        Key::NumpadAdd => k(0x6B, 0x4E),
        Key::NumpadSubtract => k(0x6D, 0x4A),
        Key::NumpadMultiply => k(0x6A, 0x37),
        Key::NumpadDecimal => k(0x6E, 0x53),
        Key::NumpadDivide => e(0x6F, 0x35),
        Key::NumpadEnter => e(0x0D, 0x1C),
        Key::Enter => k(0x0D, 0x1C),
        Key::Escape => k(0x1B, 0x01),
        Key::Tab => k(0x09, 0x0F),
        Key::Space => k(0x20, 0x39),
        Key::Backspace => k(0x08, 0x0E),
        Key::Delete => e(0x2E, 0x53),
        Key::Insert => e(0x2D, 0x52),
        Key::Home => e(0x24, 0x47),
        Key::End => e(0x23, 0x4F),
        Key::PageUp => e(0x21, 0x49),
        Key::PageDown => e(0x22, 0x51),
        Key::Up => e(0x26, 0x48),
        Key::Down => e(0x28, 0x50),
        Key::Left => e(0x25, 0x4B),
        Key::Right => e(0x27, 0x4D),
        Key::CapsLock => k(0x14, 0x3A),
        Key::NumLock => e(0x90, 0x45),
        Key::ScrollLock => k(0x91, 0x46),
        Key::PrintScreen => e(0x2C, 0x37),
        // Pause's real make code is the E1 sequence E1 1D 45, which SendInput cannot send; 0x45
        // without E0 is what Windows itself maps VK_PAUSE to.
        Key::Pause => k(0x13, 0x45),
        Key::Menu => e(0x5D, 0x5D),
        Key::Minus => k(0xBD, 0x0C),
        Key::Equal => k(0xBB, 0x0D),
        Key::BracketLeft => k(0xDB, 0x1A),
        Key::BracketRight => k(0xDD, 0x1B),
        Key::Backslash => k(0xDC, 0x2B),
        Key::Semicolon => k(0xBA, 0x27),
        Key::Quote => k(0xDE, 0x28),
        Key::Backquote => k(0xC0, 0x29),
        Key::Comma => k(0xBC, 0x33),
        Key::Period => k(0xBE, 0x34),
        Key::Slash => k(0xBF, 0x35),
        Key::ShiftLeft => k(0xA0, 0x2A),
        Key::ShiftRight => k(0xA1, 0x36),
        Key::ControlLeft => k(0xA2, 0x1D),
        Key::ControlRight => e(0xA3, 0x1D),
        Key::AltLeft => k(0xA4, 0x38),
        Key::AltRight => e(0xA5, 0x38),
        Key::SuperLeft => e(0x5B, 0x5B),
        Key::SuperRight => e(0x5C, 0x5C),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn every_key() -> Vec<Key> {
        let mut keys: Vec<Key> = (b'a'..=b'z').map(Key::Letter).collect();
        keys.extend((b'0'..=b'9').map(Key::Digit));
        keys.extend((1..=24).map(Key::F));
        keys.extend((0..=9).map(Key::Numpad));
        keys.extend([
            Key::NumpadAdd,
            Key::NumpadSubtract,
            Key::NumpadMultiply,
            Key::NumpadDivide,
            Key::NumpadDecimal,
            Key::NumpadEnter,
            Key::Enter,
            Key::Escape,
            Key::Tab,
            Key::Space,
            Key::Backspace,
            Key::Delete,
            Key::Insert,
            Key::Home,
            Key::End,
            Key::PageUp,
            Key::PageDown,
            Key::Up,
            Key::Down,
            Key::Left,
            Key::Right,
            Key::CapsLock,
            Key::NumLock,
            Key::ScrollLock,
            Key::PrintScreen,
            Key::Pause,
            Key::Menu,
            Key::Minus,
            Key::Equal,
            Key::BracketLeft,
            Key::BracketRight,
            Key::Backslash,
            Key::Semicolon,
            Key::Quote,
            Key::Backquote,
            Key::Comma,
            Key::Period,
            Key::Slash,
            Key::ShiftLeft,
            Key::ShiftRight,
            Key::ControlLeft,
            Key::ControlRight,
            Key::AltLeft,
            Key::AltRight,
            Key::SuperLeft,
            Key::SuperRight,
        ]);
        keys
    }

    #[test]
    fn known_scancodes() {
        // The ones games bind most, from Microsoft's table.
        assert_eq!(win_key(Key::Letter(b'w')), k(0x57, 0x11));
        assert_eq!(win_key(Key::Letter(b'a')), k(0x41, 0x1E));
        assert_eq!(win_key(Key::Letter(b's')), k(0x53, 0x1F));
        assert_eq!(win_key(Key::Letter(b'd')), k(0x44, 0x20));
        assert_eq!(win_key(Key::Letter(b'k')), k(0x4B, 0x25));
        assert_eq!(win_key(Key::Letter(b'z')), k(0x5A, 0x2C));
        assert_eq!(win_key(Key::Digit(b'1')), k(0x31, 0x02));
        assert_eq!(win_key(Key::Digit(b'0')), k(0x30, 0x0B));
        assert_eq!(win_key(Key::F(1)), k(0x70, 0x3B));
        assert_eq!(win_key(Key::F(10)), k(0x79, 0x44));
        assert_eq!(win_key(Key::F(11)), k(0x7A, 0x57));
        assert_eq!(win_key(Key::F(12)), k(0x7B, 0x58));
        assert_eq!(win_key(Key::F(24)), k(0x87, 0x76));
        assert_eq!(win_key(Key::Space), k(0x20, 0x39));
        assert_eq!(win_key(Key::Escape), k(0x1B, 0x01));
        assert_eq!(win_key(Key::ShiftLeft), k(0xA0, 0x2A));
        assert_eq!(win_key(Key::ControlLeft), k(0xA2, 0x1D));
    }

    #[test]
    fn arrows_are_extended_so_they_are_not_the_numpad() {
        // Up and numpad 8 share 0x48; only the E0 flag tells them apart.
        assert_eq!(win_key(Key::Up), e(0x26, 0x48));
        assert_eq!(win_key(Key::Numpad(8)), k(0x68, 0x48));
        assert_eq!(win_key(Key::Enter).scan, win_key(Key::NumpadEnter).scan);
        assert!(win_key(Key::NumpadEnter).extended && !win_key(Key::Enter).extended);
        assert_eq!(win_key(Key::ControlRight), e(0xA3, 0x1D));
    }

    #[test]
    fn extended_keys_are_exactly_the_documented_ones() {
        // Microsoft: right Alt and Ctrl, Insert, Delete, Home, End, Page Up/Down, the arrows,
        // Num Lock, Print Screen, numpad / and Enter; plus the Windows and Application keys (E0 5B,
        // 5C, 5D in the scan code table).
        let mut extended: Vec<Key> = every_key()
            .into_iter()
            .filter(|key| win_key(*key).extended)
            .collect();
        extended.sort();
        let mut expected = vec![
            Key::AltRight,
            Key::ControlRight,
            Key::Insert,
            Key::Delete,
            Key::Home,
            Key::End,
            Key::PageUp,
            Key::PageDown,
            Key::Up,
            Key::Down,
            Key::Left,
            Key::Right,
            Key::NumLock,
            Key::PrintScreen,
            Key::NumpadDivide,
            Key::NumpadEnter,
            Key::SuperLeft,
            Key::SuperRight,
            Key::Menu,
        ];
        expected.sort();
        assert_eq!(extended, expected);
    }

    #[test]
    fn no_two_keys_share_a_code() {
        let mut by_code: HashMap<(u16, bool), Key> = HashMap::new();
        let mut by_vk: HashMap<(u16, bool), Key> = HashMap::new();
        for key in every_key() {
            let win = win_key(key);
            assert!(win.scan > 0 && win.scan < 0x80, "{key:?}: {win:?}");
            if let Some(other) = by_code.insert((win.scan, win.extended), key) {
                // Pause is sent as plain 0x45, Num Lock as E0 45: never the same.
                panic!("{key:?} and {other:?} share scancode {win:?}");
            }
            if let Some(other) = by_vk.insert((win.vk, win.extended), key) {
                panic!("{key:?} and {other:?} share virtual key {win:?}");
            }
        }
    }
}
