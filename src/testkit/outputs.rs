//! Engine outputs built by hand, for the tests and benchmarks of what consumes them (the ledger,
//! goals, the subathon timer): a credited gift, likes, chat, a follow or share, a member message,
//! and the plain credited Rose that tests change field by field.

use crate::engine::{Decision, Output};
use crate::event::{CreditedGift, EndedBy, LiveEvent, SocialKind, User};

/// A viewer with this id and @handle (nickname: the handle in capitals).
pub fn viewer(user_id: i64, handle: &str) -> User {
    User {
        user_id,
        unique_id: handle.to_owned(),
        nickname: handle.to_uppercase(),
        ..User::default()
    }
}

/// One Rose (id 5655, 1 diamond) from Alice (@alice, user 7), message 1, its streak ended, no
/// trigger, no picture: a test names only what it is about (`CreditedGift { count: 3, ..rose() }`).
pub fn rose() -> CreditedGift {
    CreditedGift {
        msg_id: 1,
        user_id: 7,
        unique_id: "alice".into(),
        nickname: "Alice".into(),
        gift_id: 5655,
        gift_name: "Rose".into(),
        diamonds: 1,
        count: 1,
        trigger: None,
        ended_by: EndedBy::StreakEnd,
        image_url: None,
        skipped: None,
    }
}

/// `count` Roses worth `diamonds` each, credited to `user`, with no trigger.
pub fn credit(msg_id: i64, user: &User, diamonds: u32, count: u32) -> Output {
    Output::Credit(Decision {
        gift: CreditedGift {
            msg_id,
            user_id: user.user_id,
            unique_id: user.unique_id.clone(),
            nickname: user.nickname.clone(),
            diamonds,
            count,
            ..rose()
        },
        mapping: None,
    })
}

pub fn likes(msg_id: i64, user: &User, count: u32) -> Output {
    Output::Event(LiveEvent::Like {
        msg_id,
        user: user.clone(),
        count,
        total: 0,
        create_time_millis: 0,
    })
}

pub fn chat(msg_id: i64, user: &User, text: &str) -> Output {
    Output::Event(LiveEvent::Chat {
        msg_id,
        user: user.clone(),
        text: text.to_owned(),
        create_time_millis: 0,
    })
}

/// A follow or a share.
pub fn social(msg_id: i64, user: &User, kind: SocialKind) -> Output {
    Output::Event(LiveEvent::Social {
        msg_id,
        user: user.clone(),
        kind,
        create_time_millis: 0,
    })
}

/// A member message (`event::MEMBER_JOINED`, `event::MEMBER_SUBSCRIBED`).
pub fn member(msg_id: i64, user: &User, action: i32) -> Output {
    Output::Event(LiveEvent::Member {
        msg_id,
        user: user.clone(),
        action,
        create_time_millis: 0,
    })
}
