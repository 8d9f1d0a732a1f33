//! Key names as a streamer writes them (`ctrl+shift+k`, `f5`, `numpad8`, `w`): parsing a chord into
//! [`Key`]s, mouse button names, and the X11 keysym of each key. Pure; every name is a fixed key
//! chosen by the streamer, never by viewer text.

use std::fmt;

/// Most keys one chord may hold at once (`ctrl+shift+alt+w` is four).
pub const MAX_CHORD_KEYS: usize = 6;

/// A physical key, named by its US-layout position. Letters and digits are the keys, not the
/// characters (`K` is the K key, without Shift).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// `a`..`z`, stored as the lowercase ASCII letter.
    Letter(u8),
    /// `0`..`9` on the main row, stored as the ASCII digit.
    Digit(u8),
    /// `f1`..`f24`.
    F(u8),
    /// `numpad0`..`numpad9`.
    Numpad(u8),
    NumpadAdd,
    NumpadSubtract,
    NumpadMultiply,
    NumpadDivide,
    NumpadDecimal,
    NumpadEnter,
    Enter,
    Escape,
    Tab,
    Space,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    Up,
    Down,
    Left,
    Right,
    CapsLock,
    NumLock,
    ScrollLock,
    PrintScreen,
    Pause,
    Menu,
    Minus,
    Equal,
    BracketLeft,
    BracketRight,
    Backslash,
    Semicolon,
    Quote,
    Backquote,
    Comma,
    Period,
    Slash,
    ShiftLeft,
    ShiftRight,
    ControlLeft,
    ControlRight,
    AltLeft,
    AltRight,
    SuperLeft,
    SuperRight,
}

/// Names that stand for one key (besides letters, digits, `f1`…, `numpad0`…).
const NAMED: &[(&str, Key)] = &[
    ("enter", Key::Enter),
    ("return", Key::Enter),
    ("esc", Key::Escape),
    ("escape", Key::Escape),
    ("tab", Key::Tab),
    ("space", Key::Space),
    ("spacebar", Key::Space),
    ("backspace", Key::Backspace),
    ("delete", Key::Delete),
    ("del", Key::Delete),
    ("insert", Key::Insert),
    ("ins", Key::Insert),
    ("home", Key::Home),
    ("end", Key::End),
    ("pageup", Key::PageUp),
    ("pgup", Key::PageUp),
    ("pagedown", Key::PageDown),
    ("pgdn", Key::PageDown),
    ("up", Key::Up),
    ("down", Key::Down),
    ("left", Key::Left),
    ("right", Key::Right),
    ("capslock", Key::CapsLock),
    ("numlock", Key::NumLock),
    ("scrolllock", Key::ScrollLock),
    ("printscreen", Key::PrintScreen),
    ("print", Key::PrintScreen),
    ("pause", Key::Pause),
    ("menu", Key::Menu),
    ("apps", Key::Menu),
    ("minus", Key::Minus),
    ("-", Key::Minus),
    ("equal", Key::Equal),
    ("equals", Key::Equal),
    ("=", Key::Equal),
    ("bracketleft", Key::BracketLeft),
    ("[", Key::BracketLeft),
    ("bracketright", Key::BracketRight),
    ("]", Key::BracketRight),
    ("backslash", Key::Backslash),
    ("\\", Key::Backslash),
    ("semicolon", Key::Semicolon),
    (";", Key::Semicolon),
    ("quote", Key::Quote),
    ("apostrophe", Key::Quote),
    ("'", Key::Quote),
    ("backquote", Key::Backquote),
    ("grave", Key::Backquote),
    ("`", Key::Backquote),
    ("comma", Key::Comma),
    (",", Key::Comma),
    ("period", Key::Period),
    ("dot", Key::Period),
    (".", Key::Period),
    ("slash", Key::Slash),
    ("/", Key::Slash),
    ("numpadadd", Key::NumpadAdd),
    ("numpadplus", Key::NumpadAdd),
    ("numpadsubtract", Key::NumpadSubtract),
    ("numpadminus", Key::NumpadSubtract),
    ("numpadmultiply", Key::NumpadMultiply),
    ("numpaddivide", Key::NumpadDivide),
    ("numpaddecimal", Key::NumpadDecimal),
    ("numpadenter", Key::NumpadEnter),
    ("shift", Key::ShiftLeft),
    ("lshift", Key::ShiftLeft),
    ("rshift", Key::ShiftRight),
    ("ctrl", Key::ControlLeft),
    ("control", Key::ControlLeft),
    ("lctrl", Key::ControlLeft),
    ("rctrl", Key::ControlRight),
    ("alt", Key::AltLeft),
    ("lalt", Key::AltLeft),
    ("ralt", Key::AltRight),
    ("altgr", Key::AltRight),
    ("super", Key::SuperLeft),
    ("win", Key::SuperLeft),
    ("windows", Key::SuperLeft),
    ("meta", Key::SuperLeft),
    ("cmd", Key::SuperLeft),
    ("lsuper", Key::SuperLeft),
    ("rsuper", Key::SuperRight),
    ("lwin", Key::SuperLeft),
    ("rwin", Key::SuperRight),
];

/// Why a key name or chord could not be read. Carries what was written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyNameError {
    #[error("no key given (write a key like \"w\", \"f5\" or \"ctrl+shift+k\")")]
    Empty,
    #[error(
        "{name:?} is not a key name: use a letter, a digit, f1–f24, numpad0–numpad9, enter, esc, \
         tab, space, up/down/left/right, ctrl, shift, alt, super… (see docs/actions.md)"
    )]
    Unknown { name: String },
    #[error(
        "{name:?} is a placeholder: viewer values never choose keys (put placeholders in a \
         \"type text\" step, where they are typed as text)"
    )]
    Placeholder { name: String },
    #[error(
        "{chord:?} has an empty part between two + (to press the plus key write \"equal\" with shift, or \"numpadadd\")"
    )]
    EmptyPart { chord: String },
    #[error("{chord:?} names {key} twice")]
    Repeated { chord: String, key: Key },
    #[error("{chord:?} holds more than {MAX_CHORD_KEYS} keys at once")]
    TooMany { chord: String },
    #[error("{name:?} is not a mouse button: use left, right or middle")]
    UnknownButton { name: String },
}

impl Key {
    /// Reads one key name, ignoring case and surrounding spaces.
    pub fn parse(name: &str) -> Result<Self, KeyNameError> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err(KeyNameError::Empty);
        }
        if trimmed.contains('{') || trimmed.contains('}') {
            return Err(KeyNameError::Placeholder {
                name: trimmed.to_owned(),
            });
        }
        let lower = trimmed.to_ascii_lowercase();
        let unknown = || KeyNameError::Unknown {
            name: trimmed.to_owned(),
        };
        if let [c] = lower.as_bytes() {
            match c {
                b'a'..=b'z' => return Ok(Self::Letter(*c)),
                b'0'..=b'9' => return Ok(Self::Digit(*c)),
                _ => {}
            }
        }
        if let Some(&(_, key)) = NAMED.iter().find(|(n, _)| *n == lower) {
            return Ok(key);
        }
        let numbered = |prefix: &str, max: u8| {
            lower
                .strip_prefix(prefix)
                .filter(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
                .filter(|rest| !rest.starts_with('0') || rest.len() == 1)
                .and_then(|rest| rest.parse::<u8>().ok())
                .filter(|n| *n <= max)
        };
        if let Some(n) = numbered("f", 24).filter(|n| *n >= 1) {
            return Ok(Self::F(n));
        }
        for prefix in ["numpad", "num", "kp"] {
            if let Some(n) = numbered(prefix, 9) {
                return Ok(Self::Numpad(n));
            }
        }
        Err(unknown())
    }

    /// True for Shift, Ctrl, Alt and Super.
    pub fn is_modifier(self) -> bool {
        matches!(
            self,
            Self::ShiftLeft
                | Self::ShiftRight
                | Self::ControlLeft
                | Self::ControlRight
                | Self::AltLeft
                | Self::AltRight
                | Self::SuperLeft
                | Self::SuperRight
        )
    }

    /// The X11 keysym that names this key in a keyboard mapping (`XK_*` from `keysymdef.h`).
    pub fn x11_keysym(self) -> u32 {
        match self {
            Self::Letter(c) | Self::Digit(c) => u32::from(c),
            // XK_F1 = 0xffbe, consecutive up to XK_F35.
            Self::F(n) => 0xffbd + u32::from(n),
            // XK_KP_0 = 0xffb0 … XK_KP_9 = 0xffb9.
            Self::Numpad(n) => 0xffb0 + u32::from(n),
            Self::NumpadAdd => 0xffab,
            Self::NumpadSubtract => 0xffad,
            Self::NumpadMultiply => 0xffaa,
            Self::NumpadDivide => 0xffaf,
            Self::NumpadDecimal => 0xffae,
            Self::NumpadEnter => 0xff8d,
            Self::Enter => 0xff0d,
            Self::Escape => 0xff1b,
            Self::Tab => 0xff09,
            Self::Space => 0x0020,
            Self::Backspace => 0xff08,
            Self::Delete => 0xffff,
            Self::Insert => 0xff63,
            Self::Home => 0xff50,
            Self::End => 0xff57,
            Self::PageUp => 0xff55,
            Self::PageDown => 0xff56,
            Self::Left => 0xff51,
            Self::Up => 0xff52,
            Self::Right => 0xff53,
            Self::Down => 0xff54,
            Self::CapsLock => 0xffe5,
            Self::NumLock => 0xff7f,
            Self::ScrollLock => 0xff14,
            Self::PrintScreen => 0xff61,
            Self::Pause => 0xff13,
            Self::Menu => 0xff67,
            Self::Minus => 0x002d,
            Self::Equal => 0x003d,
            Self::BracketLeft => 0x005b,
            Self::BracketRight => 0x005d,
            Self::Backslash => 0x005c,
            Self::Semicolon => 0x003b,
            Self::Quote => 0x0027,
            Self::Backquote => 0x0060,
            Self::Comma => 0x002c,
            Self::Period => 0x002e,
            Self::Slash => 0x002f,
            Self::ShiftLeft => 0xffe1,
            Self::ShiftRight => 0xffe2,
            Self::ControlLeft => 0xffe3,
            Self::ControlRight => 0xffe4,
            Self::AltLeft => 0xffe9,
            Self::AltRight => 0xffea,
            Self::SuperLeft => 0xffeb,
            Self::SuperRight => 0xffec,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Letter(c) | Self::Digit(c) => write!(f, "{}", char::from(*c)),
            Self::F(n) => write!(f, "f{n}"),
            Self::Numpad(n) => write!(f, "numpad{n}"),
            other => {
                let name = NAMED
                    .iter()
                    .find(|(_, k)| k == other)
                    .map_or("?", |(n, _)| n);
                f.write_str(name)
            }
        }
    }
}

/// Keys pressed together: down in the order written, up in reverse (`ctrl+shift+k`: Ctrl, Shift,
/// K down; K, Shift, Ctrl up). Any keys may be combined (`w+d` walks diagonally).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chord(pub Vec<Key>);

impl Chord {
    /// Reads `ctrl+shift+k`. Spaces around `+` are allowed; names ignore case.
    pub fn parse(chord: &str) -> Result<Self, KeyNameError> {
        let trimmed = chord.trim();
        if trimmed.is_empty() {
            return Err(KeyNameError::Empty);
        }
        let mut keys: Vec<Key> = Vec::new();
        for part in trimmed.split('+') {
            if part.trim().is_empty() {
                return Err(KeyNameError::EmptyPart {
                    chord: trimmed.to_owned(),
                });
            }
            let key = Key::parse(part)?;
            if keys.contains(&key) {
                return Err(KeyNameError::Repeated {
                    chord: trimmed.to_owned(),
                    key,
                });
            }
            keys.push(key);
            if keys.len() > MAX_CHORD_KEYS {
                return Err(KeyNameError::TooMany {
                    chord: trimmed.to_owned(),
                });
            }
        }
        Ok(Self(keys))
    }
}

/// A mouse button.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MouseButton {
    Left,
    Right,
    Middle,
}

impl MouseButton {
    pub fn parse(name: &str) -> Result<Self, KeyNameError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "left" | "l" | "1" => Ok(Self::Left),
            "right" | "r" | "3" => Ok(Self::Right),
            "middle" | "m" | "2" | "wheel" => Ok(Self::Middle),
            _ => Err(KeyNameError::UnknownButton {
                name: name.trim().to_owned(),
            }),
        }
    }

    /// X11's core button number.
    pub fn x11_button(self) -> u8 {
        match self {
            Self::Left => 1,
            Self::Middle => 2,
            Self::Right => 3,
        }
    }
}

impl fmt::Display for MouseButton {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Left => "left",
            Self::Right => "right",
            Self::Middle => "middle",
        })
    }
}

/// The X11 keysym of a typed character: Latin-1 characters are their own keysym, everything
/// else is `0x0100_0000 + code point` (the Unicode keysym range, X11 `keysymdef.h`).
pub fn char_keysym(c: char) -> u32 {
    let code = u32::from(c);
    match code {
        0x20..=0x7e | 0xa0..=0xff => code,
        _ => 0x0100_0000 + code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_parse_in_order() {
        assert_eq!(
            Chord::parse("ctrl+shift+k").unwrap().0,
            [Key::ControlLeft, Key::ShiftLeft, Key::Letter(b'k')]
        );
        assert_eq!(
            Chord::parse(" Ctrl + ALT + Delete ").unwrap().0,
            [Key::ControlLeft, Key::AltLeft, Key::Delete]
        );
        assert_eq!(Chord::parse("K").unwrap().0, [Key::Letter(b'k')]);
        assert_eq!(
            Chord::parse("w+d").unwrap().0,
            [Key::Letter(b'w'), Key::Letter(b'd')]
        );
        assert_eq!(Chord::parse("shift").unwrap().0, [Key::ShiftLeft]);
    }

    #[test]
    fn numbered_keys_have_bounds() {
        assert_eq!(Key::parse("F5"), Ok(Key::F(5)));
        assert_eq!(Key::parse("f24"), Ok(Key::F(24)));
        assert_eq!(Key::parse("numpad8"), Ok(Key::Numpad(8)));
        assert_eq!(Key::parse("kp0"), Ok(Key::Numpad(0)));
        assert_eq!(Key::parse("7"), Ok(Key::Digit(b'7')));
        assert_eq!(Key::parse("F"), Ok(Key::Letter(b'f')));
        for bad in ["f0", "f25", "f05", "numpad10", "f+", "ff1", "é", "shift_l"] {
            assert!(Key::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_chords_say_what_is_wrong() {
        assert_eq!(Chord::parse(" "), Err(KeyNameError::Empty));
        assert!(matches!(
            Chord::parse("ctrl++"),
            Err(KeyNameError::EmptyPart { .. })
        ));
        assert!(matches!(
            Chord::parse("ctrl+control"),
            Err(KeyNameError::Repeated { .. })
        ));
        assert!(matches!(
            Chord::parse("a+b+c+d+e+f+g"),
            Err(KeyNameError::TooMany { .. })
        ));
        let err = Chord::parse("ctrl+banana").unwrap_err();
        assert_eq!(
            err,
            KeyNameError::Unknown {
                name: "banana".into()
            }
        );
        assert!(err.to_string().contains("\"banana\""));
    }

    #[test]
    fn a_placeholder_is_never_a_key() {
        for written in ["{nickname}", "ctrl+{message}", "{"] {
            let err = Chord::parse(written).unwrap_err();
            assert!(
                matches!(err, KeyNameError::Placeholder { .. }),
                "{written}: {err:?}"
            );
            assert!(err.to_string().contains("type text"), "{err}");
        }
    }

    #[test]
    fn every_named_key_prints_a_name_that_reads_back() {
        for &(_, key) in NAMED {
            assert_eq!(Key::parse(&key.to_string()), Ok(key), "{key:?}");
        }
        for key in [
            Key::Letter(b'q'),
            Key::Digit(b'0'),
            Key::F(12),
            Key::Numpad(3),
        ] {
            assert_eq!(Key::parse(&key.to_string()), Ok(key));
        }
    }

    #[test]
    fn keysyms_match_keysymdef() {
        assert_eq!(Key::Letter(b'k').x11_keysym(), 0x6b);
        assert_eq!(Key::F(1).x11_keysym(), 0xffbe);
        assert_eq!(Key::F(12).x11_keysym(), 0xffc9);
        assert_eq!(Key::Numpad(9).x11_keysym(), 0xffb9);
        assert_eq!(Key::ControlLeft.x11_keysym(), 0xffe3);
        assert_eq!(char_keysym('g'), 0x67);
        assert_eq!(char_keysym('é'), 0xe9);
        assert_eq!(char_keysym('€'), 0x0100_20ac);
        assert_eq!(char_keysym('🔥'), 0x0101_f525);
    }

    #[test]
    fn mouse_buttons() {
        assert_eq!(MouseButton::parse("Left"), Ok(MouseButton::Left));
        assert_eq!(MouseButton::parse("right").unwrap().x11_button(), 3);
        assert!(MouseButton::parse("side").is_err());
    }
}
