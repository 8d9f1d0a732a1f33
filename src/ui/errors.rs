//! The window's own errors (files, saving, the demo, the OBS test, the TikTok session), typed from where they happen
//! until `failure` words them. A leaf: the modules that make them and the one that words them
//! all import it.

use std::sync::Arc;

use crate::actions::ObsError;
use crate::keystore::{KeyringError, SessionError};
use crate::settings::SettingsError;
use crate::t2m::T2mError;

/// Why an import or export did not happen, typed until `failure` words it.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The blocking task itself failed (it panicked or the runtime is shutting down).
    #[error("the {what} task failed: {source}")]
    Task {
        what: &'static str,
        source: tokio::task::JoinError,
    },
    #[error("Could not import: {0}")]
    Import(SettingsError),
    #[error("Could not import: {0}")]
    ImportT2m(T2mError),
    #[error("Could not export: {0}")]
    Export(SettingsError),
}

/// Why the settings could not be saved, typed until `failure` words it.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("the save task failed: {0}")]
    Task(tokio::task::JoinError),
    #[error(transparent)]
    Write(SettingsError),
}

/// Why the demo could not start, typed until `failure` words it.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot start the demo Minecraft server: {0}")]
    Minecraft(std::io::Error),
    #[error("cannot start the demo TikTok backend: {0}")]
    Tiktok(std::io::Error),
}

/// Why an OBS connection test failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ObsTestError {
    #[error("set OBS's host and port first")]
    NotSetUp,
    #[error(transparent)]
    Failed(Arc<ObsError>),
}

impl PartialEq for ObsTestError {
    /// The same failure: the same error (a new test is a new one).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::NotSetUp, Self::NotSetUp) => true,
            (Self::Failed(a), Self::Failed(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// Why the TikTok session was not saved in the keyring (or not forgotten), typed until
/// `failure` words it. Never holds the session.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionKeepError {
    /// What was pasted is not a session.
    #[error("that is not a TikTok session: {0}")]
    NotASession(SessionError),
    /// The keyring refused or could not be reached; `saving`: while saving (else forgetting).
    #[error("{error}")]
    Keyring { saving: bool, error: KeyringError },
    /// The blocking task stopped (the runtime is shutting down).
    #[error("the keyring task stopped unexpectedly")]
    TaskStopped { saving: bool },
}
