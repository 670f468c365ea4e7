//! The trade server's checks, in the order MT applies them: permissions, session, volume, filling, prices,
//! stops, expiration, limits, money.

use metaapi_protocol::methods::{PlaceOrderParams, SymbolTradeMode};
use metaapi_protocol::types::{Capability, Filling, OrderType, Side, TimeInForce, TimeMs};
use metaapi_protocol::{ErrorObject, types::Platform};

use crate::engine::calc::lots;
use crate::retcode::Reject;
use crate::symbols::Instrument;
use crate::terminal::Terminal;
use crate::time::{broker_day_start, from_broker, to_broker};

/// Why a request fails: a trade-server rejection with an MT code, or a plain error (unknown symbol or ticket,
/// unsupported on this platform).
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Rejected with an MT code.
    Reject(Reject),
    /// Not a trade-server answer.
    Error(ErrorObject),
}

impl From<Reject> for Refusal {
    fn from(reject: Reject) -> Refusal {
        Refusal::Reject(reject)
    }
}

impl From<ErrorObject> for Refusal {
    fn from(error: ErrorObject) -> Refusal {
        Refusal::Error(error)
    }
}

impl Refusal {
    /// The wire error on `platform`.
    pub fn into_error(self, platform: Platform) -> ErrorObject {
        match self {
            Refusal::Reject(reject) => reject.error(platform),
            Refusal::Error(error) => error,
        }
    }
}

/// An order that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedOrder {
    /// Index of the symbol's market.
    pub market: usize,
    /// Execution price (market orders) or order price (pending).
    pub price: f64,
    /// The filling actually used.
    pub filling: Filling,
    /// When a pending order expires.
    pub expires_at: Option<TimeMs>,
    /// Margin after execution (market orders; the current margin for pending ones).
    pub margin_after: f64,
}

/// Tolerance when comparing prices: a thousandth of a point.
fn tolerance(instrument: &Instrument) -> f64 {
    instrument.spec.point * 1e-3
}

/// Checks a volume against the symbol's minimum, maximum and step.
pub fn check_volume(instrument: &Instrument, volume: f64) -> Result<(), Reject> {
    let spec = &instrument.spec;
    let steps = volume / spec.volume_step;
    if volume < spec.volume_min - 1e-9 || volume > spec.volume_max + 1e-9 || (steps - steps.round()).abs() > 1e-6 {
        return Err(Reject::InvalidVolume);
    }
    Ok(())
}

/// Checks stops of a `side` position or order against `reference` (the close price for positions, the order
/// price for pending orders) and the stops level.
pub fn check_stops(
    instrument: &Instrument,
    side: Side,
    reference: f64,
    sl: Option<f64>,
    tp: Option<f64>,
) -> Result<(), Reject> {
    let level = f64::from(instrument.spec.stops_level) * instrument.spec.point;
    let eps = tolerance(instrument);
    for price in [sl, tp].into_iter().flatten() {
        if !instrument.is_normalized(price) {
            return Err(Reject::InvalidStops);
        }
    }
    let ok = match side {
        Side::Buy => {
            sl.is_none_or(|sl| sl <= reference - level + eps) && tp.is_none_or(|tp| tp >= reference + level - eps)
        }
        Side::Sell => {
            sl.is_none_or(|sl| sl >= reference + level - eps) && tp.is_none_or(|tp| tp <= reference - level + eps)
        }
    };
    if ok { Ok(()) } else { Err(Reject::InvalidStops) }
}

/// Checks a pending order's price (and stop-limit price) against the market and the stops level.
pub fn check_pending_price(
    instrument: &Instrument,
    order_type: OrderType,
    price: f64,
    stop_limit: Option<f64>,
    bid: f64,
    ask: f64,
) -> Result<(), Reject> {
    if !instrument.is_normalized(price) || stop_limit.is_some_and(|limit| !instrument.is_normalized(limit)) {
        return Err(Reject::UnnormalizedPrice);
    }
    let level = f64::from(instrument.spec.stops_level) * instrument.spec.point;
    let eps = tolerance(instrument);
    let ok = match order_type {
        OrderType::BuyLimit => price <= ask - level + eps,
        OrderType::SellLimit => price >= bid + level - eps,
        OrderType::BuyStop => price >= ask + level - eps,
        OrderType::SellStop => price <= bid - level + eps,
        OrderType::BuyStopLimit => price >= ask + level - eps && stop_limit.is_some_and(|limit| limit <= price + eps),
        OrderType::SellStopLimit => price <= bid - level + eps && stop_limit.is_some_and(|limit| limit >= price - eps),
        OrderType::Buy | OrderType::Sell => true,
        // Only close_position_by makes a close-by order; it never rests at a price.
        OrderType::CloseBy => false,
    };
    if ok { Ok(()) } else { Err(Reject::PendingPrice) }
}

/// The price at which stops of a pending order are checked: the limit price of a stop-limit order.
pub fn pending_reference(price: f64, stop_limit: Option<f64>) -> f64 {
    stop_limit.unwrap_or(price)
}

impl Terminal {
    /// Unsupported-on-this-platform checks shared by placing and modifying.
    pub(crate) fn check_platform(&self, order_type: OrderType, time_in_force: TimeInForce) -> Result<(), ErrorObject> {
        let platform = self.mode.platform();
        if order_type.is_stop_limit() && !self.mode.has(Capability::StopLimit) {
            return Err(ErrorObject::unsupported(platform, "Stop-limit orders do not exist on MT4"));
        }
        if matches!(time_in_force, TimeInForce::Day | TimeInForce::SpecifiedDay)
            && !self.mode.has(Capability::DayOrders)
        {
            return Err(ErrorObject::unsupported(platform, "Day and specified-day orders do not exist on MT4"));
        }
        Ok(())
    }

    /// Permission and session checks for any trade on `instrument`; `opening` is `Some(side)` for a new exposure.
    pub(crate) fn check_tradable(&self, instrument: &Instrument, opening: Option<Side>) -> Result<(), Reject> {
        if !self.account.trade_allowed {
            return Err(Reject::ClientDisabled);
        }
        match (instrument.spec.trade_mode, opening) {
            (SymbolTradeMode::Disabled, _) => return Err(Reject::TradeDisabled),
            (SymbolTradeMode::CloseOnly, Some(_)) => return Err(Reject::CloseOnly),
            (SymbolTradeMode::LongOnly, Some(Side::Sell)) => return Err(Reject::LongOnly),
            (SymbolTradeMode::ShortOnly, Some(Side::Buy)) => return Err(Reject::ShortOnly),
            _ => {}
        }
        if !instrument.trading(to_broker(self.now)) {
            return Err(Reject::MarketClosed);
        }
        Ok(())
    }

    /// When a pending order with this lifetime expires, or a rejection if the lifetime is not allowed.
    pub(crate) fn check_expiration(
        &self,
        instrument: &Instrument,
        time_in_force: TimeInForce,
        expiration: Option<TimeMs>,
    ) -> Result<Option<TimeMs>, Reject> {
        if !instrument.spec.expiration_modes.contains(&time_in_force) {
            return Err(Reject::InvalidExpiration);
        }
        let end_of_day = |time: TimeMs| from_broker(broker_day_start(to_broker(time)) + 86_400_000);
        let expires_at = match time_in_force {
            TimeInForce::Gtc => None,
            TimeInForce::Day => Some(end_of_day(self.now)),
            TimeInForce::Specified => expiration,
            TimeInForce::SpecifiedDay => expiration.map(end_of_day),
        };
        if expires_at.is_some_and(|at| at <= self.now) {
            return Err(Reject::InvalidExpiration);
        }
        Ok(expires_at)
    }

    fn check_filling(&self, instrument: &Instrument, requested: Filling, market: bool) -> Result<Filling, Reject> {
        if self.mode.platform() == Platform::Mt4 {
            // MT4 has no filling policies; its orders fill completely or not at all.
            return Ok(Filling::Fok);
        }
        let allowed = &instrument.spec.filling_modes;
        match requested {
            Filling::Auto if market => [Filling::Fok, Filling::Ioc, Filling::Return]
                .into_iter()
                .find(|mode| allowed.contains(mode))
                .ok_or(Reject::InvalidFill),
            Filling::Auto => Ok(Filling::Return),
            Filling::Return if !market => Ok(Filling::Return),
            mode if allowed.contains(&mode) => Ok(mode),
            _ => Err(Reject::InvalidFill),
        }
    }

    /// Margin after a market deal of `volume` on `side` at `price`, with netting or hedging accounting.
    pub(crate) fn margin_after(&self, market: usize, side: Side, volume: f64, price: f64) -> Result<f64, ErrorObject> {
        let instrument = &self.markets[market].instrument;
        let (current, _) = self.totals();
        if !self.mode.is_netting() {
            return Ok(current + self.margin_for(instrument, volume, price)?);
        }
        let Some(position) = self.positions.iter().find(|position| position.symbol == instrument.spec.symbol) else {
            return Ok(current + self.margin_for(instrument, volume, price)?);
        };
        let before = self.position_margin(position);
        let after = if position.side == side {
            let total = lots(position.volume + volume);
            let average = (position.price_open * position.volume + price * volume) / total;
            self.margin_for(instrument, total, average)?
        } else {
            let remaining = lots(position.volume - volume);
            if remaining > 0.0 {
                self.margin_for(instrument, remaining, position.price_open)?
            } else if remaining < 0.0 {
                self.margin_for(instrument, -remaining, price)?
            } else {
                0.0
            }
        };
        Ok(current - before + after)
    }

    /// Runs every check of `place_order` (and `check_order`) without changing anything.
    pub(crate) fn check_place(&self, params: &PlaceOrderParams) -> Result<CheckedOrder, Refusal> {
        let market = self.market_index(&params.symbol)?;
        self.check_platform(params.order_type, params.time_in_force)?;
        let state = &self.markets[market];
        let instrument = &state.instrument;
        let side = params.order_type.side();
        if !instrument.spec.order_types.contains(&params.order_type) {
            return Err(Reject::InvalidRequest.into());
        }
        self.check_tradable(instrument, Some(side))?;
        check_volume(instrument, params.volume)?;
        let is_market = params.order_type.is_market();
        let filling = self.check_filling(instrument, params.filling, is_market)?;
        let (bid, ask) = (state.bid, state.ask);
        let mut expires_at = None;
        let price = if is_market {
            let execution = if side == Side::Buy { ask } else { bid };
            if let Some(requested) = params.price {
                if !instrument.is_normalized(requested) {
                    return Err(Reject::UnnormalizedPrice.into());
                }
                // MT5 market execution ignores a requested price unless a deviation is given; MT4 instant
                // execution requotes any move unless a slippage is given.
                let deviation = match (params.deviation_points, self.mode.platform()) {
                    (Some(points), _) => Some(points),
                    (None, Platform::Mt4) => Some(0),
                    (None, Platform::Mt5) => None,
                };
                if let Some(points) = deviation
                    && (execution - requested).abs() > f64::from(points) * instrument.spec.point + tolerance(instrument)
                {
                    return Err(Reject::Requote.into());
                }
            }
            check_stops(instrument, side, if side == Side::Buy { bid } else { ask }, params.sl, params.tp)?;
            execution
        } else {
            let price = params.price.unwrap_or_default();
            check_pending_price(instrument, params.order_type, price, params.stop_limit_price, bid, ask)?;
            check_stops(instrument, side, pending_reference(price, params.stop_limit_price), params.sl, params.tp)?;
            expires_at = self.check_expiration(instrument, params.time_in_force, params.expiration)?;
            if self.orders.len() >= self.account.limit_orders as usize {
                return Err(Reject::LimitOrders.into());
            }
            price
        };
        if instrument.spec.volume_limit > 0.0 {
            let symbol = &instrument.spec.symbol;
            let open: f64 = self.positions.iter().filter(|p| &p.symbol == symbol).map(|p| p.volume).sum::<f64>()
                + self.orders.iter().filter(|o| &o.symbol == symbol).map(|o| o.volume_current).sum::<f64>();
            if lots(open + params.volume) > instrument.spec.volume_limit + 1e-9 {
                return Err(Reject::LimitVolume.into());
            }
        }
        let margin_after =
            if is_market { self.margin_after(market, side, params.volume, price)? } else { self.totals().0 };
        if is_market {
            let equity = self.account.balance + self.account.credit + self.totals().1;
            if equity - margin_after < 0.0 {
                return Err(Reject::NoMoney.into());
            }
        }
        Ok(CheckedOrder { market, price, filling, expires_at, margin_after })
    }
}
