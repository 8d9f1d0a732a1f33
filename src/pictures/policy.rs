//! The picture cache's rules, as pure functions: which URLs may be fetched (TikTok's picture
//! servers only, so a hostile message cannot make giftdeck call a machine on the streamer's
//! network), the cache file a URL is kept in, and which files go when the cache is over its size.

use std::time::SystemTime;

use sha2::{Digest as _, Sha256};

use super::PictureError;

/// The hosts TikTok serves gift pictures from (a host must be one of them or end in `.` + one).
pub const TIKTOK_PICTURE_HOSTS: &[&str] = &[
    "tiktokcdn.com",
    "tiktokcdn-us.com",
    "tiktokcdn-eu.com",
    "ibyteimg.com",
    "byteimg.com",
    "ttwstatic.com",
];

/// Which URLs are pictures at all: `https` on TikTok's picture hosts, plus exact origins added
/// on purpose (the demo's own loopback server, a test's). And whether TikTok's hosts may be asked
/// now: the app asks them only once it is connected to TikTok itself (before that, and in the
/// demo, their pictures come from the disk cache or not at all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPolicy {
    host_suffixes: Vec<String>,
    /// `(scheme, host, port)` triples allowed as they are, `http` included.
    origins: Vec<(String, String, u16)>,
    /// TikTok's hosts may be fetched from (else only read from the cache).
    tiktok_fetch: bool,
}

impl Default for HostPolicy {
    fn default() -> Self {
        Self {
            host_suffixes: TIKTOK_PICTURE_HOSTS.iter().map(|&h| h.to_owned()).collect(),
            origins: Vec::new(),
            tiktok_fetch: true,
        }
    }
}

impl HostPolicy {
    /// No host at all (only origins added later).
    pub fn nothing() -> Self {
        Self {
            host_suffixes: Vec::new(),
            origins: Vec::new(),
            tiktok_fetch: true,
        }
    }

    /// Whether TikTok's hosts may be fetched from now (their cached pictures are read anyway).
    #[must_use]
    pub fn with_tiktok_fetch(mut self, on: bool) -> Self {
        self.tiktok_fetch = on;
        self
    }

    /// True when an allowed URL may be downloaded now: an added origin always, TikTok's hosts
    /// while fetching from them is on.
    pub fn may_fetch(&self, url: &url::Url) -> bool {
        origin_of(url).is_some_and(|o| self.origins.contains(&o))
            || (self.tiktok_fetch && self.allows(url))
    }

    /// Also allows this exact origin (scheme, host and port of `base`); ignored when `base` is
    /// not an http(s) URL.
    #[must_use]
    pub fn with_origin(mut self, base: &str) -> Self {
        if let Some(origin) = url::Url::parse(base).ok().and_then(|u| origin_of(&u))
            && !self.origins.contains(&origin)
        {
            self.origins.push(origin);
        }
        self
    }

    /// The URL, parsed, when it may be fetched.
    pub fn check(&self, url: &str) -> Result<url::Url, PictureError> {
        let not_allowed = || PictureError::NotAllowed {
            url: shown_url(url),
        };
        let parsed = url::Url::parse(url).map_err(|_| not_allowed())?;
        if self.allows(&parsed) {
            Ok(parsed)
        } else {
            Err(not_allowed())
        }
    }

    /// True for an https URL on one of the hosts (a name, never an IP address, on the default
    /// port, without user info) or on an added origin.
    pub fn allows(&self, url: &url::Url) -> bool {
        if !url.username().is_empty() || url.password().is_some() {
            return false;
        }
        if origin_of(url).is_some_and(|o| self.origins.contains(&o)) {
            return true;
        }
        let Some(url::Host::Domain(host)) = url.host() else {
            return false;
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        url.scheme() == "https"
            && url.port().is_none()
            && self.host_suffixes.iter().any(|suffix| {
                host == *suffix
                    || host
                        .strip_suffix(suffix.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            })
    }
}

fn origin_of(url: &url::Url) -> Option<(String, String, u16)> {
    let scheme = url.scheme();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    Some((
        scheme.to_owned(),
        url.host_str()?.to_ascii_lowercase(),
        url.port_or_known_default()?,
    ))
}

/// A URL as errors show it: without its query (signed CDN URLs carry tokens), at most 120
/// characters.
pub fn shown_url(url: &str) -> String {
    let without_query = url.split(['?', '#']).next().unwrap_or_default();
    crate::text::one_line(without_query, 120)
}

/// The cache file's name for a URL: the hex SHA-256 of the URL and `.img`.
pub fn cache_file_name(url: &str) -> String {
    let digest = Sha256::digest(url.as_bytes());
    let mut name = String::with_capacity(68);
    for byte in digest {
        name.push_str(&format!("{byte:02x}"));
    }
    name.push_str(".img");
    name
}

/// One file in the cache folder, as the eviction policy sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedFile {
    pub bytes: u64,
    /// Last written or read (a hit touches the file).
    pub modified: SystemTime,
}

/// Which files to delete so the rest fit in `limit_bytes`: the least recently used first
/// (oldest `modified`), as indexes into `files`. Nothing when they already fit.
pub fn files_to_evict(files: &[CachedFile], limit_bytes: u64) -> Vec<usize> {
    let mut total: u64 = files.iter().map(|f| f.bytes).sum();
    if total <= limit_bytes {
        return Vec::new();
    }
    let mut oldest_first: Vec<usize> = (0..files.len()).collect();
    oldest_first.sort_by_key(|&i| files[i].modified);
    let mut evict = Vec::new();
    for index in oldest_first {
        if total <= limit_bytes {
            break;
        }
        total = total.saturating_sub(files[index].bytes);
        evict.push(index);
    }
    evict
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn only_https_on_tiktok_s_picture_hosts_passes() {
        let p = HostPolicy::default();
        for ok in [
            "https://p16-webcast.tiktokcdn.com/img/maliva/webcast-va/rose~tplv-obj.webp",
            "https://p19-webcast.tiktokcdn-us.com/a.png?x-expires=1",
            "https://tiktokcdn.com/a.png",
            "https://P16-SIGN.IBYTEIMG.COM./a.png",
        ] {
            assert!(p.check(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://p16-webcast.tiktokcdn.com/a.png",
            "https://p16-webcast.tiktokcdn.com:8443/a.png",
            "https://eviltiktokcdn.com/a.png",
            "https://tiktokcdn.com.evil.example/a.png",
            "https://127.0.0.1/a.png",
            "https://[::1]/a.png",
            "https://user:pw@p16-webcast.tiktokcdn.com/a.png",
            "http://192.168.1.1/admin",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "not a url",
        ] {
            assert!(
                matches!(p.check(bad), Err(PictureError::NotAllowed { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_added_origin_is_allowed_exactly() {
        let p = HostPolicy::nothing().with_origin("http://127.0.0.1:4567/base/");
        assert!(p.check("http://127.0.0.1:4567/gift/1.png").is_ok());
        assert!(p.check("http://127.0.0.1:4568/gift/1.png").is_err());
        assert!(p.check("https://127.0.0.1:4567/gift/1.png").is_err());
        assert!(p.check("https://p16-webcast.tiktokcdn.com/a.png").is_err());
        assert_eq!(
            HostPolicy::nothing().with_origin("ftp://x/"),
            HostPolicy::nothing()
        );
    }

    #[test]
    fn errors_show_urls_without_their_query() {
        assert_eq!(
            shown_url("https://a.tiktokcdn.com/r.png?token=secret#x"),
            "https://a.tiktokcdn.com/r.png"
        );
    }

    #[test]
    fn cache_names_are_the_url_s_sha256() {
        let name = cache_file_name("https://a.tiktokcdn.com/rose.png");
        assert_eq!(name.len(), 64 + 4);
        assert!(name.ends_with(".img"));
        assert!(name[..64].chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(name, cache_file_name("https://a.tiktokcdn.com/rose.webp"));
        // The SHA-256 of "abc", the standard test vector.
        assert!(cache_file_name("abc").starts_with("ba7816bf8f01cfea414140de5dae2223"));
    }

    #[test]
    fn eviction_drops_the_least_recently_used_until_the_rest_fit() {
        let at = |secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
        let files = [
            CachedFile {
                bytes: 40,
                modified: at(30),
            },
            CachedFile {
                bytes: 40,
                modified: at(10),
            },
            CachedFile {
                bytes: 40,
                modified: at(20),
            },
            CachedFile {
                bytes: 40,
                modified: at(40),
            },
        ];
        assert_eq!(files_to_evict(&files, 160), Vec::<usize>::new());
        assert_eq!(files_to_evict(&files, 159), vec![1]);
        assert_eq!(files_to_evict(&files, 80), vec![1, 2]);
        assert_eq!(files_to_evict(&files, 0), vec![1, 2, 0, 3]);
        assert_eq!(files_to_evict(&[], 0), Vec::<usize>::new());
    }
}
