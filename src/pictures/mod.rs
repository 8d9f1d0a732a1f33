//! Gift pictures, fetched and cached off the UI thread: a tokio task takes picture URLs over a
//! bounded channel, answers each from the disk cache (the OS cache dir, bounded in size, least
//! recently used out first) or from TikTok's picture servers, decodes PNG and WebP into small
//! RGBA pictures within bounds, and hands them back over a bounded channel followed by a wake.
//! The UI only ever reads decoded pictures (and uploads each once, `ui::pictures`). It knows
//! nothing of gifts: the catalog ([`crate::catalog`]) says which URL is whose.

pub mod decode;
pub mod disk;
mod fetch;
pub mod policy;
mod task;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use policy::HostPolicy;
pub use task::PictureCache;

/// Pictures are scaled down to fit this many pixels square (48-point tiles at 2× scale).
pub const PICTURE_PX: u32 = 96;
/// Larger pictures are refused before decoding (TikTok's are 100–300 pixels a side).
pub const MAX_SOURCE_PX: u32 = 1_024;
/// Most bytes one picture may download (TikTok's are a few KiB).
pub const MAX_DOWNLOAD_BYTES: u64 = 2 * 1024 * 1024;
/// The disk cache's default bound (the `pictures.cache_limit_mb` setting).
pub const DEFAULT_CACHE_LIMIT_MB: u32 = 50;
/// How long one picture may take to download.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

/// What the cache task needs.
#[derive(Clone, Debug)]
pub struct PictureConfig {
    /// The disk cache's folder; `None` keeps pictures in memory only (no home folder).
    pub cache_dir: Option<PathBuf>,
    /// The disk cache's bound.
    pub cache_limit_bytes: u64,
    /// Which URLs may be fetched.
    pub hosts: HostPolicy,
    pub fetch_timeout: Duration,
}

impl PictureConfig {
    /// The app's: `<OS cache dir>/pictures`, TikTok's picture hosts (fetched from once the app
    /// is connected to TikTok, see [`PictureCache::set_tiktok_fetch`]), `limit_mb` megabytes.
    pub fn app(limit_mb: u32) -> Self {
        Self {
            cache_dir: crate::paths::picture_cache_dir(),
            cache_limit_bytes: limit_bytes(limit_mb),
            hosts: HostPolicy::default().with_tiktok_fetch(false),
            fetch_timeout: FETCH_TIMEOUT,
        }
    }
}

/// The bound in bytes for a limit in megabytes (at least one picture's worth).
pub fn limit_bytes(limit_mb: u32) -> u64 {
    (u64::from(limit_mb) * 1024 * 1024).max(MAX_DOWNLOAD_BYTES)
}

/// A decoded picture, ready for the GPU: `width_px × height_px` RGBA pixels (not premultiplied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedPicture {
    pub width_px: u32,
    pub height_px: u32,
    pub rgba: Vec<u8>,
}

/// Where a picture came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Disk,
    Network,
}

/// The answer to one request.
#[derive(Clone, Debug)]
pub struct Picture {
    /// The URL exactly as requested.
    pub url: String,
    pub result: Result<(Arc<DecodedPicture>, Origin), PictureError>,
}

/// Why a picture could not be had (the window shows a placeholder and says this on hover).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    #[error("{url} is not on TikTok's picture servers: not fetched")]
    NotAllowed { url: String },
    #[error("{url} is fetched once giftdeck is connected to TikTok")]
    NotYet { url: String },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} is larger than {limit_bytes} bytes")]
    TooLarge { url: String, limit_bytes: u64 },
    #[error("{url} could not be fetched: {reason}")]
    Network { url: String, reason: String },
    #[error("{url} is not a PNG or WebP picture giftdeck can read: {reason}")]
    Decode { url: String, reason: String },
    #[error("{url} is {width_px}×{height_px} pixels, more than a gift picture has")]
    Dimensions {
        url: String,
        width_px: u32,
        height_px: u32,
    },
}
