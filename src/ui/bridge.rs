//! The UI's one doorway to the live connection, the fake backend and the action executor: every
//! call the app makes into those modules goes through here, and their messages are turned into
//! what the panels show (plain words and colours), so the panels stay simple.

use super::errors::{DemoError, ObsTestError};
use super::failure::RconFailure;
use crate::actions::{self, ExecLogLine};
use crate::testkit::fake::{FakeConfig, FakeTikTok};

pub use crate::actions::{
    ExecMsg, ExecutorConfig, ExecutorHandle, QueueStatus, RconConfig, RconProblem, RconState,
    ServerId, spawn_executor,
};
pub use crate::live::{ConnStatus, FailureKind, LiveConfig, LiveHandle, LiveMsg, spawn_session};
pub use crate::world::{WorldConfig, WorldHandle, WorldStatus};

/// A running fake TikTok backend on loopback; dropping it stops it.
pub struct FakeBackend {
    pub fake: FakeTikTok,
    pub tiktok_url: String,
    pub webcast_url: String,
    pub sign_url: String,
    pub target: String,
}

impl FakeBackend {
    fn new(fake: FakeTikTok) -> Self {
        Self {
            tiktok_url: fake.tiktok_url(),
            webcast_url: fake.webcast_url(),
            sign_url: fake.sign_url(),
            target: format!("@{}", fake.unique_id()),
            fake,
        }
    }
}

/// Set to a number of gifts per second, turns the demo into a gift storm (for the CPU benchmark,
/// `benches/cpu_demo.sh storm`).
pub const DEMO_STORM_ENV: &str = "GIFTDECK_DEMO_STORM";

/// Starts the fake backend with the lively demo scenario (or a storm, see [`DEMO_STORM_ENV`]).
pub async fn start_demo_backend() -> Result<FakeBackend, DemoError> {
    let storm = std::env::var(DEMO_STORM_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|&gifts_per_second| gifts_per_second > 0);
    let config = match storm {
        Some(gifts_per_second) => {
            tracing::info!(gifts_per_second, "demo: gift storm");
            FakeConfig::storm(gifts_per_second)
        }
        None => FakeConfig::demo(),
    };
    FakeTikTok::start(config)
        .await
        .map(FakeBackend::new)
        .map_err(DemoError::Tiktok)
}

/// One line of the executor's log, as the queue panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub text: String,
    pub is_error: bool,
}

impl From<ExecLogLine> for LogLine {
    fn from(line: ExecLogLine) -> Self {
        let clock = super::clock::local_hms(line.time);
        let action = super::feed::clean(&line.action, 120);
        match line.outcome {
            Ok(reply) if reply.trim().is_empty() => Self {
                text: format!("{clock} {action} ✔"),
                is_error: false,
            },
            Ok(reply) => Self {
                text: format!("{clock} {action} → {}", super::feed::clean(&reply, 160)),
                is_error: false,
            },
            Err(err) => Self {
                text: format!(
                    "{clock} {action} ✖ {}",
                    super::feed::clean(&super::failure::action_failure(&err).headline, 200)
                ),
                is_error: true,
            },
        }
    }
}

/// Settings > OBS > Test connection: the versions, or why not in plain words.
pub async fn test_obs_connection(config: actions::ObsConfig) -> Result<String, ObsTestError> {
    actions::test_obs_connection(&config)
        .await
        .map(|version| {
            crate::trf!(
                "obs-test-connected",
                version = version.to_string(),
                address = config.address()
            )
        })
        .map_err(|e| ObsTestError::Failed(std::sync::Arc::new(e)))
}

/// Tries a login and a harmless command; the answer is what the settings window shows.
pub async fn test_rcon_connection(config: RconConfig) -> Result<String, RconFailure> {
    match actions::test_rcon_connection(&config).await {
        Ok(reply) if reply.trim().is_empty() => Ok(crate::i18n::tr("bedrock-connected").to_owned()),
        Ok(reply) => Ok(crate::trf!(
            "rcon-test-connected-reply",
            reply = reply.trim()
        )),

        Err(err) => Err(RconFailure {
            address: config.address(),
            error: std::sync::Arc::new(err),
        }),
    }
}
