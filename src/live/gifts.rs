//! The room's gift list (names, ids, coin values, pictures) for the gift catalog. TikTok's own
//! `gift/list` needs signing now, so it is asked of the chain's sign providers (Euler's
//! `webcast/gift_info` API), in chain order, when a session connects; the answer is cached per
//! region in the OS cache dir, and a failed fetch falls back to the cache. It runs beside the
//! connection and never holds it up (a failed gift-list fetch once aborted whole connects in
//! another client). Consumers read it from [`super::LiveHandle::gift_list`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::watch;

use super::http::{self, FetchError};
use super::{Provider, ProviderKind};

/// At most this many gifts are kept from one answer (TikTok lists a few hundred).
pub const MAX_GIFTS: usize = 5_000;

/// One gift of the room's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftInfo {
    pub id: i64,
    /// Cleaned to one line (TikTok's names may be empty).
    pub name: String,
    /// Its value in coins (TikTok's `diamond_count`).
    pub coins: u32,
    /// The picture (`image.url_list[0]`), http(s) only.
    pub picture_url: Option<String>,
}

/// The list as fetched (or read from the cache).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftList {
    /// What the cache is keyed by: TikTok's data centre for the connection (`tt-target-idc`).
    pub region: String,
    pub room_id: String,
    /// When it was fetched (milliseconds since the epoch).
    pub fetched_at_millis: u64,
    /// Read from the cache because no provider answered.
    #[serde(skip)]
    pub from_cache: bool,
    pub gifts: Vec<GiftInfo>,
}

/// Why a gift list could not be had.
#[derive(Debug, thiserror::Error)]
pub enum GiftListError {
    #[error("gift list: {0}")]
    Fetch(#[from] FetchError),
    #[error("gift list from {url}: {reason}")]
    Bad { url: String, reason: String },
}

/// Reads Euler's `{code, response: {data: {gifts: […]}}}` or TikTok's own `{data: {gifts: […]}}`.
/// Gifts without an id are skipped; names are cleaned; at most [`MAX_GIFTS`].
pub fn parse_gift_list(body: &[u8]) -> Result<Vec<GiftInfo>, String> {
    let json: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let gifts = [&json["response"]["data"]["gifts"], &json["data"]["gifts"]]
        .into_iter()
        .find_map(Value::as_array)
        .ok_or("no gifts in the answer")?;
    Ok(gifts
        .iter()
        .filter_map(|g| {
            let id = g["id"]
                .as_i64()
                .or_else(|| g["id"].as_str()?.parse().ok())?;
            let picture_url = g["image"]["url_list"][0]
                .as_str()
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                .filter(|u| u.len() <= 2048)
                .map(str::to_owned);
            Some(GiftInfo {
                id,
                name: super::sanitize(g["name"].as_str().unwrap_or_default(), 80),
                coins: g["diamond_count"]
                    .as_u64()
                    .and_then(|c| u32::try_from(c).ok())
                    .unwrap_or(0),
                picture_url,
            })
        })
        .take(MAX_GIFTS)
        .collect())
}

/// `GET {sign}/webcast/gift_info?room_id=…&webcast_language=en` (Euler's API).
pub fn gift_info_url(base: &str, room_id: &str) -> Result<url::Url, FetchError> {
    let mut url = http::join(base, "webcast/gift_info")?;
    url.query_pairs_mut()
        .append_pair("room_id", room_id)
        .append_pair("webcast_language", "en");
    Ok(url)
}

async fn fetch_from(
    client: &reqwest::Client,
    provider: &Provider,
    room_id: &str,
) -> Result<Vec<GiftInfo>, GiftListError> {
    let url = gift_info_url(&provider.url, room_id)?;
    let mut request = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json");
    if let Some(key) = &provider.api_key {
        request = request.header("X-Api-Key", key);
    }
    let reply = http::send(request, &url).await?;
    if !reply.status.is_success() {
        return Err(FetchError::Status {
            url: http::redact_query(&url),
            status: reply.status.as_u16(),
            message: http::error_message(&reply.body),
        }
        .into());
    }
    parse_gift_list(&reply.body).map_err(|reason| GiftListError::Bad {
        url: http::redact_query(&url),
        reason,
    })
}

/// The cache file for a region, under `dir`.
pub fn cache_file(dir: &Path, region: &str) -> PathBuf {
    let safe: String = region
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(40)
        .collect();
    let name = if safe.is_empty() { "default" } else { &safe };
    dir.join(format!("{name}.json"))
}

/// `gifts` in the OS cache dir (`~/.cache/giftdeck/gifts` on Linux).
pub fn default_cache_dir() -> Option<PathBuf> {
    crate::paths::gift_cache_dir()
}

/// Fetches the list through the sign providers in chain order, keeps it in the cache, and
/// publishes it; falls back to the cache. Runs as its own task: nothing waits for it.
pub(super) async fn fetch_and_publish(
    client: reqwest::Client,
    providers: Vec<Provider>,
    room_id: String,
    region: String,
    cache_dir: Option<PathBuf>,
    publish: watch::Sender<Option<Arc<GiftList>>>,
) {
    for provider in providers.iter().filter(|p| p.kind.signs()) {
        match fetch_from(&client, provider, &room_id).await {
            Ok(gifts) => {
                let list = GiftList {
                    region: region.clone(),
                    room_id: room_id.clone(),
                    fetched_at_millis: crate::room_store::millis_since_epoch(
                        std::time::SystemTime::now(),
                    ),
                    from_cache: false,
                    gifts,
                };
                if let Some(dir) = &cache_dir {
                    save(dir, &list);
                }
                tracing::info!(
                    "gift list: {} gifts from {}",
                    list.gifts.len(),
                    provider.kind
                );
                publish.send_replace(Some(Arc::new(list)));
                return;
            }
            Err(err) => tracing::info!("gift list from {} failed: {err}", provider.kind),
        }
    }
    let cached = cache_dir.as_deref().and_then(|dir| load(dir, &region));
    match cached {
        Some(list) => {
            tracing::info!("gift list: {} gifts from the cache", list.gifts.len());
            publish.send_replace(Some(Arc::new(list)));
        }
        None if providers.iter().all(|p| p.kind == ProviderKind::EulerWs) => {
            tracing::info!("gift list: no sign provider to ask and nothing cached");
        }
        None => tracing::info!("gift list: no provider answered and nothing cached"),
    }
}

fn save(dir: &Path, list: &GiftList) {
    let written = std::fs::create_dir_all(dir)
        .map_err(|e| e.to_string())
        .and_then(|()| serde_json::to_vec(list).map_err(|e| e.to_string()))
        .and_then(|bytes| {
            crate::paths::write_atomic(&cache_file(dir, &list.region), &bytes)
                .map_err(|e| e.to_string())
        });
    if let Err(err) = written {
        tracing::info!("gift list not cached: {err}");
    }
}

/// The cached list for `region`, if a readable one is there.
pub fn load(dir: &Path, region: &str) -> Option<GiftList> {
    let bytes = std::fs::read(cache_file(dir, region)).ok()?;
    let mut list: GiftList = serde_json::from_slice(&bytes).ok()?;
    list.gifts.truncate(MAX_GIFTS);
    list.from_cache = true;
    Some(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_are_read_and_bad_entries_skipped() {
        let euler = br#"{"code":200,"response":{"data":{"gifts":[
            {"id":5655,"name":"Rose","diamond_count":1,"image":{"url_list":["https://p16/rose.png"]}},
            {"id":"6369","name":"Lion\u202e\n","diamond_count":29999,"image":{"url_list":["javascript:x"]}},
            {"name":"no id"}]}}}"#;
        let gifts = parse_gift_list(euler).unwrap();
        assert_eq!(gifts.len(), 2);
        assert_eq!(
            gifts[0].picture_url.as_deref(),
            Some("https://p16/rose.png")
        );
        assert_eq!(gifts[1].id, 6369);
        assert_eq!(gifts[1].name, "Lion");
        assert_eq!(gifts[1].coins, 29_999);
        assert_eq!(gifts[1].picture_url, None, "only http(s) pictures");
        let tiktok =
            br#"{"status_code":0,"data":{"gifts":[{"id":1,"name":"GG","diamond_count":1}]}}"#;
        assert_eq!(parse_gift_list(tiktok).unwrap().len(), 1);
        assert!(parse_gift_list(b"{}").is_err());
        assert!(parse_gift_list(b"<html>").is_err());
    }

    #[test]
    fn the_cache_file_name_cannot_leave_its_folder() {
        let dir = Path::new("/cache");
        assert_eq!(cache_file(dir, "useast1a"), dir.join("useast1a.json"));
        assert_eq!(
            cache_file(dir, "../../etc/passwd"),
            dir.join("etcpasswd.json")
        );
        assert_eq!(cache_file(dir, "///"), dir.join("default.json"));
    }

    #[test]
    fn the_url_is_euler_s_gift_info() {
        let url = gift_info_url("http://127.0.0.1:5/", "42").unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:5/webcast/gift_info?room_id=42&webcast_language=en"
        );
    }
}
