//! One linked terminal: its identity, the requests waiting for it, and the deadline rules of a call.
//!
//! A request is `Queued` until the bridge says `taken`, then `Taken` until it replies. If the pickup deadline (plus a
//! small slack for a `taken` already on its way) passes while it is queued, the call fails with `not_executed`: the
//! bridge never hands a request to the EA after its deadline. A taken request that stays unanswered past the reply
//! timeout, or whose link drops, fails with `outcome_unknown`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use metaapi_protocol::link::GatewayMessage;
use metaapi_protocol::types::{Capability, TerminalIdentity};
use metaapi_protocol::{ErrorKind, ErrorObject};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::auth::now_ms;

/// What a call to the terminal ended with.
pub type Answer = Result<Value, ErrorObject>;

/// Timeouts of calls on a link.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// Until the terminal must take a request.
    pub pickup: Duration,
    /// Grace for a `taken` already sent when the pickup deadline passes.
    pub slack: Duration,
    /// Until a taken request must be answered.
    pub reply: Duration,
}

struct Pending {
    taken: bool,
    client_id: Option<String>,
    answer: oneshot::Sender<Answer>,
}

/// A terminal linked over `/terminal`.
pub struct Link {
    /// Distinguishes successive links of one token.
    pub generation: u64,
    /// The token's id.
    pub token_id: String,
    /// The terminal's console id; trade outcomes are filed under it.
    pub terminal_id: String,
    /// Who the terminal is.
    pub identity: TerminalIdentity,
    /// What it can do.
    pub capabilities: Vec<Capability>,
    /// The bridge DLL's version.
    pub bridge_version: String,
    outbound: mpsc::Sender<GatewayMessage>,
    pending: Mutex<HashMap<u64, Pending>>,
    next_id: AtomicU64,
    last_heard: Mutex<Instant>,
    deadlines: Deadlines,
    /// Cancelled when the link must close (replaced, revoked, shut down or dead).
    pub closed: CancellationToken,
}

/// A reply that no call waits for any more: a trading call's late outcome.
#[derive(Debug)]
pub struct LateReply {
    /// The call's `client_id`.
    pub client_id: String,
    /// Its outcome.
    pub answer: Answer,
}

impl Link {
    /// A link whose outbound messages go to `outbound`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        generation: u64,
        token_id: String,
        terminal_id: String,
        identity: TerminalIdentity,
        capabilities: Vec<Capability>,
        bridge_version: String,
        outbound: mpsc::Sender<GatewayMessage>,
        deadlines: Deadlines,
    ) -> Link {
        Link {
            generation,
            token_id,
            terminal_id,
            identity,
            capabilities,
            bridge_version,
            outbound,
            pending: Mutex::new(HashMap::new()),
            // Ids never repeat across relinks or gateway restarts: a reply the DLL buffered for an earlier link must
            // not be mistaken for the answer to a new request with the same number.
            next_id: AtomicU64::new(first_request_id()),
            last_heard: Mutex::new(Instant::now()),
            deadlines,
            closed: CancellationToken::new(),
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Pending>> {
        self.pending.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// Sends a message to the terminal without waiting; `false` when the queue is full or closed.
    pub fn send(&self, message: GatewayMessage) -> bool {
        self.outbound.try_send(message).is_ok()
    }

    /// Asks the terminal and waits for its answer under the deadline rules.
    pub async fn call(&self, method: &str, params: Value, client_id: Option<&str>) -> Answer {
        if self.closed.is_cancelled() {
            return Err(ErrorObject::of(ErrorKind::TerminalOffline));
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (answer, mut receiver) = oneshot::channel();
        let started = Instant::now();
        let deadline = now_ms() + i64::try_from(self.deadlines.pickup.as_millis()).unwrap_or(i64::MAX);
        self.pending().insert(id, Pending { taken: false, client_id: client_id.map(str::to_owned), answer });
        // The link may have dropped (and failed every pending call) between the check above and the insert.
        if self.closed.is_cancelled() {
            self.pending().remove(&id);
            return Err(ErrorObject::of(ErrorKind::TerminalOffline));
        }
        let request = GatewayMessage::Request { id, method: method.to_owned(), params, deadline };
        if let Err(error) = self.outbound.try_send(request) {
            self.pending().remove(&id);
            return Err(match error {
                mpsc::error::TrySendError::Full(_) => {
                    ErrorObject::new(ErrorKind::Overloaded, "the terminal's request queue is full")
                }
                mpsc::error::TrySendError::Closed(_) => ErrorObject::of(ErrorKind::TerminalOffline),
            });
        }
        let pickup_by = started + self.deadlines.pickup + self.deadlines.slack;
        if let Ok(answer) = tokio::time::timeout_at(pickup_by.into(), &mut receiver).await {
            return answer.unwrap_or_else(|_| Err(unknown("the link closed")));
        }
        {
            let mut pending = self.pending();
            if pending.get(&id).is_some_and(|entry| !entry.taken) {
                pending.remove(&id);
                return Err(ErrorObject::new(
                    ErrorKind::NotExecuted,
                    "the terminal did not take the request before its deadline; it was not executed",
                ));
            }
        }
        let reply_by = started + self.deadlines.reply.max(self.deadlines.pickup + self.deadlines.slack);
        match tokio::time::timeout_at(reply_by.into(), &mut receiver).await {
            Ok(answer) => answer.unwrap_or_else(|_| Err(unknown("the link closed"))),
            Err(_) => {
                self.pending().remove(&id);
                Err(unknown("the terminal took the request and did not answer in time"))
            }
        }
    }

    /// Notes that the terminal is alive.
    pub fn heard(&self) {
        *self.last_heard.lock().unwrap_or_else(|poison| poison.into_inner()) = Instant::now();
    }

    /// How long the terminal has been silent.
    pub fn silence(&self) -> Duration {
        self.last_heard.lock().unwrap_or_else(|poison| poison.into_inner()).elapsed()
    }

    /// The terminal claimed request `id`.
    pub fn taken(&self, id: u64) {
        if let Some(entry) = self.pending().get_mut(&id) {
            entry.taken = true;
        }
    }

    /// The terminal answered request `id`. A reply nobody waits for is handed back when it carries a `client_id`.
    pub fn reply(&self, id: u64, client_id: Option<String>, answer: Answer) -> Option<LateReply> {
        let entry = self.pending().remove(&id);
        match entry {
            Some(entry) => match entry.answer.send(answer) {
                Ok(()) => None,
                Err(answer) => entry.client_id.or(client_id).map(|client_id| LateReply { client_id, answer }),
            },
            None => client_id.map(|client_id| LateReply { client_id, answer }),
        }
    }

    /// Fails every waiting call: queued ones were never executed, taken ones have an unknown outcome.
    pub fn fail_all(&self, why: &str) {
        let drained: Vec<Pending> = self.pending().drain().map(|(_, entry)| entry).collect();
        for entry in drained {
            let error = if entry.taken {
                unknown(why)
            } else {
                ErrorObject::new(ErrorKind::NotExecuted, format!("{why} before the terminal took the request"))
            };
            // A caller that gave up already is fine.
            let _ = entry.answer.send(Err(error));
        }
    }

    /// How many calls wait for this terminal.
    pub fn in_flight(&self) -> usize {
        self.pending().len()
    }
}

fn unknown(why: &str) -> ErrorObject {
    ErrorObject::new(
        ErrorKind::OutcomeUnknown,
        format!("{why}; the terminal had taken the request, so it may or may not have been executed"),
    )
}

/// A starting request id above any id an earlier link of this or a previous gateway process used: the clock in
/// microseconds, which moves faster than a link can issue ids at startup.
fn first_request_id() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |elapsed| elapsed.as_micros() as u64)
}
