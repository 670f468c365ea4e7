//! WebSocket subscriptions: `subscribe`, `unsubscribe`, `list_subscriptions`, `get_snapshot`.
//!
//! Events arrive as JSON-RPC notifications (see [`crate::notifications`]) whose `seq` counts up by one per
//! connection. A client that sees a gap calls `get_snapshot` and continues from its `seq`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::method::{NoParams, ParamsError, Validate};
use crate::methods::account::AccountInfo;
use crate::methods::checks::check_symbol;
use crate::methods::positions::{Order, Position};
use crate::types::Timeframe;

method! {
    /// Starts event streams on this WebSocket; quotes are coalesced per symbol for slow readers.
    Subscribe = "subscribe", Streaming, Stream, SubscribeParams => SubscribeResult
}

method! {
    /// Stops streams by subscription id.
    Unsubscribe = "unsubscribe", Streaming, Stream, UnsubscribeParams => UnsubscribeResult
}

method! {
    /// The streams active on this WebSocket.
    ListSubscriptions = "list_subscriptions", Streaming, Stream, NoParams => SubscriptionList
}

method! {
    /// Account, positions and orders as of a `seq`, to resynchronize after a gap.
    GetSnapshot = "get_snapshot", Streaming, Stream, NoParams => Snapshot
}

/// One stream to subscribe to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum StreamSpec {
    /// `quote` notifications for a symbol (coalesced: a slow reader gets the newest quote, never a backlog).
    #[schemars(title = "QuotesStream")]
    Quotes {
        /// Symbol name.
        symbol: String,
    },
    /// `tick` notifications for a symbol, every tick in order.
    #[schemars(title = "TicksStream")]
    Ticks {
        /// Symbol name.
        symbol: String,
    },
    /// `candle` notifications for a symbol and timeframe.
    #[schemars(title = "CandlesStream")]
    Candles {
        /// Symbol name.
        symbol: String,
        /// Timeframe.
        timeframe: Timeframe,
    },
    /// `book` notifications for a symbol (MT5 only).
    #[schemars(title = "BookStream")]
    Book {
        /// Symbol name.
        symbol: String,
    },
    /// `account` notifications: balance, equity and margin changes.
    #[schemars(title = "AccountStream")]
    Account,
    /// Position, order and deal notifications.
    #[schemars(title = "TradesStream")]
    Trades,
    /// `terminal_status` notifications.
    #[schemars(title = "TerminalStream")]
    Terminal,
}

impl StreamSpec {
    /// The symbol of a market-data stream.
    pub fn symbol(&self) -> Option<&str> {
        match self {
            StreamSpec::Quotes { symbol }
            | StreamSpec::Ticks { symbol }
            | StreamSpec::Candles { symbol, .. }
            | StreamSpec::Book { symbol } => Some(symbol),
            StreamSpec::Account | StreamSpec::Trades | StreamSpec::Terminal => None,
        }
    }
}

/// Params of `subscribe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscribeParams {
    /// 1 to 256 streams.
    #[schemars(length(min = 1, max = 256))]
    pub streams: Vec<StreamSpec>,
}

impl Validate for SubscribeParams {
    fn validate(&self) -> Result<(), ParamsError> {
        if self.streams.is_empty() || self.streams.len() > 256 {
            return Err(ParamsError::field("streams", "give 1 to 256 streams"));
        }
        for (index, stream) in self.streams.iter().enumerate() {
            if let Some(symbol) = stream.symbol() {
                check_symbol(&format!("streams[{index}].symbol"), symbol)?;
            }
        }
        Ok(())
    }
}

/// An active subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Subscription {
    /// Id to unsubscribe with; notifications carry it as `subscription_id`.
    pub id: String,
    /// The stream.
    pub stream: StreamSpec,
}

/// Result of `subscribe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SubscribeResult {
    /// One per requested stream, in request order. Subscribing twice to one stream returns the same id.
    pub subscriptions: Vec<Subscription>,
    /// The `seq` of the last notification sent before these streams started.
    pub seq: u64,
}

/// Params of `unsubscribe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsubscribeParams {
    /// Subscription ids from `subscribe`.
    pub subscription_ids: Vec<String>,
}

/// Result of `unsubscribe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnsubscribeResult {
    /// The ids that were active and are now stopped; unknown ids are left out.
    pub unsubscribed: Vec<String>,
}

/// Result of `list_subscriptions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SubscriptionList {
    /// Active subscriptions.
    pub subscriptions: Vec<Subscription>,
}

/// Result of `get_snapshot`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Snapshot {
    /// Notifications up to this `seq` are reflected here; continue from `seq + 1`.
    pub seq: u64,
    /// The account.
    pub account: AccountInfo,
    /// Open positions.
    pub positions: Vec<Position>,
    /// Pending orders.
    pub orders: Vec<Order>,
}

no_extra_validation!(UnsubscribeParams);
