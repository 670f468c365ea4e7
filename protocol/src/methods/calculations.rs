//! Calculations that change nothing: `calc_margin`, `calc_profit`, `check_order`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::method::{ParamsError, Validate};
use crate::methods::market::check_symbol;
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

fn check_volume_price(volume: f64, prices: &[(&str, Option<f64>)]) -> Result<(), ParamsError> {
    if !(volume.is_finite() && volume > 0.0) {
        return Err(ParamsError::field("volume", "must be a positive number"));
    }
    for (field, price) in prices {
        if price.is_some_and(|price| !(price.is_finite() && price > 0.0)) {
            return Err(ParamsError::field(field, "must be a positive number"));
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
