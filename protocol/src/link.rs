//! The terminal link: messages between the gateway and the bridge DLL on `GET /terminal` (WebSocket).
//!
//! The DLL connects with `Authorization: Bearer <auth_token>` and sends [`BridgeMessage::Hello`]. The gateway checks
//! the token with the console and answers [`GatewayMessage::Welcome`] or [`GatewayMessage::Refused`]. Then:
//!
//! - the gateway sends [`GatewayMessage::Request`] with an absolute deadline;
//! - the DLL answers [`BridgeMessage::Taken`] when the EA claims it (from then on its outcome can be unknown), and
//!   [`BridgeMessage::Reply`] when the EA answers; a request still queued at its deadline is answered `not_executed`
//!   by the DLL and never handed to the EA;
//! - when a link drops, the DLL removes every request of that link still queued (never claimed) and reports them in
//!   the next hello's `discarded` list, until a welcome acknowledges it: the gateway's proof that they never ran.
//!   Claimed requests stay claimed; their `taken` and replies go out on the next link;
//! - a reply longer than the welcome's `max_message_bytes` is never sent: the DLL answers that request
//!   `payload_too_large` instead, so no reply can close the link;
//! - the DLL pushes [`BridgeMessage::Event`]s (ticks, trades, account) with its own increasing `seq`;
//! - both sides send [`BridgeMessage::Heartbeat`] / [`GatewayMessage::Heartbeat`] so a dead link is noticed.
//!
//! Every message is one JSON text frame, tagged by `type`. The version in the hello must match [`LINK_VERSION`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ErrorObject;
use crate::methods::streaming::StreamSpec;
use crate::types::{Capability, TerminalIdentity, TimeMs};

/// Version of the link messages. The gateway refuses a hello with another version.
///
/// Version 2 added `max_message_bytes` to [`GatewayMessage::Welcome`] and `discarded` to [`BridgeMessage::Hello`]; a
/// version 1 bridge would refuse that welcome as unreadable and relink forever, so the gateway refuses it in the hello
/// instead, saying why. Version 3 added `streams` to [`GatewayMessage::Interest`] (the clients' demand, which the EA
/// serves), which a version 2 bridge would refuse in the same way.
pub const LINK_VERSION: u32 = 3;

/// Default of the largest link message either side accepts, in bytes (16 MiB).
///
/// Sized for the largest documented reply with room to spare: 10,000 history orders with long comments and
/// `client_id`s come to about 7 MB, 10,000 candles to about 1.4 MB. The gateway may be configured otherwise and says
/// its limit in the welcome.
pub const DEFAULT_LINK_MAX_MESSAGE_BYTES: u64 = 16 << 20;

/// A message from the bridge DLL to the gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BridgeMessage {
    /// First message: who the terminal is and what it can do.
    #[schemars(title = "BridgeHello")]
    Hello {
        /// [`LINK_VERSION`] of the DLL.
        link_version: u32,
        /// Version of the bridge DLL.
        bridge_version: String,
        /// The terminal.
        terminal: TerminalIdentity,
        /// What it supports.
        capabilities: Vec<Capability>,
        /// Requests of earlier links that were still queued when their link dropped: removed by the DLL, never
        /// handed to the EA, and never answered otherwise. Repeated in every hello until a welcome follows one.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        discarded: Vec<Discarded>,
    },
    /// The EA claimed the request: from now on a silence means "outcome unknown".
    #[schemars(title = "BridgeTaken")]
    Taken {
        /// Request id.
        id: u64,
    },
    /// The answer to a request.
    #[schemars(title = "BridgeReply")]
    Reply {
        /// Request id.
        id: u64,
        /// For trading calls: the call's `client_id`, so that a gateway that restarted can still file a late outcome.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        /// The method that was answered.
        method: String,
        /// The result, when it succeeded (already checked against the method's result type by the DLL).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<Value>,
        /// The error, when it failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<ErrorObject>,
    },
    /// Something happened in the terminal.
    #[schemars(title = "BridgeEvent")]
    Event {
        /// Per-link sequence number, counting up by one; a jump means events were dropped in the DLL.
        seq: u64,
        /// The notification name it becomes (`quote`, `tick`, `position_updated`, ...).
        name: String,
        /// The notification's `data`.
        data: Value,
    },
    /// Keep-alive.
    #[schemars(title = "BridgeHeartbeat")]
    Heartbeat {
        /// The DLL's clock.
        time: TimeMs,
    },
}

/// A request the DLL removed unexecuted because the link it came on dropped before the EA claimed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Discarded {
    /// The request's id on its (earlier) link.
    pub id: u64,
    /// For trading calls: the call's `client_id`, so that any gateway, a restarted one too, can file the proof.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// A message from the gateway to the bridge DLL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum GatewayMessage {
    /// The hello was accepted; requests follow.
    #[schemars(title = "GatewayWelcome")]
    Welcome {
        /// The gateway's version.
        gateway_version: String,
        /// Send a heartbeat at least this often.
        heartbeat_ms: u64,
        /// The largest message the gateway reads on this link, in bytes. The bridge answers a request whose reply
        /// would be larger with `payload_too_large` instead of sending it (a bigger message would close the link).
        /// Absent: [`DEFAULT_LINK_MAX_MESSAGE_BYTES`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_message_bytes: Option<u64>,
    },
    /// The link is refused (bad token, version mismatch, another terminal already linked); it closes next.
    #[schemars(title = "GatewayRefused")]
    Refused {
        /// Why.
        error: ErrorObject,
    },
    /// A client request for the EA.
    #[schemars(title = "GatewayRequest")]
    Request {
        /// Request id, unique on this link.
        id: u64,
        /// Method name.
        method: String,
        /// Params, already decoded and validated by the gateway.
        params: Value,
        /// After this time (UTC) the request must not be started.
        deadline: TimeMs,
    },
    /// Stream interest changed: the DLL forwards market events only for these symbols, and hands the streams to the
    /// EA (`mtb_demand`) so it serves exactly what clients asked for.
    #[schemars(title = "GatewayInterest")]
    Interest {
        /// Symbols with quote, tick, candle or book subscribers.
        symbols: Vec<String>,
        /// Every distinct stream the token's clients subscribed to, in a stable order.
        #[serde(default)]
        streams: Vec<StreamSpec>,
    },
    /// Keep-alive.
    #[schemars(title = "GatewayHeartbeat")]
    Heartbeat {
        /// The gateway's clock.
        time: TimeMs,
    },
}
