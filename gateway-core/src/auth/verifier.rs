//! The verdict cache in front of the console: one console request in flight per token, verdicts past their TTL
//! served at once while one revalidates in the background, and one log line per console outage.
//!
//! Every console request runs in its own task and is shared by everyone who needs its answer, so a hung console costs
//! a call at most the verification timeout, and only when no verdict within the grace period is cached.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use metaapi_protocol::console::{DenyReason, RevocationEvent, Verdict, VerifyRequest};
use metaapi_protocol::{ErrorKind, ErrorObject};
use subtle::ConstantTimeEq;
use tokio::sync::{broadcast, watch};

use super::{AuthEvent, Grant, check_expiry, deny_error, now_ms, token_hash};

/// Beyond this many remembered hashes (tokens refused for good, tokens that failed during an outage) the set is
/// emptied rather than grown: both are hints, and losing one costs at most one more console request.
const REMEMBER_AT_MOST: usize = 4096;

struct Cached {
    hash: [u8; 32],
    grant: Grant,
    fresh_until: Instant,
    confirmed: Instant,
}

/// What one console request settled about a token.
#[derive(Debug, Clone)]
enum Outcome {
    Allowed(Grant),
    Denied(DenyReason),
    Unreachable,
}

/// A console request in flight; everyone who needs its answer waits on `answer`.
struct Flight {
    /// The access-change epoch it was started in: an answer from before a revocation does not settle a recheck
    /// made because of it.
    epoch: u64,
    /// The revocation count when it started: an answer that crossed only resyncs is still worth keeping.
    revocations: u64,
    answer: watch::Receiver<Option<Outcome>>,
}

#[derive(Default)]
struct State {
    cache: HashMap<[u8; 32], Cached>,
    flights: HashMap<[u8; 32], Arc<Flight>>,
    /// Bumped by every access change that makes open connections ask again whether their token still works.
    epoch: u64,
    /// Bumped by the access changes that may take a token's access away (token, device, account events), not by
    /// a resync, which only says that events may have been missed.
    revocations: u64,
    /// What the console said about a token in the current epoch, so all connections of a token rechecking after one
    /// access change share one console request (4,000 WebSockets on one token used to make 4,000).
    settled: HashMap<[u8; 32], Outcome>,
    /// Tokens whose console request failed during the current outage: their calls fail at once while one
    /// background request retries, instead of each waiting for the timeout again.
    unreachable: HashSet<[u8; 32]>,
    /// Tokens the console refused for a reason that never changes (unknown, expired, deleted, replaced), for the
    /// failed-authorization limiter.
    dead: HashSet<[u8; 32]>,
    console_down: bool,
    /// While the console is down, background requests start no sooner than this after the last failure, so a
    /// console that refuses connections at once is not asked once per call.
    retry_at: Option<Instant>,
}

/// Counts for `/metrics`, which the tests read to show what waited for the console and what did not.
#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    waits: AtomicU64,
    stale_served: AtomicU64,
    outages: AtomicU64,
    fail_delays: AtomicU64,
}

/// Asks the console whether a token may be used from this device, and remembers the answers.
pub struct Verifier {
    http: reqwest::Client,
    verify_url: String,
    device_id: String,
    device_name: String,
    grace: Duration,
    timeout: Duration,
    state: Mutex<State>,
    events: broadcast::Sender<AuthEvent>,
    counters: Counters,
}

impl Verifier {
    /// A verifier for this device, asking the console at `console_url` and giving up on one request after
    /// `timeout`.
    pub fn new(
        console_url: &str,
        device_id: String,
        device_name: String,
        grace: Duration,
        timeout: Duration,
    ) -> Result<Verifier, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).no_proxy().build()?;
        Ok(Verifier {
            http,
            verify_url: format!("{}/api/v1/verify", console_url.trim_end_matches('/')),
            device_id,
            device_name,
            grace,
            timeout,
            state: Mutex::new(State::default()),
            events: broadcast::channel(256).0,
            counters: Counters::default(),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// This machine's device id.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Access changes, for open connections.
    pub fn subscribe(&self) -> broadcast::Receiver<AuthEvent> {
        self.events.subscribe()
    }

    /// Whether the console refused `token` for a reason that never changes (unknown, expired, deleted, replaced).
    ///
    /// Only the failed-authorization limiter asks: it may refuse such a token without asking the console again,
    /// and refuses nothing else, so a valid token is never locked out by someone else's failures.
    pub fn is_dead(&self, token: &str) -> bool {
        !token.is_empty() && self.state().dead.contains(&token_hash(token))
    }

    /// Whether `token` may be used now. Errors carry the deny reason as their kind.
    ///
    /// A verdict within its TTL answers at once. A verdict past its TTL but confirmed within the grace period also
    /// answers at once, and one background request revalidates it; a denial found that way reaches open connections
    /// as [`AuthEvent::Denied`]. Only a token without such a verdict waits for the console, at most the timeout.
    pub async fn check(self: &Arc<Self>, token: &str) -> Result<Grant, ErrorObject> {
        if token.is_empty() {
            return Err(ErrorObject::new(ErrorKind::TokenMissing, "Authorization: Bearer <auth_token> is required"));
        }
        let hash = token_hash(token);
        let now = Instant::now();
        let answer = {
            let mut state = self.state();
            // The map lookup compares digests; the explicit constant-time check keeps the comparison of secret
            // material free of early exits even if the map implementation changes.
            let cached = state
                .cache
                .get(&hash)
                .filter(|entry| bool::from(entry.hash.ct_eq(&hash)))
                .map(|entry| (entry.grant.clone(), entry.fresh_until, entry.confirmed));
            if let Some((grant, fresh_until, confirmed)) = cached {
                check_expiry(&grant)?;
                if now < fresh_until {
                    return Ok(grant);
                }
                if confirmed.elapsed() < self.grace {
                    self.background(&mut state, hash, token);
                    self.counters.stale_served.fetch_add(1, Ordering::Relaxed);
                    return Ok(grant);
                }
            }
            if state.console_down && state.unreachable.contains(&hash) {
                // This token already waited once during this outage; a background request keeps trying.
                self.background(&mut state, hash, token);
                return Err(unavailable());
            }
            self.flight(&mut state, hash, token)
        };
        self.counters.waits.fetch_add(1, Ordering::Relaxed);
        match wait(answer).await {
            Outcome::Allowed(grant) => {
                check_expiry(&grant)?;
                Ok(grant)
            }
            Outcome::Denied(reason) => Err(deny_error(reason)),
            Outcome::Unreachable => Err(unavailable()),
        }
    }

    /// Whether `token` lost access through the access change that was just announced ([`AuthEvent::Recheck`]).
    ///
    /// Every connection of a token asks, but the console is asked once per token and change: the first asker
    /// starts the request, the others wait for it or read its settled answer. An unreachable console takes nothing
    /// away.
    pub async fn recheck(self: &Arc<Self>, token: &str) -> Option<DenyReason> {
        if token.is_empty() {
            return Some(DenyReason::TokenUnknown);
        }
        let hash = token_hash(token);
        let answer = {
            let mut state = self.state();
            if let Some(outcome) = state.settled.get(&hash) {
                return denied(outcome);
            }
            self.flight(&mut state, hash, token)
        };
        denied(&wait(answer).await)
    }

    /// Starts a request nobody waits for, unless one is in flight or the console failed a moment ago.
    fn background(self: &Arc<Self>, state: &mut State, hash: [u8; 32], token: &str) {
        if state.console_down && state.retry_at.is_some_and(|retry_at| Instant::now() < retry_at) {
            return;
        }
        self.flight(state, hash, token);
    }

    /// The console request in flight for `hash` in this epoch, started when there is none.
    fn flight(self: &Arc<Self>, state: &mut State, hash: [u8; 32], token: &str) -> watch::Receiver<Option<Outcome>> {
        if let Some(flight) = state.flights.get(&hash).filter(|flight| flight.epoch == state.epoch) {
            return flight.answer.clone();
        }
        let (sender, answer) = watch::channel(None);
        let flight = Arc::new(Flight { epoch: state.epoch, revocations: state.revocations, answer: answer.clone() });
        state.flights.insert(hash, flight.clone());
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let verifier = self.clone();
        let token = token.to_owned();
        // Its own task: a caller that hangs up must not cancel the request everyone else waits for.
        tokio::spawn(async move {
            let asked = match tokio::time::timeout(verifier.timeout, verifier.ask(&token)).await {
                Ok(asked) => asked,
                Err(_) => Err(format!("no answer within {} ms", verifier.timeout.as_millis())),
            };
            let outcome = verifier.settle(hash, &flight, asked);
            // Nobody waiting is fine: a background revalidation.
            let _ = sender.send(Some(outcome));
        });
        answer
    }

    /// Files a console answer: the cache, the epoch's settled answers, the outage state, and the news for open
    /// connections when a cached token was refused.
    fn settle(&self, hash: [u8; 32], flight: &Arc<Flight>, asked: Result<Verdict, String>) -> Outcome {
        let mut state = self.state();
        if state.flights.get(&hash).is_some_and(|current| Arc::ptr_eq(current, flight)) {
            state.flights.remove(&hash);
        }
        let current = flight.epoch == state.epoch;
        let mut notice = None;
        let outcome = match asked {
            Ok(Verdict::Allowed { token_id, token_name, terminal_id, expires_at, cache_ttl_ms }) => {
                let grant = Grant { token_id, token_name, terminal_id, expires_at, verified_at: now_ms() };
                // An answer given before a revocation is not trusted after it: it is returned to those who asked,
                // but not cached. One that crossed only a resync is cached as a resync leaves every verdict: stale,
                // so the next call revalidates it, and usable within the grace period if the console goes away.
                // (The push channel's first resync lands while the gateway's first verifications are in flight;
                // dropping those answers left the first tokens without a verdict to survive an outage on.)
                let now = Instant::now();
                let fresh_until = if current {
                    Some(now + Duration::from_millis(cache_ttl_ms))
                } else if flight.revocations == state.revocations {
                    Some(now)
                } else {
                    None
                };
                if let Some(fresh_until) = fresh_until {
                    state.cache.insert(hash, Cached { hash, grant: grant.clone(), fresh_until, confirmed: now });
                }
                Outcome::Allowed(grant)
            }
            Ok(Verdict::Denied { reason, token_id }) => {
                let known = state.cache.remove(&hash).map(|entry| entry.grant.token_id);
                if let Some(token_id) = known.or(token_id) {
                    notice = Some(AuthEvent::Denied { token_id, reason });
                }
                if is_permanent(reason) {
                    remember(&mut state.dead, hash);
                }
                Outcome::Denied(reason)
            }
            Err(problem) => {
                if !state.console_down {
                    state.console_down = true;
                    self.counters.outages.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        %problem,
                        "console unreachable; tokens confirmed within the grace period keep working, others are \
                         refused until it answers"
                    );
                }
                remember(&mut state.unreachable, hash);
                state.retry_at = Some(Instant::now() + self.timeout);
                Outcome::Unreachable
            }
        };
        if !matches!(outcome, Outcome::Unreachable) && state.console_down {
            state.console_down = false;
            state.unreachable.clear();
            tracing::info!("console reachable again");
        }
        if current {
            if state.settled.len() >= REMEMBER_AT_MOST {
                // Guesses must not grow it without bound; a connection whose answer was dropped asks once more.
                state.settled.clear();
            }
            state.settled.insert(hash, outcome.clone());
        }
        drop(state);
        if let Some(notice) = notice {
            tracing::info!(?notice, "a cached token was refused on revalidation");
            // No receivers is fine: nobody is connected.
            let _ = self.events.send(notice);
        }
        outcome
    }

    async fn ask(&self, token: &str) -> Result<Verdict, String> {
        let body = VerifyRequest {
            token: token.to_owned(),
            device_id: self.device_id.clone(),
            device_name: self.device_name.clone(),
        };
        let response = self.http.post(&self.verify_url).json(&body).send().await.map_err(|error| {
            // reqwest errors can carry the URL but never the body, so the token cannot leak through them.
            format!("verify request failed: {error}")
        })?;
        if !response.status().is_success() {
            return Err(format!("verify answered HTTP {}", response.status()));
        }
        response.json::<Verdict>().await.map_err(|error| format!("verify answer unreadable: {error}"))
    }

    /// Applies a revocation pushed by the console.
    pub fn apply(&self, event: RevocationEvent) {
        let mut state = self.state();
        let notice = match event {
            RevocationEvent::Token { token_id, reason } => {
                state.cache.retain(|_, entry| entry.grant.token_id != token_id);
                // Answers settled or in flight from before the revocation must not let the token back in: a
                // connection that missed this event rechecks, and a request already on its way is not cached.
                next_revocation(&mut state);
                AuthEvent::Denied { token_id, reason }
            }
            // A device is registered per console account, and device and account events do not say which
            // account they concern: every token on this machine is asked about again, and only those the console
            // now refuses lose access.
            RevocationEvent::Device { device_id, .. } => {
                if device_id != self.device_id {
                    return;
                }
                state.cache.clear();
                next_revocation(&mut state);
                AuthEvent::Recheck
            }
            RevocationEvent::Account { .. } => {
                state.cache.clear();
                next_revocation(&mut state);
                AuthEvent::Recheck
            }
            // A resync (on every connect) marks verdicts stale but keeps them for the grace period.
            RevocationEvent::Resync => {
                expire(&mut state);
                next_epoch(&mut state);
                AuthEvent::Recheck
            }
        };
        drop(state);
        tracing::info!(?notice, "access change from the console");
        // No receivers is fine: nobody is connected.
        let _ = self.events.send(notice);
    }

    /// Marks every cached verdict stale, so the next check revalidates it; the grace period still applies.
    pub fn expire_all(&self) {
        expire(&mut self.state());
    }

    /// Counts a failed authorization whose answer the limiter delayed.
    pub fn count_fail_delay(&self) {
        self.counters.fail_delays.fetch_add(1, Ordering::Relaxed);
    }

    /// The verifier's lines of the `/metrics` text.
    pub fn render_metrics(&self, out: &mut String) {
        use std::fmt::Write as _;
        let counters = [
            ("console_requests_total", "Verification requests sent to the console.", &self.counters.requests),
            ("console_waits_total", "Authorizations that waited for a console answer.", &self.counters.waits),
            (
                "auth_stale_served_total",
                "Authorizations answered from a verdict past its TTL while it was revalidated in the background.",
                &self.counters.stale_served,
            ),
            ("console_outages_total", "Times the console stopped answering.", &self.counters.outages),
            (
                "auth_fail_delays_total",
                "Failed authorizations answered late because their peer is over the failure limit.",
                &self.counters.fail_delays,
            ),
        ];
        for (name, help, counter) in counters {
            let _ = writeln!(out, "# HELP metaapi_gateway_{name} {help}");
            let _ = writeln!(out, "# TYPE metaapi_gateway_{name} counter");
            let _ = writeln!(out, "metaapi_gateway_{name} {}", counter.load(Ordering::Relaxed));
        }
        let up = u8::from(!self.state().console_down);
        let _ = writeln!(out, "# HELP metaapi_gateway_console_up Whether the console answered the last request.");
        let _ = writeln!(out, "# TYPE metaapi_gateway_console_up gauge");
        let _ = writeln!(out, "metaapi_gateway_console_up {up}");
    }
}

fn unavailable() -> ErrorObject {
    ErrorObject::new(ErrorKind::AuthUnavailable, "the console cannot be reached to verify the token")
}

async fn wait(mut answer: watch::Receiver<Option<Outcome>>) -> Outcome {
    match answer.wait_for(Option::is_some).await {
        Ok(outcome) => outcome.clone().unwrap_or(Outcome::Unreachable),
        // The request's task ended without an answer (the runtime is shutting down).
        Err(_) => Outcome::Unreachable,
    }
}

fn denied(outcome: &Outcome) -> Option<DenyReason> {
    match outcome {
        Outcome::Denied(reason) => Some(*reason),
        Outcome::Allowed(grant) => check_expiry(grant).err().map(|_| DenyReason::TokenExpired),
        Outcome::Unreachable => None,
    }
}

/// Reasons a token can never recover from: a new token is a new secret.
fn is_permanent(reason: DenyReason) -> bool {
    matches!(
        reason,
        DenyReason::TokenUnknown | DenyReason::TokenExpired | DenyReason::TokenRevoked | DenyReason::TokenReplaced
    )
}

fn remember(set: &mut HashSet<[u8; 32]>, hash: [u8; 32]) {
    if set.len() >= REMEMBER_AT_MOST {
        set.clear();
    }
    set.insert(hash);
}

fn next_epoch(state: &mut State) {
    state.epoch += 1;
    state.settled.clear();
}

fn next_revocation(state: &mut State) {
    state.revocations += 1;
    next_epoch(state);
}

fn expire(state: &mut State) {
    let now = Instant::now();
    for entry in state.cache.values_mut() {
        entry.fresh_until = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unreachable_console_refuses_unknown_tokens_and_then_answers_at_once() {
        let verifier = Arc::new(
            Verifier::new(
                "http://127.0.0.1:9",
                "device".into(),
                "host".into(),
                Duration::from_secs(60),
                Duration::from_millis(500),
            )
            .unwrap(),
        );
        let error = verifier.check("mat_unknown").await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::AuthUnavailable);
        assert_eq!(verifier.counters.waits.load(Ordering::Relaxed), 1);
        // The same token again during the outage fails without waiting; a background request retries.
        let error = verifier.check("mat_unknown").await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::AuthUnavailable);
        assert_eq!(verifier.counters.waits.load(Ordering::Relaxed), 1);
        assert_eq!(verifier.counters.outages.load(Ordering::Relaxed), 1);
        assert_eq!(verifier.check("").await.unwrap_err().kind(), ErrorKind::TokenMissing);
        assert_eq!(verifier.recheck("mat_unknown").await, None, "an unreachable console takes nothing away");
    }

    fn allowed(token_id: &str) -> Verdict {
        Verdict::Allowed {
            token_id: token_id.into(),
            token_name: "t".into(),
            terminal_id: "terminal".into(),
            expires_at: None,
            cache_ttl_ms: 60_000,
        }
    }

    /// An allowed answer that was in flight across a resync is kept, stale, and carries the token through an
    /// outage; one that was in flight across a revocation is not kept.
    #[tokio::test]
    async fn an_answer_that_crossed_a_resync_is_kept_stale_and_one_that_crossed_a_revocation_is_not() {
        let verifier = Arc::new(
            Verifier::new(
                "http://127.0.0.1:9",
                "device".into(),
                "host".into(),
                Duration::from_secs(60),
                Duration::from_millis(200),
            )
            .unwrap(),
        );
        let flight_now = |verifier: &Verifier| {
            let state = verifier.state();
            Arc::new(Flight { epoch: state.epoch, revocations: state.revocations, answer: watch::channel(None).1 })
        };
        let resynced = token_hash("mat_resynced");
        let flight = flight_now(&verifier);
        verifier.apply(RevocationEvent::Resync);
        assert!(matches!(verifier.settle(resynced, &flight, Ok(allowed("tok_1"))), Outcome::Allowed(_)));
        let kept = verifier.state().cache.get(&resynced).map(|entry| entry.fresh_until <= Instant::now());
        assert_eq!(kept, Some(true), "kept, and stale so the next call revalidates it");
        // The console at port 9 never answers: the stale verdict is served within the grace period.
        let grant = verifier.check("mat_resynced").await.expect("served from the kept verdict");
        assert_eq!(grant.token_id, "tok_1");
        assert_eq!(verifier.counters.waits.load(Ordering::Relaxed), 0);

        let revoked = token_hash("mat_revoked");
        let flight = flight_now(&verifier);
        verifier.apply(RevocationEvent::Token { token_id: "tok_other".into(), reason: DenyReason::TokenRevoked });
        assert!(matches!(verifier.settle(revoked, &flight, Ok(allowed("tok_2"))), Outcome::Allowed(_)));
        assert!(!verifier.state().cache.contains_key(&revoked), "not trusted after a revocation");
    }

    #[test]
    fn only_token_reasons_are_permanent() {
        assert!(is_permanent(DenyReason::TokenRevoked));
        assert!(!is_permanent(DenyReason::DevicePending));
        assert!(!is_permanent(DenyReason::AccountDisabled));
    }

    #[test]
    fn remembered_sets_stay_bounded() {
        let mut set = HashSet::new();
        for index in 0..=REMEMBER_AT_MOST {
            let mut hash = [0u8; 32];
            hash[..8].copy_from_slice(&(index as u64).to_le_bytes());
            remember(&mut set, hash);
        }
        assert!(set.len() <= REMEMBER_AT_MOST);
    }
}
