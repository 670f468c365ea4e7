//! What the feed sets off: pending order activation, stop-limit conversion, SL/TP, expiration and stop-out.

use metaapi_protocol::methods::OrderState;
use metaapi_protocol::types::{OrderType, Reason, Side};

use crate::engine::execution::Fill;
use crate::engine::transactions::{Transaction, TransactionType};
use crate::terminal::Terminal;

/// What a pending order does at the current quote.
enum Trigger {
    /// Nothing yet.
    Wait,
    /// A stop-limit's stop price was reached: it becomes a limit order.
    ToLimit,
    /// Fill it.
    Fill,
}

fn trigger(order_type: OrderType, price: f64, bid: f64, ask: f64) -> Trigger {
    let reached = match order_type {
        OrderType::BuyLimit => ask <= price,
        OrderType::SellLimit => bid >= price,
        OrderType::BuyStop | OrderType::BuyStopLimit => ask >= price,
        OrderType::SellStop | OrderType::SellStopLimit => bid <= price,
        OrderType::Buy | OrderType::Sell => true,
        OrderType::CloseBy => false,
    };
    match (reached, order_type.is_stop_limit()) {
        (false, _) => Trigger::Wait,
        (true, true) => Trigger::ToLimit,
        (true, false) => Trigger::Fill,
    }
}

impl Terminal {
    /// Runs everything a new quote of market `index` can set off.
    pub(crate) fn on_quote(&mut self, index: usize) {
        let symbol = self.markets[index].name().to_owned();
        self.trigger_orders(index, &symbol);
        self.trigger_stops(&symbol);
        self.stop_out();
    }

    fn trigger_orders(&mut self, index: usize, symbol: &str) {
        let (bid, ask) = (self.markets[index].bid, self.markets[index].ask);
        let tickets: Vec<u64> =
            self.orders.iter().filter(|order| order.symbol == symbol).map(|order| order.ticket).collect();
        for ticket in tickets {
            let Some(position) = self.orders.iter().position(|order| order.ticket == ticket) else {
                continue;
            };
            let order = self.orders[position].clone();
            match trigger(order.order_type, order.price_open, bid, ask) {
                Trigger::Wait => {}
                Trigger::ToLimit => {
                    let changed = &mut self.orders[position];
                    changed.order_type =
                        if order.order_type.side() == Side::Buy { OrderType::BuyLimit } else { OrderType::SellLimit };
                    changed.price_open = order.price_stop_limit.unwrap_or(order.price_open);
                    changed.price_stop_limit = None;
                    let changed = changed.clone();
                    self.order_event("order_updated", &changed);
                    self.transaction(Transaction::of_order(TransactionType::OrderUpdate, &changed));
                }
                Trigger::Fill => {
                    let side = order.order_type.side();
                    let price = if side == Side::Buy { ask } else { bid };
                    let fits = self.margin_after(index, side, order.volume_current, price).is_ok_and(|margin| {
                        self.account.balance + self.account.credit + self.totals().1 - margin >= 0.0
                    });
                    if !fits {
                        self.orders[position].comment = "[no money]".into();
                        self.finish_order(position, OrderState::Canceled);
                        continue;
                    }
                    let fill = Fill {
                        symbol: order.symbol.clone(),
                        side,
                        volume: order.volume_current,
                        price,
                        order: order.ticket,
                        sl: order.sl,
                        tp: order.tp,
                        magic: order.magic,
                        comment: order.comment.clone(),
                        client_id: order.client_id.clone(),
                        reason: order.reason,
                    };
                    let (_, position_id) = self.execute(fill);
                    self.orders[position].position_id = Some(position_id);
                    self.finish_order(position, OrderState::Filled);
                }
            }
        }
    }

    fn trigger_stops(&mut self, symbol: &str) {
        let hits: Vec<(u64, Reason)> = self
            .positions
            .iter()
            .filter(|position| position.symbol == symbol)
            .filter_map(|position| {
                let close = self.close_price(symbol, position.side);
                let (sl_hit, tp_hit) = match position.side {
                    Side::Buy => (position.sl.is_some_and(|sl| close <= sl), position.tp.is_some_and(|tp| close >= tp)),
                    Side::Sell => {
                        (position.sl.is_some_and(|sl| close >= sl), position.tp.is_some_and(|tp| close <= tp))
                    }
                };
                if sl_hit {
                    Some((position.ticket, Reason::Sl))
                } else if tp_hit {
                    Some((position.ticket, Reason::Tp))
                } else {
                    None
                }
            })
            .collect();
        for (ticket, reason) in hits {
            if let Some(index) = self.positions.iter().position(|position| position.ticket == ticket) {
                let volume = self.positions[index].volume;
                self.close_at_market(index, volume, reason, None, None);
            }
        }
    }

    /// Closes the most losing position while the margin level is under the stop-out level.
    pub(crate) fn stop_out(&mut self) {
        for _ in 0..self.positions.len() {
            let info = self.account_info();
            let Some(level) = info.margin_level else {
                return;
            };
            if level >= self.account.stop_out_level {
                return;
            }
            let worst = (0..self.positions.len())
                .min_by(|a, b| {
                    let (a, b) = (self.position_profit(&self.positions[*a]), self.position_profit(&self.positions[*b]));
                    a.total_cmp(&b)
                })
                .unwrap_or(0);
            let volume = self.positions[worst].volume;
            self.close_at_market(worst, volume, Reason::StopOut, None, None);
        }
    }

    /// Expires pending orders whose time has come.
    pub(crate) fn expire_orders(&mut self) {
        while let Some(index) = self.orders.iter().position(|order| order.expires_at.is_some_and(|at| at <= self.now)) {
            self.finish_order(index, OrderState::Expired);
        }
    }
}
