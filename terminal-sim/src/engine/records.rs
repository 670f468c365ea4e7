//! The order engine's own records of positions, orders, deals and (for MT4) closed trades, and their wire form.

use metaapi_protocol::methods::{Deal, DealEntry, DealType, Order, OrderState, Position};
use metaapi_protocol::types::{Filling, OrderType, Platform, Reason, Side, TimeInForce, TimeMs};

use crate::time::broker_time_string;

/// An open position.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionRec {
    /// Ticket; on MT4 it changes when a partial close re-tickets the remainder.
    pub ticket: u64,
    /// Symbol name.
    pub symbol: String,
    /// Direction.
    pub side: Side,
    /// Lots.
    pub volume: f64,
    /// Open price (volume-weighted on netting accounts).
    pub price_open: f64,
    /// Stop loss.
    pub sl: Option<f64>,
    /// Take profit.
    pub tp: Option<f64>,
    /// Magic number.
    pub magic: i64,
    /// Comment.
    pub comment: String,
    /// The opening call's `client_id`.
    pub client_id: Option<String>,
    /// Why it was opened.
    pub reason: Reason,
    /// Open time.
    pub time: TimeMs,
    /// Last change.
    pub update_time: TimeMs,
}

impl PositionRec {
    /// The wire form with the current close price and floating profit.
    pub fn to_wire(&self, price_current: f64, profit: f64, platform: Platform) -> Position {
        Position {
            ticket: self.ticket.to_string(),
            position_id: self.ticket.to_string(),
            symbol: self.symbol.clone(),
            side: self.side,
            volume: self.volume,
            price_open: self.price_open,
            price_current,
            sl: self.sl,
            tp: self.tp,
            swap: 0.0,
            commission: 0.0,
            profit,
            magic: self.magic,
            comment: self.comment.clone(),
            client_id: self.client_id.clone(),
            reason: self.reason,
            time: self.time,
            broker_time: broker_time_string(self.time),
            update_time: self.update_time,
            platform,
        }
    }
}

/// A pending order, or an order in history.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRec {
    /// Ticket.
    pub ticket: u64,
    /// Symbol name.
    pub symbol: String,
    /// Type (a triggered stop-limit becomes a limit).
    pub order_type: OrderType,
    /// State.
    pub state: OrderState,
    /// Volume when placed.
    pub volume_initial: f64,
    /// Volume not filled.
    pub volume_current: f64,
    /// Order price.
    pub price_open: f64,
    /// Limit price of a stop-limit order.
    pub price_stop_limit: Option<f64>,
    /// Stop loss.
    pub sl: Option<f64>,
    /// Take profit.
    pub tp: Option<f64>,
    /// Placed.
    pub time_setup: TimeMs,
    /// Filled, cancelled or expired.
    pub time_done: Option<TimeMs>,
    /// Expiration as the client gave it.
    pub expiration: Option<TimeMs>,
    /// When the engine expires it (end of day for day orders).
    pub expires_at: Option<TimeMs>,
    /// Lifetime.
    pub time_in_force: TimeInForce,
    /// Filling.
    pub filling: Filling,
    /// Magic number.
    pub magic: i64,
    /// Comment.
    pub comment: String,
    /// The placing call's `client_id`.
    pub client_id: Option<String>,
    /// The position it opened or closed.
    pub position_id: Option<u64>,
    /// Why it was placed.
    pub reason: Reason,
}

impl OrderRec {
    /// The wire form.
    pub fn to_wire(&self, price_current: f64, platform: Platform) -> Order {
        Order {
            ticket: self.ticket.to_string(),
            symbol: self.symbol.clone(),
            order_type: self.order_type,
            state: self.state,
            volume_initial: self.volume_initial,
            volume_current: self.volume_current,
            price_open: self.price_open,
            price_stop_limit: self.price_stop_limit,
            price_current,
            sl: self.sl,
            tp: self.tp,
            time_setup: self.time_setup,
            time_done: self.time_done,
            expiration: self.expiration,
            time_in_force: self.time_in_force,
            filling: self.filling,
            magic: self.magic,
            comment: self.comment.clone(),
            client_id: self.client_id.clone(),
            position_id: self.position_id.map(|id| id.to_string()),
            // Only the host answers ORDER_POSITION_BY_ID (from the order's out_by deals); the wire form leaves it.
            position_by: None,
            reason: self.reason,
            platform,
        }
    }
}

/// A deal.
#[derive(Debug, Clone, PartialEq)]
pub struct DealRec {
    /// Ticket.
    pub ticket: u64,
    /// The order behind it.
    pub order: Option<u64>,
    /// The position it belongs to.
    pub position_id: Option<u64>,
    /// Symbol (empty for balance).
    pub symbol: String,
    /// Kind, as MetaTrader 5 types it (all 18).
    pub mt_type: MtDealType,
    /// In, out, inout, out_by.
    pub entry: DealEntry,
    /// Lots.
    pub volume: f64,
    /// Price.
    pub price: f64,
    /// Realized profit.
    pub profit: f64,
    /// Magic number.
    pub magic: i64,
    /// Comment.
    pub comment: String,
    /// The call's `client_id`.
    pub client_id: Option<String>,
    /// Why.
    pub reason: Reason,
    /// When.
    pub time: TimeMs,
}

impl DealRec {
    /// The wire form.
    pub fn to_wire(&self, platform: Platform) -> Deal {
        Deal {
            ticket: self.ticket.to_string(),
            order: self.order.map(|id| id.to_string()),
            position_id: self.position_id.map(|id| id.to_string()),
            symbol: self.symbol.clone(),
            deal_type: self.mt_type.to_wire(),
            entry: self.entry,
            volume: self.volume,
            price: self.price,
            commission: 0.0,
            swap: 0.0,
            fee: 0.0,
            profit: self.profit,
            magic: self.magic,
            comment: self.comment.clone(),
            client_id: self.client_id.clone(),
            reason: self.reason,
            time: self.time,
            broker_time: broker_time_string(self.time),
            platform,
        }
    }
}

/// `ENUM_DEAL_TYPE`: all 18 of MetaTrader 5's deal types, with its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
#[allow(missing_docs)]
pub enum MtDealType {
    Buy = 0,
    Sell = 1,
    Balance = 2,
    Credit = 3,
    Charge = 4,
    Correction = 5,
    Bonus = 6,
    Commission = 7,
    CommissionDaily = 8,
    CommissionMonthly = 9,
    CommissionAgentDaily = 10,
    CommissionAgentMonthly = 11,
    Interest = 12,
    BuyCanceled = 13,
    SellCanceled = 14,
    Dividend = 15,
    DividendFranked = 16,
    Tax = 17,
}

impl MtDealType {
    /// Every deal type, in MetaTrader's order.
    pub const ALL: [MtDealType; 18] = [
        MtDealType::Buy,
        MtDealType::Sell,
        MtDealType::Balance,
        MtDealType::Credit,
        MtDealType::Charge,
        MtDealType::Correction,
        MtDealType::Bonus,
        MtDealType::Commission,
        MtDealType::CommissionDaily,
        MtDealType::CommissionMonthly,
        MtDealType::CommissionAgentDaily,
        MtDealType::CommissionAgentMonthly,
        MtDealType::Interest,
        MtDealType::BuyCanceled,
        MtDealType::SellCanceled,
        MtDealType::Dividend,
        MtDealType::DividendFranked,
        MtDealType::Tax,
    ];

    /// MetaTrader's `DEAL_TYPE_*` value.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The deal type of a MetaTrader value.
    pub fn from_code(code: i64) -> Option<MtDealType> {
        MtDealType::ALL.into_iter().find(|known| i64::from(known.code()) == code)
    }

    /// The execution type of a deal on `side`.
    pub fn of_side(side: Side) -> MtDealType {
        if side == Side::Buy { MtDealType::Buy } else { MtDealType::Sell }
    }

    /// The deal type of a protocol deal type (the same 18 kinds).
    pub fn of_wire(kind: DealType) -> MtDealType {
        MtDealType::ALL.into_iter().find(|known| known.to_wire() == kind).unwrap_or(MtDealType::Correction)
    }

    /// The protocol's deal type: the same 18 kinds.
    pub fn to_wire(self) -> DealType {
        match self {
            MtDealType::Buy => DealType::Buy,
            MtDealType::Sell => DealType::Sell,
            MtDealType::Balance => DealType::Balance,
            MtDealType::Credit => DealType::Credit,
            MtDealType::Charge => DealType::Charge,
            MtDealType::Correction => DealType::Correction,
            MtDealType::Bonus => DealType::Bonus,
            MtDealType::Commission => DealType::Commission,
            MtDealType::CommissionDaily => DealType::CommissionDaily,
            MtDealType::CommissionMonthly => DealType::CommissionMonthly,
            MtDealType::CommissionAgentDaily => DealType::CommissionAgentDaily,
            MtDealType::CommissionAgentMonthly => DealType::CommissionAgentMonthly,
            MtDealType::Interest => DealType::Interest,
            MtDealType::BuyCanceled => DealType::BuyCanceled,
            MtDealType::SellCanceled => DealType::SellCanceled,
            MtDealType::Dividend => DealType::Dividend,
            MtDealType::DividendFranked => DealType::DividendFranked,
            MtDealType::Tax => DealType::Tax,
        }
    }
}

/// An MT4 closed order: MT4 keeps no deals, so history orders and deals are synthesized from these.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedTrade {
    /// The order ticket.
    pub ticket: u64,
    /// Symbol.
    pub symbol: String,
    /// Direction.
    pub side: Side,
    /// Lots closed under this ticket.
    pub volume: f64,
    /// Open price.
    pub price_open: f64,
    /// Close price.
    pub price_close: f64,
    /// Open time.
    pub time_open: TimeMs,
    /// Close time.
    pub time_close: TimeMs,
    /// Stop loss at close.
    pub sl: Option<f64>,
    /// Take profit at close.
    pub tp: Option<f64>,
    /// Realized profit.
    pub profit: f64,
    /// Magic number.
    pub magic: i64,
    /// Comment (`to #123` after a partial close).
    pub comment: String,
    /// The opening call's `client_id`.
    pub client_id: Option<String>,
    /// Why it was opened.
    pub open_reason: Reason,
    /// Why it was closed.
    pub close_reason: Reason,
}

impl ClosedTrade {
    /// The MT4 history order.
    pub fn to_order(&self) -> Order {
        Order {
            ticket: self.ticket.to_string(),
            symbol: self.symbol.clone(),
            order_type: if self.side == Side::Buy { OrderType::Buy } else { OrderType::Sell },
            state: OrderState::Filled,
            volume_initial: self.volume,
            volume_current: 0.0,
            price_open: self.price_open,
            price_stop_limit: None,
            price_current: self.price_close,
            sl: self.sl,
            tp: self.tp,
            time_setup: self.time_open,
            time_done: Some(self.time_close),
            expiration: None,
            time_in_force: TimeInForce::Gtc,
            filling: Filling::Fok,
            magic: self.magic,
            comment: self.comment.clone(),
            client_id: self.client_id.clone(),
            position_id: Some(self.ticket.to_string()),
            position_by: None,
            reason: self.open_reason,
            platform: Platform::Mt4,
        }
    }

    /// The synthesized `in` and `out` deals; both carry the order ticket, as MT4 has no deal tickets.
    pub fn to_deals(&self) -> [Deal; 2] {
        let deal = |entry, mt_type, price, profit, time, reason| DealRec {
            ticket: self.ticket,
            order: Some(self.ticket),
            position_id: Some(self.ticket),
            symbol: self.symbol.clone(),
            mt_type,
            entry,
            volume: self.volume,
            price,
            profit,
            magic: self.magic,
            comment: self.comment.clone(),
            client_id: self.client_id.clone(),
            reason,
            time,
        };
        let (open_type, close_type) = if self.side == Side::Buy {
            (MtDealType::Buy, MtDealType::Sell)
        } else {
            (MtDealType::Sell, MtDealType::Buy)
        };
        [
            deal(DealEntry::In, open_type, self.price_open, 0.0, self.time_open, self.open_reason)
                .to_wire(Platform::Mt4),
            deal(DealEntry::Out, close_type, self.price_close, self.profit, self.time_close, self.close_reason)
                .to_wire(Platform::Mt4),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deal_types_keep_metatrader_values_and_map_to_the_wire() {
        assert_eq!(MtDealType::ALL.len(), 18);
        for (index, kind) in MtDealType::ALL.into_iter().enumerate() {
            assert_eq!(kind.code(), index as i32);
            assert_eq!(MtDealType::from_code(index as i64), Some(kind));
        }
        assert_eq!(MtDealType::from_code(18), None);
        let wire: Vec<String> = MtDealType::ALL
            .into_iter()
            .map(|kind| serde_json::to_value(kind.to_wire()).expect("a deal type serializes").to_string())
            .collect();
        let distinct: std::collections::BTreeSet<&String> = wire.iter().collect();
        assert_eq!(distinct.len(), 18, "each MT5 deal type has its own wire name: {wire:?}");
        assert!(MtDealType::ALL.into_iter().all(|kind| MtDealType::of_wire(kind.to_wire()) == kind));
        assert_eq!(MtDealType::Tax.to_wire(), DealType::Tax);
        assert_eq!(MtDealType::SellCanceled.to_wire(), DealType::SellCanceled);
        assert_eq!(MtDealType::of_side(Side::Buy), MtDealType::Buy);
    }
}
