//! The picture cache task: takes URLs over a bounded channel, works on a few at a time, answers
//! from disk or the network, and hands back decoded pictures over a bounded channel, waking the
//! window after each.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc, watch};

use super::{
    DecodedPicture, MAX_DOWNLOAD_BYTES, Origin, Picture, PictureConfig, PictureError, decode, disk,
    fetch,
};

/// URLs waiting for the task; more are refused (the window asks again on a later frame).
pub const REQUEST_CAPACITY: usize = 256;
/// Answers waiting for the window.
pub const RESULT_CAPACITY: usize = 64;
/// Pictures worked on at once.
pub const MAX_CONCURRENT: usize = 4;

/// The window's end of the picture cache. Dropping it stops the task.
pub struct PictureCache {
    requests: mpsc::Sender<String>,
    results: mpsc::Receiver<Picture>,
    limit_bytes: watch::Sender<u64>,
    hosts: watch::Sender<super::HostPolicy>,
}

impl std::fmt::Debug for PictureCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PictureCache").finish_non_exhaustive()
    }
}

impl PictureCache {
    /// Starts the task on `runtime`; `wake` is called after each answer is handed over.
    pub fn start(
        runtime: &tokio::runtime::Handle,
        config: PictureConfig,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        let (requests, request_rx) = mpsc::channel(REQUEST_CAPACITY);
        let (result_tx, results) = mpsc::channel(RESULT_CAPACITY);
        let (limit_bytes, limit_rx) = watch::channel(config.cache_limit_bytes);
        let (hosts, hosts_rx) = watch::channel(config.hosts.clone());
        let watched = Watched {
            limit_bytes: limit_rx,
            hosts: hosts_rx,
        };
        runtime.spawn(run(config, request_rx, result_tx, watched, Arc::new(wake)));
        Self {
            requests,
            results,
            limit_bytes,
            hosts,
        }
    }

    /// Asks for `url`'s picture; false when the task is busy (ask again later) or gone.
    pub fn request(&self, url: &str) -> bool {
        self.requests.try_send(url.to_owned()).is_ok()
    }

    /// The next answer, if one is waiting (never blocks).
    pub fn try_recv(&mut self) -> Option<Picture> {
        self.results.try_recv().ok()
    }

    /// Waits for the next answer (tests and tools; the window uses [`Self::try_recv`]).
    pub async fn recv(&mut self) -> Option<Picture> {
        self.results.recv().await
    }

    /// A new bound for the disk cache (the setting changed); applied at the next write.
    pub fn set_limit_bytes(&self, limit_bytes: u64) {
        self.limit_bytes.send_replace(limit_bytes);
    }

    /// Also fetches from this exact origin from now on (the demo's own loopback server, whose
    /// gift list points at pictures it draws). Redirects still go to TikTok's hosts only.
    pub fn allow_origin(&self, base: &str) {
        self.hosts
            .send_modify(|hosts| *hosts = hosts.clone().with_origin(base));
    }

    /// Whether TikTok's picture hosts may be fetched from (the app turns it on when it connects
    /// to TikTok itself; cached pictures are read either way).
    pub fn set_tiktok_fetch(&self, on: bool) {
        self.hosts
            .send_modify(|hosts| *hosts = hosts.clone().with_tiktok_fetch(on));
    }
}

/// What may change while the task runs.
struct Watched {
    limit_bytes: watch::Receiver<u64>,
    hosts: watch::Receiver<super::HostPolicy>,
}

type Wake = Arc<dyn Fn() + Send + Sync>;

async fn run(
    config: PictureConfig,
    mut requests: mpsc::Receiver<String>,
    results: mpsc::Sender<Picture>,
    watched: Watched,
    wake: Wake,
) {
    let client = match fetch::client(&config) {
        Ok(client) => Some(client),
        Err(err) => {
            tracing::warn!("gift pictures: no HTTP client ({err}); cached pictures only");
            None
        }
    };
    let config = Arc::new(config);
    let permits = Arc::new(Semaphore::new(MAX_CONCURRENT));
    // URLs being worked on: a second request for one is answered by the first.
    let (done_tx, mut done_rx) = mpsc::channel::<String>(REQUEST_CAPACITY);
    let mut in_flight = HashSet::new();
    loop {
        tokio::select! {
            Some(url) = done_rx.recv() => {
                in_flight.remove(&url);
            }
            request = requests.recv() => {
                let Some(url) = request else { break };
                if !in_flight.insert(url.clone()) {
                    continue;
                }
                let job = Job {
                    config: config.clone(),
                    client: client.clone(),
                    limit_bytes: *watched.limit_bytes.borrow(),
                    hosts: watched.hosts.borrow().clone(),
                };
                let (results, wake, done, permits) =
                    (results.clone(), wake.clone(), done_tx.clone(), permits.clone());
                tokio::spawn(async move {
                    let Ok(_permit) = permits.acquire_owned().await else { return };
                    let result = job.picture(&url).await;
                    if let Err(err) = &result {
                        tracing::debug!("gift picture: {err}");
                    }
                    let sent = results.send(Picture { url: url.clone(), result }).await;
                    if sent.is_ok() {
                        wake();
                    }
                    done.send(url).await.ok();
                });
            }
        }
    }
}

/// What one request needs.
struct Job {
    config: Arc<PictureConfig>,
    client: Option<reqwest::Client>,
    limit_bytes: u64,
    hosts: super::HostPolicy,
}

impl Job {
    async fn picture(&self, url: &str) -> Result<(Arc<DecodedPicture>, Origin), PictureError> {
        let checked = self.hosts.check(url)?;
        let dir = self.config.cache_dir.clone();
        let cached = match &dir {
            Some(dir) => blocking_read(dir, url).await,
            None => None,
        };
        if let Some(bytes) = cached {
            match blocking_decode(bytes, url).await {
                Ok(picture) => return Ok((Arc::new(picture), Origin::Disk)),
                // A damaged cache file: fetched again below (and overwritten).
                Err(err) => tracing::info!("gift picture cache: {err}"),
            }
        }
        if !self.hosts.may_fetch(&checked) {
            return Err(PictureError::NotYet {
                url: super::policy::shown_url(url),
            });
        }
        let Some(client) = &self.client else {
            return Err(PictureError::Network {
                url: super::policy::shown_url(url),
                reason: "no HTTP client".into(),
            });
        };
        let bytes = fetch::fetch(client, &checked).await?;
        let picture = blocking_decode(bytes.clone(), url).await?;
        if let Some(dir) = dir {
            let (url, limit_bytes) = (url.to_owned(), self.limit_bytes);
            let kept = tokio::task::spawn_blocking(move || {
                disk::write(&dir, &url, &bytes).map(|()| disk::trim(&dir, limit_bytes))
            })
            .await;
            match kept {
                Ok(Ok(_evicted)) => {}
                Ok(Err(err)) => tracing::info!("gift picture not cached: {err}"),
                Err(err) => tracing::info!("gift picture not cached: {err}"),
            }
        }
        Ok((Arc::new(picture), Origin::Network))
    }
}

async fn blocking_read(dir: &Path, url: &str) -> Option<Vec<u8>> {
    let (dir, url) = (dir.to_owned(), url.to_owned());
    tokio::task::spawn_blocking(move || disk::read(&dir, &url, MAX_DOWNLOAD_BYTES))
        .await
        .ok()
        .flatten()
}

/// Decodes on the blocking pool; a decoder that panicked is a decode error, not a crash.
async fn blocking_decode(bytes: Vec<u8>, url: &str) -> Result<DecodedPicture, PictureError> {
    let owned = url.to_owned();
    tokio::task::spawn_blocking(move || decode::decode(&bytes, &owned))
        .await
        .unwrap_or_else(|err| {
            Err(PictureError::Decode {
                url: super::policy::shown_url(url),
                reason: format!("the decoder failed ({err})"),
            })
        })
}
