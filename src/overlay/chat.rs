//! The chat, viewer-count and gifter-spotlight pages' state: the newest chat lines (a moderator's
//! deletion takes them back), the latest viewer count, the last gift. Pure; the hub owns them
//! and publishes the JSON built here.

use serde::Serialize;
use serde_json::json;

use super::messages::display_name;
use super::tallies::{Gifter, Recent};
use crate::event::{User, ViewerCount};

/// Longest chat line a page shows, in characters (TikTok allows 150).
pub const MAX_CHAT_CHARS: usize = 300;

/// One chat message on `/chat`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChatLine {
    /// Stable for the line's life: the page keeps a line's element instead of redrawing it.
    pub id: u64,
    pub nickname: String,
    pub unique_id: String,
    /// The message, emotes included as the text TikTok sends for them. Cleaned of control and
    /// bidi characters; the page still only sets it as text.
    pub text: String,
    /// What a moderator's deletion is matched against (not sent to the page).
    #[serde(skip)]
    pub msg_id: i64,
    #[serde(skip)]
    pub user_id: i64,
}

/// The newest chat lines, newest first.
#[derive(Debug)]
pub struct ChatLog {
    lines: Recent<ChatLine>,
    next_id: u64,
}

impl ChatLog {
    pub fn new(size: usize) -> Self {
        Self {
            lines: Recent::new(size),
            next_id: 1,
        }
    }

    pub fn push(&mut self, msg_id: i64, user: &User, text: &str) {
        self.lines.push(ChatLine {
            id: self.next_id,
            nickname: display_name(&user.nickname, &user.unique_id),
            unique_id: crate::text::one_line(&user.unique_id, super::messages::MAX_NAME_CHARS),
            text: crate::text::one_line(text, MAX_CHAT_CHARS),
            msg_id,
            user_id: user.user_id,
        });
        self.next_id += 1;
    }

    /// Keeps the newest `size` lines from now on (`overlays.chat_size` edited). True when any
    /// went.
    pub fn set_size(&mut self, size: usize) -> bool {
        self.lines.set_size(size)
    }

    /// A moderator deleted these messages (or every message of these viewers): their lines go.
    /// True when any went.
    pub fn delete(&mut self, msg_ids: &[i64], user_ids: &[i64]) -> bool {
        self.lines.retain(|line| {
            !((line.msg_id != 0 && msg_ids.contains(&line.msg_id))
                || (line.user_id != 0 && user_ids.contains(&line.user_id)))
        })
    }

    /// `/chat`: `{"type":"chat","lines":[…]}`, newest first.
    pub fn state(&self) -> String {
        let lines: Vec<&ChatLine> = self.lines.items().collect();
        json!({"type": "chat", "lines": lines}).to_string()
    }
}

/// `/viewers`: the latest count TikTok sent (`viewers: null` before the first).
pub fn viewers_state(count: Option<&ViewerCount>) -> String {
    match count {
        Some(c) => {
            json!({"type": "viewers", "viewers": c.viewers, "total_viewers": c.total_viewers})
        }
        None => json!({"type": "viewers", "viewers": null, "total_viewers": null}),
    }
    .to_string()
}

/// The last credited gift, for the spotlight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LastGift {
    pub nickname: String,
    pub gift_name: String,
    pub count: u32,
    /// Diamonds of the whole streak (one gift's times the count).
    pub diamonds: u64,
    pub image_url: Option<String>,
}

/// `/spotlight`: the last gifter and the stream's top gifter (each null until there is one).
pub fn spotlight_state(last: Option<&LastGift>, top: Option<&Gifter>) -> String {
    json!({"type": "spotlight", "last": last, "top": top}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, nickname: &str) -> User {
        User {
            user_id: id,
            unique_id: format!("u{id}"),
            nickname: nickname.into(),
            ..User::default()
        }
    }

    #[test]
    fn the_log_keeps_the_newest_and_a_deletion_takes_lines_back() {
        let mut log = ChatLog::new(3);
        for (msg, who) in [(1, 7), (2, 8), (3, 7), (4, 9)] {
            log.push(msg, &user(who, "Amy\u{202e}"), &format!("hi {msg}\n"));
        }
        let v: serde_json::Value = serde_json::from_str(&log.state()).unwrap();
        let texts: Vec<&str> = v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["text"].as_str().unwrap())
            .collect();
        assert_eq!(texts, ["hi 4", "hi 3", "hi 2"], "newest first, 3 kept");
        assert_eq!(v["lines"][0]["nickname"], "Amy", "bidi override cleaned");
        assert!(v["lines"][0].get("msg_id").is_none());
        assert!(log.delete(&[2], &[]));
        assert!(!log.delete(&[2], &[]), "nothing left to take back");
        assert!(log.delete(&[], &[7]), "every line of viewer 7");
        let v: serde_json::Value = serde_json::from_str(&log.state()).unwrap();
        assert_eq!(v["lines"].as_array().unwrap().len(), 1);
        assert_eq!(v["lines"][0]["text"], "hi 4");
    }

    #[test]
    fn viewers_and_spotlight_say_null_before_anything_arrives() {
        let v: serde_json::Value = serde_json::from_str(&viewers_state(None)).unwrap();
        assert!(v["viewers"].is_null());
        let count = ViewerCount {
            viewers: 42,
            total_viewers: 900,
            ..ViewerCount::default()
        };
        let v: serde_json::Value = serde_json::from_str(&viewers_state(Some(&count))).unwrap();
        assert_eq!(
            (v["viewers"].as_u64(), v["total_viewers"].as_u64()),
            (Some(42), Some(900))
        );
        let v: serde_json::Value = serde_json::from_str(&spotlight_state(None, None)).unwrap();
        assert!(v["last"].is_null() && v["top"].is_null());
    }
}
