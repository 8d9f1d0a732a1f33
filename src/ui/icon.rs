//! The app icon (window title bar, taskbar, Alt-Tab), embedded in the binary so a downloaded
//! `giftdeck` shows it with no files beside it. Drawn by `assets/make-icon.sh`.

/// The icon as eframe wants it. A broken PNG (a bad edit of the asset) falls back to eframe's
/// default icon instead of stopping the app; the unit test below keeps that from shipping.
pub fn app_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(include_bytes!("../../assets/giftdeck.png")).unwrap_or_else(
        |err| {
            tracing::warn!("the embedded app icon is not a valid PNG: {err}");
            egui::IconData::default()
        },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_icon_decodes_to_a_square_rgba_image() {
        let icon = super::app_icon();
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
        // The corners are transparent (rounded square), the middle is not.
        assert_eq!(icon.rgba[3], 0);
        let middle = (128 * 256 + 128) * 4;
        assert_eq!(icon.rgba[middle + 3], 255);
    }
}
