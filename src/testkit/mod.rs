//! Test and demo machinery — not the library's API. A fake TikTok on loopback ([`fake`]), a fake
//! Minecraft Bedrock game that connects to `/connect` servers ([`bedrock`]), the fixture
//! encoders for the frames a TikTok server sends ([`frames`]) and a fake Minecraft RCON server that
//! enforces vanilla's rules ([`rcon`]) with a world behind it for the scoreboard replies ([`world`]), and engine outputs built by hand ([`outputs`]). Tests, benchmarks and the app's demo mode use them.
//!
//! It is compiled into every build (not behind a feature) because the shipped `--demo` runs the fake
//! TikTok and the fake RCON server; it is hidden from the documentation so nobody mistakes it for API.

pub mod bedrock;
pub mod datapack;
pub mod fake;
pub mod frames;
pub mod outputs;
pub mod rcon;
pub mod room_frames;
pub mod world;
