//! The request side of a session, the counterpart of the outbox: the gateway's requests waiting for the EA
//! (`Queued`), claimed and being answered (`Taken`), the event builders the EA has begun (`Draft`), and turning each
//! into the message the gateway gets. No locking here; the session keeps an `Inbox` beside its `Outbox` inside its
//! one mutex, and decides whom to wake.

use std::collections::{HashMap, VecDeque};

use metaapi_protocol::link::{BridgeMessage, Discarded};
use metaapi_protocol::{ErrorKind, ErrorObject, ParamsError, Route};
use serde_json::{Map, Value, json};

use crate::outbox::Outbox;
use crate::registry::{self, MethodEntry};
use crate::status::{BridgeError, BridgeResult};

/// Most requests waiting for the EA; more are answered `overloaded` at once.
pub const REQUEST_QUEUE_CAP: usize = 1024;
/// Most open builders (claimed requests plus begun events).
pub const DRAFT_CAP: usize = 4096;

/// What happened to the gateway's requests, for `mtb_status`.
#[derive(Default)]
pub struct RequestCounters {
    /// Requests the gateway sent.
    pub requests_received: u64,
    /// Requests answered at once (unknown method, past deadline, bad params, queue full).
    pub requests_rejected: u64,
    /// Requests answered `not_executed` because their deadline passed in the queue or the session stopped.
    pub requests_expired: u64,
    /// Requests removed unclaimed because their link dropped (reported in the next hello).
    pub requests_discarded: u64,
    /// Requests the EA claimed.
    pub requests_taken: u64,
    /// Replies sent, errors included.
    pub replies: u64,
    /// Replies that failed the check against the method's result type.
    pub replies_invalid: u64,
}

struct Queued {
    id: i64,
    gateway_id: u64,
    method: &'static MethodEntry,
    params: Value,
    deadline: i64,
}

/// A request the EA claimed and has not answered yet.
pub struct Taken {
    gateway_id: u64,
    method: &'static MethodEntry,
    params: Value,
    reply: Value,
}

/// An event the EA has begun and not sent yet.
pub struct Draft {
    /// The terminal event name.
    pub name: String,
    /// The event data built so far.
    pub data: Value,
}

/// A request from the gateway, its method looked up and its params decoded, ready to be filed.
pub struct Incoming<'a> {
    gateway_id: u64,
    method: &'a str,
    decoded: Option<(&'static MethodEntry, Result<Value, ParamsError>)>,
    deadline: i64,
}

impl<'a> Incoming<'a> {
    /// Looks the method up and decodes its params; the session does this before taking its lock.
    pub fn decode(gateway_id: u64, method: &'a str, params: Value, deadline: i64) -> Incoming<'a> {
        let decoded = registry::method(method).map(|entry| (entry, (entry.normalize_params)(params)));
        Incoming { gateway_id, method, decoded, deadline }
    }
}

/// A request the EA just claimed.
pub struct Claimed {
    /// What the EA's `copy` returned for the method name.
    pub length: i32,
    /// The id the EA answers it by.
    pub id: i64,
    /// Whether the method trades.
    pub trading: bool,
}

/// The requests and builders of one session.
#[derive(Default)]
pub struct Inbox {
    /// Shared by claimed requests and begun events, so an id names exactly one builder.
    next_id: i64,
    queued: VecDeque<Queued>,
    taken: HashMap<i64, Taken>,
    drafts: HashMap<i64, Draft>,
    counters: RequestCounters,
}

impl Inbox {
    /// Files a request from the gateway: queued for the EA (returns true), or answered at once into `outbox` (unknown
    /// method, past deadline, bad params, queue full; returns false). `now` is UTC milliseconds, read by the caller.
    pub fn file(&mut self, outbox: &mut Outbox, incoming: Incoming<'_>, now: i64) -> bool {
        self.counters.requests_received += 1;
        let Incoming { gateway_id, method, decoded, deadline } = incoming;
        let error = match decoded {
            None => ErrorObject::new(ErrorKind::MethodNotFound, format!("the bridge does not know {method}")),
            Some((entry, _)) if entry.route != Route::Terminal => {
                ErrorObject::new(ErrorKind::MethodNotFound, format!("{method} is not answered by the terminal"))
            }
            Some(_) if deadline <= now => {
                ErrorObject::new(ErrorKind::NotExecuted, "deadline passed before the terminal got it")
            }
            Some(_) if self.queued.len() >= REQUEST_QUEUE_CAP => {
                ErrorObject::new(ErrorKind::Overloaded, "the terminal's request queue is full")
            }
            Some((_, Err(error))) => error.into(),
            Some((entry, Ok(params))) => {
                self.next_id += 1;
                let id = self.next_id;
                self.queued.push_back(Queued { id, gateway_id, method: entry, params, deadline });
                return true;
            }
        };
        self.counters.requests_rejected += 1;
        outbox.push(error_reply(gateway_id, method, None, error));
        false
    }

    /// Removes expired queued requests, answering each `not_executed`. Returns how many.
    pub fn sweep(&mut self, outbox: &mut Outbox, now: i64) -> usize {
        let mut expired = 0;
        let mut index = 0;
        while index < self.queued.len() {
            if self.queued[index].deadline <= now {
                let request = self.queued.remove(index).expect("index in range");
                let error = ErrorObject::new(ErrorKind::NotExecuted, "deadline passed while queued in the terminal");
                let client_id = client_id_of(request.method, &request.params);
                let reply = error_reply(request.gateway_id, request.method.name, client_id.as_deref(), error);
                outbox.push(reply);
                self.counters.requests_expired += 1;
                expired += 1;
            } else {
                index += 1;
            }
        }
        expired
    }

    /// Answers every queued request `not_executed`: the session is stopping.
    pub fn refuse_queued(&mut self, outbox: &mut Outbox) {
        while let Some(request) = self.queued.pop_front() {
            self.counters.requests_expired += 1;
            let error = ErrorObject::new(ErrorKind::NotExecuted, "the terminal's bridge stopped before taking it");
            let client_id = client_id_of(request.method, &request.params);
            let reply = error_reply(request.gateway_id, request.method.name, client_id.as_deref(), error);
            outbox.push(reply);
        }
    }

    /// Removes every queued request: the link they came on dropped. The EA never sees them, and the gateway learns
    /// of each from the next hello, which is its proof that they did not run.
    pub fn discard_queued(&mut self) -> Vec<Discarded> {
        let discarded: Vec<Discarded> = self
            .queued
            .drain(..)
            .map(|request| Discarded {
                id: request.gateway_id,
                client_id: client_id_of(request.method, &request.params),
            })
            .collect();
        self.counters.requests_discarded += discarded.len() as u64;
        discarded
    }

    /// Whether a request waits for the EA.
    pub fn has_queued(&self) -> bool {
        !self.queued.is_empty()
    }

    /// Sweeps requests expired by `now`, then claims the oldest queued one if `copy` accepts its method name,
    /// queueing its `taken` notice. On an error from `copy` (buffer too small) the request stays queued. `None` when
    /// none was queued. Expired replies and the notice only wait in `outbox`: the caller decides whether to wake the
    /// link.
    pub fn claim(
        &mut self,
        outbox: &mut Outbox,
        now: i64,
        copy: impl FnOnce(&str) -> BridgeResult<i32>,
    ) -> BridgeResult<Option<Claimed>> {
        self.sweep(outbox, now);
        self.check_open()?;
        let Some(front) = self.queued.front() else {
            return Ok(None);
        };
        let length = copy(front.method.name)?;
        let request = self.queued.pop_front().expect("front exists");
        self.counters.requests_taken += 1;
        outbox.push(BridgeMessage::Taken { id: request.gateway_id });
        let trading = request.method.trading;
        let taken =
            Taken { gateway_id: request.gateway_id, method: request.method, params: request.params, reply: json!({}) };
        self.taken.insert(request.id, taken);
        Ok(Some(Claimed { length, id: request.id, trading }))
    }

    /// A claimed request's params.
    pub fn params(&self, id: i64) -> BridgeResult<&Value> {
        self.taken.get(&id).map(|taken| &taken.params).ok_or_else(|| not_claimed(id))
    }

    /// The value being built for a claimed request's reply or a begun event.
    pub fn builder(&mut self, id: i64) -> BridgeResult<&mut Value> {
        if let Some(taken) = self.taken.get_mut(&id) {
            return Ok(&mut taken.reply);
        }
        if let Some(draft) = self.drafts.get_mut(&id) {
            return Ok(&mut draft.data);
        }
        Err(BridgeError::NotFound(format!("id {id} is neither a claimed request nor a begun event")))
    }

    /// Takes a claimed request out to be answered.
    pub fn take(&mut self, id: i64) -> BridgeResult<Taken> {
        self.taken.remove(&id).ok_or_else(|| not_claimed(id))
    }

    /// Counts a reply made by [`Taken::answer`] (`valid` when it passed the check) and queues it.
    pub fn record_reply(&mut self, outbox: &mut Outbox, message: BridgeMessage, valid: bool) {
        if valid {
            self.counters.replies += 1;
        } else {
            self.counters.replies_invalid += 1;
        }
        outbox.push(message);
    }

    /// Answers a claimed request with an error.
    pub fn reply_error(&mut self, outbox: &mut Outbox, id: i64, error: ErrorObject) -> BridgeResult<()> {
        let taken = self.take(id)?;
        let client_id = client_id_of(taken.method, &taken.params);
        self.counters.replies += 1;
        let message = error_reply(taken.gateway_id, taken.method.name, client_id.as_deref(), error);
        outbox.push(message);
        Ok(())
    }

    /// Opens an event builder; the caller has checked that `name` is a terminal event.
    pub fn begin_event(&mut self, name: &str) -> BridgeResult<i64> {
        self.check_open()?;
        self.next_id += 1;
        let id = self.next_id;
        self.drafts.insert(id, Draft { name: name.to_owned(), data: Value::Object(Map::new()) });
        Ok(id)
    }

    /// Takes a begun event out to be sent.
    pub fn take_event(&mut self, id: i64) -> BridgeResult<Draft> {
        self.drafts.remove(&id).ok_or_else(|| BridgeError::NotFound(format!("id {id} is not a begun event")))
    }

    /// Requests waiting for the EA.
    pub fn queued(&self) -> usize {
        self.queued.len()
    }

    /// Requests claimed and not answered.
    pub fn taken(&self) -> usize {
        self.taken.len()
    }

    /// Events begun and not sent.
    pub fn open_events(&self) -> usize {
        self.drafts.len()
    }

    /// The request counters.
    pub fn counters(&self) -> &RequestCounters {
        &self.counters
    }

    fn check_open(&self) -> BridgeResult<()> {
        if self.taken.len() + self.drafts.len() >= DRAFT_CAP {
            return Err(BridgeError::QueueFull(format!("{DRAFT_CAP} requests and events are open; finish some")));
        }
        Ok(())
    }
}

impl Taken {
    /// Checks the reply (the JSON text given to `mtb_reply_json`, or else the built one) against the method's result
    /// type and makes the message for the gateway. A bad result is answered `invalid_terminal_reply` to the client,
    /// and the error returned beside it names the field. Needs no lock: the session calls it with its lock released.
    pub fn answer(self, given: Option<&str>) -> (BridgeMessage, BridgeResult<()>) {
        let method = self.method;
        let client_id = client_id_of(method, &self.params);
        let checked = match given {
            Some(text) => (method.check_result_text)(text),
            None => (method.check_result)(&self.reply),
        };
        match checked {
            Ok(result) => {
                let message = BridgeMessage::Reply {
                    id: self.gateway_id,
                    client_id,
                    method: method.name.to_owned(),
                    result: Some(result),
                    error: None,
                };
                (message, Ok(()))
            }
            Err(field_error) => {
                let mut error = ErrorObject::new(
                    ErrorKind::InvalidTerminalReply,
                    format!("the terminal's reply to {} is invalid: {field_error}", method.name),
                );
                if let Some(data) = error.data.as_mut() {
                    data.field = (!field_error.field.is_empty()).then(|| field_error.field.clone());
                }
                let message = error_reply(self.gateway_id, method.name, client_id.as_deref(), error);
                (message, Err(BridgeError::InvalidReply(format!("{}: {field_error}", method.name))))
            }
        }
    }
}

fn not_claimed(id: i64) -> BridgeError {
    BridgeError::NotFound(format!("request {id} is not claimed (unknown, not yet taken, or already answered)"))
}

fn client_id_of(method: &MethodEntry, params: &Value) -> Option<String> {
    if !method.trading {
        return None;
    }
    params.get("client_id").and_then(Value::as_str).map(str::to_owned)
}

/// What goes out instead of `message` when its text (`length` bytes) is longer than the link's `limit`: for a reply,
/// a `payload_too_large` error answering the same request, so the client learns to ask for less and the link stays
/// up (the gateway closes a link on a message over its limit); `None` for anything else, which is dropped (an event
/// that large is a bug in the EA; its `seq` shows up as a gap).
pub fn oversized(message: &BridgeMessage, length: usize, limit: usize) -> Option<BridgeMessage> {
    let BridgeMessage::Reply { id, client_id, method, .. } = message else {
        return None;
    };
    let error = ErrorObject::new(
        ErrorKind::PayloadTooLarge,
        format!(
            "the reply to {method} is {length} bytes, more than the terminal link carries ({limit} bytes); ask for \
             less: a smaller count or limit, or a narrower range, and continue from has_more"
        ),
    );
    Some(error_reply(*id, method, client_id.as_deref(), error))
}

fn error_reply(id: u64, method: &str, client_id: Option<&str>, error: ErrorObject) -> BridgeMessage {
    BridgeMessage::Reply {
        id,
        client_id: client_id.map(str::to_owned),
        method: method.to_owned(),
        result: None,
        error: Some(error.with_client_id(client_id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oversized_reply_becomes_a_payload_too_large_answer_to_the_same_request() {
        let reply = BridgeMessage::Reply {
            id: 7,
            client_id: Some("c-1".into()),
            method: "get_candles".into(),
            result: Some(json!({"candles": []})),
            error: None,
        };
        let Some(BridgeMessage::Reply { id, client_id, method, result, error }) = oversized(&reply, 2_000_000, 1 << 20)
        else {
            panic!("a reply is replaced, not dropped");
        };
        assert_eq!((id, client_id.as_deref(), method.as_str(), result), (7, Some("c-1"), "get_candles", None));
        let error = error.expect("an error answer");
        assert_eq!(error.kind(), ErrorKind::PayloadTooLarge);
        assert!(error.message.contains("2000000 bytes") && error.message.contains("has_more"), "{}", error.message);
        let text =
            serde_json::to_string(&BridgeMessage::Reply { id, client_id, method, result: None, error: Some(error) });
        assert!(text.unwrap().len() < 1024, "the replacement is small enough for any link");
    }

    #[test]
    fn an_oversized_event_is_dropped() {
        let event = BridgeMessage::Event { seq: 3, name: "quote".into(), data: json!({}) };
        assert!(oversized(&event, 2_000_000, 1 << 20).is_none());
    }
}
