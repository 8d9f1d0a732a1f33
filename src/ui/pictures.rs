//! Gift pictures in the window: the textures (each picture uploaded once, when the cache task
//! hands it over), the requests for pictures not asked for yet, and the one widget that draws a
//! gift's picture or, while loading, offline or for a gift without one, a placeholder of the
//! same size (a tile in the coin value's colour with the value on it), so rows never jump.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use egui::{Color32, CornerRadius, FontId, Sense, TextureHandle, TextureOptions, Vec2};

use crate::pictures::{Picture, PictureCache, PictureError};

/// Pictures kept as textures at most; past it new URLs show the placeholder (a stream names a
/// few dozen gifts, TikTok's whole list a few hundred).
pub const MAX_TEXTURES: usize = 1_024;
/// Answers taken from the cache task per frame (each is one texture upload).
const UPLOADS_PER_FRAME: usize = 32;
/// How long a picture that failed for a reason that may pass (the network, a server's error)
/// waits before it is asked for again.
pub const RETRY_AFTER: Duration = Duration::from_secs(60);

/// When a failed picture is worth asking for again: network trouble and server errors pass;
/// a 404, bytes that are no picture, a host that is not allowed do not (`None`). A picture
/// waiting for the connection to TikTok is asked for again when it connects, not by time.
pub fn retry_after(err: &PictureError) -> Option<Duration> {
    match err {
        PictureError::Network { .. } => Some(RETRY_AFTER),
        PictureError::Status { status, .. } if *status >= 500 || *status == 429 => {
            Some(RETRY_AFTER)
        }
        _ => None,
    }
}

/// One URL's state.
enum Slot {
    /// Asked for; the answer has not come yet.
    Loading,
    Ready(TextureHandle),
    /// Shown as the placeholder; the reason on hover. Asked for again after a while when the
    /// failure may pass ([`retry_after`]).
    Failed(PictureError, Instant),
}

/// The window's pictures. Without a cache task (tests, no runtime) every gift shows its
/// placeholder.
#[derive(Default)]
pub struct GiftPictures {
    cache: Option<PictureCache>,
    slots: HashMap<String, Slot>,
}

impl std::fmt::Debug for GiftPictures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GiftPictures")
            .field("slots", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl GiftPictures {
    pub fn new(cache: Option<PictureCache>) -> Self {
        Self {
            cache,
            slots: HashMap::new(),
        }
    }

    /// The cache task's handle (to change its bound).
    pub fn cache(&self) -> Option<&PictureCache> {
        self.cache.as_ref()
    }

    /// Uploads the pictures the cache task finished (a few per frame; the rest next frame).
    pub fn take_finished(&mut self, ctx: &egui::Context) {
        let Some(cache) = &mut self.cache else { return };
        for _ in 0..UPLOADS_PER_FRAME {
            let Some(Picture { url, result }) = cache.try_recv() else {
                return;
            };
            let slot = match result {
                Ok((picture, _origin)) => {
                    let size = [picture.width_px as usize, picture.height_px as usize];
                    let image = egui::ColorImage::from_rgba_unmultiplied(size, &picture.rgba);
                    Slot::Ready(ctx.load_texture(
                        format!("gift-picture:{url}"),
                        image,
                        TextureOptions::LINEAR,
                    ))
                }
                Err(err) => Slot::Failed(err, Instant::now()),
            };
            self.slots.insert(url, slot);
        }
        // More are waiting: take them next frame.
        ctx.request_repaint();
    }

    /// The texture for `url` when it is ready; asks the cache task for it the first time.
    fn texture(&mut self, url: &str) -> Result<Option<&TextureHandle>, &PictureError> {
        let retry = match self.slots.get(url) {
            Some(Slot::Failed(err, at)) => {
                retry_after(err).is_some_and(|wait| at.elapsed() >= wait)
            }
            _ => false,
        };
        if retry {
            self.slots.remove(url);
        }
        if !self.slots.contains_key(url) {
            let Some(cache) = &self.cache else {
                return Ok(None);
            };
            if self.slots.len() >= MAX_TEXTURES || !cache.request(url) {
                // Full (or busy: asked again on a later frame).
                return Ok(None);
            }
            self.slots.insert(url.to_owned(), Slot::Loading);
        }
        match self.slots.get(url) {
            Some(Slot::Ready(texture)) => Ok(Some(texture)),
            Some(Slot::Failed(err, _)) => Err(err),
            Some(Slot::Loading) | None => Ok(None),
        }
    }

    /// Fetches from TikTok's picture hosts from now on (connected to TikTok), and asks again
    /// for the pictures that were waiting for it.
    pub fn fetch_from_tiktok(&mut self) {
        if let Some(cache) = &self.cache {
            cache.set_tiktok_fetch(true);
            self.slots
                .retain(|_, slot| !matches!(slot, Slot::Failed(PictureError::NotYet { .. }, _)));
        }
    }

    /// Also fetches from this exact origin (the demo's fake), asking again for what it refused.
    pub fn allow_origin(&mut self, base: &str) {
        if let Some(cache) = &self.cache {
            cache.allow_origin(base);
            self.slots.retain(|_, slot| {
                !matches!(slot, Slot::Failed(PictureError::NotAllowed { .. }, _))
            });
        }
    }

    /// How many pictures are on the GPU.
    pub fn texture_count(&self) -> usize {
        self.slots
            .values()
            .filter(|s| matches!(s, Slot::Ready(_)))
            .count()
    }
}

/// The placeholder's colour for a coin value: TikTok's rough price tiers.
pub fn tier_color(coins: u32) -> Color32 {
    match coins {
        0..=9 => Color32::from_rgb(96, 125, 139),
        10..=99 => Color32::from_rgb(38, 166, 154),
        100..=999 => Color32::from_rgb(92, 107, 192),
        1_000..=9_999 => Color32::from_rgb(171, 71, 188),
        _ => Color32::from_rgb(230, 120, 40),
    }
}

/// A coin value, short enough for a small tile: `7`, `999`, `1k`, `4.5k`, `30k`, `1.2M`.
pub fn short_coins(coins: u32) -> String {
    fn scaled(value: f64, unit: &str) -> String {
        let tenths = (value * 10.0).floor();
        if value < 10.0 && tenths % 10.0 != 0.0 {
            format!("{:.1}{unit}", tenths / 10.0)
        } else {
            format!("{}{unit}", value.floor())
        }
    }
    match coins {
        0..=999 => coins.to_string(),
        1_000..=999_999 => scaled(f64::from(coins) / 1_000.0, "k"),
        _ => scaled(f64::from(coins) / 1_000_000.0, "M"),
    }
}

/// A gift's picture in a `side`-point square: the picture when it is ready, else the
/// placeholder. Hovering says the coin value (and why there is no picture, when it failed).
pub fn gift_picture_ui(
    ui: &mut egui::Ui,
    pictures: &mut GiftPictures,
    url: Option<&str>,
    coins: u32,
    side: f32,
) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(side), Sense::hover());
    let state = url.map(|u| pictures.texture(u));
    let radius = CornerRadius::same((side / 5.0) as u8);
    match state {
        Some(Ok(Some(texture))) => {
            let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
            // Keep the picture's shape inside the square.
            let [w, h] = texture.size().map(|n| n.max(1) as f32);
            let fit = rect.size() * Vec2::new(w / w.max(h), h / w.max(h));
            let inner = egui::Rect::from_center_size(rect.center(), fit);
            ui.painter().image(texture.id(), inner, uv, Color32::WHITE);
        }
        _ => {
            if ui.is_rect_visible(rect) {
                ui.painter().rect_filled(rect, radius, tier_color(coins));
                ui.painter().text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    short_coins(coins),
                    FontId::proportional((side * 0.42).max(7.0)),
                    Color32::WHITE,
                );
            }
        }
    }
    let failed = match state {
        Some(Err(err)) => Some(err.to_string()),
        _ => None,
    };
    response.on_hover_ui(|ui| {
        ui.label(crate::trf!("pictures-coins-each", coins = coins));
        if let Some(reason) = failed {
            ui.weak(crate::trf!("pictures-none", reason = reason));
        }
    })
}

/// TikTok's coin: a gold disc.
const COIN_GOLD: Color32 = Color32::from_rgb(250, 190, 40);

/// A coin value as a small gold coin and the short number (`4.5k`); the exact value on hover.
pub fn coins_ui(ui: &mut egui::Ui, coins: u32) -> egui::Response {
    let text = egui::RichText::new(short_coins(coins)).small();
    let galley = egui::WidgetText::from(text).into_galley(
        ui,
        Some(egui::TextWrapMode::Extend),
        f32::INFINITY,
        egui::TextStyle::Small,
    );
    let coin_side = galley.size().y.max(8.0);
    let size = Vec2::new(coin_side + 2.0 + galley.size().x, coin_side);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    if ui.is_rect_visible(rect) {
        let center = egui::pos2(rect.left() + coin_side / 2.0, rect.center().y);
        ui.painter()
            .circle_filled(center, coin_side * 0.4, COIN_GOLD);
        let at = egui::pos2(
            rect.left() + coin_side + 2.0,
            rect.center().y - galley.size().y / 2.0,
        );
        ui.painter().galley(at, galley, ui.visuals().text_color());
    }
    response.on_hover_text(crate::trf!("pictures-coins", coins = coins))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coin_values_are_shortened_for_a_tile() {
        for (coins, shown) in [
            (1, "1"),
            (99, "99"),
            (999, "999"),
            (1_000, "1k"),
            (1_088, "1k"),
            (4_500, "4.5k"),
            (29_999, "29k"),
            (44_999, "44k"),
            (1_250_000, "1.2M"),
            (u32::MAX, "4294M"),
        ] {
            assert_eq!(short_coins(coins), shown, "{coins}");
        }
    }

    #[test]
    fn only_failures_that_may_pass_are_asked_for_again() {
        let url = String::from("u");
        let network = PictureError::Network {
            url: url.clone(),
            reason: "timed out".into(),
        };
        assert_eq!(retry_after(&network), Some(RETRY_AFTER));
        for status in [500, 503, 429] {
            let err = PictureError::Status {
                url: url.clone(),
                status,
            };
            assert_eq!(retry_after(&err), Some(RETRY_AFTER), "{status}");
        }
        for err in [
            PictureError::Status {
                url: url.clone(),
                status: 404,
            },
            PictureError::Decode {
                url: url.clone(),
                reason: "bogus".into(),
            },
            PictureError::NotAllowed { url: url.clone() },
            PictureError::NotYet { url: url.clone() },
            PictureError::TooLarge {
                url: url.clone(),
                limit_bytes: 1,
            },
        ] {
            assert_eq!(retry_after(&err), None, "{err}");
        }
    }

    #[test]
    fn dearer_tiers_have_other_colours() {
        let tiers = [1, 10, 100, 1_000, 10_000].map(tier_color);
        for (i, a) in tiers.iter().enumerate() {
            assert!(tiers[i + 1..].iter().all(|b| a != b));
        }
    }
}
