//! What the Overlays panel shows, without egui: each overlay page's URL and how many browser
//! sources show it, refreshed from the hub with cheap atomic reads.

use crate::overlay::{Overlays, Page, events_url, page_urls};

/// One page as the panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverlayPage {
    pub page: Page,
    pub title: &'static str,
    /// Without parameters (the panel adds `?hygiene=1` where the streamer asked for it).
    pub url: String,
    /// Open connections (0 = no browser source shows it).
    pub connected: usize,
}

/// A page's name in the window's language (the command line keeps [`Page::title`]).
pub fn page_title(page: Page) -> &'static str {
    crate::i18n::tr(match page {
        Page::Alerts => "overlay-page-alerts",
        Page::Goal => "overlay-page-goal",
        Page::Top => "overlay-page-top",
        Page::Recent => "overlay-page-recent",
        Page::Text => "overlay-page-text",
        Page::Counter => "overlay-page-counter",
        Page::Timer => "overlay-page-timer",
        Page::Goals => "overlay-page-goals",
        Page::Subathon => "overlay-page-subathon",
        Page::Board => "overlay-page-board",
        Page::Points => "overlay-page-points",
        Page::Chat => "overlay-page-chat",
        Page::Viewers => "overlay-page-viewers",
        Page::Spotlight => "overlay-page-spotlight",
    })
}

/// What the panel shows; refreshed from the hub every frame (cheap atomic reads).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OverlaysView {
    pub pages: Vec<OverlayPage>,
    pub events_url: String,
    pub event_clients: usize,
    /// Why there are no overlays (`--overlay-port 0`, a busy port…); `None` while they run.
    pub off_reason: Option<String>,
}

impl OverlaysView {
    /// The view of running overlays.
    pub fn of(overlays: &Overlays) -> Self {
        let port = overlays.server.port();
        Self {
            pages: page_urls(port)
                .into_iter()
                .map(|(page, url)| OverlayPage {
                    page,
                    title: page_title(page),
                    url,
                    connected: overlays.hub.connections(page),
                })
                .collect(),
            events_url: events_url(port),
            event_clients: overlays.hub.event_clients(),
            off_reason: None,
        }
    }

    /// Updates the connection counts in place.
    pub fn refresh(&mut self, overlays: &Overlays) {
        for (view, page) in self.pages.iter_mut().zip(Page::ALL) {
            view.connected = overlays.hub.connections(page);
            // A language picked in Settings shows at once (a hash lookup).
            view.title = page_title(page);
        }
        self.event_clients = overlays.hub.event_clients();
    }

    /// `http://127.0.0.1:PORT` while overlays run (the counters' URLs start with it).
    pub fn base_url(&self) -> Option<String> {
        let first = self.pages.first()?;
        let path_at = first.url.rfind('/')?;
        Some(first.url[..path_at].to_owned())
    }

    pub fn off(reason: impl Into<String>) -> Self {
        Self {
            off_reason: Some(reason.into()),
            ..Self::default()
        }
    }
}
