//! The speech queue: its own bounded line of utterances, spoken one at a time on a tokio task, with
//! Skip (cut what is being said) and Stop all (cut it and drop what waits; the panic button), and a
//! status the UI reads as latest-value state. A service that fails is connected again for the next
//! utterance; its error is in the status, said once in the log.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot, watch};

use super::SpeechError;
use super::filters::Utterance;

/// How an utterance ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Said {
    Finished,
    Cancelled,
}

/// A speech service: speaks one utterance and returns when it is over, or cuts it short (and
/// returns) as soon as `cancel` changes.
pub trait SpeechService: Send {
    fn say(
        &mut self,
        utterance: &Utterance,
        cancel: &mut watch::Receiver<u64>,
    ) -> impl Future<Output = Result<Said, SpeechError>> + Send;
}

/// What the speech queue is doing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpeechStatus {
    /// What is being said now.
    pub speaking: Option<String>,
    pub waiting: usize,
    pub spoken: u64,
    /// Cut by Skip or Stop all (including what was waiting).
    pub cut: u64,
    /// Not queued because the queue was full.
    pub dropped: u64,
    pub failed: u64,
    pub last_error: Option<String>,
}

struct Queued {
    utterance: Utterance,
    sequence: u64,
    /// Told how the utterance ended; dropped unanswered when Stop all dropped it.
    done: Option<oneshot::Sender<Result<Said, SpeechError>>>,
}

/// How one queued utterance ended ([`SpeechQueue::say_then`]): `Err` when Stop all dropped it
/// before it was said.
pub type SpeechDone = oneshot::Receiver<Result<Said, SpeechError>>;

/// The speech queue was full: the utterance was not queued (and is counted as dropped).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the speech queue is full ({waiting} waiting): not said")]
pub struct SpeechFull {
    pub waiting: usize,
}

/// The handle to the speech queue. Cheap to clone; every method returns at once.
#[derive(Clone)]
pub struct SpeechQueue {
    queue: mpsc::Sender<Queued>,
    skip: Arc<watch::Sender<u64>>,
    /// Utterances with a sequence number at or below this are dropped (Stop all).
    cleared_through: Arc<AtomicU64>,
    next_sequence: Arc<AtomicU64>,
    status: watch::Receiver<SpeechStatus>,
    status_tx: Arc<watch::Sender<SpeechStatus>>,
}

impl std::fmt::Debug for SpeechQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpeechQueue").finish_non_exhaustive()
    }
}

impl SpeechQueue {
    /// Starts the queue on the current tokio runtime; `connect` makes the service when the first
    /// utterance comes (and again after a failure).
    pub fn spawn<S, F, Fut>(capacity: usize, mut connect: F) -> Self
    where
        S: SpeechService + 'static,
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<S, SpeechError>> + Send,
    {
        let (queue, mut receiver) = mpsc::channel::<Queued>(capacity.max(1));
        let (skip, _) = watch::channel(0u64);
        let skip = Arc::new(skip);
        let cleared_through = Arc::new(AtomicU64::new(0));
        let (status_tx, status) = watch::channel(SpeechStatus::default());
        let status_tx = Arc::new(status_tx);
        let handle = Self {
            queue,
            skip: skip.clone(),
            cleared_through: cleared_through.clone(),
            next_sequence: Arc::new(AtomicU64::new(1)),
            status,
            status_tx: status_tx.clone(),
        };
        tokio::spawn(async move {
            let mut service: Option<S> = None;
            let mut reported = false;
            while let Some(item) = receiver.recv().await {
                let waiting = receiver.len();
                if item.sequence <= cleared_through.load(Ordering::Acquire) {
                    status_tx.send_modify(|s| s.waiting = waiting);
                    continue;
                }
                // Skips pressed before this utterance began do not cut it.
                let mut cancel = skip.subscribe();
                cancel.mark_unchanged();
                let text = item.utterance.text.clone();
                // One change, so the queue never looks idle between taking and speaking.
                status_tx.send_modify(|s| {
                    s.waiting = waiting;
                    s.speaking = Some(text);
                });
                let result = match service.as_mut() {
                    Some(s) => s.say(&item.utterance, &mut cancel).await,
                    None => match connect().await {
                        Ok(s) => service.insert(s).say(&item.utterance, &mut cancel).await,
                        Err(err) => Err(err),
                    },
                };
                status_tx.send_modify(|s| {
                    s.speaking = None;
                    match &result {
                        Ok(Said::Finished) => s.spoken += 1,
                        Ok(Said::Cancelled) => s.cut += 1,
                        Err(err) => {
                            s.failed += 1;
                            s.last_error = Some(err.to_string());
                        }
                    }
                });
                if let Some(done) = item.done {
                    let _ = done.send(result.clone());
                }
                if let Err(err) = result {
                    service = None;
                    if !reported {
                        tracing::warn!("speech: {err}");
                        reported = true;
                    }
                } else {
                    reported = false;
                }
            }
        });
        handle
    }

    /// Queues an utterance; false (and counted) when the queue is full.
    pub fn say(&self, utterance: Utterance) -> bool {
        self.push(utterance, None).is_ok()
    }

    /// Queues an utterance and returns how it will end (the executor logs a `speak` action's
    /// outcome from it without waiting in its own queue); an error (counted) when the queue is
    /// full.
    pub fn say_then(&self, utterance: Utterance) -> Result<SpeechDone, SpeechFull> {
        let (done, ended) = oneshot::channel();
        self.push(utterance, Some(done)).map(|()| ended)
    }

    fn push(
        &self,
        utterance: Utterance,
        done: Option<oneshot::Sender<Result<Said, SpeechError>>>,
    ) -> Result<(), SpeechFull> {
        let sequence = self.next_sequence.fetch_add(1, Ordering::AcqRel);
        let waiting = || self.queue.max_capacity() - self.queue.capacity();
        match self.queue.try_send(Queued {
            utterance,
            sequence,
            done,
        }) {
            Ok(()) => {
                let waiting = waiting();
                self.status_tx.send_modify(|s| s.waiting = waiting);
                Ok(())
            }
            Err(_) => {
                self.status_tx.send_modify(|s| s.dropped += 1);
                Err(SpeechFull { waiting: waiting() })
            }
        }
    }

    /// Cuts what is being said now; the next utterance follows.
    pub fn skip(&self) {
        self.skip.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Cuts what is being said and drops everything waiting (the panic button).
    pub fn stop_all(&self) {
        let last = self.next_sequence.load(Ordering::Acquire).saturating_sub(1);
        let before = self.cleared_through.swap(last, Ordering::AcqRel);
        let waiting = self.queue.max_capacity() - self.queue.capacity();
        let dropped = u64::try_from(waiting)
            .unwrap_or(0)
            .min(last.saturating_sub(before));
        self.status_tx.send_modify(|s| {
            s.cut += dropped;
            s.waiting = 0;
        });
        self.skip();
    }

    /// The queue's status as latest-value state.
    pub fn status(&self) -> watch::Receiver<SpeechStatus> {
        self.status.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::speak::spec::Voice;
    use std::sync::Mutex;
    use std::time::Duration;

    /// A fake service: "speaks" for `millis` per utterance unless cancelled; records what it got.
    struct Fake {
        heard: Arc<Mutex<Vec<(String, Said)>>>,
        millis: u64,
    }

    impl SpeechService for Fake {
        async fn say(
            &mut self,
            u: &Utterance,
            cancel: &mut watch::Receiver<u64>,
        ) -> Result<Said, SpeechError> {
            let said = tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(self.millis)) => Said::Finished,
                _ = cancel.changed() => Said::Cancelled,
            };
            self.heard.lock().unwrap().push((u.text.clone(), said));
            Ok(said)
        }
    }

    fn utterance(text: &str) -> Utterance {
        Utterance {
            text: text.into(),
            voice: Voice::new(None, None, None),
        }
    }

    fn queue(heard: &Arc<Mutex<Vec<(String, Said)>>>, millis: u64) -> SpeechQueue {
        let heard = heard.clone();
        SpeechQueue::spawn(8, move || {
            let heard = heard.clone();
            async move { Ok(Fake { heard, millis }) }
        })
    }

    async fn settle(
        status: &mut watch::Receiver<SpeechStatus>,
        done: impl Fn(&SpeechStatus) -> bool,
    ) {
        tokio::time::timeout(Duration::from_secs(60), status.wait_for(|s| done(s)))
            .await
            .expect("the speech queue never got there")
            .unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn speaks_in_order_skip_cuts_one_stop_all_cuts_everything() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let q = queue(&heard, 1_000);
        let mut status = q.status();
        assert!(q.say(utterance("one")));
        assert!(q.say(utterance("two")));
        settle(&mut status, |s| {
            s.spoken == 1 && s.speaking.as_deref() == Some("two")
        })
        .await;
        q.skip();
        settle(&mut status, |s| s.cut == 1 && s.speaking.is_none()).await;
        for text in ["three", "four", "five"] {
            q.say(utterance(text));
        }
        settle(&mut status, |s| s.speaking.as_deref() == Some("three")).await;
        q.stop_all();
        settle(&mut status, |s| s.speaking.is_none() && s.cut >= 2).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let got = heard.lock().unwrap().clone();
        assert_eq!(
            got,
            [
                ("one".into(), Said::Finished),
                ("two".into(), Said::Cancelled),
                ("three".into(), Said::Cancelled),
            ]
        );
        // After Stop all the queue speaks again.
        q.say(utterance("six"));
        settle(&mut status, |s| s.spoken == 2).await;
    }

    #[tokio::test(start_paused = true)]
    async fn say_then_tells_how_each_utterance_ended() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let q = queue(&heard, 1_000);
        let first = q.say_then(utterance("one")).unwrap();
        assert_eq!(first.await.unwrap(), Ok(Said::Finished));
        let cut = q.say_then(utterance("two")).unwrap();
        let dropped = q.say_then(utterance("three")).unwrap();
        let mut status = q.status();
        settle(&mut status, |s| s.speaking.as_deref() == Some("two")).await;
        q.stop_all();
        assert_eq!(cut.await.unwrap(), Ok(Said::Cancelled));
        assert!(dropped.await.is_err(), "Stop all dropped it unsaid");
        let full = SpeechQueue::spawn(1, || async { Err::<Fake, _>(SpeechError::NotInstalled) });
        let mut results = Vec::new();
        for text in ["a", "b", "c"] {
            results.push(full.say_then(utterance(text)).map(|_| ()));
        }
        assert!(
            results.contains(&Err(SpeechFull { waiting: 1 })),
            "{results:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_missing_service_is_an_error_in_the_status() {
        let q = SpeechQueue::spawn(2, || async { Err::<Fake, _>(SpeechError::NotInstalled) });
        let mut status = q.status();
        q.say(utterance("hello"));
        settle(&mut status, |s| s.failed == 1).await;
        let error = status.borrow().last_error.clone().unwrap();
        assert!(error.contains("apt install speech-dispatcher"), "{error}");
    }
}
