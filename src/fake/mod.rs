//! A loopback fake TikTok backend (being built).
