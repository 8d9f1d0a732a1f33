//! What the streamer typed: `@name`, `name`, a `tiktok.com/@name/live` URL, or a numeric room id,
//! normalized into a [`Target`]. Pure; no I/O.

use std::fmt;

/// Where to connect: a username to look up, or a room id to use as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A TikTok @handle, without the `@`.
    User(String),
    /// A numeric room id: the lookup is skipped.
    Room(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(name) => write!(f, "@{name}"),
            Self::Room(id) => write!(f, "room {id}"),
        }
    }
}

/// The input could not be understood as a user or a room.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("nothing to connect to: type a @username or a room id")]
    Empty,
    #[error("{input:?} is not a TikTok username (letters, digits, `_` and `.` only)")]
    BadUsername { input: String },
    #[error("{input:?} is not a numeric room id")]
    BadRoomId { input: String },
}

/// Room ids are long numbers (19 digits today); a bare number this long is a room id, shorter ones
/// are taken as usernames (TikTok allows all-digit handles).
const MIN_ROOM_ID_DIGITS: usize = 15;
/// TikTok handles are at most 24 characters; leave room for change but refuse garbage.
const MAX_USERNAME_CHARS: usize = 64;

/// Parses the streamer's input.
pub fn parse_target(input: &str) -> Result<Target, TargetError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(TargetError::Empty);
    }
    let candidate = strip_url(trimmed);
    if let Some(name) = candidate.strip_prefix('@') {
        return username(name, input).map(Target::User);
    }
    if candidate.len() >= MIN_ROOM_ID_DIGITS && candidate.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Target::Room(candidate.to_owned()));
    }
    username(candidate, input).map(Target::User)
}

/// Checks a room id given explicitly (`--room-id`).
pub fn parse_room_id(input: &str) -> Result<String, TargetError> {
    let id = input.trim();
    if !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_owned())
    } else {
        Err(TargetError::BadRoomId {
            input: input.to_owned(),
        })
    }
}

/// `https://www.tiktok.com/@name/live?x=y` → `@name`; anything that is not a TikTok URL is returned
/// unchanged.
fn strip_url(input: &str) -> &str {
    let lower = input.to_ascii_lowercase();
    let Some(at) = lower.find("tiktok.com/") else {
        return input;
    };
    let path = &input[at + "tiktok.com/".len()..];
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/')
        .find(|segment| segment.starts_with('@'))
        .unwrap_or(path.trim_end_matches('/'))
}

fn username(name: &str, input: &str) -> Result<String, TargetError> {
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_USERNAME_CHARS
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if ok {
        Ok(name.to_owned())
    } else {
        Err(TargetError::BadUsername {
            input: input.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> Result<Target, TargetError> {
        Ok(Target::User(name.into()))
    }

    #[test]
    fn accepts_every_form_the_streamer_may_paste() {
        assert_eq!(parse_target("@some.streamer_1"), user("some.streamer_1"));
        assert_eq!(parse_target("  some.streamer_1 "), user("some.streamer_1"));
        assert_eq!(
            parse_target("https://www.tiktok.com/@some.streamer_1/live"),
            user("some.streamer_1")
        );
        assert_eq!(
            parse_target("www.tiktok.com/@Name/live?lang=en#x"),
            user("Name")
        );
        assert_eq!(parse_target("https://tiktok.com/@name"), user("name"));
        assert_eq!(parse_target("HTTPS://WWW.TIKTOK.COM/@name/"), user("name"));
        assert_eq!(
            parse_target("7000000000000000001"),
            Ok(Target::Room("7000000000000000001".into()))
        );
        assert_eq!(
            parse_target("1234567"),
            user("1234567"),
            "short numbers are handles"
        );
        assert_eq!(
            parse_target("@7000000000000000001"),
            user("7000000000000000001")
        );
    }

    #[test]
    fn refuses_what_could_break_a_url() {
        assert_eq!(parse_target("  "), Err(TargetError::Empty));
        for bad in [
            "@",
            "a/b",
            "na me",
            "@x?y",
            "name%2F..",
            "../etc",
            "@ünïcode",
            "a\nb",
        ] {
            assert!(
                matches!(parse_target(bad), Err(TargetError::BadUsername { .. })),
                "{bad:?} should be refused"
            );
        }
        assert!(parse_target(&"a".repeat(65)).is_err());
    }

    #[test]
    fn room_ids_are_digits_only() {
        assert_eq!(
            parse_room_id(" 7000000000000000001 ").as_deref(),
            Ok("7000000000000000001")
        );
        for bad in ["", "12a", "-1", &"9".repeat(21)] {
            assert!(parse_room_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn displays_for_status_lines() {
        assert_eq!(Target::User("x".into()).to_string(), "@x");
        assert_eq!(Target::Room("1".into()).to_string(), "room 1");
    }
}
