//! `--execute` for `replay` and `watch`: builds the executor from the command-line flags, runs the
//! credited gifts' actions through it, prints each action's outcome to stderr, and at the end waits
//! for the queue to drain and prints a summary. Without `--execute` nothing runs.

use std::fmt;
use std::sync::Arc;

use thiserror::Error;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::ExecuteArgs;
use crate::actions::executor::{
    ExecMsg, ExecutorConfig, ExecutorHandle, RconState, spawn_executor,
};
use crate::actions::rcon::{RconClient, RconConfig, RconError, RconTimeouts};
use crate::engine::Decision;
use crate::mappings::{Action, MappingTable};

/// Headless runs may queue far more than the app's default before the queue drains (a replay
/// enqueues a whole capture at once).
pub const HEADLESS_CAPACITY: usize = 1_000_000;

/// Why `--execute` could not start.
#[derive(Debug, Error)]
pub enum HeadlessError {
    #[error("--rcon {given:?} is not HOST:PORT (for example 127.0.0.1:25575)")]
    BadAddress { given: String },
    #[error(
        "--rcon {address} needs a password: pass --rcon-password or set GIFTDECK_RCON_PASSWORD"
    )]
    NoPassword { address: String },
    #[error(transparent)]
    Rcon(#[from] RconError),
    #[error("cannot start the executor runtime: {0}")]
    Runtime(std::io::Error),
}

/// Parses `HOST:PORT` (`[::1]:25575` for IPv6).
pub fn parse_address(given: &str) -> Result<(String, u16), HeadlessError> {
    let bad = || HeadlessError::BadAddress {
        given: given.to_owned(),
    };
    let (host, port) = given.trim().rsplit_once(':').ok_or_else(bad)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() || port == 0 {
        return Err(bad());
    }
    Ok((host.to_owned(), port))
}

/// The executor settings the flags ask for; `None` without `--execute`.
pub fn config_from_args(args: &ExecuteArgs) -> Result<Option<ExecutorConfig>, HeadlessError> {
    if !args.execute {
        if args.rcon.is_some() {
            eprintln!("giftdeck: note: --rcon without --execute: no actions run");
        }
        return Ok(None);
    }
    let rcon = match &args.rcon {
        None => None,
        Some(given) => {
            let (host, port) = parse_address(given)?;
            let password = args
                .rcon_password
                .clone()
                .filter(|p| !p.is_empty())
                .ok_or_else(|| HeadlessError::NoPassword {
                    address: given.clone(),
                })?;
            Some(RconConfig {
                host,
                port,
                password,
            })
        }
    };
    Ok(Some(ExecutorConfig {
        capacity: HEADLESS_CAPACITY,
        rcon,
        ..ExecutorConfig::default()
    }))
}

/// What ran, for the final line on stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecSummary {
    pub queued: u64,
    pub done: u64,
    pub failed: u64,
    pub dropped: u64,
    pub skipped_stale: u64,
}

impl ExecSummary {
    /// Everything queued ran without error.
    pub fn all_ok(&self) -> bool {
        self.failed == 0 && self.dropped == 0 && self.skipped_stale == 0
    }
}

impl fmt::Display for ExecSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "actions: {} done, {} failed, {} dropped, {} skipped (stale)",
            self.done, self.failed, self.dropped, self.skipped_stale
        )
    }
}

/// A running headless executor, for async callers (`watch`).
pub struct Headless {
    handle: ExecutorHandle,
    printer: JoinHandle<()>,
    queued: u64,
    _mappings: watch::Sender<MappingTable>,
}

impl fmt::Debug for Headless {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Headless")
            .field("status", &self.handle.status())
            .finish_non_exhaustive()
    }
}

impl Headless {
    /// Starts the executor if `--execute` was given (inside a tokio runtime). With `--rcon`, it first
    /// logs in once, so a wrong address or password fails at once with a clear error.
    pub async fn start(
        args: &ExecuteArgs,
        mappings: MappingTable,
    ) -> Result<Option<Self>, HeadlessError> {
        let Some(config) = config_from_args(args)? else {
            return Ok(None);
        };
        Ok(Some(Self::start_with(config, mappings).await?))
    }

    /// Starts with explicit settings (tests, or callers with their own flags).
    pub async fn start_with(
        config: ExecutorConfig,
        mappings: MappingTable,
    ) -> Result<Self, HeadlessError> {
        match &config.rcon {
            Some(rcon) => {
                RconClient::connect(rcon, RconTimeouts::default()).await?;
                eprintln!("giftdeck: RCON {} logged in", rcon.address());
            }
            None if has_commands(&mappings) => {
                eprintln!(
                    "giftdeck: warning: no --rcon given: Minecraft command actions will fail"
                );
            }
            None => {}
        }
        let (tx, rx) = watch::channel(mappings);
        let (events_tx, events_rx) = mpsc::channel(1024);
        let handle = spawn_executor(config, rx, events_tx, Arc::new(|| {}));
        let printer = tokio::spawn(print_events(events_rx));
        Ok(Self {
            handle,
            printer,
            queued: 0,
            _mappings: tx,
        })
    }

    /// Queues a credited gift's actions (never blocks); returns how many were queued.
    pub fn submit(&mut self, decision: &Decision) -> usize {
        let queued = self.handle.enqueue(decision);
        self.queued += queued as u64;
        queued
    }

    pub fn handle(&self) -> &ExecutorHandle {
        &self.handle
    }

    /// Waits until every queued action has run, stops the executor, prints and returns the summary.
    pub async fn finish(self) -> ExecSummary {
        self.finish_until(std::future::pending::<()>()).await
    }

    /// Like [`Headless::finish`], but gives up when `stop` completes first (a second Ctrl-C):
    /// the actions still queued are dropped and counted as such.
    pub async fn finish_until(self, stop: impl std::future::Future) -> ExecSummary {
        let abandoned = tokio::select! {
            () = self.handle.drained() => 0,
            _ = stop => {
                let left = self.handle.clear() as u64;
                eprintln!("giftdeck: stopping: {left} queued actions dropped");
                left
            }
        };
        let status = self.handle.status();
        self.handle.shutdown().await;
        // The executor is gone, so the event channel closes once the printer has shown everything.
        let _ = self.printer.await;
        let summary = ExecSummary {
            queued: self.queued,
            done: status.done,
            failed: status.failed,
            dropped: status.dropped + abandoned,
            skipped_stale: status.skipped_stale,
        };
        eprintln!("giftdeck: {summary}");
        summary
    }
}

/// The same for synchronous callers (`replay`): owns a small runtime on a named thread.
pub struct BlockingHeadless {
    runtime: tokio::runtime::Runtime,
    inner: Headless,
}

impl fmt::Debug for BlockingHeadless {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl BlockingHeadless {
    /// Like [`Headless::start`], for code outside a runtime.
    pub fn start(
        args: &ExecuteArgs,
        mappings: MappingTable,
    ) -> Result<Option<Self>, HeadlessError> {
        let Some(config) = config_from_args(args)? else {
            return Ok(None);
        };
        Ok(Some(Self::start_with(config, mappings)?))
    }

    pub fn start_with(
        config: ExecutorConfig,
        mappings: MappingTable,
    ) -> Result<Self, HeadlessError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("giftdeck-exec")
            .enable_all()
            .build()
            .map_err(HeadlessError::Runtime)?;
        let inner = runtime.block_on(Headless::start_with(config, mappings))?;
        Ok(Self { runtime, inner })
    }

    pub fn submit(&mut self, decision: &Decision) -> usize {
        self.inner.submit(decision)
    }

    pub fn handle(&self) -> &ExecutorHandle {
        self.inner.handle()
    }

    /// Waits until the queue has drained; prints and returns the summary.
    pub fn finish(self) -> ExecSummary {
        let Self { runtime, inner } = self;
        runtime.block_on(inner.finish())
    }
}

fn has_commands(table: &MappingTable) -> bool {
    table.mappings().iter().any(|m| {
        m.enabled
            && m.actions
                .iter()
                .any(|a| matches!(a, Action::Command { .. }))
    })
}

async fn print_events(mut events: mpsc::Receiver<ExecMsg>) {
    let mut last_rcon = RconState::default();
    while let Some(msg) = events.recv().await {
        match msg {
            ExecMsg::Log(line) => match line.outcome {
                Ok(reply) if reply.is_empty() => eprintln!("giftdeck: ok   {}", line.action),
                Ok(reply) => eprintln!("giftdeck: ok   {} → {}", line.action, reply.trim_end()),
                Err(err) => eprintln!("giftdeck: FAIL {}: {err}", line.action),
            },
            ExecMsg::Status(status) => {
                if status.rcon != last_rcon {
                    if let RconState::Down(reason) = &status.rcon {
                        eprintln!("giftdeck: RCON down: {reason}");
                    }
                    last_rcon = status.rcon;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_host_and_port() {
        assert_eq!(
            parse_address("127.0.0.1:25575").unwrap(),
            ("127.0.0.1".to_owned(), 25575)
        );
        assert_eq!(parse_address("[::1]:1").unwrap(), ("::1".to_owned(), 1));
        for bad in ["", "host", "host:", ":25575", "host:99999", "host:0"] {
            assert!(parse_address(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn without_execute_nothing_runs_and_a_password_is_required() {
        let args = ExecuteArgs {
            execute: false,
            rcon: Some("127.0.0.1:25575".into()),
            rcon_password: Some("pw".into()),
        };
        assert!(config_from_args(&args).unwrap().is_none());
        let args = ExecuteArgs {
            execute: true,
            rcon: Some("127.0.0.1:25575".into()),
            rcon_password: None,
        };
        let err = config_from_args(&args).unwrap_err();
        assert!(err.to_string().contains("GIFTDECK_RCON_PASSWORD"), "{err}");
        let args = ExecuteArgs {
            execute: true,
            rcon: Some("127.0.0.1:25575".into()),
            rcon_password: Some("pw".into()),
        };
        let config = config_from_args(&args).unwrap().unwrap();
        assert_eq!(config.rcon.unwrap().port, 25575);
        assert_eq!(config.gap_millis, 50);
    }
}
