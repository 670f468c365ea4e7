//! Margin and profit per calculation mode, currency conversion to the deposit currency, and the account figures.

use metaapi_protocol::methods::{AccountInfo, CalcMode};
use metaapi_protocol::types::{AccountTradeMode, Side, StopOutMode};
use metaapi_protocol::{ErrorKind, ErrorObject};

use crate::engine::records::PositionRec;
use crate::symbols::Instrument;
use crate::terminal::Terminal;

/// Rounds money to cents.
pub fn money(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Rounds a volume to drop binary noise from sums of steps.
pub fn lots(value: f64) -> f64 {
    (value * 1e8).round() / 1e8
}

const DEPOSIT: &str = "USD";

impl Terminal {
    /// How many deposit-currency units one unit of `currency` is worth. `own` is the symbol being traded and the
    /// price to use for it, so that a EURUSD trade converts its EUR margin at its own price.
    pub(crate) fn rate_to_deposit(&self, currency: &str, own: Option<(&Instrument, f64)>) -> Result<f64, ErrorObject> {
        if currency == DEPOSIT {
            return Ok(1.0);
        }
        if let Some((instrument, price)) = own {
            let spec = &instrument.spec;
            if spec.base_currency == currency && spec.profit_currency == DEPOSIT {
                return Ok(price);
            }
            if spec.base_currency == DEPOSIT && spec.profit_currency == currency {
                return Ok(1.0 / price);
            }
        }
        for market in &self.markets {
            let spec = &market.instrument.spec;
            if spec.base_currency == currency && spec.profit_currency == DEPOSIT {
                return Ok(market.bid);
            }
            if spec.base_currency == DEPOSIT && spec.profit_currency == currency {
                return Ok(1.0 / market.bid);
            }
        }
        Err(ErrorObject::new(ErrorKind::Internal, format!("no rate to convert {currency} to {DEPOSIT}")))
    }

    /// Margin of `volume` lots at `price`, in deposit currency, by the symbol's calculation mode.
    pub(crate) fn margin_for(&self, instrument: &Instrument, volume: f64, price: f64) -> Result<f64, ErrorObject> {
        let spec = &instrument.spec;
        let leverage = f64::from(self.account.leverage);
        let own = Some((instrument, price));
        let in_margin_currency = || self.rate_to_deposit(&spec.margin_currency, own);
        let in_profit_currency = || self.rate_to_deposit(&spec.profit_currency, own);
        let margin = match spec.calc_mode {
            CalcMode::Forex => volume * spec.contract_size / leverage * in_margin_currency()?,
            CalcMode::ForexNoLeverage => volume * spec.contract_size * in_margin_currency()?,
            CalcMode::Cfd | CalcMode::ExchangeStocks => volume * spec.contract_size * price * in_profit_currency()?,
            CalcMode::CfdLeverage => volume * spec.contract_size * price / leverage * in_profit_currency()?,
            CalcMode::CfdIndex => volume * spec.contract_size * price * spec.tick_value / spec.tick_size,
            CalcMode::Futures => volume * spec.margin_initial,
        };
        Ok(money(margin))
    }

    /// Profit of `volume` lots on `side` from `open` to `close`, in deposit currency.
    pub(crate) fn profit_for(
        &self,
        instrument: &Instrument,
        side: Side,
        volume: f64,
        open: f64,
        close: f64,
    ) -> Result<f64, ErrorObject> {
        let spec = &instrument.spec;
        let direction = if side == Side::Buy { 1.0 } else { -1.0 };
        let in_profit_currency = (close - open) * direction * volume * spec.contract_size;
        Ok(money(in_profit_currency * self.rate_to_deposit(&spec.profit_currency, Some((instrument, close)))?))
    }

    /// The price a position closes at now: bid for a long, ask for a short.
    pub(crate) fn close_price(&self, symbol: &str, side: Side) -> f64 {
        self.market(symbol).map_or(0.0, |market| if side == Side::Buy { market.bid } else { market.ask })
    }

    /// Floating profit of a position.
    pub(crate) fn position_profit(&self, position: &PositionRec) -> f64 {
        let Ok(market) = self.market(&position.symbol) else {
            return 0.0;
        };
        let close = self.close_price(&position.symbol, position.side);
        self.profit_for(&market.instrument, position.side, position.volume, position.price_open, close).unwrap_or(0.0)
    }

    /// Margin held by a position: computed at its open price, so it moves only when the position changes.
    pub(crate) fn position_margin(&self, position: &PositionRec) -> f64 {
        self.market(&position.symbol)
            .and_then(|market| self.margin_for(&market.instrument, position.volume, position.price_open))
            .unwrap_or(0.0)
    }

    /// Total margin and floating profit.
    pub(crate) fn totals(&self) -> (f64, f64) {
        self.positions.iter().fold((0.0, 0.0), |(margin, profit), position| {
            (margin + self.position_margin(position), profit + self.position_profit(position))
        })
    }

    /// The account as `get_account_info` shows it.
    pub fn account_info(&self) -> AccountInfo {
        let identity = self.mode.identity();
        let (margin, profit) = self.totals();
        let (margin, profit) = (money(margin), money(profit));
        let equity = money(self.account.balance + self.account.credit + profit);
        AccountInfo {
            platform: identity.platform,
            login: identity.login,
            name: identity.account_name,
            server: identity.server,
            company: identity.company,
            currency: identity.currency,
            currency_digits: 2,
            leverage: self.account.leverage,
            balance: money(self.account.balance),
            credit: self.account.credit,
            profit,
            equity,
            margin,
            free_margin: money(equity - margin),
            margin_level: (margin > 0.0).then(|| money(equity / margin * 100.0)),
            margin_call_level: self.account.margin_call_level,
            stop_out_level: self.account.stop_out_level,
            stop_out_mode: StopOutMode::Percent,
            margin_mode: identity.margin_mode,
            trade_mode: AccountTradeMode::Demo,
            trade_allowed: self.account.trade_allowed,
            expert_allowed: self.account.trade_allowed,
            limit_orders: self.account.limit_orders,
            fifo_close: false,
            investor_mode: false,
        }
    }
}
