//! Calculations that change nothing: `calc_margin`, `calc_profit`, `check_order`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::method::{ParamsError, Validate};
use crate::methods::checks::check_symbol;
use crate::methods::trading::PlaceOrderParams;
use crate::types::Side;

method! {
    /// The margin an order would need, in deposit currency.
    CalcMargin = "calc_margin", Calculations, Terminal, CalcMarginParams => MarginEstimate
}

method! {
    /// The profit of a trade between two prices, in deposit currency.
    CalcProfit = "calc_profit", Calculations, Terminal, CalcProfitParams => ProfitEstimate
}

method! {
    /// Checks an order without sending it: funds, volume and stops (emulated on MT4, and said so).
    CheckOrder = "check_order", Calculations, Terminal, PlaceOrderParams => OrderCheck
}

/// Largest `volume` a calculation takes, in lots (brokers cap an order far below this).
pub const CALC_MAX_VOLUME: f64 = 1e6;
/// Largest price a calculation takes.
pub const CALC_MAX_PRICE: f64 = 1e12;

/// Checks the numbers of a calculation. With both bounds, volume times contract size times price stays far inside
/// a double, so a terminal's answer is a finite number: past them it overflowed to infinity, which JSON cannot
/// carry, and the caller got `invalid_terminal_reply` for what was a bad request.
fn check_volume_price(volume: f64, prices: &[(&str, Option<f64>)]) -> Result<(), ParamsError> {
    if !(volume.is_finite() && volume > 0.0 && volume <= CALC_MAX_VOLUME) {
        return Err(ParamsError::field("volume", "must be a positive number of lots, at most 1000000"));
    }
    for (field, price) in prices {
        if price.is_some_and(|price| !(price.is_finite() && price > 0.0 && price <= CALC_MAX_PRICE)) {
            return Err(ParamsError::field(field, "must be a positive number, at most 1e12"));
        }
    }
    Ok(())
}

/// Params of `calc_margin`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalcMarginParams {
    /// Symbol name.
    pub symbol: String,
    /// Direction.
    pub side: Side,
    /// Volume in lots.
    pub volume: f64,
    /// Open price; the current price when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
}

impl Validate for CalcMarginParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_symbol("symbol", &self.symbol)?;
        check_volume_price(self.volume, &[("price", self.price)])
    }
}

/// Result of `calc_margin`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MarginEstimate {
    /// Margin needed.
    pub margin: f64,
    /// Deposit currency.
    pub currency: String,
}

/// Params of `calc_profit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalcProfitParams {
    /// Symbol name.
    pub symbol: String,
    /// Direction.
    pub side: Side,
    /// Volume in lots.
    pub volume: f64,
    /// Open price.
    pub price_open: f64,
    /// Close price.
    pub price_close: f64,
}

impl Validate for CalcProfitParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_symbol("symbol", &self.symbol)?;
        check_volume_price(
            self.volume,
            &[("price_open", Some(self.price_open)), ("price_close", Some(self.price_close))],
        )
    }
}

/// Result of `calc_profit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProfitEstimate {
    /// Profit (negative for a loss).
    pub profit: f64,
    /// Deposit currency.
    pub currency: String,
}

/// Result of `check_order`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderCheck {
    /// 0 when the order would pass, else the MT retcode it would get.
    pub retcode: i32,
    /// MT name of `retcode`.
    pub retcode_name: String,
    /// Balance after the order.
    pub balance: f64,
    /// Equity after the order.
    pub equity: f64,
    /// Floating profit.
    pub profit: f64,
    /// Margin after the order.
    pub margin: f64,
    /// Free margin after the order.
    pub free_margin: f64,
    /// Margin level after the order, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_level: Option<f64>,
    /// Human description.
    pub comment: String,
    /// `true` when the terminal has no native order check (MT4) and computed this itself.
    pub emulated: bool,
}
