//! The trading calls: place, modify, close, close-by, close-all, modify order, cancel.

use metaapi_protocol::methods::{
    CancelOrderParams, CloseOutcome, ClosePositionByParams, ClosePositionParams, ClosePositionsParams,
    ClosePositionsResult, DealEntry, ModifyOrderParams, ModifyPositionParams, OrderState, PlaceOrderParams,
    TradeResult,
};
use metaapi_protocol::types::{Capability, Platform, Reason, Side, TimeInForce};
use metaapi_protocol::{ErrorKind, ErrorObject};

use crate::engine::calc::lots;
use crate::engine::checks::{Refusal, check_pending_price, check_stops, check_volume, pending_reference};
use crate::engine::execution::Fill;
use crate::engine::records::OrderRec;
use crate::engine::transactions::{Transaction, TransactionType};
use crate::retcode::{Reject, code_name};
use crate::terminal::Terminal;

/// The success codes of trading calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Success {
    /// 10009: executed.
    Done,
    /// 10008: pending order placed.
    Placed,
    /// 10025: nothing to change (MT5 only; MT4 answers error 1).
    NoChanges,
}

fn parse_ticket(ticket: &str) -> Result<u64, ErrorObject> {
    ticket.parse().map_err(|_| ErrorObject::invalid_params(Some("ticket".into()), "a ticket is a decimal number"))
}

fn not_found(what: &str, ticket: &str) -> ErrorObject {
    ErrorObject::new(ErrorKind::NotFound, format!("No {what} with ticket {ticket}"))
}

/// Applies an MT "0 removes, absent keeps" stop change.
fn stop_change(current: Option<f64>, requested: Option<f64>) -> Option<f64> {
    match requested {
        None => current,
        Some(0.0) => None,
        Some(value) => Some(value),
    }
}

impl Terminal {
    pub(crate) fn trade_result(
        &self,
        success: Success,
        client_id: Option<String>,
        volume: f64,
        price: f64,
    ) -> TradeResult {
        let platform = self.mode.platform();
        let (retcode, message) = match (platform, success) {
            (Platform::Mt4, _) => (0, "Request completed"),
            (Platform::Mt5, Success::Done) => (10009, "Request completed"),
            (Platform::Mt5, Success::Placed) => (10008, "Order placed"),
            (Platform::Mt5, Success::NoChanges) => (10025, "No changes in request"),
        };
        TradeResult {
            client_id,
            retcode,
            retcode_name: code_name(platform, retcode).into(),
            message: message.into(),
            order: None,
            deal: None,
            position_id: None,
            remaining_ticket: None,
            volume,
            price,
            bid: None,
            ask: None,
            comment: message.into(),
            platform,
        }
    }

    fn fail(&self, refusal: impl Into<Refusal>) -> ErrorObject {
        refusal.into().into_error(self.mode.platform())
    }

    fn no_changes(&self, client_id: Option<String>, volume: f64, price: f64) -> Result<TradeResult, ErrorObject> {
        match self.mode.platform() {
            Platform::Mt5 => Ok(self.trade_result(Success::NoChanges, client_id, volume, price)),
            Platform::Mt4 => Err(self.fail(Reject::NoChanges)),
        }
    }

    /// `place_order`.
    pub fn place_order(&mut self, params: PlaceOrderParams) -> Result<TradeResult, ErrorObject> {
        let checked = self.check_place(&params).map_err(|refusal| self.fail(refusal))?;
        let ticket = self.take_ticket();
        let (bid, ask) = (self.markets[checked.market].bid, self.markets[checked.market].ask);
        let side = params.order_type.side();
        let comment = params.comment.clone().unwrap_or_default();
        if params.order_type.is_market() {
            let fill = Fill {
                symbol: params.symbol.clone(),
                side,
                volume: params.volume,
                price: checked.price,
                order: ticket,
                sl: params.sl,
                tp: params.tp,
                magic: params.magic.unwrap_or(0),
                comment,
                client_id: params.client_id.clone(),
                reason: Reason::Expert,
            };
            let (deal, position) = self.execute(fill.clone());
            self.record_market_order(&fill, position);
            let mut result = self.trade_result(Success::Done, params.client_id, params.volume, checked.price);
            result.order = Some(ticket.to_string());
            result.deal = (self.mode.platform() == Platform::Mt5).then(|| deal.to_string());
            result.position_id = Some(position.to_string());
            (result.bid, result.ask) = (Some(bid), Some(ask));
            return Ok(result);
        }
        let order = OrderRec {
            ticket,
            symbol: params.symbol.clone(),
            order_type: params.order_type,
            state: OrderState::Placed,
            volume_initial: params.volume,
            volume_current: params.volume,
            price_open: checked.price,
            price_stop_limit: params.stop_limit_price,
            sl: params.sl,
            tp: params.tp,
            time_setup: self.now,
            time_done: None,
            expiration: params.expiration,
            expires_at: checked.expires_at,
            time_in_force: params.time_in_force,
            filling: checked.filling,
            magic: params.magic.unwrap_or(0),
            comment,
            client_id: params.client_id.clone(),
            position_id: None,
            reason: Reason::Expert,
        };
        self.order_event("order_updated", &order);
        self.transaction(Transaction::of_order(TransactionType::OrderAdd, &order));
        self.orders.push(order);
        let mut result = self.trade_result(Success::Placed, params.client_id, params.volume, checked.price);
        result.order = Some(ticket.to_string());
        (result.bid, result.ask) = (Some(bid), Some(ask));
        Ok(result)
    }

    fn position_index(&self, ticket: &str) -> Result<usize, ErrorObject> {
        let id = parse_ticket(ticket)?;
        self.positions.iter().position(|position| position.ticket == id).ok_or_else(|| not_found("position", ticket))
    }

    fn order_index(&self, ticket: &str) -> Result<usize, ErrorObject> {
        let id = parse_ticket(ticket)?;
        self.orders.iter().position(|order| order.ticket == id).ok_or_else(|| not_found("pending order", ticket))
    }

    /// `close_position`.
    pub fn close_position(&mut self, params: ClosePositionParams) -> Result<TradeResult, ErrorObject> {
        self.close_position_commented(params, None)
    }

    /// `close_position` with the closing request's comment (MQL5's request.comment), which the closing order keeps.
    pub fn close_position_commented(
        &mut self,
        params: ClosePositionParams,
        comment: Option<&str>,
    ) -> Result<TradeResult, ErrorObject> {
        let index = self.position_index(&params.ticket)?;
        let position = self.positions[index].clone();
        let instrument = self.market(&position.symbol)?.instrument.clone();
        self.check_tradable(&instrument, None).map_err(|reject| self.fail(reject))?;
        let volume = params.volume.unwrap_or(position.volume);
        let remaining = lots(position.volume - volume);
        if remaining < 0.0 || (remaining > 0.0 && remaining < instrument.spec.volume_min - 1e-9) {
            return Err(self.fail(Reject::InvalidVolume));
        }
        check_volume(&instrument, volume).map_err(|reject| self.fail(reject))?;
        let (bid, ask) = (self.market(&position.symbol)?.bid, self.market(&position.symbol)?.ask);
        let (order, closed) = self.close_at_market(index, volume, Reason::Expert, params.client_id.clone(), comment);
        let mut result = self.trade_result(Success::Done, params.client_id, volume, closed.price);
        result.order = Some(order.to_string());
        result.deal = Some(closed.deal.to_string());
        result.position_id = Some(position.ticket.to_string());
        result.remaining_ticket = closed.remaining_ticket.map(|ticket| ticket.to_string());
        (result.bid, result.ask) = (Some(bid), Some(ask));
        Ok(result)
    }

    /// `close_position_by`: closes the common volume of two opposite positions at the opposite one's open price.
    pub fn close_position_by(&mut self, params: ClosePositionByParams) -> Result<TradeResult, ErrorObject> {
        if !self.mode.has(Capability::CloseBy) {
            return Err(ErrorObject::unsupported(self.mode.platform(), "Close-by does not exist on netting accounts"));
        }
        let first = self.positions[self.position_index(&params.ticket)?].clone();
        let second = self.positions[self.position_index(&params.opposite_ticket)?].clone();
        if first.symbol != second.symbol || first.side == second.side {
            return Err(self.fail(Reject::InvalidRequest));
        }
        let instrument = self.market(&first.symbol)?.instrument.clone();
        self.check_tradable(&instrument, None).map_err(|reject| self.fail(reject))?;
        let volume = first.volume.min(second.volume);
        let price = second.price_open;
        let order = if self.mode.platform() == Platform::Mt4 { first.ticket } else { self.take_ticket() };
        let client_id = params.client_id.clone();
        let index = self.position_index(&params.ticket)?;
        let closed =
            self.close_part(index, volume, price, order, DealEntry::OutBy, Reason::Expert, client_id.clone(), None);
        let opposite = self.position_index(&params.opposite_ticket)?;
        let other = self.close_part(opposite, volume, price, order, DealEntry::OutBy, Reason::Expert, client_id, None);
        let mut result = self.trade_result(Success::Done, params.client_id, volume, price);
        result.order = Some(order.to_string());
        result.deal = Some(closed.deal.to_string());
        result.position_id = Some(first.ticket.to_string());
        result.remaining_ticket = closed.remaining_ticket.or(other.remaining_ticket).map(|ticket| ticket.to_string());
        Ok(result)
    }

    /// `close_positions`: every matching position, each with its own outcome.
    pub fn close_positions(&mut self, params: ClosePositionsParams) -> Result<ClosePositionsResult, ErrorObject> {
        let tickets: Vec<String> = self
            .positions
            .iter()
            .filter(|position| params.symbol.as_ref().is_none_or(|symbol| &position.symbol == symbol))
            .filter(|position| params.magic.is_none_or(|magic| position.magic == magic))
            .filter(|position| params.side.is_none_or(|side| position.side == side))
            .map(|position| position.ticket.to_string())
            .collect();
        let outcomes = tickets
            .into_iter()
            .map(|ticket| {
                let close = ClosePositionParams {
                    client_id: None,
                    ticket: ticket.clone(),
                    volume: None,
                    deviation_points: None,
                };
                match self.close_position(close) {
                    Ok(result) => CloseOutcome { ticket, result: Some(result), error: None },
                    Err(error) => CloseOutcome { ticket, result: None, error: Some(error) },
                }
            })
            .collect();
        Ok(ClosePositionsResult { client_id: params.client_id, outcomes })
    }

    /// `modify_position`.
    pub fn modify_position(&mut self, params: ModifyPositionParams) -> Result<TradeResult, ErrorObject> {
        let index = self.position_index(&params.ticket)?;
        let position = self.positions[index].clone();
        let instrument = self.market(&position.symbol)?.instrument.clone();
        self.check_tradable(&instrument, None).map_err(|reject| self.fail(reject))?;
        let sl = stop_change(position.sl, params.sl);
        let tp = stop_change(position.tp, params.tp);
        let close = self.close_price(&position.symbol, position.side);
        if sl == position.sl && tp == position.tp {
            return self.no_changes(params.client_id, position.volume, position.price_open);
        }
        let freeze = f64::from(instrument.spec.freeze_level) * instrument.spec.point;
        if [position.sl, position.tp].into_iter().flatten().any(|level| (close - level).abs() <= freeze) {
            return Err(self.fail(Reject::Frozen));
        }
        check_stops(&instrument, position.side, close, sl, tp).map_err(|reject| self.fail(reject))?;
        let target = &mut self.positions[index];
        target.sl = sl;
        target.tp = tp;
        target.update_time = self.now;
        let changed = Transaction::of_position(target);
        self.position_event(index);
        self.transaction(changed);
        let mut result = self.trade_result(Success::Done, params.client_id, position.volume, position.price_open);
        result.position_id = Some(position.ticket.to_string());
        Ok(result)
    }

    fn check_not_frozen(&self, order: &OrderRec) -> Result<(), ErrorObject> {
        let market = self.market(&order.symbol)?;
        let spec = &market.instrument.spec;
        let reference = if order.order_type.side() == Side::Buy { market.ask } else { market.bid };
        if (order.price_open - reference).abs() <= f64::from(spec.freeze_level) * spec.point {
            return Err(self.fail(Reject::Frozen));
        }
        Ok(())
    }

    /// `modify_order`.
    pub fn modify_order(&mut self, params: ModifyOrderParams) -> Result<TradeResult, ErrorObject> {
        let index = self.order_index(&params.ticket)?;
        let order = self.orders[index].clone();
        let time_in_force = params.time_in_force.unwrap_or(order.time_in_force);
        self.check_platform(order.order_type, time_in_force)?;
        let market = self.market(&order.symbol)?;
        let (instrument, bid, ask) = (market.instrument.clone(), market.bid, market.ask);
        self.check_tradable(&instrument, None).map_err(|reject| self.fail(reject))?;
        if params.stop_limit_price.is_some() && !order.order_type.is_stop_limit() {
            return Err(self.fail(Reject::InvalidRequest));
        }
        self.check_not_frozen(&order)?;
        let mut changed = order.clone();
        changed.price_open = params.price.unwrap_or(order.price_open);
        changed.price_stop_limit = params.stop_limit_price.or(order.price_stop_limit);
        changed.sl = stop_change(order.sl, params.sl);
        changed.tp = stop_change(order.tp, params.tp);
        changed.time_in_force = time_in_force;
        changed.expiration = match time_in_force {
            TimeInForce::Specified | TimeInForce::SpecifiedDay => params.expiration.or(order.expiration),
            _ => None,
        };
        if changed == order {
            return self.no_changes(params.client_id, order.volume_current, order.price_open);
        }
        let fail = |reject| self.fail(reject);
        check_pending_price(&instrument, changed.order_type, changed.price_open, changed.price_stop_limit, bid, ask)
            .map_err(fail)?;
        let reference = pending_reference(changed.price_open, changed.price_stop_limit);
        check_stops(&instrument, changed.order_type.side(), reference, changed.sl, changed.tp).map_err(fail)?;
        changed.expires_at =
            self.check_expiration(&instrument, changed.time_in_force, changed.expiration).map_err(fail)?;
        self.order_event("order_updated", &changed);
        self.transaction(Transaction::of_order(TransactionType::OrderUpdate, &changed));
        self.orders[index] = changed.clone();
        let mut result = self.trade_result(Success::Done, params.client_id, changed.volume_current, changed.price_open);
        result.order = Some(changed.ticket.to_string());
        Ok(result)
    }

    /// `cancel_order`.
    pub fn cancel_order(&mut self, params: CancelOrderParams) -> Result<TradeResult, ErrorObject> {
        let index = self.order_index(&params.ticket)?;
        let order = self.orders[index].clone();
        let instrument = self.market(&order.symbol)?.instrument.clone();
        self.check_tradable(&instrument, None).map_err(|reject| self.fail(reject))?;
        self.check_not_frozen(&order)?;
        self.finish_order(index, OrderState::Canceled);
        let mut result = self.trade_result(Success::Done, params.client_id, order.volume_current, order.price_open);
        result.order = Some(order.ticket.to_string());
        Ok(result)
    }

    /// Moves a pending order to history in `state` and publishes `order_completed`.
    pub(crate) fn finish_order(&mut self, index: usize, state: OrderState) -> OrderRec {
        let mut order = self.orders.remove(index);
        order.state = state;
        order.time_done = Some(self.now);
        if state == OrderState::Filled {
            order.volume_current = 0.0;
        }
        self.order_event("order_completed", &order);
        self.transaction(Transaction::of_order(TransactionType::OrderDelete, &order));
        self.transaction(Transaction::of_order(TransactionType::HistoryAdd, &order));
        // MT4 keeps a filled pending order as the trade itself; it reaches history when that trade closes.
        if !(self.mode.platform() == Platform::Mt4 && state == OrderState::Filled) {
            self.history_orders.push(order.clone());
        }
        order
    }
}
