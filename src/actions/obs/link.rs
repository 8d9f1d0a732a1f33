//! The executor's way to OBS: one task that owns the connection (made on first use, remade on
//! the next use after it broke), runs one OBS action at a time for the queue, and hides shown
//! sources when their time is up.
//!
//! "Show a source for N seconds" finishes in the queue as soon as the source is shown; the hide is
//! scheduled here, so the queue never waits N seconds for it. A second show of the same item
//! before its hide moves the hide to the later end (the source stays up, never flickers). Hides
//! go through the same connection between queue actions (still one request in flight), are
//! retried a few times if OBS is briefly away, and run at once when the executor stops.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::{ObsClient, ObsConfig, ObsError, ObsFailure, ObsTimeouts};

/// After OBS could not be reached, OBS actions fail at once for this long instead of each waiting
/// for a connect timeout (a gift storm must not stall the queue behind a closed OBS).
pub const RETRY_CONNECT_AFTER: Duration = Duration::from_secs(2);
/// A hide that failed is tried again after this long…
const HIDE_RETRY: Duration = Duration::from_secs(2);
/// …at most this many times in all.
const HIDE_ATTEMPTS: u32 = 3;
/// The longest a show may last.
pub const MAX_SHOW_SECONDS: u32 = 3_600;
/// How long stopping may spend hiding what is still shown.
const FLUSH_GRACE: Duration = Duration::from_secs(2);

/// One OBS action, placeholders already filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObsWork {
    /// Switch the program scene.
    Scene { scene: String },
    /// Show `source` in `scene` (blank: the program scene) and hide it `seconds` later
    /// (0: leave it shown).
    Show {
        scene: String,
        source: String,
        seconds: u32,
    },
    /// Set a text source's text.
    Text { source: String, text: String },
}

/// A source to hide when `due`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingHide {
    pub config: ObsConfig,
    pub scene: String,
    pub source: String,
    pub item_id: i64,
    pub due: Instant,
    pub attempts: u32,
}

impl PendingHide {
    fn same_item(&self, other: &Self) -> bool {
        self.config.address() == other.config.address()
            && self.scene == other.scene
            && self.item_id == other.item_id
    }

    fn summary(&self) -> String {
        format!("OBS hide {} (in {})", self.source, self.scene)
    }
}

/// The scheduling rule: one pending hide per item, at the latest end asked for.
pub fn schedule_hide(hides: &mut Vec<PendingHide>, hide: PendingHide) {
    match hides.iter_mut().find(|h| h.same_item(&hide)) {
        Some(existing) => {
            existing.due = existing.due.max(hide.due);
            existing.attempts = 0;
        }
        None => hides.push(hide),
    }
}

/// The retry rule for connecting: after a failure at `failed_at`, wait [`RETRY_CONNECT_AFTER`].
pub fn may_connect(failed_at: Option<Instant>, now: Instant) -> bool {
    failed_at.is_none_or(|at| now.saturating_duration_since(at) >= RETRY_CONNECT_AFTER)
}

/// How a hide turned out, for the action log: what, and the outcome.
pub type HideReport = Arc<dyn Fn(String, Result<String, ObsError>) + Send + Sync>;

struct Job {
    config: ObsConfig,
    work: ObsWork,
    reply: oneshot::Sender<Result<String, ObsError>>,
}

/// A handle on the OBS task. Dropping it hides what is still shown (best effort, bounded) and
/// ends the task.
pub struct ObsLink {
    jobs: mpsc::Sender<Job>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for ObsLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObsLink").finish_non_exhaustive()
    }
}

impl ObsLink {
    /// Starts the task (call inside a tokio runtime). `report` hears how each hide went.
    pub fn start(timeouts: ObsTimeouts, report: HideReport) -> Self {
        let (jobs, rx) = mpsc::channel(4);
        let actor = Actor {
            client: None,
            failed: None,
            hides: Vec::new(),
            timeouts,
            report,
        };
        let task = tokio::spawn(actor.run(rx));
        Self { jobs, task }
    }

    /// Runs one OBS action on the OBS at `config`; returns what to show in the log.
    pub async fn run(&self, config: &ObsConfig, work: &ObsWork) -> Result<String, ObsError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            config: config.clone(),
            work: work.clone(),
            reply,
        };
        let gone = || ObsError::Closed {
            addr: config.address(),
            during: "handing the action to the OBS task".to_owned(),
            detail: "the OBS task has stopped".to_owned(),
        };
        self.jobs.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Hides what is still shown now (bounded by a short grace) and waits for the task to end.
    pub async fn stop(self) {
        let Self { jobs, task } = self;
        drop(jobs);
        let _ = tokio::time::timeout(FLUSH_GRACE + Duration::from_millis(500), task).await;
    }
}

struct Actor {
    /// The connection and the settings it was made with.
    client: Option<(ObsConfig, ObsClient)>,
    /// The last connect failure: for which OBS, when, why.
    failed: Option<(ObsConfig, Instant, String)>,
    hides: Vec<PendingHide>,
    timeouts: ObsTimeouts,
    report: HideReport,
}

/// What an action did, and the hide it asks for.
struct Done {
    message: String,
    hide: Option<(String, String, i64, u32)>,
}

impl Actor {
    async fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        loop {
            let next_due = self.hides.iter().map(|h| h.due).min();
            tokio::select! {
                job = jobs.recv() => match job {
                    Some(job) => {
                        let result = self.run_job(&job.config, &job.work).await;
                        let _ = job.reply.send(result);
                    }
                    None => {
                        self.flush().await;
                        return;
                    }
                },
                () = sleep_until(next_due), if next_due.is_some() => self.run_due_hides().await,
            }
        }
    }

    async fn run_job(&mut self, config: &ObsConfig, work: &ObsWork) -> Result<String, ObsError> {
        let done = self.with_retry(config, work).await?;
        if let Some((scene, source, item_id, seconds)) = done.hide {
            schedule_hide(
                &mut self.hides,
                PendingHide {
                    config: config.clone(),
                    scene,
                    source,
                    item_id,
                    due: Instant::now() + Duration::from_secs(u64::from(seconds)),
                    attempts: 0,
                },
            );
        }
        Ok(done.message)
    }

    /// Runs `work`; a connection that turns out to be dead (OBS restarted since) is remade once
    /// and the work tried again — every OBS action we send is idempotent.
    async fn with_retry(&mut self, config: &ObsConfig, work: &ObsWork) -> Result<Done, ObsError> {
        let mut retried = false;
        loop {
            let fresh = self.connect(config).await?;
            let Some((_, client)) = self.client.as_mut() else {
                continue;
            };
            match perform(client, work).await {
                Err(err) if err.breaks_connection() => {
                    self.client = None;
                    if !fresh && !retried && err.kind() == ObsFailure::Connection {
                        tracing::info!(error = %err, "OBS connection was stale; reconnecting");
                        retried = true;
                        continue;
                    }
                    return Err(err);
                }
                other => return other,
            }
        }
    }

    /// Makes sure a live connection to `config` exists; true when it was just made.
    async fn connect(&mut self, config: &ObsConfig) -> Result<bool, ObsError> {
        if let Some((current, client)) = self.client.as_mut() {
            if current == config && !client.is_closed() {
                return Ok(false);
            }
            self.client = None;
        }
        let now = Instant::now();
        if let Some((failed_for, at, last)) = &self.failed
            && failed_for == config
            && !may_connect(Some(*at), now)
        {
            return Err(ObsError::RecentlyDown {
                addr: config.address(),
                ago_millis: now.saturating_duration_since(*at).as_millis() as u64,
                last: last.clone(),
            });
        }
        match ObsClient::connect(config, self.timeouts).await {
            Ok(client) => {
                tracing::info!(addr = %config.address(), "OBS connected");
                self.failed = None;
                self.client = Some((config.clone(), client));
                Ok(true)
            }
            Err(err) => {
                if err.kind() != ObsFailure::WrongPassword {
                    self.failed = Some((config.clone(), Instant::now(), err.to_string()));
                }
                Err(err)
            }
        }
    }

    async fn run_due_hides(&mut self) {
        let now = Instant::now();
        let (due, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.hides)
            .into_iter()
            .partition(|h| h.due <= now);
        self.hides = waiting;
        for mut hide in due {
            match self.hide(&hide).await {
                Ok(()) => (self.report)(hide.summary(), Ok("hidden".to_owned())),
                Err(err) => {
                    hide.attempts += 1;
                    if hide.attempts < HIDE_ATTEMPTS && err.kind() != ObsFailure::Refused {
                        tracing::warn!(error = %err, source = %hide.source, "OBS hide failed; retrying");
                        hide.due = Instant::now() + HIDE_RETRY;
                        schedule_hide(&mut self.hides, hide);
                    } else {
                        // Passed on (the executor's log), not logged here.
                        (self.report)(hide.summary(), Err(err));
                    }
                }
            }
        }
    }

    async fn hide(&mut self, hide: &PendingHide) -> Result<(), ObsError> {
        self.connect(&hide.config).await?;
        let Some((_, client)) = self.client.as_mut() else {
            return Ok(());
        };
        let result = client
            .set_item_enabled(&hide.scene, hide.item_id, false)
            .await;
        if result.as_ref().is_err_and(ObsError::breaks_connection) {
            self.client = None;
        }
        result
    }

    /// Hides everything still shown (the executor is stopping), within [`FLUSH_GRACE`].
    async fn flush(&mut self) {
        if self.hides.is_empty() {
            return;
        }
        let hides = std::mem::take(&mut self.hides);
        let flush = async {
            for hide in &hides {
                let outcome = self.hide(hide).await;
                (self.report)(hide.summary(), outcome.map(|()| "hidden".to_owned()));
            }
        };
        if tokio::time::timeout(FLUSH_GRACE, flush).await.is_err() {
            tracing::warn!("stopping: not every shown OBS source could be hidden in time");
        }
    }
}

async fn sleep_until(due: Option<Instant>) {
    match due {
        Some(due) => tokio::time::sleep_until(due.into()).await,
        None => std::future::pending().await,
    }
}

/// One action's requests on a live connection.
async fn perform(client: &mut ObsClient, work: &ObsWork) -> Result<Done, ObsError> {
    match work {
        ObsWork::Scene { scene } => {
            client.set_program_scene(scene).await?;
            Ok(Done {
                message: format!("scene is now {scene}"),
                hide: None,
            })
        }
        ObsWork::Show {
            scene,
            source,
            seconds,
        } => {
            let scene = if scene.trim().is_empty() {
                client.program_scene().await?
            } else {
                scene.clone()
            };
            let item_id = client.scene_item_id(&scene, source).await?;
            client.set_item_enabled(&scene, item_id, true).await?;
            let seconds = (*seconds).min(MAX_SHOW_SECONDS);
            Ok(Done {
                message: if seconds == 0 {
                    format!("{source} shown in {scene}")
                } else {
                    format!("{source} shown in {scene} for {seconds} s")
                },
                hide: (seconds > 0).then(|| (scene, source.clone(), item_id, seconds)),
            })
        }
        ObsWork::Text { source, text } => {
            client.set_input_text(source, text).await?;
            Ok(Done {
                message: format!("{source} text set"),
                hide: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hide(scene: &str, item_id: i64, due: Instant) -> PendingHide {
        PendingHide {
            config: ObsConfig::default(),
            scene: scene.into(),
            source: "Alert".into(),
            item_id,
            due,
            attempts: 0,
        }
    }

    #[test]
    fn a_second_show_moves_the_hide_to_the_later_end() {
        let t0 = Instant::now();
        let mut hides = Vec::new();
        schedule_hide(&mut hides, hide("Main", 3, t0 + Duration::from_secs(5)));
        schedule_hide(&mut hides, hide("Main", 3, t0 + Duration::from_secs(8)));
        assert_eq!(hides.len(), 1);
        assert_eq!(hides[0].due, t0 + Duration::from_secs(8));
        // A shorter show inside a longer one never cuts it short.
        schedule_hide(&mut hides, hide("Main", 3, t0 + Duration::from_secs(6)));
        assert_eq!(hides[0].due, t0 + Duration::from_secs(8));
        // Another item, or the same id in another scene, is its own hide.
        schedule_hide(&mut hides, hide("Main", 4, t0));
        schedule_hide(&mut hides, hide("Other", 3, t0));
        assert_eq!(hides.len(), 3);
    }

    #[test]
    fn connecting_again_waits_a_little_after_a_failure() {
        let t0 = Instant::now();
        assert!(may_connect(None, t0));
        assert!(!may_connect(Some(t0), t0 + Duration::from_millis(500)));
        assert!(may_connect(Some(t0), t0 + RETRY_CONNECT_AFTER));
        assert!(
            !may_connect(Some(t0 + Duration::from_secs(1)), t0),
            "clock order never panics"
        );
    }
}
