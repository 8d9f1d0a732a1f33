//! Actions and the ordered executor: placeholders and escaping, our RCON client, sounds, webhooks,
//! OBS, keystrokes and speech, and the queue that runs them in order, each action bound to its
//! server.

pub mod bedrock;
pub mod binding;
pub mod datapack;
mod devices;
pub mod executor;
mod expand;
pub mod grammar;
pub mod keys;
pub mod obs;
pub mod outcome;
pub mod panic;
#[cfg(test)]
mod placeholder_props;
pub mod placeholders;
mod queue;
pub mod rcon;
mod runner;
pub mod sound;
pub mod speak;
#[cfg(test)]
mod tree_oracle;
pub mod webhook;

pub use bedrock::{
    BedrockError, BedrockLink, BedrockServer, BedrockSettings, GameEvent, GameState,
};
pub use binding::{HeldQueue, NotRun, Origin, ServerId, ShutdownReport};
pub use datapack::BatchRoute;
pub use executor::{
    ExecLogLine, ExecMsg, ExecutorConfig, ExecutorHandle, PanicReport, QueueStatus, RconState,
    Released, WorldGate, WorldPause, spawn_executor,
};
pub use obs::{ObsConfig, ObsError, ObsLink, ObsWork, test_obs_connection};
pub use outcome::{ActionError, FailedAction, RconDown};
pub use placeholders::{MAX_COMMAND_BYTES, RenderError, Values, render};
pub use rcon::{
    RconClient, RconConfig, RconError, RconProblem, RconTimeouts, test_rcon_connection,
};
pub use sound::{SoundError, SoundPlayer};
pub use webhook::{WebhookClient, WebhookError};

/// `host:port` as a socket address is written, IPv6 hosts in brackets: the one rule for RCON and OBS
/// addresses, their messages and the queue's server identity.
pub fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}
