//! The one fan-out of a session's messages: every [`LiveMsg`] (a stamped output, a status, the
//! counters, a warning) goes from the session to each registered [`Subscriber`], in order, in one
//! place. The app, `watch`, `replay --execute` and the app's Test button all dispatch through
//! [`Dispatch`]; the executor ([`ToExecutor`]), reading chat aloud ([`ReadAloud`]), the overlays
//! ([`ToOverlays`]), the TikFinity-compatible events server ([`ToTikfinity`]), the viewers' ledger
//! ([`ToLedger`]), the goals and subathon timer ([`ToGame`]), the window's outbox and `watch`'s printer are subscribers, and a new consumer
//! is one more. No UI here.
//!
//! A subscriber's [`Subscriber::deliver`] never blocks or awaits: it updates memory, or
//! `try_send`s into its own bounded channel and counts what does not fit. So one slow consumer
//! (a minimized window) can never hold up another (the executor) or the session's acks.

mod executor;
mod game;
mod ledger;
mod overlays;
pub mod points;
mod speech;
mod tikfinity;

use tokio::sync::mpsc;

pub use executor::ToExecutor;
pub use game::ToGame;
pub use ledger::ToLedger;
pub use overlays::ToOverlays;
pub use speech::ReadAloud;
pub use tikfinity::{ToTikfinity, ToTikfinityWhenOn};

use crate::actions::Origin;
use crate::live::LiveMsg;

/// Where the messages of one dispatch come from, for every subscriber to see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    /// The stream's server binding: a demo credit runs on the demo's server, never on the
    /// streamer's world (and the other way round), even after the demo stopped.
    pub origin: Origin,
    /// Sent by the app's Test button, not by a viewer: shown and run, never counted in totals.
    pub test: bool,
}

impl Source {
    /// A viewer's message on the streamer's own stream.
    pub const STREAM: Self = Self {
        origin: Origin::Stream,
        test: false,
    };

    /// A viewer's message on the demo stream.
    pub const DEMO: Self = Self {
        origin: Origin::Demo,
        test: false,
    };
}

/// A consumer of a session's messages.
pub trait Subscriber: Send {
    /// Takes one message. Must never block or await (see the module docs); runs on the
    /// session's dispatch task (or the UI thread for the Test button).
    fn deliver(&mut self, msg: &LiveMsg, source: Source);
}

impl<S: Subscriber + ?Sized> Subscriber for &mut S {
    fn deliver(&mut self, msg: &LiveMsg, source: Source) {
        (**self).deliver(msg, source);
    }
}

impl<S: Subscriber + ?Sized> Subscriber for Box<S> {
    fn deliver(&mut self, msg: &LiveMsg, source: Source) {
        (**self).deliver(msg, source);
    }
}

/// The subscribers of one session (or one Test), in the order they were registered. Register
/// the executor first: actions never wait behind the window.
pub struct Dispatch<'a> {
    source: Source,
    subscribers: Vec<Box<dyn Subscriber + 'a>>,
}

impl std::fmt::Debug for Dispatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatch")
            .field("source", &self.source)
            .field("subscribers", &self.subscribers.len())
            .finish()
    }
}

impl<'a> Dispatch<'a> {
    pub fn new(source: Source) -> Self {
        Self {
            source,
            subscribers: Vec::new(),
        }
    }

    /// Adds a subscriber: it gets every message from now on.
    pub fn subscribe(&mut self, subscriber: impl Subscriber + 'a) -> &mut Self {
        self.subscribers.push(Box::new(subscriber));
        self
    }

    /// Like [`Dispatch::subscribe`], for an optional one (overlays that are off, no `--execute`).
    pub fn subscribe_some(&mut self, subscriber: Option<impl Subscriber + 'a>) -> &mut Self {
        if let Some(subscriber) = subscriber {
            self.subscribe(subscriber);
        }
        self
    }

    pub fn source(&self) -> Source {
        self.source
    }

    /// Hands `msg` to every subscriber, in registration order. Never blocks.
    pub fn deliver(&mut self, msg: &LiveMsg) {
        for subscriber in &mut self.subscribers {
            subscriber.deliver(msg, self.source);
        }
    }

    /// Dispatches a session's messages until it ends (its channel closes).
    pub async fn run(mut self, mut rx: mpsc::Receiver<LiveMsg>) {
        while let Some(msg) = rx.recv().await {
            self.deliver(&msg);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::live::ConnStatus;

    struct Record(Arc<Mutex<Vec<(String, Source)>>>, &'static str);

    impl Subscriber for Record {
        fn deliver(&mut self, msg: &LiveMsg, source: Source) {
            let what = match msg {
                LiveMsg::Status(status) => status.to_string(),
                _ => "other".to_owned(),
            };
            self.0
                .lock()
                .unwrap()
                .push((format!("{} {what}", self.1), source));
        }
    }

    #[tokio::test]
    async fn every_subscriber_gets_every_message_in_order_with_the_source() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut dispatch = Dispatch::new(Source::DEMO);
        dispatch
            .subscribe(Record(seen.clone(), "a"))
            .subscribe_some(None::<Record>)
            .subscribe_some(Some(Record(seen.clone(), "b")));
        let (tx, rx) = mpsc::channel(4);
        tx.send(LiveMsg::Status(ConnStatus::Resolving))
            .await
            .unwrap();
        tx.send(LiveMsg::Status(ConnStatus::Ended)).await.unwrap();
        drop(tx);
        dispatch.run(rx).await;
        let seen = seen.lock().unwrap();
        let words: Vec<&str> = seen.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(
            words,
            [
                "a looking up the live room",
                "b looking up the live room",
                "a stream ended",
                "b stream ended"
            ]
        );
        assert!(seen.iter().all(|(_, s)| *s == Source::DEMO));
    }
}
