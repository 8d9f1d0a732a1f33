//! Where each string of the settings may show, by place (as `sentinel.rs` names them): the
//! places that hold no secret, and the secrets the OS keyring keeps. Shared by the tests that
//! follow the markers (`secrets.rs` without a keyring, `keyring.rs` with a real one).

/// Places of `Settings` that hold no secret: they may be shown, logged and exported.
pub const PUBLIC: &[&str] = &[
    "blocklist[]",
    "connection.last_target",
    "connection.sign_url",
    "connection.euler_ws_url",
    "connection.custom_sign_url",
    "connection.tiktok_url",
    "connection.webcast_url",
    "mappings[].trigger",
    "mappings[].audience<handles>[]",
    "mappings[].on<chat_command>.command",
    "mappings[].on<chat_keyword>.keyword",
    "mappings[].actions[]<command>.command",
    "mappings[].actions[]<sound>.path",
    "mappings[].actions[]<overlay_text>.title",
    "mappings[].actions[]<overlay_text>.subtitle",
    "mappings[].actions[]<obs_scene>.scene",
    "mappings[].actions[]<obs_show_source>.scene",
    "mappings[].actions[]<obs_show_source>.source",
    "mappings[].actions[]<obs_source>.source",
    "mappings[].actions[]<obs_text>.source",
    "mappings[].actions[]<obs_text>.text",
    "mappings[].actions[]<speak>.text",
    "counters[].name",
    "mappings[].actions[]<counter>.name",
    // The panic button's cleanup commands: the streamer's own commands, like mapped ones.
    "executor.panic_cleanup[]",
    // A folder on the streamer's own disk, like a sound's path.
    "minecraft_world.world_folder",
    "ledger.points_command",
    "rcon.host",
    "obs.host",
    "minecraft_world.player",
    // Reading chat aloud: the streamer's own words, voices and viewers' handles.
    "read_chat.command",
    "read_chat.template",
    "read_chat.audience<handles>[]",
    "read_chat.word_filter[]",
    "read_chat.voice",
    "read_chat.viewer_voices[].handle",
    "read_chat.viewer_voices[].voice",
    // The panic button's cleanup commands, counters' names and the world's folder on disk.
    "executor.panic_cleanup[]",
    "mappings[].actions[]<counter>.name",
    "minecraft_world.world_folder",
];

/// Secrets the OS keyring keeps (its `settings-secrets` entry). settings.json holds them only when
/// there is no keyring (the file is the owner's only, mode 0600); with one it holds none of them
/// (`tests/keyring.rs` proves it against a real Secret Service).
pub const KEYRING: &[&str] = &[
    "connection.sign_api_key",
    "connection.euler_ws_api_key",
    "connection.custom_sign_api_key",
    "rcon.password",
    "obs.password",
    "external.token",
    "mappings[].actions[]<webhook>.url",
];
