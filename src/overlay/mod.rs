//! Browser-source overlays served by giftdeck itself on 127.0.0.1: the pages (alerts, like goal,
//! top gifters, recent events, overlay text), their live state, and the read-only `/events`
//! WebSocket for custom tools. See `docs/overlays.md`.
//!
//! [`alerts`] and [`tallies`] are the pure policies, [`messages`] the JSON, [`hub`] the task that
//! owns the state, [`server`] the HTTP side.

pub mod alerts;
pub mod chat;
pub mod counters;
pub mod hub;
pub mod messages;
pub mod server;
pub mod tallies;
pub mod words;

pub use hub::{HubConfig, OverlayHub};
pub use messages::TextOverlay;
pub use server::{OverlayError, OverlayServer};

/// The default port: outside the ranges dev servers, OBS (4455), Minecraft (25565/25575) and
/// TikFinity (21213) use, and below the OS's ephemeral range.
pub const DEFAULT_PORT: u16 = 23_870;

/// The overlays' part of `settings.json`: the port (`--overlay-port` overrides it), what the
/// pages show (alert duration and lag bound, like goal, list sizes), and which pages' links the
/// app hands out with `?hygiene=1`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct OverlaySettings {
    /// 0 turns overlays off.
    pub port: u16,
    #[serde(flatten)]
    pub pages: HubConfig,
    /// Pages whose Copy and Open links carry `?hygiene=1` (no gift pictures, neutral words), by
    /// name (`["alerts", "top"]`). A name this version does not know is left out.
    #[serde(with = "page_names")]
    pub hygiene: Vec<Page>,
}

impl Default for OverlaySettings {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            pages: HubConfig::default(),
            hygiene: Vec::new(),
        }
    }
}

impl OverlaySettings {
    /// Whether `page`'s link carries `?hygiene=1`.
    pub fn hygienic(&self, page: Page) -> bool {
        self.hygiene.contains(&page)
    }

    /// Turns `page`'s hygiene on or off (the list stays in [`Page::ALL`] order, each page once).
    pub fn set_hygienic(&mut self, page: Page, on: bool) {
        self.hygiene.retain(|p| *p != page);
        if on {
            self.hygiene.push(page);
            self.hygiene.sort_by_key(|p| p.index());
        }
    }
}

/// `url` as the app hands it out: with `hygiene=1` added when `hygienic`.
pub fn page_link(url: &str, hygienic: bool) -> String {
    if !hygienic {
        return url.to_owned();
    }
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}hygiene=1")
}

/// Pages in `settings.json` by their names (the URL path without `/`).
mod page_names {
    use serde::{Deserialize as _, Deserializer, Serializer};

    use super::Page;

    pub fn serialize<S: Serializer>(pages: &[Page], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(pages.iter().map(|p| &p.path()[1..]))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Page>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let mut pages: Vec<Page> = names.iter().filter_map(|n| Page::from_name(n)).collect();
        pages.sort_by_key(|p| p.index());
        pages.dedup();
        Ok(pages)
    }
}

impl OverlaySettings {
    /// Reads only the `overlays` part of a settings file, before the app loads the rest (the server
    /// starts before the window). Anything unreadable gives the defaults; the app's own load
    /// reports problems with the file.
    pub fn peek(path: &std::path::Path) -> Self {
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct Part {
            overlays: OverlaySettings,
        }
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Part>(&bytes).ok())
            .map(|part| part.overlays)
            .unwrap_or_default()
    }
}

/// One overlay page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Page {
    Alerts,
    Goal,
    Top,
    Recent,
    Text,
    /// One counter (`?name=Deaths`; the first one without a name).
    Counter,
    /// The stream timer.
    Timer,
    /// Every goal (the game's, `game::pages`).
    Goals,
    /// The subathon timer (the game's).
    Subathon,
    /// The leaderboards from the viewers' ledger (the game's).
    Board,
    /// A viewer's points and level after they typed `!points` (the game's).
    Points,
    /// The newest chat messages (a moderator's deletion takes one back).
    Chat,
    /// How many watch now.
    Viewers,
    /// The last gifter and the stream's top gifter.
    Spotlight,
}

impl Page {
    pub const ALL: [Page; 14] = [
        Page::Alerts,
        Page::Goal,
        Page::Top,
        Page::Recent,
        Page::Text,
        Page::Counter,
        Page::Timer,
        Page::Goals,
        Page::Subathon,
        Page::Board,
        Page::Points,
        Page::Chat,
        Page::Viewers,
        Page::Spotlight,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The URL path, also the name in `/sse/{name}`.
    pub fn path(self) -> &'static str {
        match self {
            Page::Alerts => "/alerts",
            Page::Goal => "/goal",
            Page::Top => "/top",
            Page::Recent => "/recent",
            Page::Text => "/text",
            Page::Counter => "/counter",
            Page::Timer => "/timer",
            Page::Goals => "/goals",
            Page::Subathon => "/subathon",
            Page::Board => "/board",
            Page::Points => "/points",
            Page::Chat => "/chat",
            Page::Viewers => "/viewers",
            Page::Spotlight => "/spotlight",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Page::Alerts => "Alerts",
            Page::Goal => "Like goal",
            Page::Top => "Top gifters",
            Page::Recent => "Recent events",
            Page::Text => "Overlay text",
            Page::Counter => "Counter",
            Page::Timer => "Stream timer",
            Page::Goals => "Goals",
            Page::Subathon => "Subathon timer",
            Page::Board => "Leaderboard",
            Page::Points => "!points card",
            Page::Chat => "Chat",
            Page::Viewers => "Viewer count",
            Page::Spotlight => "Gifter spotlight",
        }
    }

    pub fn from_name(name: &str) -> Option<Page> {
        Page::ALL.into_iter().find(|p| &p.path()[1..] == name)
    }

    /// The page's HTML (embedded in the binary).
    pub fn html(self) -> &'static str {
        match self {
            Page::Alerts => include_str!("../../assets/overlay/alerts.html"),
            Page::Goal => include_str!("../../assets/overlay/goal.html"),
            Page::Top => include_str!("../../assets/overlay/top.html"),
            Page::Recent => include_str!("../../assets/overlay/recent.html"),
            Page::Text => include_str!("../../assets/overlay/text.html"),
            Page::Counter => include_str!("../../assets/overlay/counter.html"),
            Page::Timer => include_str!("../../assets/overlay/timer.html"),
            Page::Goals => include_str!("../../assets/overlay/goals.html"),
            Page::Subathon => include_str!("../../assets/overlay/subathon.html"),
            Page::Board => include_str!("../../assets/overlay/board.html"),
            Page::Points => include_str!("../../assets/overlay/points.html"),
            Page::Chat => include_str!("../../assets/overlay/chat.html"),
            Page::Viewers => include_str!("../../assets/overlay/viewers.html"),
            Page::Spotlight => include_str!("../../assets/overlay/spotlight.html"),
        }
    }
}

/// Each page's URL on `port`, in [`Page::ALL`] order.
pub fn page_urls(port: u16) -> Vec<(Page, String)> {
    Page::ALL
        .into_iter()
        .map(|p| (p, format!("http://127.0.0.1:{port}{}", p.path())))
        .collect()
}

/// The `/events` WebSocket URL on `port`.
pub fn events_url(port: u16) -> String {
    format!("ws://127.0.0.1:{port}/events")
}

/// A running hub and server: what the app and `watch` hold while overlays are on.
#[derive(Debug)]
pub struct Overlays {
    pub hub: OverlayHub,
    pub server: OverlayServer,
}

impl Overlays {
    /// Starts the hub and the server on `port` (call inside a tokio runtime). Port 0 is not "off"
    /// here (it picks a free port); callers treat 0 as off before calling.
    pub async fn start(port: u16, config: HubConfig) -> Result<Self, OverlayError> {
        let hub = OverlayHub::start(config);
        let server = OverlayServer::start(port, &hub).await?;
        Ok(Self { hub, server })
    }

    /// One line per page (`Alerts  http://127.0.0.1:23870/alerts`) and the `/events` URL.
    pub fn url_lines(&self) -> Vec<String> {
        let port = self.server.port();
        let mut lines: Vec<String> = page_urls(port)
            .into_iter()
            .map(|(page, url)| format!("{:<14} {url}", page.title()))
            .collect();
        lines.push(format!("{:<14} {}", "Events (JSON)", events_url(port)));
        lines
    }

    /// Stops the server (pages and `/events` close; pages reconnect to the next giftdeck).
    pub async fn stop(self) {
        self.server.stop().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_trip_by_name() {
        for page in Page::ALL {
            assert_eq!(Page::from_name(&page.path()[1..]), Some(page));
            assert!(page.html().contains("overlay.js"));
        }
        assert_eq!(Page::from_name("events"), None);
        assert_eq!(page_urls(1)[0].1, "http://127.0.0.1:1/alerts");
    }

    #[test]
    fn a_hygienic_link_adds_the_parameter_once_in_the_right_place() {
        let url = "http://127.0.0.1:1/alerts";
        assert_eq!(page_link(url, false), url);
        assert_eq!(page_link(url, true), "http://127.0.0.1:1/alerts?hygiene=1");
        assert_eq!(
            page_link("http://127.0.0.1:1/counter?name=Deaths", true),
            "http://127.0.0.1:1/counter?name=Deaths&hygiene=1"
        );
    }

    #[test]
    fn hygiene_pages_load_by_name_skip_unknown_ones_and_old_files_have_none() {
        let old: OverlaySettings = serde_json::from_str(r#"{"port": 1, "chat_size": 5}"#).unwrap();
        assert!(old.hygiene.is_empty());
        assert_eq!(old.pages.chat_size, 5);
        let read: OverlaySettings =
            serde_json::from_str(r#"{"hygiene": ["top", "someday", "alerts", "top"]}"#).unwrap();
        assert_eq!(read.hygiene, [Page::Alerts, Page::Top]);
        let mut s = read.clone();
        s.set_hygienic(Page::Chat, true);
        s.set_hygienic(Page::Alerts, false);
        s.set_hygienic(Page::Top, true);
        assert!(s.hygienic(Page::Chat) && !s.hygienic(Page::Alerts));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["hygiene"], serde_json::json!(["top", "chat"]));
        assert_eq!(serde_json::from_value::<OverlaySettings>(json).unwrap(), s);
    }

    #[test]
    fn overlay_settings_peek_reads_only_their_part() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(
            &path,
            r#"{"version": 1, "mappings": "not even valid here",
                "overlays": {"port": 4321, "alerts": {"duration_millis": 2500},
                             "goal": {"initial_target": 50, "step": {"mode": "multiply", "factor": 2}}}}"#,
        )
        .unwrap();
        // A broken other part does not matter to the overlays.
        let mut peeked = OverlaySettings::peek(&path);
        assert_eq!(peeked.port, 4321);
        std::fs::write(
            &path,
            r#"{"overlays": {"port": 4321, "alerts": {"duration_millis": 2500},
                "goal": {"initial_target": 50, "step": {"mode": "multiply", "factor": 2}}}}"#,
        )
        .unwrap();
        peeked = OverlaySettings::peek(&path);
        assert_eq!(peeked.port, 4321);
        assert_eq!(peeked.pages.alerts.duration_millis, 2500);
        assert_eq!(peeked.pages.alerts.max_lag_millis, 30_000);
        assert_eq!(peeked.pages.goal.initial_target, 50);
        assert_eq!(
            peeked.pages.goal.step,
            tallies::GoalStep::Multiply { factor: 2 }
        );
        assert_eq!(
            OverlaySettings::peek(&dir.path().join("missing")).port,
            DEFAULT_PORT
        );
        let saved = serde_json::to_value(crate::settings::Settings::default()).unwrap();
        assert_eq!(saved["overlays"]["port"], 23_870);
        assert_eq!(saved["overlays"]["alerts"]["duration_millis"], 5_000);
    }
}
