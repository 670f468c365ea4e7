//! Executing deals against the position book: hedging opens a position per deal, netting adds, reduces or
//! reverses the symbol's one position, and MT4 re-tickets what a partial close leaves.

use metaapi_protocol::methods::{DealEntry, OrderState};
use metaapi_protocol::notifications::PositionRemoved;
use metaapi_protocol::types::{Filling, OrderType, Platform, Reason, Side, TimeInForce};

use crate::engine::calc::lots;
use crate::engine::records::{ClosedTrade, DealRec, MtDealType, OrderRec, PositionRec};
use crate::engine::transactions::{Transaction, TransactionType};
use crate::event::Event;
use crate::terminal::Terminal;

/// A deal to execute.
#[derive(Debug, Clone)]
pub struct Fill {
    /// Symbol.
    pub symbol: String,
    /// Direction of the deal.
    pub side: Side,
    /// Lots.
    pub volume: f64,
    /// Price.
    pub price: f64,
    /// The order behind it; also the ticket of a position it opens.
    pub order: u64,
    /// Stops for the position it opens or changes.
    pub sl: Option<f64>,
    /// Take profit.
    pub tp: Option<f64>,
    /// Magic number.
    pub magic: i64,
    /// Comment.
    pub comment: String,
    /// The call's `client_id`.
    pub client_id: Option<String>,
    /// Why.
    pub reason: Reason,
}

/// What closing (part of) a position did.
#[derive(Debug, Clone, PartialEq)]
pub struct Closed {
    /// The deal ticket (MT4: the order ticket).
    pub deal: u64,
    /// Price.
    pub price: f64,
    /// Realized profit.
    pub profit: f64,
    /// MT4: the new ticket of the remaining volume.
    pub remaining_ticket: Option<u64>,
}

fn opposite(side: Side) -> Side {
    if side == Side::Buy { Side::Sell } else { Side::Buy }
}

impl Terminal {
    pub(crate) fn position_event(&mut self, index: usize) {
        let position = &self.positions[index];
        let wire = position.to_wire(
            self.close_price(&position.symbol, position.side),
            self.position_profit(position),
            self.mode.platform(),
        );
        self.events.push(Event::new("position_updated", &wire));
    }

    fn removed_event(&mut self, ticket: u64) {
        let data = PositionRemoved { ticket: ticket.to_string(), position_id: ticket.to_string(), time: self.now };
        self.events.push(Event::new("position_removed", &data));
    }

    pub(crate) fn order_event(&mut self, name: &'static str, order: &OrderRec) {
        let price =
            self.close_price(&order.symbol, if order.order_type.side() == Side::Buy { Side::Sell } else { Side::Buy });
        self.events.push(Event::new(name, &order.to_wire(price, self.mode.platform())));
    }

    fn record_deal(&mut self, deal: DealRec) -> u64 {
        let mut wire = deal.to_wire(self.mode.platform());
        let ticket = if self.mode.platform() == Platform::Mt4 {
            // MT4 has no deal tickets: the synthesized deal carries the order ticket.
            let ticket = deal.position_id.unwrap_or(deal.ticket);
            wire.ticket = ticket.to_string();
            ticket
        } else {
            deal.ticket
        };
        self.events.push(Event::new("deal_added", &wire));
        self.transaction(Transaction::of_deal(&deal));
        self.deals.push(deal);
        ticket
    }

    fn new_deal(
        &mut self,
        fill: &Fill,
        side: Side,
        volume: f64,
        entry: DealEntry,
        position: u64,
        profit: f64,
    ) -> DealRec {
        DealRec {
            ticket: self.take_deal_ticket(),
            order: Some(fill.order),
            position_id: Some(position),
            symbol: fill.symbol.clone(),
            mt_type: MtDealType::of_side(side),
            entry,
            volume,
            price: fill.price,
            profit,
            magic: fill.magic,
            comment: fill.comment.clone(),
            client_id: fill.client_id.clone(),
            reason: fill.reason,
            time: self.now,
        }
    }

    /// Executes a deal. Returns the deal ticket (MT4: the order ticket) and the position it touched.
    pub(crate) fn execute(&mut self, fill: Fill) -> (u64, u64) {
        let existing =
            if self.mode.is_netting() { self.positions.iter().position(|p| p.symbol == fill.symbol) } else { None };
        let Some(index) = existing else {
            let deal = self.new_deal(&fill, fill.side, fill.volume, DealEntry::In, fill.order, 0.0);
            let deal = self.record_deal(deal);
            self.positions.push(PositionRec {
                ticket: fill.order,
                symbol: fill.symbol.clone(),
                side: fill.side,
                volume: fill.volume,
                price_open: fill.price,
                sl: fill.sl,
                tp: fill.tp,
                magic: fill.magic,
                comment: fill.comment.clone(),
                client_id: fill.client_id.clone(),
                reason: fill.reason,
                time: self.now,
                update_time: self.now,
            });
            self.position_event(self.positions.len() - 1);
            return (deal, fill.order);
        };
        let position = self.positions[index].clone();
        let instrument = self.markets[self.market_index(&fill.symbol).unwrap_or(0)].instrument.clone();
        if position.side == fill.side {
            let total = lots(position.volume + fill.volume);
            let average = (position.price_open * position.volume + fill.price * fill.volume) / total;
            let deal = self.new_deal(&fill, fill.side, fill.volume, DealEntry::In, position.ticket, 0.0);
            let deal = self.record_deal(deal);
            let target = &mut self.positions[index];
            target.volume = total;
            target.price_open = (average * 1e8).round() / 1e8;
            target.sl = fill.sl.or(target.sl);
            target.tp = fill.tp.or(target.tp);
            target.update_time = self.now;
            self.position_event(index);
            return (deal, position.ticket);
        }
        let closing = position.volume.min(fill.volume);
        let profit =
            self.profit_for(&instrument, position.side, closing, position.price_open, fill.price).unwrap_or_default();
        self.account.balance += profit;
        let remaining = lots(position.volume - fill.volume);
        let entry = if remaining < 0.0 { DealEntry::Inout } else { DealEntry::Out };
        let deal = self.new_deal(&fill, fill.side, fill.volume, entry, position.ticket, profit);
        let deal = self.record_deal(deal);
        if remaining == 0.0 {
            self.positions.remove(index);
            self.removed_event(position.ticket);
        } else {
            let target = &mut self.positions[index];
            if remaining < 0.0 {
                // Reversal: the rest of the deal opens the opposite position at the deal price.
                target.side = fill.side;
                target.volume = -remaining;
                target.price_open = fill.price;
                target.sl = fill.sl;
                target.tp = fill.tp;
            } else {
                target.volume = remaining;
            }
            target.update_time = self.now;
            self.position_event(index);
        }
        (deal, position.ticket)
    }

    /// A filled market order in MT5 history (MT4 keeps no market orders apart from the trade itself), called
    /// after its deal: its ORDER_ADD goes before that DEAL_ADD, its ORDER_DELETE and HISTORY_ADD after, as the
    /// terminal reports a market order.
    pub(crate) fn record_market_order(&mut self, fill: &Fill, position: u64) {
        if self.mode.platform() == Platform::Mt4 {
            return;
        }
        let order = OrderRec {
            ticket: fill.order,
            symbol: fill.symbol.clone(),
            order_type: if fill.side == Side::Buy { OrderType::Buy } else { OrderType::Sell },
            state: OrderState::Filled,
            volume_initial: fill.volume,
            volume_current: 0.0,
            price_open: fill.price,
            price_stop_limit: None,
            sl: fill.sl,
            tp: fill.tp,
            time_setup: self.now,
            time_done: Some(self.now),
            expiration: None,
            expires_at: None,
            time_in_force: TimeInForce::Gtc,
            filling: Filling::Fok,
            magic: fill.magic,
            comment: fill.comment.clone(),
            client_id: fill.client_id.clone(),
            position_id: Some(position),
            reason: fill.reason,
        };
        let mut started = order.clone();
        started.state = OrderState::Started;
        started.volume_current = fill.volume;
        let first_deal = self
            .transactions
            .iter()
            .position(|transaction| transaction.kind == TransactionType::DealAdd && transaction.order == fill.order);
        let added = Transaction::of_order(TransactionType::OrderAdd, &started);
        self.transactions.insert(first_deal.unwrap_or(self.transactions.len()), added);
        self.transaction(Transaction::of_order(TransactionType::OrderDelete, &order));
        self.transaction(Transaction::of_order(TransactionType::HistoryAdd, &order));
        self.history_orders.push(order);
    }

    /// A broker's operation on the account (a deposit, credit, commission, interest, dividend, tax, ...): a deal of
    /// `kind` with no symbol whose profit is `amount`, added to the credit for `credit` and to the balance for the
    /// others, reported as MT5 reports a deal (DEAL_ADD). Cancelled buys and sells cancel a trade, so they are not
    /// an operation and are refused with `None`; so are buys and sells themselves.
    pub fn broker_operation(&mut self, kind: MtDealType, amount: f64, comment: &str) -> Option<u64> {
        if matches!(kind, MtDealType::Buy | MtDealType::Sell | MtDealType::BuyCanceled | MtDealType::SellCanceled) {
            return None;
        }
        if kind == MtDealType::Credit {
            self.account.credit += amount;
        } else {
            self.account.balance += amount;
        }
        let deal = DealRec {
            ticket: self.take_deal_ticket(),
            order: None,
            position_id: None,
            symbol: String::new(),
            mt_type: kind,
            entry: DealEntry::In,
            volume: 0.0,
            price: 0.0,
            profit: amount,
            magic: 0,
            comment: comment.to_owned(),
            client_id: None,
            reason: Reason::Client,
            time: self.now,
        };
        let ticket = deal.ticket;
        self.events.push(Event::new("deal_added", &deal.to_wire(self.mode.platform())));
        self.transaction(Transaction::of_deal(&deal));
        self.deals.push(deal);
        self.publish_account_if_changed();
        Some(ticket)
    }

    /// `close_position_by` as MT5 records it: the close-by order (type close_by, filled, its position the closed
    /// one) in history around its two `out_by` deals, ORDER_ADD before them and ORDER_DELETE, HISTORY_ADD after.
    /// MT4 has no such order: OrderCloseBy closes both trades, each under its own ticket.
    pub(crate) fn close_by_with_order(
        &mut self,
        params: metaapi_protocol::methods::ClosePositionByParams,
        comment: &str,
    ) -> Result<metaapi_protocol::methods::TradeResult, metaapi_protocol::ErrorObject> {
        let closed = self.positions.iter().find(|position| position.ticket.to_string() == params.ticket).cloned();
        let client_id = params.client_id.clone();
        let result = self.close_position_by(params)?;
        let (Some(position), Some(order)) = (closed, result.order.as_deref().and_then(|order| order.parse().ok()))
        else {
            return Ok(result);
        };
        if self.mode.platform() == Platform::Mt4 {
            return Ok(result);
        }
        let record = OrderRec {
            ticket: order,
            symbol: position.symbol.clone(),
            order_type: OrderType::CloseBy,
            state: OrderState::Filled,
            volume_initial: result.volume,
            volume_current: 0.0,
            price_open: result.price,
            price_stop_limit: None,
            sl: None,
            tp: None,
            time_setup: self.now,
            time_done: Some(self.now),
            expiration: None,
            expires_at: None,
            time_in_force: TimeInForce::Gtc,
            filling: Filling::Fok,
            magic: position.magic,
            comment: comment.to_owned(),
            client_id,
            position_id: Some(position.ticket),
            reason: Reason::Expert,
        };
        let mut started = record.clone();
        started.state = OrderState::Started;
        started.volume_current = record.volume_initial;
        let first_deal = self
            .transactions
            .iter()
            .position(|transaction| transaction.kind == TransactionType::DealAdd && transaction.order == order);
        let added = Transaction::of_order(TransactionType::OrderAdd, &started);
        self.transactions.insert(first_deal.unwrap_or(self.transactions.len()), added);
        self.transaction(Transaction::of_order(TransactionType::OrderDelete, &record));
        self.transaction(Transaction::of_order(TransactionType::HistoryAdd, &record));
        self.history_orders.push(record);
        Ok(result)
    }

    /// The opposite position of a close-by order: the position of its `out_by` deal that is not the order's own.
    pub(crate) fn position_by_of(&self, order: &OrderRec) -> Option<u64> {
        if order.order_type != OrderType::CloseBy {
            return None;
        }
        self.deals
            .iter()
            .filter(|deal| deal.order == Some(order.ticket) && deal.entry == DealEntry::OutBy)
            .filter_map(|deal| deal.position_id)
            .find(|position| Some(*position) != order.position_id)
    }

    /// Closes `volume` of the position at `index` at `price` (an `out` deal, or `out_by` for close-by). The deal
    /// carries `comment` when the closing request had one (MT5), else the position's.
    // Each argument is a distinct fact of the deal record; a struct for one private call site adds nothing.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn close_part(
        &mut self,
        index: usize,
        volume: f64,
        price: f64,
        order: u64,
        entry: DealEntry,
        reason: Reason,
        client_id: Option<String>,
        comment: Option<&str>,
    ) -> Closed {
        let position = self.positions[index].clone();
        let instrument = self.markets[self.market_index(&position.symbol).unwrap_or(0)].instrument.clone();
        let profit =
            self.profit_for(&instrument, position.side, volume, position.price_open, price).unwrap_or_default();
        self.account.balance += profit;
        let remaining = lots(position.volume - volume);
        let fill = Fill {
            symbol: position.symbol.clone(),
            side: opposite(position.side),
            volume,
            price,
            order,
            sl: None,
            tp: None,
            magic: position.magic,
            comment: comment.map_or_else(|| position.comment.clone(), str::to_owned),
            client_id,
            reason,
        };
        let deal = self.new_deal(&fill, fill.side, volume, entry, position.ticket, profit);
        let deal = self.record_deal(deal);
        let mut remaining_ticket = None;
        if self.mode.platform() == Platform::Mt4 {
            let new_ticket = (remaining > 0.0).then(|| self.take_ticket());
            remaining_ticket = new_ticket;
            self.closed_trades.push(ClosedTrade {
                ticket: position.ticket,
                symbol: position.symbol.clone(),
                side: position.side,
                volume,
                price_open: position.price_open,
                price_close: price,
                time_open: position.time,
                time_close: self.now,
                sl: position.sl,
                tp: position.tp,
                profit,
                magic: position.magic,
                comment: new_ticket.map_or(position.comment.clone(), |ticket| format!("to #{ticket}")),
                client_id: position.client_id.clone(),
                open_reason: position.reason,
                close_reason: reason,
            });
            if let Some(ticket) = new_ticket {
                // MT4 closes the whole ticket and opens the remainder under a new one, same open price and time.
                let target = &mut self.positions[index];
                target.ticket = ticket;
                target.volume = remaining;
                target.comment = format!("from #{}", position.ticket);
                target.update_time = self.now;
                self.removed_event(position.ticket);
                self.position_event(index);
            } else {
                self.positions.remove(index);
                self.removed_event(position.ticket);
            }
        } else if remaining > 0.0 {
            let target = &mut self.positions[index];
            target.volume = remaining;
            target.update_time = self.now;
            self.position_event(index);
        } else {
            self.positions.remove(index);
            self.removed_event(position.ticket);
        }
        Closed { deal, price, profit, remaining_ticket }
    }

    /// Closes `volume` of a position at market, with an MT5 closing order in history that carries the closing
    /// request's `comment` (the position's when it had none). Returns the order ticket (MT4: the position's) and
    /// what the close did.
    pub(crate) fn close_at_market(
        &mut self,
        index: usize,
        volume: f64,
        reason: Reason,
        client_id: Option<String>,
        comment: Option<&str>,
    ) -> (u64, Closed) {
        let position = self.positions[index].clone();
        let price = self.close_price(&position.symbol, position.side);
        let order = if self.mode.platform() == Platform::Mt4 { position.ticket } else { self.take_ticket() };
        let comment = comment.filter(|_| self.mode.platform() == Platform::Mt5);
        let closed = self.close_part(index, volume, price, order, DealEntry::Out, reason, client_id.clone(), comment);
        if self.mode.platform() == Platform::Mt5 {
            let fill = Fill {
                symbol: position.symbol.clone(),
                side: opposite(position.side),
                volume,
                price,
                order,
                sl: None,
                tp: None,
                magic: position.magic,
                comment: comment.map_or_else(|| position.comment.clone(), str::to_owned),
                client_id: client_id.clone(),
                reason,
            };
            self.record_market_order(&fill, position.ticket);
        }
        (order, closed)
    }
}
