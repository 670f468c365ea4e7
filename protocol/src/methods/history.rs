//! History: `get_history_orders` and `get_history_deals`, paged by `offset` and `limit`; also the page limits every
//! list method shares.
//!
//! MT4 has no deals; its terminal synthesizes an `in` and an `out` deal per closed order.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::method::{ParamsError, Validate};
use crate::methods::checks::{check_limit, check_ticket};
use crate::methods::positions::Order;
use crate::types::{Platform, Reason, Ticket, TimeMs};

method! {
    /// Closed, cancelled and expired orders by time range, ticket or position.
    GetHistoryOrders = "get_history_orders", History, Terminal, HistoryQuery => HistoryOrderPage
}

method! {
    /// Deals (executions, balance operations) by time range, ticket or position.
    GetHistoryDeals = "get_history_deals", History, Terminal, HistoryQuery => DealPage
}

/// Params of the history methods. Give `from` (with an optional `to`), or `ticket`, or `position_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Start of the range, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<TimeMs>,
    /// End of the range, UTC; now when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<TimeMs>,
    /// Only this order or deal ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<Ticket>,
    /// Only what belongs to this position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_id: Option<Ticket>,
    /// Only this symbol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// Items to skip: 0, or the `next_offset` of the previous page.
    #[serde(default)]
    pub offset: u32,
    /// Most items to return, 1 to 10000.
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 10000))]
    pub limit: u32,
}

fn default_limit() -> u32 {
    1000
}

impl Validate for HistoryQuery {
    fn validate(&self) -> Result<(), ParamsError> {
        check_limit(self.limit)?;
        let forms = [self.from.is_some(), self.ticket.is_some(), self.position_id.is_some()];
        if forms.iter().filter(|given| **given).count() != 1 {
            return Err(ParamsError::field("from", "give exactly one of from, ticket and position_id"));
        }
        if self.to.is_some() && self.from.is_none() {
            return Err(ParamsError::field("to", "to needs from"));
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && to < from
        {
            return Err(ParamsError::field("to", "to is before from"));
        }
        if let Some(ticket) = &self.ticket {
            check_ticket("ticket", ticket)?;
        }
        if let Some(position_id) = &self.position_id {
            check_ticket("position_id", position_id)?;
        }
        Ok(())
    }
}

/// Result of `get_history_orders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HistoryOrderPage {
    /// Orders, oldest first.
    pub orders: Vec<Order>,
    /// More items exist after this page.
    pub has_more: bool,
    /// With `has_more`: the `offset` that asks for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
}

/// Kind of deal: MetaTrader 5's 18 deal types (MT4 reports buy, sell, balance and credit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DealType {
    /// A buy execution.
    Buy,
    /// A sell execution.
    Sell,
    /// A deposit or withdrawal.
    Balance,
    /// Credit.
    Credit,
    /// An additional charge.
    Charge,
    /// A correction.
    Correction,
    /// A bonus.
    Bonus,
    /// A commission.
    Commission,
    /// A commission charged at the end of the day.
    CommissionDaily,
    /// A commission charged at the end of the month.
    CommissionMonthly,
    /// An agent's commission charged at the end of the day.
    CommissionAgentDaily,
    /// An agent's commission charged at the end of the month.
    CommissionAgentMonthly,
    /// Interest on free funds.
    Interest,
    /// A buy deal the broker cancelled (its profit is reversed).
    BuyCanceled,
    /// A sell deal the broker cancelled (its profit is reversed).
    SellCanceled,
    /// A dividend.
    Dividend,
    /// A franked (tax-free) dividend.
    DividendFranked,
    /// A tax charge.
    Tax,
}

/// Whether a deal opened or closed a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DealEntry {
    /// Opened or added to a position.
    In,
    /// Closed or reduced a position.
    Out,
    /// Reversed a netting position.
    Inout,
    /// Closed by an opposite position.
    OutBy,
}

/// A deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Deal {
    /// Deal ticket (MT4: the order ticket).
    pub ticket: Ticket,
    /// The order that caused it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Ticket>,
    /// The position it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_id: Option<Ticket>,
    /// Symbol name (empty for balance operations).
    pub symbol: String,
    /// Kind.
    #[serde(rename = "type")]
    pub deal_type: DealType,
    /// Opened or closed.
    pub entry: DealEntry,
    /// Volume in lots.
    pub volume: f64,
    /// Price.
    pub price: f64,
    /// Commission.
    pub commission: f64,
    /// Swap.
    pub swap: f64,
    /// Fee.
    pub fee: f64,
    /// Realized profit.
    pub profit: f64,
    /// Magic number.
    pub magic: i64,
    /// Comment.
    pub comment: String,
    /// The `client_id` of the trading call behind it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Why it happened.
    pub reason: Reason,
    /// Time, UTC.
    pub time: TimeMs,
    /// Time on the broker's clock.
    pub broker_time: String,
    /// MT4 or MT5.
    pub platform: Platform,
}

/// Result of `get_history_deals`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DealPage {
    /// Deals, oldest first.
    pub deals: Vec<Deal>,
    /// More items exist after this page.
    pub has_more: bool,
    /// With `has_more`: the `offset` that asks for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
}
