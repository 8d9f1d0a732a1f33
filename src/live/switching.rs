//! Provider switching, as pure functions: [`verdict`] reads what a failed attempt says about its
//! provider, and [`Chain`] decides which provider carries the next attempt, when to probe a
//! preferred one that failed (with backoff, never hammering it) and which outages to name. Time
//! is passed in (`now` since the session started, `wall` for the words), so every rule is tested
//! without a clock.

use std::time::{Duration, SystemTime};

use super::euler_ws::{EulerClose, EulerError};
use super::{ConnectError, FailureKind, LiveError, ProviderKind, SignError, SocketError};
use crate::backoff::Backoff;

/// What a failed attempt says about the provider that carried it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Passing trouble (a drop, a timeout): the same provider again; three in a row move on.
    Retry,
    /// The provider is failing right now (5xx, a `ws-fallback` stub, a blocked push server):
    /// the next provider at once; this one is probed later.
    Switch,
    /// It cannot work in this session (a refused key, a wrong URL): the next provider, and this
    /// one is not tried again.
    Dead,
    /// It asked us to wait this long (429): the next provider meanwhile, or wait as told.
    Wait(Duration),
    /// Euler's 8-hour lifetime ran out: reconnect at once to the same provider, seamlessly.
    Renew,
    /// Not the provider's doing (no such user, not live, our own file): the chain cannot help.
    NotProvider,
}

/// How long to wait after a 429 that did not say.
pub const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// The verdict on an error (pure).
pub fn verdict(err: &LiveError) -> Verdict {
    match err {
        LiveError::Target(_)
        | LiveError::Resolve(_)
        | LiveError::Record(_)
        | LiveError::Http(_) => Verdict::NotProvider,
        LiveError::Sign(e) => sign_verdict(e),
        LiveError::Connect(e) => connect_verdict(e),
        LiveError::Socket(_) => Verdict::Retry,
        LiveError::Euler(e) => euler_verdict(e),
    }
}

fn sign_verdict(err: &SignError) -> Verdict {
    match err {
        SignError::RateLimited { retry_after, .. } => {
            Verdict::Wait(retry_after.unwrap_or(DEFAULT_RATE_LIMIT_WAIT))
        }
        SignError::Refused { .. } | SignError::Unexpected { .. } => Verdict::Dead,
        SignError::Fetch(super::http::FetchError::BadUrl { .. }) => Verdict::Dead,
        SignError::Server { .. } | SignError::FallbackStub { .. } => Verdict::Switch,
        SignError::Fetch(_)
        | SignError::EmptyBody
        | SignError::NoCookie
        | SignError::BadBody(_)
        | SignError::NoPushServer => Verdict::Retry,
    }
}

fn connect_verdict(err: &ConnectError) -> Verdict {
    match err {
        // An unusable push URL or a refused handshake (TikTok's DEVICE_BLOCKED, the fallback
        // proxy's "illegal app_id"): another provider connects from elsewhere.
        ConnectError::BadUrl { .. } | ConnectError::Blocked { .. } => Verdict::Switch,
        ConnectError::Rejected { status, .. } if *status >= 500 => Verdict::Switch,
        ConnectError::Rejected { .. } | ConnectError::Timeout { .. } | ConnectError::Ws { .. } => {
            Verdict::Retry
        }
    }
}

fn euler_verdict(err: &EulerError) -> Verdict {
    match err {
        EulerError::NeedsUsername | EulerError::NoKey => Verdict::Dead,
        EulerError::Connect(e) => match e {
            ConnectError::Rejected {
                status: 401 | 403, ..
            } => Verdict::Dead,
            ConnectError::Rejected { status: 429, .. } => Verdict::Wait(DEFAULT_RATE_LIMIT_WAIT),
            other => connect_verdict(other),
        },
        EulerError::Closed { close, .. } => match close {
            EulerClose::InvalidAuth | EulerClose::NoPermission => Verdict::Dead,
            EulerClose::MaxLifetime => Verdict::Renew,
            EulerClose::TooManyConnections
            | EulerClose::InvalidOptions
            | EulerClose::InternalError
            | EulerClose::WebcastFetchError
            | EulerClose::RoomInfoFetchError => Verdict::Switch,
            EulerClose::NotLive | EulerClose::StreamEnded => Verdict::NotProvider,
            EulerClose::Normal
            | EulerClose::NoMessages
            | EulerClose::TikTokClosed
            | EulerClose::Other(_) => Verdict::Retry,
        },
        EulerError::Socket(SocketError::Silent { .. }) | EulerError::Socket(_) => Verdict::Retry,
    }
}

/// The switching tunables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainPolicy {
    /// Failures in a row of one provider before the next one is tried.
    pub failures_before_switch: u32,
    /// How soon (and then how much more rarely) a preferred provider that failed is probed while
    /// another one carries the stream.
    pub probe: Backoff,
}

impl Default for ChainPolicy {
    fn default() -> Self {
        Self {
            failures_before_switch: 3,
            probe: Backoff {
                first: Duration::from_secs(30),
                max: Duration::from_secs(10 * 60),
            },
        }
    }
}

/// A provider that is failing, for the words on screen: which, how, since when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outage {
    pub provider: ProviderKind,
    pub kind: FailureKind,
    /// The HTTP status or WebSocket close code, when there was one.
    pub code: Option<u16>,
    /// When it started failing (the first failure of this outage).
    pub since: SystemTime,
}

/// The way the stream is reached now, and what failed ahead of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The provider carrying (or about to carry) the stream.
    pub via: ProviderKind,
    /// Providers preferred over `via` that are failing, in chain order.
    pub outages: Vec<Outage>,
    /// The `sign` provider is Euler Stream's own server (for its name on screen).
    pub sign_is_euler: bool,
}

/// Where the chain sends the next attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Next {
    /// Index of the provider in the chain.
    pub provider: usize,
    /// The chain moved to another provider.
    pub switched: bool,
    /// Wait at least this long before the attempt (a rate limit), if anything.
    pub wait: Option<Duration>,
    /// No other provider could take over: the caller's usual retry policy decides.
    pub stuck: bool,
    /// The provider has not failed yet in this outage (try it at once; otherwise back off, so a
    /// chain of failing providers is never hammered in a circle).
    pub fresh: bool,
}

#[derive(Clone, Debug, Default)]
struct Slot {
    failures_in_row: u32,
    /// Not usable before this time (a rate limit).
    benched_until: Option<Duration>,
    /// Never again this session.
    dead: bool,
    outage: Option<Outage>,
    /// Probes that failed since it was left, for the probe backoff.
    probes_failed: u32,
    next_probe: Option<Duration>,
}

/// The chain's state: which provider is current and what each one did.
#[derive(Clone, Debug)]
pub struct Chain {
    kinds: Vec<ProviderKind>,
    slots: Vec<Slot>,
    current: usize,
    policy: ChainPolicy,
}

impl Chain {
    /// A chain over `kinds`, in order of preference (at least one).
    pub fn new(kinds: Vec<ProviderKind>, policy: ChainPolicy) -> Self {
        let kinds = if kinds.is_empty() {
            vec![ProviderKind::Sign]
        } else {
            kinds
        };
        Self {
            slots: vec![Slot::default(); kinds.len()],
            kinds,
            current: 0,
            policy,
        }
    }

    pub fn current(&self) -> usize {
        self.current
    }

    pub fn current_kind(&self) -> ProviderKind {
        self.kinds[self.current]
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// The route as it stands, for the status line.
    pub fn route(&self) -> Route {
        Route {
            via: self.current_kind(),
            outages: self.slots[..self.current]
                .iter()
                .filter_map(|s| s.outage.clone())
                .collect(),
            sign_is_euler: false,
        }
    }

    /// A failed attempt of the current provider. `kind` and `code` describe it for the outage
    /// words.
    pub fn on_failure(
        &mut self,
        verdict: Verdict,
        kind: FailureKind,
        code: Option<u16>,
        now: Duration,
        wall: SystemTime,
    ) -> Next {
        let here = self.current;
        let stay = |wait| Next {
            provider: here,
            switched: false,
            wait,
            stuck: false,
            fresh: false,
        };
        let move_on = match verdict {
            Verdict::NotProvider | Verdict::Renew => return stay(None),
            Verdict::Retry => {
                let slot = &mut self.slots[here];
                slot.failures_in_row += 1;
                slot.failures_in_row >= self.policy.failures_before_switch
            }
            Verdict::Switch => true,
            Verdict::Dead => {
                self.slots[here].dead = true;
                true
            }
            Verdict::Wait(wait) => {
                self.slots[here].benched_until = Some(now + wait);
                true
            }
        };
        // The outage says what the provider does now, and since when it has been in trouble.
        let slot = &mut self.slots[here];
        let since = slot.outage.as_ref().map_or(wall, |o| o.since);
        slot.outage = Some(Outage {
            provider: self.kinds[here],
            kind,
            code,
            since,
        });
        if !move_on {
            return stay(None);
        }
        match self.pick(now) {
            Some(next) if next != here => {
                self.leave(here, now);
                self.current = next;
                Next {
                    provider: next,
                    switched: true,
                    wait: None,
                    stuck: false,
                    fresh: self.slots[next].outage.is_none(),
                }
            }
            _ => {
                // Nowhere else to go: stay, wait out a rate limit, let the caller decide.
                self.slots[here].failures_in_row = 0;
                let wait = self.slots[here]
                    .benched_until
                    .map(|until| until.saturating_sub(now));
                let fallback = self.soonest_unbenched(now).filter(|&i| i != here);
                match fallback {
                    Some(i) => {
                        self.leave(here, now);
                        self.current = i;
                        Next {
                            provider: i,
                            switched: true,
                            wait: self.slots[i].benched_until.map(|u| u.saturating_sub(now)),
                            stuck: false,
                            fresh: false,
                        }
                    }
                    None => Next {
                        provider: here,
                        switched: false,
                        wait,
                        stuck: true,
                        fresh: false,
                    },
                }
            }
        }
    }

    /// The current provider carries the stream: its failures are forgiven and its outage is over.
    pub fn on_live(&mut self) {
        let slot = &mut self.slots[self.current];
        slot.failures_in_row = 0;
        slot.outage = None;
        slot.probes_failed = 0;
        slot.next_probe = None;
    }

    /// When the next probe of a preferred provider is due, if one is waiting.
    pub fn next_probe_at(&self) -> Option<Duration> {
        self.probe_candidates().map(|(_, at)| at).min()
    }

    /// The preferred provider to probe now, if a probe is due.
    pub fn probe_due(&self, now: Duration) -> Option<usize> {
        self.probe_candidates()
            .filter(|&(i, at)| at <= now && self.slots[i].benched_until.is_none_or(|u| u <= now))
            .map(|(i, _)| i)
            .min()
    }

    /// A probe of `provider` succeeded: it carries the stream from now on.
    pub fn on_probe_ok(&mut self, provider: usize, now: Duration) {
        let here = self.current;
        self.leave(here, now);
        self.current = provider;
        self.on_live();
    }

    /// A probe of `provider` failed: the next one waits longer.
    pub fn on_probe_failed(&mut self, provider: usize, verdict: Verdict, now: Duration) {
        let policy = self.policy;
        let slot = &mut self.slots[provider];
        match verdict {
            Verdict::Dead => slot.dead = true,
            Verdict::Wait(wait) => slot.benched_until = Some(now + wait),
            _ => {}
        }
        slot.probes_failed = slot.probes_failed.saturating_add(1);
        let wait = policy.probe.base_delay(slot.probes_failed);
        slot.next_probe = Some(now + wait);
    }

    /// Providers preferred over the current one that may be probed, with their probe times.
    fn probe_candidates(&self) -> impl Iterator<Item = (usize, Duration)> + '_ {
        self.slots[..self.current]
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.dead)
            .filter_map(|(i, s)| s.next_probe.map(|at| (i, at)))
    }

    /// Marks `index` as left behind: reset its count, schedule its first probe.
    fn leave(&mut self, index: usize, now: Duration) {
        let first = self.policy.probe.base_delay(0);
        let slot = &mut self.slots[index];
        slot.failures_in_row = 0;
        if !slot.dead {
            let benched = slot.benched_until.unwrap_or(now);
            slot.next_probe = Some(benched.max(now + first));
        }
    }

    /// The next usable provider after the current one (wrapping round), not dead or benched.
    fn pick(&self, now: Duration) -> Option<usize> {
        let n = self.kinds.len();
        (1..n)
            .map(|step| (self.current + step) % n)
            .find(|&i| self.usable(i, now))
    }

    fn usable(&self, i: usize, now: Duration) -> bool {
        let slot = &self.slots[i];
        !slot.dead && slot.benched_until.is_none_or(|until| until <= now)
    }

    /// The living provider whose rate limit ends soonest (all are benched).
    fn soonest_unbenched(&self, now: Duration) -> Option<usize> {
        (0..self.kinds.len())
            .filter(|&i| !self.slots[i].dead)
            .min_by_key(|&i| self.slots[i].benched_until.unwrap_or(now))
    }

    /// Every provider is dead: nothing will work this session.
    pub fn all_dead(&self) -> bool {
        self.slots.iter().all(|s| s.dead)
    }
}

#[cfg(test)]
mod tests;
