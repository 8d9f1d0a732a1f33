//! The demo's gift pictures: the fake TikTok's gift list points at `/gift-pictures/{id}.png` on
//! the fake itself, and this draws them (a glossy disc in a colour of the gift's own), so the demo
//! shows the whole picture path (fetch, cache, decode, upload) without the internet. A real
//! stream shows TikTok's pictures.

use image::{ImageEncoder as _, Rgba, RgbaImage};

/// The path the fake serves pictures under.
pub const PICTURE_PATH: &str = "/gift-pictures/";
/// Side of a demo picture, in pixels (TikTok's are about this size).
const SIDE_PX: u32 = 96;

/// A picture's URL on the fake reached at `host` (`127.0.0.1:port`).
pub fn picture_url(host: &str, gift_id: i64) -> String {
    format!("http://{host}{PICTURE_PATH}{gift_id}.png")
}

/// The gift id a picture path names, if it is one.
pub fn gift_id_of(path: &str) -> Option<i64> {
    path.strip_prefix(PICTURE_PATH)?
        .strip_suffix(".png")?
        .parse()
        .ok()
}

/// A hue (0–360) of the gift's own, spread by the golden angle so neighbours differ.
fn hue_of(gift_id: i64) -> f32 {
    (gift_id.unsigned_abs() % 360) as f32 * 137.508 % 360.0
}

fn hsv(hue: f32, saturation: f32, value: f32) -> [f32; 3] {
    let c = value * saturation;
    let x = c * (1.0 - ((hue / 60.0) % 2.0 - 1.0).abs());
    let (r, g, b) = match (hue / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = value - c;
    [r + m, g + m, b + m]
}

/// The PNG for a gift: a shaded disc with a highlight, transparent around it.
pub fn picture_png(gift_id: i64) -> Vec<u8> {
    let base = hsv(hue_of(gift_id), 0.75, 0.95);
    let side = SIDE_PX as f32;
    let (center, radius) = (side / 2.0, side * 0.44);
    let image = RgbaImage::from_fn(SIDE_PX, SIDE_PX, |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - center, y as f32 + 0.5 - center);
        let distance = (dx * dx + dy * dy).sqrt();
        let alpha = (radius - distance + 0.5).clamp(0.0, 1.0);
        // Darker towards the rim, a soft highlight up and to the left.
        let shade = 1.0 - 0.45 * (distance / radius).powi(2);
        let (hx, hy) = (dx + radius * 0.35, dy + radius * 0.4);
        let highlight = (1.0 - (hx * hx + hy * hy).sqrt() / (radius * 0.45)).clamp(0.0, 1.0);
        let channel = |c: f32| {
            let lit = c * shade + (1.0 - c * shade) * highlight * 0.8;
            (lit.clamp(0.0, 1.0) * 255.0) as u8
        };
        Rgba([
            channel(base[0]),
            channel(base[1]),
            channel(base[2]),
            (alpha * 255.0) as u8,
        ])
    });
    let mut png = Vec::new();
    // Encoding pixels we made into memory cannot fail; an empty body would show the placeholder.
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(
            image.as_raw(),
            SIDE_PX,
            SIDE_PX,
            image::ExtendedColorType::Rgba8,
        )
        .ok();
    png
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_decode_and_differ_per_gift() {
        let rose = crate::pictures::decode::decode(&picture_png(5655), "rose").unwrap();
        assert_eq!((rose.width_px, rose.height_px), (SIDE_PX, SIDE_PX));
        assert_eq!(rose.rgba[3], 0, "the corner is transparent");
        assert_ne!(picture_png(5655), picture_png(6369));
        assert_eq!(gift_id_of("/gift-pictures/5655.png"), Some(5655));
        assert_eq!(gift_id_of("/gift-pictures/x.png"), None);
        assert_eq!(
            picture_url("127.0.0.1:9", 1),
            "http://127.0.0.1:9/gift-pictures/1.png"
        );
    }
}
