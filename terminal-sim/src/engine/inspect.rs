//! What a program reads from the engine without trading: a symbol's spec with its live tick value and spread,
//! margin and profit estimates, the trade server's verdict on an order, and the engine's own records.

use metaapi_protocol::ErrorObject;
use metaapi_protocol::methods::{
    CalcMarginParams, CalcProfitParams, MarginEstimate, OrderCheck, PlaceOrderParams, ProfitEstimate, SymbolSpec,
};
use metaapi_protocol::types::{Platform, Side};

use crate::engine::calc::money;
use crate::engine::checks::Refusal;
use crate::engine::records::{ClosedTrade, DealRec, OrderRec, PositionRec};
use crate::market::SymbolMarket;
use crate::retcode::code_name;
use crate::terminal::Terminal;

impl Terminal {
    /// The symbol's spec as SymbolInfo* reads it: the tick value at the current rate and the current spread.
    pub fn symbol_spec(&self, symbol: &str) -> Result<SymbolSpec, ErrorObject> {
        let market = self.market(symbol)?;
        let mut spec = market.instrument.spec.clone();
        let rate = self.rate_to_deposit(&spec.profit_currency, Some((&market.instrument, market.bid)))?;
        spec.tick_value = (spec.tick_size * spec.contract_size * rate * 1e8).round() / 1e8;
        spec.spread = market.spread_points();
        Ok(spec)
    }

    /// OrderCalcMargin: margin of the volume at `price`, or at the current ask (buy) or bid (sell).
    pub fn calc_margin(&self, params: CalcMarginParams) -> Result<MarginEstimate, ErrorObject> {
        let market = self.market(&params.symbol)?;
        let price = params.price.unwrap_or(if params.side == Side::Buy { market.ask } else { market.bid });
        let margin = self.margin_for(&market.instrument, params.volume, price)?;
        Ok(MarginEstimate { margin, currency: self.identity().currency })
    }

    /// OrderCalcProfit: profit of the volume between two prices, in the deposit currency.
    pub fn calc_profit(&self, params: CalcProfitParams) -> Result<ProfitEstimate, ErrorObject> {
        let market = self.market(&params.symbol)?;
        let profit =
            self.profit_for(&market.instrument, params.side, params.volume, params.price_open, params.price_close)?;
        Ok(ProfitEstimate { profit, currency: self.identity().currency })
    }

    /// OrderCheck: every check of an order placement without trading, with the account as it would be after it.
    /// A refusal is a retcode in the result; only a request the server cannot judge (an unknown symbol) is an error.
    pub fn check_order(&self, params: PlaceOrderParams) -> Result<OrderCheck, ErrorObject> {
        let platform = self.mode.platform();
        let info = self.account_info();
        let (retcode, comment, margin) = match self.check_place(&params) {
            Ok(checked) => (0, "Done".to_owned(), money(checked.margin_after)),
            Err(Refusal::Reject(reject)) => (reject.code(platform), reject.message().to_owned(), info.margin),
            Err(Refusal::Error(error)) => return Err(error),
        };
        let retcode_name = match (retcode, platform) {
            (0, Platform::Mt5) => "TRADE_RETCODE_OK".to_owned(),
            _ => code_name(platform, retcode).to_owned(),
        };
        Ok(OrderCheck {
            retcode,
            retcode_name,
            balance: info.balance,
            equity: info.equity,
            profit: info.profit,
            margin,
            free_margin: money(info.equity - margin),
            margin_level: (margin > 0.0).then(|| money(info.equity / margin * 100.0)),
            comment,
            emulated: platform == Platform::Mt4,
        })
    }

    /// One symbol's market: quote, book, candles and tick history.
    pub fn symbol_market(&mut self, symbol: &str) -> Result<&mut SymbolMarket, ErrorObject> {
        let index = self.market_index(symbol)?;
        Ok(&mut self.markets[index])
    }

    /// Open positions, oldest first.
    pub fn positions(&self) -> &[PositionRec] {
        &self.positions
    }

    /// Pending orders, oldest first.
    pub fn orders(&self) -> &[OrderRec] {
        &self.orders
    }

    /// Orders in history: filled, cancelled, expired (on MT4 only the deleted pending orders; closed trades are
    /// in [`Terminal::closed_trades`]).
    pub fn history_orders(&self) -> &[OrderRec] {
        &self.history_orders
    }

    /// Deals (on MT4 only balance operations; closed trades are in [`Terminal::closed_trades`]).
    pub fn deals(&self) -> &[DealRec] {
        &self.deals
    }

    /// MT4's closed market orders, each with its open and close.
    pub fn closed_trades(&self) -> &[ClosedTrade] {
        &self.closed_trades
    }
}
