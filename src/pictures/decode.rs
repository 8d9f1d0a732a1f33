//! Picture bytes → RGBA pixels, within bounds: PNG and WebP only, at most
//! [`super::MAX_SOURCE_PX`] a side before decoding and a bounded allocation, scaled down to
//! [`super::PICTURE_PX`] so the window keeps small textures. Pure (bytes in, pixels out).

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

use super::{DecodedPicture, MAX_SOURCE_PX, PICTURE_PX, PictureError};

/// Most memory the decoder may allocate for one picture.
const MAX_DECODE_ALLOC_BYTES: u64 = 32 * 1024 * 1024;

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_PX);
    limits.max_image_height = Some(MAX_SOURCE_PX);
    limits.max_alloc = Some(MAX_DECODE_ALLOC_BYTES);
    limits
}

fn reader<'a>(bytes: &'a [u8], url: &str) -> Result<ImageReader<Cursor<&'a [u8]>>, PictureError> {
    let decode_error = |reason: String| PictureError::Decode {
        url: super::policy::shown_url(url),
        reason,
    };
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| decode_error(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::WebP) => {}
        Some(other) => return Err(decode_error(format!("{other:?} is not PNG or WebP"))),
        None => return Err(decode_error("not a picture".into())),
    }
    Ok(reader)
}

/// Decodes a PNG or WebP picture (an animated WebP's first frame), scaled to fit
/// [`PICTURE_PX`] square.
pub fn decode(bytes: &[u8], url: &str) -> Result<DecodedPicture, PictureError> {
    let (width_px, height_px) =
        reader(bytes, url)?
            .into_dimensions()
            .map_err(|e| PictureError::Decode {
                url: super::policy::shown_url(url),
                reason: e.to_string(),
            })?;
    if width_px > MAX_SOURCE_PX || height_px > MAX_SOURCE_PX || width_px == 0 || height_px == 0 {
        return Err(PictureError::Dimensions {
            url: super::policy::shown_url(url),
            width_px,
            height_px,
        });
    }
    let mut reader = reader(bytes, url)?;
    reader.limits(limits());
    let image = reader.decode().map_err(|e| PictureError::Decode {
        url: super::policy::shown_url(url),
        reason: e.to_string(),
    })?;
    let image = if width_px > PICTURE_PX || height_px > PICTURE_PX {
        image.thumbnail(PICTURE_PX, PICTURE_PX)
    } else {
        image
    };
    let rgba = image.into_rgba8();
    Ok(DecodedPicture {
        width_px: rgba.width(),
        height_px: rgba.height(),
        rgba: rgba.into_raw(),
    })
}

#[cfg(test)]
mod tests {
    use image::{ImageEncoder as _, Rgba, RgbaImage};

    use super::*;

    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        let img = RgbaImage::from_pixel(width, height, Rgba([200, 30, 60, 255]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgba8)
            .unwrap();
        out
    }

    #[test]
    fn a_png_decodes_and_large_ones_are_scaled_down() {
        let small = decode(&png(20, 10), "u").unwrap();
        assert_eq!((small.width_px, small.height_px), (20, 10));
        assert_eq!(small.rgba.len(), 20 * 10 * 4);
        assert_eq!(&small.rgba[..4], &[200, 30, 60, 255]);
        let big = decode(&png(400, 200), "u").unwrap();
        assert_eq!((big.width_px, big.height_px), (PICTURE_PX, PICTURE_PX / 2));
    }

    #[test]
    fn a_webp_decodes() {
        let img = RgbaImage::from_pixel(8, 8, Rgba([10, 200, 30, 255]));
        let mut out = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .write_image(img.as_raw(), 8, 8, image::ExtendedColorType::Rgba8)
            .unwrap();
        let pic = decode(&out, "u").unwrap();
        assert_eq!((pic.width_px, pic.height_px), (8, 8));
        assert_eq!(&pic.rgba[..4], &[10, 200, 30, 255]);
    }

    #[test]
    fn bogus_truncated_and_huge_pictures_are_errors_not_panics() {
        assert!(matches!(decode(b"", "u"), Err(PictureError::Decode { .. })));
        assert!(matches!(
            decode(b"<html>404</html>", "u"),
            Err(PictureError::Decode { .. })
        ));
        let whole = png(64, 64);
        // (A picture missing only its end marker still decodes: its pixels are all there.)
        for cut in [8, 20, 40, whole.len() / 2] {
            assert!(decode(&whole[..cut], "u").is_err(), "cut at {cut}");
        }
        // A header that claims 100,000 × 100,000 pixels: refused before any pixel is allocated.
        let mut huge = png(1, 1);
        huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(decode(&huge, "u").is_err());
        assert!(matches!(
            decode(&png(MAX_SOURCE_PX + 1, 1), "u"),
            Err(PictureError::Dimensions { .. })
        ));
        // A GIF is not taken, even though its header is a picture's.
        assert!(matches!(
            decode(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "u"),
            Err(PictureError::Decode { .. })
        ));
    }
}
