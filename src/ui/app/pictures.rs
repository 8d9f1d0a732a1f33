//! The app's gift pictures and catalog glue: the picture cache started beside the settings file
//! (the OS cache dir for the usual one), the finished pictures uploaded each frame, the room's
//! gift list merged into the catalog when a session has one, and the catalog's pictures handed
//! to the overlays whenever they change.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::CatalogGift;
use crate::live::gifts::GiftList;
use crate::pictures::{PictureCache, PictureConfig};
use crate::ui::link::Link;
use crate::ui::pictures::GiftPictures;

use super::GiftdeckApp;

/// Where pictures are cached: the OS cache dir for the usual settings file; beside any other
/// settings file (a portable setup, a test), so a test never fills the streamer's cache. `None`
/// without a settings file: pictures are kept in memory only.
pub fn picture_cache_dir(settings_path: Option<&Path>) -> Option<PathBuf> {
    let path = settings_path?;
    if crate::paths::settings_path().as_deref() == Some(path) {
        return crate::paths::picture_cache_dir();
    }
    Some(path.parent().unwrap_or(Path::new(".")).join("pictures"))
}

/// What the glue remembers between frames.
#[derive(Default)]
pub(in crate::ui) struct CatalogSync {
    /// The room list merged last (the same `Arc` is not merged twice).
    merged: Option<Arc<GiftList>>,
    /// The catalog generation the overlays have.
    sent_generation: Option<u64>,
}

impl GiftdeckApp {
    /// Starts the picture cache task (on the runtime entered by the caller).
    pub(super) fn start_pictures(&mut self) {
        let mut config = PictureConfig::app(self.state.settings.pictures.cache_limit_mb);
        config.cache_dir = picture_cache_dir(self.state.save.path.as_deref());
        let waker = self.tasks.waker();
        let cache = PictureCache::start(&tokio::runtime::Handle::current(), config, move || {
            waker.wake();
        });
        self.state.pictures = GiftPictures::new(Some(cache));
    }

    /// Once a frame: finished pictures to textures, the room's list into the catalog, the
    /// catalog's pictures to the overlays.
    pub(super) fn pictures_step(&mut self, ctx: &egui::Context) {
        self.state.pictures.take_finished(ctx);
        if let Link::Session { handle, .. } = &self.link {
            let list = handle.gift_list().borrow().clone();
            let fresh = list.as_ref().is_some_and(|l| {
                !self
                    .catalog_sync
                    .merged
                    .as_ref()
                    .is_some_and(|m| Arc::ptr_eq(l, m))
            });
            if let Some(list) = list.filter(|_| fresh) {
                let touched = self
                    .state
                    .catalog
                    .merge_room_list(list.gifts.iter().map(|g| CatalogGift {
                        name: g.name.clone(),
                        id: Some(g.id),
                        diamonds: g.coins,
                        picture_url: g.picture_url.clone(),
                    }));
                tracing::info!("gift catalog: {touched} gift(s) from the room's list");
                self.catalog_sync.merged = Some(list);
                let state = &mut self.state;
                state
                    .editor
                    .revalidate(&state.settings.mappings, &state.catalog);
            }
        }
        let generation = self.state.catalog.generation();
        if self.catalog_sync.sent_generation != Some(generation) {
            if let Some(overlays) = &self.overlays {
                overlays
                    .hub
                    .set_gift_pictures(Arc::new(self.state.catalog.pictures_by_id()));
            }
            self.catalog_sync.sent_generation = Some(generation);
        }
    }

    /// The cache bound follows the setting.
    pub(super) fn pictures_settings_changed(&self) {
        if let Some(cache) = self.state.pictures.cache() {
            cache.set_limit_bytes(crate::pictures::limit_bytes(
                self.state.settings.pictures.cache_limit_mb,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_and_portable_setups_keep_pictures_beside_their_settings() {
        assert_eq!(
            picture_cache_dir(Some(Path::new("/tmp/x/settings.json"))),
            Some(PathBuf::from("/tmp/x/pictures"))
        );
        assert_eq!(picture_cache_dir(None), None);
        if let Some(usual) = crate::paths::settings_path() {
            assert_eq!(
                picture_cache_dir(Some(&usual)),
                crate::paths::picture_cache_dir()
            );
        }
    }
}
