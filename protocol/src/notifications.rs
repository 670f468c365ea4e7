//! Server-to-client notifications on `/ws`, and [`for_each_notification`]: the one list of them.
//!
//! Every notification's params carry `seq` (one counter per WebSocket connection, starting at 1, without holes unless
//! a `stream_gap` says so), the `subscription_id` that asked for it (absent for connection-level notices), and
//! `data`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::console::DenyReason;
use crate::method::NotificationVisitor;
use crate::methods::{AccountInfo, Book, Candle, Deal, Order, Position, Quote, Tick};
use crate::types::{Ticket, TimeMs, Timeframe};

/// Declares a notification type and its params struct.
macro_rules! notification {
    (
        #[doc = $summary:literal] $ty:ident, $params:ident = $name:literal, $data:ty, $source:ident
        $(($stream:ident))? $(, $coalesced:ident)?
    ) => {
        #[doc = $summary]
        #[doc = ""]
        #[doc = concat!("Wire name: `", $name, "`.")]
        #[derive(Debug)]
        pub enum $ty {}

        impl $crate::Notification for $ty {
            const NAME: &'static str = $name;
            const SUMMARY: &'static str = $summary.trim_ascii();
            const SOURCE: $crate::Source = $crate::Source::$source;
            const STREAM: Option<$crate::StreamKind> = notification!(@stream $($stream)?);
            const COALESCED: bool = notification!(@coalesced $($coalesced)?);
            type Params = $params;
            type Data = $data;
        }

        #[doc = concat!("Params of the `", $name, "` notification.")]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $params {
            /// Per-connection sequence number.
            pub seq: u64,
            /// The subscription this belongs to; absent for connection-level notices.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub subscription_id: Option<String>,
            /// The event.
            pub data: $data,
        }
    };
    (@stream) => {
        None
    };
    (@stream $stream:ident) => {
        Some($crate::StreamKind::$stream)
    };
    (@coalesced) => {
        false
    };
    (@coalesced coalesced) => {
        true
    };
}

// Each terminal event names the stream that receives it, `Terminal(Kind)`; `coalesced` marks a snapshot.
notification! {
    /// The newest quote of a subscribed symbol.
    QuoteNotification, QuoteNotice = "quote", Quote, Terminal(Quotes), coalesced
}
notification! {
    /// A tick of a subscribed symbol; every tick, in order.
    TickNotification, TickNotice = "tick", TickEvent, Terminal(Ticks)
}
notification! {
    /// A candle of a subscribed symbol changed or closed.
    CandleNotification, CandleNotice = "candle", CandleEvent, Terminal(Candles)
}
notification! {
    /// The depth of market of a subscribed symbol changed.
    BookNotification, BookNotice = "book", Book, Terminal(Book), coalesced
}
notification! {
    /// Balance, equity or margin changed.
    AccountNotification, AccountNotice = "account", AccountInfo, Terminal(Account)
}
notification! {
    /// A position was opened or changed.
    PositionUpdatedNotification, PositionUpdatedNotice = "position_updated", Position, Terminal(Trades)
}
notification! {
    /// A position was closed.
    PositionRemovedNotification, PositionRemovedNotice = "position_removed", PositionRemoved, Terminal(Trades)
}
notification! {
    /// A pending order was placed or changed.
    OrderUpdatedNotification, OrderUpdatedNotice = "order_updated", Order, Terminal(Trades)
}
notification! {
    /// A pending order was filled, cancelled or expired.
    OrderCompletedNotification, OrderCompletedNotice = "order_completed", Order, Terminal(Trades)
}
notification! {
    /// A deal was executed.
    DealAddedNotification, DealAddedNotice = "deal_added", Deal, Terminal(Trades)
}
notification! {
    /// The terminal went online or offline, or its broker connection changed.
    TerminalStatusNotification, TerminalStatusNotice = "terminal_status", TerminalStatus, Terminal(Terminal)
}
notification! {
    /// The token lost access; the connection closes right after with code 4401 (token) or 4403 (device, account).
    TokenRevokedNotification, TokenRevokedNotice = "token_revoked", TokenRevoked, Gateway
}
notification! {
    /// Events were dropped for this connection (slow reader or terminal overflow); resynchronize with `get_snapshot`.
    StreamGapNotification, StreamGapNotice = "stream_gap", StreamGap, Gateway
}
notification! {
    /// Sent when nothing else was sent for a while, so a client can tell a quiet stream from a dead one.
    HeartbeatNotification, HeartbeatNotice = "heartbeat", Heartbeat, Gateway
}

/// Walks every notification, in registry order. This is the one list of notifications.
pub fn for_each_notification<V: NotificationVisitor>(visitor: &mut V) {
    visitor.visit::<QuoteNotification>();
    visitor.visit::<TickNotification>();
    visitor.visit::<CandleNotification>();
    visitor.visit::<BookNotification>();
    visitor.visit::<AccountNotification>();
    visitor.visit::<PositionUpdatedNotification>();
    visitor.visit::<PositionRemovedNotification>();
    visitor.visit::<OrderUpdatedNotification>();
    visitor.visit::<OrderCompletedNotification>();
    visitor.visit::<DealAddedNotification>();
    visitor.visit::<TerminalStatusNotification>();
    visitor.visit::<TokenRevokedNotification>();
    visitor.visit::<StreamGapNotification>();
    visitor.visit::<HeartbeatNotification>();
}

/// Data of `tick`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TickEvent {
    /// Symbol name.
    pub symbol: String,
    /// The tick.
    pub tick: Tick,
}

/// Data of `candle`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CandleEvent {
    /// Symbol name.
    pub symbol: String,
    /// Timeframe.
    pub timeframe: Timeframe,
    /// The candle as it stands.
    pub candle: Candle,
    /// `true` once the candle's period is over and it will not change again.
    pub closed: bool,
}

/// Data of `position_removed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PositionRemoved {
    /// The closed position.
    pub ticket: Ticket,
    /// Its position id.
    pub position_id: Ticket,
    /// When, UTC.
    pub time: TimeMs,
}

/// Data of `terminal_status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TerminalStatus {
    /// The terminal is linked to the gateway.
    pub online: bool,
    /// The terminal is connected to its trade server (false while offline).
    pub broker_connected: bool,
    /// Trading is allowed.
    pub trade_allowed: bool,
    /// When this became true, UTC.
    pub time: TimeMs,
}

/// Data of `token_revoked`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TokenRevoked {
    /// Why access stopped.
    pub reason: DenyReason,
}

/// Data of `stream_gap`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StreamGap {
    /// How many notifications were dropped.
    pub dropped: u64,
    /// Why.
    pub reason: GapReason,
}

/// Why notifications were dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GapReason {
    /// This connection did not read fast enough and its bounded queue filled up.
    SlowConsumer,
    /// The terminal produced events faster than the bridge could forward them.
    TerminalOverflow,
    /// The terminal's link dropped and came back.
    TerminalRelinked,
}

/// Data of `heartbeat`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Heartbeat {
    /// The gateway's clock.
    pub time: TimeMs,
}
