//! The switching policy, rule by rule, on a clock made of plain numbers.

use std::time::{Duration, SystemTime};

use super::*;
use crate::live::http::FetchError;

const SIGN: ProviderKind = ProviderKind::Sign;
const WS: ProviderKind = ProviderKind::EulerWs;
const CUSTOM: ProviderKind = ProviderKind::Custom;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn wall(s: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + secs(1_800_000_000 + s)
}

fn chain(kinds: &[ProviderKind]) -> Chain {
    Chain::new(kinds.to_vec(), ChainPolicy::default())
}

fn fail(chain: &mut Chain, verdict: Verdict, at: u64) -> Next {
    chain.on_failure(
        verdict,
        FailureKind::ProviderDown,
        Some(500),
        secs(at),
        wall(at),
    )
}

#[test]
fn verdicts_follow_the_kind_of_failure() {
    let server = LiveError::Sign(SignError::Server {
        status: 500,
        message: "x".into(),
    });
    assert_eq!(verdict(&server), Verdict::Switch, "HTTP 5xx");
    let stub = LiveError::Sign(SignError::FallbackStub {
        push_server: "wss://ws-fallback.eulerstream.com/".into(),
    });
    assert_eq!(verdict(&stub), Verdict::Switch, "the ws-fallback stub");
    let bad_push = LiveError::Connect(ConnectError::BadUrl {
        url: "ftp://x".into(),
        reason: "scheme".into(),
    });
    assert_eq!(verdict(&bad_push), Verdict::Switch, "an unusable push URL");
    let refused = LiveError::Sign(SignError::Refused {
        status: 401,
        message: "x".into(),
    });
    assert_eq!(verdict(&refused), Verdict::Dead, "a refused key");
    let limited = LiveError::Sign(SignError::RateLimited {
        message: "x".into(),
        retry_after: Some(secs(182)),
    });
    assert_eq!(
        verdict(&limited),
        Verdict::Wait(secs(182)),
        "429 waits as told"
    );
    let silent_limit = LiveError::Sign(SignError::RateLimited {
        message: "x".into(),
        retry_after: None,
    });
    assert_eq!(
        verdict(&silent_limit),
        Verdict::Wait(DEFAULT_RATE_LIMIT_WAIT)
    );
    let timeout = LiveError::Sign(SignError::Fetch(FetchError::TooLarge { url: "u".into() }));
    assert_eq!(verdict(&timeout), Verdict::Retry);
    assert_eq!(
        verdict(&LiveError::Socket(SocketError::Eof)),
        Verdict::Retry
    );
    let closed = |code| {
        verdict(&LiveError::Euler(EulerError::Closed {
            close: EulerClose::from_code(code),
            reason: String::new(),
        }))
    };
    assert_eq!(closed(4555), Verdict::Renew, "the 8-hour lifetime");
    assert_eq!(closed(4401), Verdict::Dead);
    assert_eq!(closed(4403), Verdict::Dead);
    assert_eq!(closed(4429), Verdict::Switch);
    assert_eq!(closed(4556), Verdict::Switch);
    assert_eq!(closed(4557), Verdict::Switch);
    assert_eq!(closed(1011), Verdict::Switch);
    assert_eq!(closed(4500), Verdict::Retry);
    assert_eq!(closed(4006), Verdict::Retry);
    assert_eq!(closed(4404), Verdict::NotProvider);
    assert_eq!(closed(4005), Verdict::NotProvider);
    let offline = LiveError::Resolve(crate::live::ResolveError::Offline { user: "x".into() });
    assert_eq!(verdict(&offline), Verdict::NotProvider);
}

#[test]
fn a_failing_provider_hands_over_to_the_next_at_once() {
    let mut c = chain(&[SIGN, WS]);
    let next = fail(&mut c, Verdict::Switch, 10);
    assert_eq!(
        next,
        Next {
            provider: 1,
            switched: true,
            wait: None,
            stuck: false,
            fresh: true
        }
    );
    assert_eq!(c.current_kind(), WS);
    let route = c.route();
    assert_eq!(route.via, WS);
    assert_eq!(route.outages.len(), 1);
    assert_eq!(route.outages[0].provider, SIGN);
    assert_eq!(route.outages[0].code, Some(500));
    assert_eq!(route.outages[0].since, wall(10));
}

#[test]
fn three_passing_failures_in_a_row_move_on_and_a_live_spell_forgives_them() {
    let mut c = chain(&[SIGN, WS]);
    assert!(!fail(&mut c, Verdict::Retry, 1).switched);
    assert!(!fail(&mut c, Verdict::Retry, 2).switched);
    c.on_live();
    assert!(c.route().outages.is_empty(), "live again: no outage");
    assert!(!fail(&mut c, Verdict::Retry, 3).switched);
    assert!(!fail(&mut c, Verdict::Retry, 4).switched);
    let third = fail(&mut c, Verdict::Retry, 5);
    assert!(third.switched && third.provider == 1);
}

#[test]
fn the_outage_keeps_its_first_time_and_says_what_happens_now() {
    let mut c = chain(&[SIGN, WS]);
    c.on_failure(
        Verdict::Retry,
        FailureKind::TiktokUnreachable,
        None,
        secs(1),
        wall(1),
    );
    fail(&mut c, Verdict::Switch, 2);
    let outage = &c.route().outages[0];
    assert_eq!(outage.since, wall(1));
    assert_eq!(
        (outage.kind, outage.code),
        (FailureKind::ProviderDown, Some(500))
    );
}

#[test]
fn a_refused_key_is_never_tried_again_and_a_lone_one_is_stuck() {
    let mut c = chain(&[SIGN, WS]);
    let next = fail(&mut c, Verdict::Dead, 1);
    assert!(next.switched);
    assert_eq!(c.next_probe_at(), None, "a dead provider is not probed");
    // The WebSocket fails three times: the chain cannot go back to the refused one.
    fail(&mut c, Verdict::Retry, 2);
    fail(&mut c, Verdict::Retry, 3);
    let next = fail(&mut c, Verdict::Retry, 4);
    assert!(
        next.stuck && !next.switched && next.provider == 1,
        "{next:?}"
    );
    let mut lone = chain(&[SIGN]);
    let next = fail(&mut lone, Verdict::Dead, 1);
    assert!(next.stuck);
    assert!(lone.all_dead());
}

#[test]
fn a_rate_limit_benches_the_provider_and_says_how_long_when_nothing_else_is_left() {
    let mut c = chain(&[SIGN, WS]);
    let next = fail(&mut c, Verdict::Wait(secs(182)), 100);
    assert!(next.switched && next.provider == 1 && next.wait.is_none());
    // The sign server is not probed before its wait is over.
    assert_eq!(c.probe_due(secs(150)), None);
    assert!(c.next_probe_at().unwrap() >= secs(282));
    assert_eq!(c.probe_due(secs(282)), Some(0));

    let mut lone = chain(&[SIGN]);
    let next = fail(&mut lone, Verdict::Wait(secs(182)), 100);
    assert_eq!(next.wait, Some(secs(182)));
    assert!(next.stuck);
    assert!(!lone.all_dead());
}

#[test]
fn the_preferred_provider_is_probed_with_backoff_and_taken_back_when_it_recovers() {
    let policy = ChainPolicy::default();
    let mut c = chain(&[SIGN, WS]);
    fail(&mut c, Verdict::Switch, 0);
    c.on_live();
    let first = policy.probe.base_delay(0);
    assert_eq!(c.next_probe_at(), Some(first));
    assert_eq!(c.probe_due(first - secs(1)), None, "never before it is due");
    assert_eq!(c.probe_due(first), Some(0));
    // Each failed probe waits twice as long as the one before.
    let mut at = first;
    let mut gaps = Vec::new();
    for _ in 0..4 {
        c.on_probe_failed(0, Verdict::Switch, at);
        let next = c.next_probe_at().unwrap();
        gaps.push(next - at);
        at = next;
    }
    assert_eq!(gaps, [secs(60), secs(120), secs(240), secs(480)]);
    c.on_probe_failed(0, Verdict::Switch, at);
    assert_eq!(c.next_probe_at().unwrap() - at, policy.probe.max, "capped");
    // It answers again: back to it, the outage is gone.
    c.on_probe_ok(0, at);
    assert_eq!(c.current_kind(), SIGN);
    assert!(c.route().outages.is_empty());
    assert_eq!(
        c.next_probe_at(),
        None,
        "the WebSocket is not preferred: no probe"
    );
}

#[test]
fn only_providers_preferred_over_the_current_one_are_probed() {
    let mut c = chain(&[SIGN, WS, CUSTOM]);
    fail(&mut c, Verdict::Switch, 0);
    fail(&mut c, Verdict::Switch, 1);
    assert_eq!(c.current_kind(), CUSTOM);
    assert_eq!(c.route().outages.len(), 2);
    let due = c.next_probe_at().unwrap();
    assert_eq!(
        c.probe_due(due + secs(5)),
        Some(0),
        "the most preferred first"
    );
}

#[test]
fn a_circle_of_failing_providers_backs_off_instead_of_spinning() {
    let mut c = chain(&[SIGN, WS]);
    let first = fail(&mut c, Verdict::Switch, 0);
    assert!(
        first.fresh,
        "a provider that has not failed is tried at once"
    );
    let back = fail(&mut c, Verdict::Switch, 1);
    assert!(back.switched && back.provider == 0);
    assert!(
        !back.fresh,
        "the sign server is still failing: the caller backs off"
    );
}

#[test]
fn renewal_and_failures_that_are_not_the_provider_s_change_nothing() {
    let mut c = chain(&[SIGN, WS]);
    for verdict in [Verdict::Renew, Verdict::NotProvider] {
        let next = fail(&mut c, verdict, 1);
        assert!(!next.switched && !next.stuck && next.provider == 0);
    }
    assert!(c.route().outages.is_empty());
    assert_eq!(
        Chain::new(Vec::new(), ChainPolicy::default()).current_kind(),
        SIGN
    );
}
