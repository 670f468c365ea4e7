//! MQL5 history built-ins over the engine: HistorySelect and its by-position, order and deal forms, and the
//! accessors of the selected history, which is a copy taken at selection as in MetaTrader.

use super::consts::mt5 as k;
use super::trade::*;
use super::{Host, errors, server_ms, server_seconds, utc_of_server_seconds};
use crate::engine::records::{DealRec, OrderRec};

impl Host {
    /// Replaces the selected history with the orders and deals the filters keep, oldest first.
    fn select_history(&mut self, keep_order: impl Fn(&OrderRec) -> bool, keep_deal: impl Fn(&DealRec) -> bool) {
        let terminal = self.shared.lock();
        let mut orders: Vec<OrderRec> =
            terminal.history_orders.iter().filter(|order| keep_order(order)).cloned().collect();
        let mut deals: Vec<DealRec> = terminal.deals.iter().filter(|deal| keep_deal(deal)).cloned().collect();
        drop(terminal);
        orders.sort_by_key(|order| (order.time_done.unwrap_or(order.time_setup), order.ticket));
        deals.sort_by_key(|deal| (deal.time, deal.ticket));
        self.history_orders = orders.iter().map(|order| order.ticket).collect();
        self.history_deals = deals.iter().map(|deal| deal.ticket).collect();
        self.history_order_records = orders.into_iter().map(|order| (order.ticket, order)).collect();
        self.history_deal_records = deals.into_iter().map(|deal| (deal.ticket, deal)).collect();
    }

    /// HistorySelect: orders done and deals made in `[from, to]` (server seconds), oldest first.
    pub(crate) fn history_select(&mut self, from: i64, to: i64) -> bool {
        let (from, to) = (utc_of_server_seconds(from), utc_of_server_seconds(to));
        // MetaTrader compares datetimes, whole seconds: a deal made at 12:00:05.700 has DEAL_TIME 12:00:05 and is
        // selected by a `to` of 12:00:05. Comparing the engine's milliseconds would drop it, and a client asking for
        // history up to "now" (get_server_time, whole seconds) would miss the deals of the current second.
        let within = move |time: i64| {
            let second = time.div_euclid(1000) * 1000;
            second >= from && second <= to
        };
        self.select_history(|order| within(order.time_done.unwrap_or(order.time_setup)), |deal| within(deal.time));
        true
    }

    pub(crate) fn history_select_by_position(&mut self, position: u64) -> bool {
        self.select_history(|order| order.position_id == Some(position), |deal| deal.position_id == Some(position));
        true
    }

    /// HistoryOrderSelect: this one order becomes the selected order history.
    pub(crate) fn history_order_select(&mut self, ticket: u64) -> bool {
        let order = self.terminal().history_orders.iter().find(|order| order.ticket == ticket).cloned();
        let Some(order) = order else { return self.fail(errors::TRADE_ORDER_NOT_FOUND, false) };
        self.history_orders = vec![ticket];
        self.history_order_records = [(ticket, order)].into_iter().collect();
        true
    }

    /// HistoryDealSelect: this one deal becomes the selected deal history.
    pub(crate) fn history_deal_select(&mut self, ticket: u64) -> bool {
        let deal = self.terminal().deals.iter().find(|deal| deal.ticket == ticket).cloned();
        let Some(deal) = deal else { return self.fail(errors::TRADE_DEAL_NOT_FOUND, false) };
        self.history_deals = vec![ticket];
        self.history_deal_records = [(ticket, deal)].into_iter().collect();
        true
    }

    pub(crate) fn history_order_get_ticket(&mut self, index: i32) -> u64 {
        match usize::try_from(index).ok().and_then(|index| self.history_orders.get(index)) {
            Some(ticket) => *ticket,
            None => self.fail(errors::TRADE_ORDER_NOT_FOUND, 0),
        }
    }

    pub(crate) fn history_deal_get_ticket(&mut self, index: i32) -> u64 {
        match usize::try_from(index).ok().and_then(|index| self.history_deals.get(index)) {
            Some(ticket) => *ticket,
            None => self.fail(errors::TRADE_DEAL_NOT_FOUND, 0),
        }
    }

    fn history_order(&mut self, ticket: u64) -> Option<OrderRec> {
        match self.history_order_records.get(&ticket).cloned() {
            Some(order) => Some(order),
            None => self.fail(errors::TRADE_ORDER_NOT_FOUND, None),
        }
    }

    pub(crate) fn history_order_get_integer(&mut self, ticket: u64, prop: i64) -> Option<i64> {
        let order = self.history_order(ticket)?;
        self.order_integer(&order, prop)
    }

    pub(crate) fn history_order_get_double(&mut self, ticket: u64, prop: i64) -> Option<f64> {
        let order = self.history_order(ticket)?;
        // A history order's current price is its fill price.
        self.order_double(&order, order.price_open, prop)
    }

    pub(crate) fn history_order_get_string(&mut self, ticket: u64, prop: i64) -> Option<String> {
        let order = self.history_order(ticket)?;
        self.order_string(&order, prop)
    }

    fn deal(&mut self, ticket: u64) -> Option<DealRec> {
        match self.history_deal_records.get(&ticket).cloned() {
            Some(deal) => Some(deal),
            None => self.fail(errors::TRADE_DEAL_NOT_FOUND, None),
        }
    }

    pub(crate) fn history_deal_get_integer(&mut self, ticket: u64, prop: i64) -> Option<i64> {
        let deal = self.deal(ticket)?;
        Some(match prop {
            k::DEAL_TICKET => deal.ticket as i64,
            k::DEAL_ORDER => deal.order.map_or(0, |order| order as i64),
            k::DEAL_TIME => server_seconds(deal.time),
            k::DEAL_TIME_MSC => server_ms(deal.time),
            k::DEAL_TYPE => i64::from(deal.mt_type.code()),
            k::DEAL_ENTRY => entry_code(deal.entry),
            k::DEAL_MAGIC => deal.magic,
            k::DEAL_POSITION_ID => deal.position_id.map_or(0, |id| id as i64),
            k::DEAL_REASON => reason_code(deal.reason),
            _ => return self.fail(errors::TRADE_WRONG_PROPERTY, None),
        })
    }

    pub(crate) fn history_deal_get_double(&mut self, ticket: u64, prop: i64) -> Option<f64> {
        let deal = self.deal(ticket)?;
        Some(match prop {
            k::DEAL_VOLUME => deal.volume,
            k::DEAL_PRICE => deal.price,
            k::DEAL_PROFIT => deal.profit,
            k::DEAL_COMMISSION | k::DEAL_SWAP | k::DEAL_FEE => 0.0,
            _ => return self.fail(errors::TRADE_WRONG_PROPERTY, None),
        })
    }

    pub(crate) fn history_deal_get_string(&mut self, ticket: u64, prop: i64) -> Option<String> {
        let deal = self.deal(ticket)?;
        Some(match prop {
            k::DEAL_SYMBOL => deal.symbol,
            k::DEAL_COMMENT => deal.comment,
            k::DEAL_EXTERNAL_ID => String::new(),
            _ => return self.fail(errors::TRADE_WRONG_PROPERTY, None),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_support::host;
    use crate::host::trade_request::TradeRequest;
    use crate::mode::Mode;

    /// A deal made 700 ms into a second is selected by a `to` of that second, as MetaTrader's whole-second
    /// datetimes select it; the second before does not select it.
    #[test]
    fn history_select_compares_whole_seconds() {
        let mut host = host(Mode::Mt5Hedging, "EURUSD");
        let start = host.terminal().now();
        let mid_second = start.div_euclid(1000) * 1000 + 1700;
        host.terminal().advance(mid_second);
        let request = TradeRequest {
            action: k::TRADE_ACTION_DEAL,
            symbol: "EURUSD".into(),
            volume: 0.1,
            order_type: k::ORDER_TYPE_BUY,
            deviation: 10,
            ..TradeRequest::default()
        };
        let (ok, result) = host.order_send(&request);
        assert!(ok, "{result:?}");
        let made = host.terminal().deals.iter().find(|deal| deal.ticket == result.deal).map(|deal| deal.time);
        assert_eq!(made.map(|time| time.rem_euclid(1000)), Some(700), "the deal is made mid-second");
        let second = server_seconds(made.expect("the deal"));
        assert!(host.history_select(second, second));
        assert!(host.history_deals.contains(&result.deal), "a `to` of the deal's second selects it");
        assert!(host.history_select(0, second - 1));
        assert!(!host.history_deals.contains(&result.deal), "the second before does not");
    }
}
