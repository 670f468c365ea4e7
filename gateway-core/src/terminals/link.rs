//! One linked terminal: its identity, the requests waiting for it, and the deadline rules of a call.
//!
//! A request is `Queued` in the gateway until the link's writer hands it to the socket (`Written`), then `Taken`
//! once the bridge says so, until it replies. `not_executed` is said only where it is proven: the request never
//! left the gateway, or the bridge said so (its answer for a request still queued at its deadline, or a hello that
//! lists it as discarded). A trading call written to the link and not answered, whether the link dropped or the reply
//! timeout passed, is `outcome_unknown`, and a late reply or discard settles it in the trade store. Reads have nothing
//! to be unknown about: one not taken by its pickup deadline, or whose link drops before it is taken, is
//! `not_executed` (retry it).

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
    /// Handed to the socket: from now on only the bridge can prove it did not run.
    written: bool,
    taken: bool,
    trading: bool,
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
    last_heard: Mutex<Instant>,
    deadlines: Deadlines,
    /// Cancelled when the link must close (replaced, revoked, shut down or dead).
    pub closed: CancellationToken,
}

/// A reply that no call waits for any more: a trading call's late outcome.
#[derive(Debug)]
pub struct LateReply {
    /// The request it answers.
    pub id: u64,
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

    /// Asks the terminal and waits for its answer under the deadline rules. `trading` calls are never said to be
    /// `not_executed` on the strength of a timer or a dropped link once they were written.
    pub async fn call(&self, method: &str, params: Value, trading: bool, client_id: Option<&str>) -> Answer {
        self.call_as(next_request_id(), method, params, trading, client_id).await
    }

    /// [`Link::call`] with an id from [`next_request_id`] the caller chose (and filed with its trade record).
    pub async fn call_as(
        &self,
        id: u64,
        method: &str,
        params: Value,
        trading: bool,
        client_id: Option<&str>,
    ) -> Answer {
        if self.closed.is_cancelled() {
            return Err(ErrorObject::of(ErrorKind::TerminalOffline));
        }
        let (answer, mut receiver) = oneshot::channel();
        let started = Instant::now();
        let deadline = now_ms() + i64::try_from(self.deadlines.pickup.as_millis()).unwrap_or(i64::MAX);
        let entry = Pending { written: false, taken: false, trading, client_id: client_id.map(str::to_owned), answer };
        self.pending().insert(id, entry);
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
            match pending.get(&id) {
                Some(entry) if !entry.written => {
                    // Removed, so the writer will not send it: proven.
                    pending.remove(&id);
                    return Err(ErrorObject::new(
                        ErrorKind::NotExecuted,
                        "the request could not be sent to the terminal before its deadline; it was not executed",
                    ));
                }
                Some(entry) if !entry.taken && !entry.trading => {
                    pending.remove(&id);
                    return Err(ErrorObject::new(
                        ErrorKind::NotExecuted,
                        "the terminal did not take the request before its deadline; it was not executed",
                    ));
                }
                // A trading call waits for the bridge's word: `taken`, or its own `not_executed` at the deadline.
                _ => {}
            }
        }
        let reply_by = started + self.deadlines.reply.max(self.deadlines.pickup + self.deadlines.slack);
        match tokio::time::timeout_at(reply_by.into(), &mut receiver).await {
            Ok(answer) => answer.unwrap_or_else(|_| Err(unknown("the link closed"))),
            Err(_) => {
                let taken = self.pending().remove(&id).is_some_and(|entry| entry.taken);
                Err(if taken {
                    unknown("the terminal took the request and did not answer in time")
                } else {
                    unknown("the terminal neither took nor refused the request in time")
                })
            }
        }
    }

    /// The writer is about to hand request `id` to the socket. `false` when its call has already ended (answered
    /// `not_executed` at its deadline, or failed with the link): then it must not be sent.
    pub fn writing(&self, id: u64) -> bool {
        match self.pending().get_mut(&id) {
            Some(entry) => {
                entry.written = true;
                true
            }
            None => false,
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
                Err(answer) => entry.client_id.or(client_id).map(|client_id| LateReply { id, client_id, answer }),
            },
            None => client_id.map(|client_id| LateReply { id, client_id, answer }),
        }
    }

    /// Fails every waiting call when the link ends. Only what never left the gateway is proven `not_executed` (and
    /// reads not yet taken); a trading call written to the link is `outcome_unknown` until the bridge's next hello
    /// lists it as discarded or its late reply arrives.
    pub fn fail_all(&self, why: &str) {
        let drained: Vec<Pending> = self.pending().drain().map(|(_, entry)| entry).collect();
        for entry in drained {
            let error = if !entry.written {
                ErrorObject::new(ErrorKind::NotExecuted, format!("{why} before the request was sent to the terminal"))
            } else if entry.taken || entry.trading {
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
        format!("{why}; the request had reached the terminal's link, so it may or may not have been executed"),
    )
}

/// A request id never used before by this or an earlier gateway process on this machine, on any link: a reply or
/// discard the DLL kept from an earlier link must never be mistaken for one of a newer request, and trade records
/// are settled by it. Ids count up from the clock in microseconds at the first call, which moves faster than the
/// gateway issues ids.
pub fn next_request_id() -> u64 {
    static NEXT: std::sync::OnceLock<AtomicU64> = std::sync::OnceLock::new();
    let next = NEXT.get_or_init(|| {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        AtomicU64::new(now.map_or(1, |elapsed| elapsed.as_micros() as u64))
    });
    next.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use metaapi_protocol::types::{MarginMode, Platform};
    use serde_json::json;

    fn link(deadlines: Deadlines) -> (Arc<Link>, mpsc::Receiver<GatewayMessage>) {
        let (outbound, queue) = mpsc::channel(16);
        let identity = TerminalIdentity {
            platform: Platform::Mt5,
            build: 4000,
            company: "Test Broker".into(),
            server: "Test-Demo".into(),
            login: 1,
            account_name: "Trader".into(),
            currency: "USD".into(),
            margin_mode: MarginMode::Hedging,
        };
        let link = Link::new(1, "tok".into(), "term".into(), identity, Vec::new(), "test".into(), outbound, deadlines);
        (Arc::new(link), queue)
    }

    fn long() -> Deadlines {
        Deadlines { pickup: Duration::from_secs(60), slack: Duration::ZERO, reply: Duration::from_secs(60) }
    }

    /// Starts a call on its own task and waits until its request is queued for the writer; returns its id.
    async fn start(
        link: &Arc<Link>,
        queue: &mut mpsc::Receiver<GatewayMessage>,
        trading: bool,
    ) -> (u64, tokio::task::JoinHandle<Answer>) {
        let caller = link.clone();
        let task = tokio::spawn(async move { caller.call("place_order", json!({}), trading, Some("c1")).await });
        let Some(GatewayMessage::Request { id, .. }) = queue.recv().await else { panic!("a request") };
        (id, task)
    }

    #[tokio::test]
    async fn a_drop_proves_not_executed_only_for_what_was_never_written() {
        let (link, mut queue) = link(long());
        let (unwritten, never_sent) = start(&link, &mut queue, true).await;
        let (written, trade) = start(&link, &mut queue, true).await;
        let (read_id, read) = start(&link, &mut queue, false).await;
        let (taken_id, taken_read) = start(&link, &mut queue, false).await;
        assert!(link.writing(written) && link.writing(read_id) && link.writing(taken_id));
        link.taken(taken_id);
        link.fail_all("the terminal link dropped");
        assert_eq!(never_sent.await.unwrap().unwrap_err().kind(), ErrorKind::NotExecuted);
        assert_eq!(trade.await.unwrap().unwrap_err().kind(), ErrorKind::OutcomeUnknown);
        assert_eq!(read.await.unwrap().unwrap_err().kind(), ErrorKind::NotExecuted);
        assert_eq!(taken_read.await.unwrap().unwrap_err().kind(), ErrorKind::OutcomeUnknown);
        // The writer gets to the first request only now: its call has ended, so it must not go out.
        assert!(!link.writing(unwritten));
    }

    #[tokio::test]
    async fn a_trading_call_past_its_pickup_deadline_waits_for_the_bridge() {
        let deadlines =
            Deadlines { pickup: Duration::from_millis(50), slack: Duration::ZERO, reply: Duration::from_secs(60) };
        let (link, mut queue) = link(deadlines);
        // Never written: proven at the deadline, and the writer skips it afterwards.
        let (stuck, call) = start(&link, &mut queue, true).await;
        assert_eq!(call.await.unwrap().unwrap_err().kind(), ErrorKind::NotExecuted);
        assert!(!link.writing(stuck));
        // Written and not taken: the deadline alone proves nothing, so the call still waits for the bridge's word.
        let (id, call) = start(&link, &mut queue, true).await;
        assert!(link.writing(id));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!call.is_finished(), "a written trading call must not end at its pickup deadline");
        assert_eq!(link.in_flight(), 1);
        let refused = ErrorObject::new(ErrorKind::NotExecuted, "deadline passed while queued in the terminal");
        assert!(link.reply(id, Some("c1".into()), Err(refused)).is_none());
        assert_eq!(call.await.unwrap().unwrap_err().kind(), ErrorKind::NotExecuted);
    }

    #[tokio::test]
    async fn a_reply_nobody_waits_for_is_handed_back_with_its_request_id() {
        let (link, _queue) = link(long());
        let late = link.reply(77, Some("c9".into()), Ok(json!({ "retcode": 10009 }))).expect("a late reply");
        assert_eq!((late.id, late.client_id.as_str()), (77, "c9"));
        assert!(link.reply(78, None, Ok(json!({}))).is_none(), "a read's reply has nothing to file");
        assert!(next_request_id() < next_request_id(), "ids count up");
    }
}
