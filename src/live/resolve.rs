//! Room lookup: username → room id from the live page's `SIGI_STATE` JSON, falling back to the
//! `api-live/user/room` JSON; and the optional liveness check (`room/check_alive`). The page and JSON
//! parsers are pure functions; the fetchers are thin.

use serde_json::Value;
use url::Url;

use super::http::{self, FetchError};

/// Why no room id could be found. Fatal ones end the session with a clear message.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("TikTok has no user @{user}")]
    UserNotFound { user: String },
    #[error("@{user} is not live right now")]
    Offline { user: String },
    #[error("room {room_id} is not live right now")]
    RoomOffline { room_id: String },
    #[error(
        "TikTok answered the lookup of @{user} with a captcha or block page ({url}); wait, change network, or pass the room id"
    )]
    Blocked { user: String, url: String },
    #[error("@{user}'s room is age-restricted (18+): it needs a logged-in TikTok session")]
    AgeRestricted { user: String },
    #[error("could not find a live room for @{user}: {detail}")]
    NoRoom { user: String, detail: String },
    #[error("room lookup for @{user} failed: {source}")]
    Fetch { user: String, source: FetchError },
}

impl ResolveError {
    /// Network trouble is worth retrying; a definite answer (no user, offline, blocked) is not.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Fetch { .. })
    }
}

/// What the live page said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageOutcome {
    /// The user is live in this room.
    Room(String),
    /// The page knows the user and says they are offline (status 4).
    Offline,
    /// The page has `SIGI_STATE` but no live room in it (user unknown or never live).
    NoRoom,
    /// No `SIGI_STATE` at all; `captcha` when the page looks like a WAF/captcha challenge.
    NoState { captcha: bool },
}

/// What `api-live/user/room` said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiOutcome {
    Room(String),
    Offline,
    NotFound,
    /// TikTok's "age restricted" status: the room needs a logged-in session.
    AgeRestricted,
    /// JSON without a usable answer; the detail says what was there.
    Unexpected(String),
}

/// TikTok's status code for "user_not_found".
const USER_NOT_FOUND_CODE: i64 = 19_881_007;
/// TikTok's status code for an age-restricted (18+) room seen without a session (TikTokLiveJava).
const AGE_RESTRICTED_CODE: i64 = 4_003_110;
/// Room and user status meaning "offline".
const STATUS_OFFLINE: i64 = 4;

/// Finds `<script id="SIGI_STATE" …>{json}</script>` and reads the room from it.
pub fn parse_live_page(html: &str) -> PageOutcome {
    let Some(json) = sigi_json(html) else {
        return PageOutcome::NoState {
            captcha: looks_like_captcha(html),
        };
    };
    let Ok(state) = serde_json::from_str::<Value>(json) else {
        return PageOutcome::NoState { captcha: false };
    };
    let info = &state["LiveRoom"]["liveRoomUserInfo"];
    if info.is_null() {
        return PageOutcome::NoRoom;
    }
    let user_status = as_i64(&info["user"]["status"]);
    let room_status = as_i64(&info["liveRoom"]["status"]);
    if user_status == Some(STATUS_OFFLINE) || room_status == Some(STATUS_OFFLINE) {
        return PageOutcome::Offline;
    }
    match room_id_of(&info["user"]["roomId"]) {
        Some(id) => PageOutcome::Room(id),
        None => PageOutcome::NoRoom,
    }
}

fn sigi_json(html: &str) -> Option<&str> {
    let tag = html.find("id=\"SIGI_STATE\"")?;
    let after_tag = tag + html[tag..].find('>')? + 1;
    let end = after_tag + html[after_tag..].find("</script>")?;
    Some(&html[after_tag..end])
}

fn looks_like_captcha(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    [
        "_wafchallengeid",
        "captcha",
        "please wait",
        "verify to continue",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

/// Reads `api-live/user/room` JSON.
pub fn parse_api_live(body: &[u8]) -> ApiOutcome {
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        let text = String::from_utf8_lossy(body);
        return ApiOutcome::Unexpected(if looks_like_captcha(&text) {
            "a captcha page instead of JSON".to_owned()
        } else {
            format!("not JSON ({} bytes)", body.len())
        });
    };
    let message = json["message"].as_str().unwrap_or_default();
    if message == "user_not_found" || as_i64(&json["statusCode"]) == Some(USER_NOT_FOUND_CODE) {
        return ApiOutcome::NotFound;
    }
    if as_i64(&json["statusCode"]) == Some(AGE_RESTRICTED_CODE) {
        return ApiOutcome::AgeRestricted;
    }
    let data = &json["data"];
    let user_status = as_i64(&data["user"]["status"]);
    let room_status = as_i64(&data["liveRoom"]["status"]);
    if user_status == Some(STATUS_OFFLINE) || room_status == Some(STATUS_OFFLINE) {
        return ApiOutcome::Offline;
    }
    match room_id_of(&data["user"]["roomId"]) {
        Some(id) => ApiOutcome::Room(id),
        None if data["user"].is_object() => ApiOutcome::Offline,
        None => ApiOutcome::Unexpected(format!(
            "no room id (statusCode {}, message {:?})",
            json["statusCode"],
            super::sanitize(message, 120)
        )),
    }
}

/// Reads `room/check_alive` JSON: `Some(alive)` when the answer is definite.
pub fn parse_check_alive(body: &[u8]) -> Option<bool> {
    let json = serde_json::from_slice::<Value>(body).ok()?;
    json["data"].get(0)?["alive"].as_bool()
}

/// A room id is a positive number that fits in i64; TikTok sends it as a string (or a number).
fn room_id_of(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (text.parse::<i64>().is_ok_and(|id| id > 0)).then_some(text)
}

fn as_i64(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

/// `{tiktok}/@{user}/live`.
pub fn live_page_url(tiktok_url: &str, user: &str) -> Result<Url, FetchError> {
    let mut url = http::base_url(tiktok_url)?;
    url.path_segments_mut()
        .map_err(|()| FetchError::BadUrl {
            url: tiktok_url.to_owned(),
            reason: "cannot be a base".into(),
        })?
        .pop_if_empty()
        .push(&format!("@{user}"))
        .push("live");
    Ok(url)
}

/// `{tiktok}/api-live/user/room/?…&uniqueId={user}`.
pub fn api_live_url(tiktok_url: &str, user: &str) -> Result<Url, FetchError> {
    let mut url = http::join(tiktok_url, "api-live/user/room/")?;
    url.query_pairs_mut()
        .append_pair("aid", "1988")
        .append_pair("app_name", "tiktok_web")
        .append_pair("device_platform", "web_pc")
        .append_pair("sourceType", "54")
        .append_pair("uniqueId", user);
    Ok(url)
}

/// `{webcast}/room/check_alive/?aid=1988&room_ids={id}`.
pub fn check_alive_url(webcast_url: &str, room_id: &str) -> Result<Url, FetchError> {
    let mut url = http::join(webcast_url, "room/check_alive/")?;
    url.query_pairs_mut()
        .append_pair("aid", "1988")
        .append_pair("app_name", "tiktok_web")
        .append_pair("room_ids", room_id);
    Ok(url)
}

/// Looks up the room of a user: the live page first, the JSON API second. `cookie` is the
/// `Cookie` header for TikTok (the streamer's session, when the room needs one).
pub async fn resolve_room(
    client: &reqwest::Client,
    tiktok_url: &str,
    user_agent: &str,
    cookie: &str,
    user: &str,
) -> Result<String, ResolveError> {
    let fetch_err = |source| ResolveError::Fetch {
        user: user.to_owned(),
        source,
    };
    let page_url = live_page_url(tiktok_url, user).map_err(fetch_err)?;
    let referer = page_url.to_string();
    // A page that cannot be fetched is not the end: the API may still answer.
    let page = match http::get(client, page_url.clone(), user_agent, &referer, cookie).await {
        Ok(reply) if reply.status.is_success() => {
            parse_live_page(&String::from_utf8_lossy(&reply.body))
        }
        Ok(reply) => PageOutcome::NoState {
            captcha: reply.status.as_u16() == 403 || reply.status.as_u16() == 429,
        },
        Err(err) => {
            tracing::debug!("live page fetch failed: {err}");
            PageOutcome::NoState { captcha: false }
        }
    };
    match page {
        PageOutcome::Room(id) => return Ok(id),
        PageOutcome::Offline => {
            return Err(ResolveError::Offline {
                user: user.to_owned(),
            });
        }
        PageOutcome::NoRoom | PageOutcome::NoState { .. } => {}
    }
    let page_blocked = matches!(page, PageOutcome::NoState { captcha: true });
    let api_url = api_live_url(tiktok_url, user).map_err(fetch_err)?;
    let reply = match http::get(client, api_url.clone(), user_agent, &referer, cookie).await {
        Ok(reply) => reply,
        Err(_) if page_blocked => {
            return Err(ResolveError::Blocked {
                user: user.to_owned(),
                url: page_url.to_string(),
            });
        }
        Err(err) => return Err(fetch_err(err)),
    };
    if !reply.status.is_success() {
        if page_blocked || matches!(reply.status.as_u16(), 403 | 429) {
            return Err(ResolveError::Blocked {
                user: user.to_owned(),
                url: api_url.to_string(),
            });
        }
        return Err(fetch_err(FetchError::Status {
            url: http::redact_query(&api_url),
            status: reply.status.as_u16(),
            message: http::error_message(&reply.body),
        }));
    }
    match parse_api_live(&reply.body) {
        ApiOutcome::Room(id) => Ok(id),
        ApiOutcome::Offline => Err(ResolveError::Offline {
            user: user.to_owned(),
        }),
        ApiOutcome::NotFound => Err(ResolveError::UserNotFound {
            user: user.to_owned(),
        }),
        ApiOutcome::AgeRestricted => Err(ResolveError::AgeRestricted {
            user: user.to_owned(),
        }),
        ApiOutcome::Unexpected(_) if page_blocked => Err(ResolveError::Blocked {
            user: user.to_owned(),
            url: page_url.to_string(),
        }),
        ApiOutcome::Unexpected(detail) => Err(ResolveError::NoRoom {
            user: user.to_owned(),
            detail,
        }),
    }
}

/// Asks TikTok whether a room is live. `Ok(None)` when the answer is not definite: the check is
/// advisory and never blocks a connection on its own.
pub async fn check_alive(
    client: &reqwest::Client,
    webcast_url: &str,
    user_agent: &str,
    cookie: &str,
    room_id: &str,
) -> Result<Option<bool>, FetchError> {
    let url = check_alive_url(webcast_url, room_id)?;
    let reply = http::get(client, url, user_agent, "https://www.tiktok.com/", cookie).await?;
    if !reply.status.is_success() {
        return Ok(None);
    }
    Ok(parse_check_alive(&reply.body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(state: &str) -> String {
        format!(
            "<html><head><script id=\"SIGI_STATE\" type=\"application/json\">{state}</script></head></html>"
        )
    }

    #[test]
    fn live_page_yields_the_room_id() {
        let html = page(
            r#"{"LiveRoom":{"liveRoomUserInfo":{"user":{"roomId":"7000000000000000001","status":2},"liveRoom":{"status":2}}}}"#,
        );
        assert_eq!(
            parse_live_page(&html),
            PageOutcome::Room("7000000000000000001".into())
        );
    }

    #[test]
    fn live_page_offline_missing_and_captcha_are_told_apart() {
        let offline = page(
            r#"{"LiveRoom":{"liveRoomUserInfo":{"user":{"roomId":"7000000000000000001","status":4}}}}"#,
        );
        assert_eq!(parse_live_page(&offline), PageOutcome::Offline);
        let node_style = page(
            r#"{"LiveRoom":{"liveRoomUserInfo":{"user":{"roomId":"1"},"liveRoom":{"status":4}}}}"#,
        );
        assert_eq!(parse_live_page(&node_style), PageOutcome::Offline);
        assert_eq!(
            parse_live_page(&page(r#"{"AppContext":{}}"#)),
            PageOutcome::NoRoom
        );
        assert_eq!(
            parse_live_page(&page(
                r#"{"LiveRoom":{"liveRoomUserInfo":{"user":{"roomId":""}}}}"#
            )),
            PageOutcome::NoRoom
        );
        assert_eq!(
            parse_live_page("<html>Please wait... _wafchallengeid</html>"),
            PageOutcome::NoState { captcha: true }
        );
        assert_eq!(
            parse_live_page(&page("{not json")),
            PageOutcome::NoState { captcha: false }
        );
        // A room id that is not a number is not trusted.
        assert_eq!(
            parse_live_page(&page(
                r#"{"LiveRoom":{"liveRoomUserInfo":{"user":{"roomId":"1/../x"}}}}"#
            )),
            PageOutcome::NoRoom
        );
    }

    #[test]
    fn api_live_outcomes() {
        let live = br#"{"statusCode":0,"data":{"user":{"roomId":"7000000000000000001","status":2},"liveRoom":{"status":2}}}"#;
        assert_eq!(
            parse_api_live(live),
            ApiOutcome::Room("7000000000000000001".into())
        );
        let gone = br#"{"statusCode":19881007,"message":"user_not_found","data":{}}"#;
        assert_eq!(parse_api_live(gone), ApiOutcome::NotFound);
        let off = br#"{"statusCode":0,"data":{"user":{"roomId":"7","status":4}}}"#;
        assert_eq!(parse_api_live(off), ApiOutcome::Offline);
        let never = br#"{"statusCode":0,"data":{"user":{"roomId":""}}}"#;
        assert_eq!(parse_api_live(never), ApiOutcome::Offline);
        assert!(
            matches!(parse_api_live(b"<html>captcha</html>"), ApiOutcome::Unexpected(d) if d.contains("captcha"))
        );
        assert!(matches!(parse_api_live(b"{}"), ApiOutcome::Unexpected(_)));
        let adult = br#"{"statusCode":4003110,"message":"","data":{}}"#;
        assert_eq!(parse_api_live(adult), ApiOutcome::AgeRestricted);
    }

    #[test]
    fn check_alive_needs_a_definite_answer() {
        assert_eq!(
            parse_check_alive(br#"{"data":[{"alive":true,"room_id":1}]}"#),
            Some(true)
        );
        assert_eq!(
            parse_check_alive(br#"{"data":[{"alive":false}]}"#),
            Some(false)
        );
        assert_eq!(parse_check_alive(br#"{"data":[]}"#), None);
        assert_eq!(parse_check_alive(b"nope"), None);
    }

    #[test]
    fn urls_keep_the_overridden_base() {
        assert_eq!(
            live_page_url("http://127.0.0.1:9/", "a.b")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/@a.b/live"
        );
        assert_eq!(
            live_page_url("http://127.0.0.1:9/prefix", "a")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/prefix/@a/live"
        );
        let api = api_live_url("https://www.tiktok.com", "x").unwrap();
        assert!(
            api.as_str()
                .starts_with("https://www.tiktok.com/api-live/user/room/?")
        );
        assert!(api.as_str().ends_with("&uniqueId=x"));
        let alive = check_alive_url("https://webcast.tiktok.com/webcast", "5").unwrap();
        assert!(
            alive
                .as_str()
                .starts_with("https://webcast.tiktok.com/webcast/room/check_alive/?aid=1988")
        );
    }
}
