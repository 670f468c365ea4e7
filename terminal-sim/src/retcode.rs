//! MT5 trade retcodes, MT4 error codes, and the simulator's reasons for rejecting a trade in platform-neutral terms.

use metaapi_protocol::ErrorObject;
use metaapi_protocol::types::Platform;

/// Every MT5 `TRADE_RETCODE_*` the trade server can answer, with its name.
pub const MT5_RETCODES: &[(i32, &str)] = &[
    (10004, "TRADE_RETCODE_REQUOTE"),
    (10006, "TRADE_RETCODE_REJECT"),
    (10007, "TRADE_RETCODE_CANCEL"),
    (10008, "TRADE_RETCODE_PLACED"),
    (10009, "TRADE_RETCODE_DONE"),
    (10010, "TRADE_RETCODE_DONE_PARTIAL"),
    (10011, "TRADE_RETCODE_ERROR"),
    (10012, "TRADE_RETCODE_TIMEOUT"),
    (10013, "TRADE_RETCODE_INVALID"),
    (10014, "TRADE_RETCODE_INVALID_VOLUME"),
    (10015, "TRADE_RETCODE_INVALID_PRICE"),
    (10016, "TRADE_RETCODE_INVALID_STOPS"),
    (10017, "TRADE_RETCODE_TRADE_DISABLED"),
    (10018, "TRADE_RETCODE_MARKET_CLOSED"),
    (10019, "TRADE_RETCODE_NO_MONEY"),
    (10020, "TRADE_RETCODE_PRICE_CHANGED"),
    (10021, "TRADE_RETCODE_PRICE_OFF"),
    (10022, "TRADE_RETCODE_INVALID_EXPIRATION"),
    (10023, "TRADE_RETCODE_ORDER_CHANGED"),
    (10024, "TRADE_RETCODE_TOO_MANY_REQUESTS"),
    (10025, "TRADE_RETCODE_NO_CHANGES"),
    (10026, "TRADE_RETCODE_SERVER_DISABLES_AT"),
    (10027, "TRADE_RETCODE_CLIENT_DISABLES_AT"),
    (10028, "TRADE_RETCODE_LOCKED"),
    (10029, "TRADE_RETCODE_FROZEN"),
    (10030, "TRADE_RETCODE_INVALID_FILL"),
    (10031, "TRADE_RETCODE_CONNECTION"),
    (10032, "TRADE_RETCODE_ONLY_REAL"),
    (10033, "TRADE_RETCODE_LIMIT_ORDERS"),
    (10034, "TRADE_RETCODE_LIMIT_VOLUME"),
    (10035, "TRADE_RETCODE_INVALID_ORDER"),
    (10036, "TRADE_RETCODE_POSITION_CLOSED"),
    (10038, "TRADE_RETCODE_INVALID_CLOSE_VOLUME"),
    (10039, "TRADE_RETCODE_CLOSE_ORDER_EXIST"),
    (10040, "TRADE_RETCODE_LIMIT_POSITIONS"),
    (10041, "TRADE_RETCODE_REJECT_CANCEL"),
    (10042, "TRADE_RETCODE_LONG_ONLY"),
    (10043, "TRADE_RETCODE_SHORT_ONLY"),
    (10044, "TRADE_RETCODE_CLOSE_ONLY"),
    (10045, "TRADE_RETCODE_FIFO_CLOSE"),
    (10046, "TRADE_RETCODE_HEDGE_PROHIBITED"),
];

/// The MT4 trade error codes the simulator uses, with their `ERR_*` names.
pub const MT4_ERRORS: &[(i32, &str)] = &[
    (0, "ERR_NO_ERROR"),
    (1, "ERR_NO_RESULT"),
    (2, "ERR_COMMON_ERROR"),
    (3, "ERR_INVALID_TRADE_PARAMETERS"),
    (4, "ERR_SERVER_BUSY"),
    (6, "ERR_NO_CONNECTION"),
    (64, "ERR_ACCOUNT_DISABLED"),
    (128, "ERR_TRADE_TIMEOUT"),
    (129, "ERR_INVALID_PRICE"),
    (130, "ERR_INVALID_STOPS"),
    (131, "ERR_INVALID_TRADE_VOLUME"),
    (132, "ERR_MARKET_CLOSED"),
    (133, "ERR_TRADE_DISABLED"),
    (134, "ERR_NOT_ENOUGH_MONEY"),
    (135, "ERR_PRICE_CHANGED"),
    (136, "ERR_OFF_QUOTES"),
    (138, "ERR_REQUOTE"),
    (145, "ERR_TRADE_MODIFY_DENIED"),
    (147, "ERR_TRADE_EXPIRATION_DENIED"),
    (148, "ERR_TRADE_TOO_MANY_ORDERS"),
    (149, "ERR_TRADE_HEDGE_PROHIBITED"),
    (150, "ERR_TRADE_PROHIBITED_BY_FIFO"),
    (4108, "ERR_INVALID_TICKET"),
    (4109, "ERR_TRADE_NOT_ALLOWED"),
    (4110, "ERR_LONGS_NOT_ALLOWED"),
    (4111, "ERR_SHORTS_NOT_ALLOWED"),
];

/// The name of an MT5 retcode or MT4 error code.
pub fn code_name(platform: Platform, code: i32) -> &'static str {
    let table = match platform {
        Platform::Mt5 => MT5_RETCODES,
        Platform::Mt4 => MT4_ERRORS,
    };
    table.iter().find(|(known, _)| *known == code).map_or("UNKNOWN", |(_, name)| name)
}

/// Why the simulated trade server refuses a request, independent of platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// The requested market price is further than the deviation from the current one.
    Requote,
    /// The request makes no sense (close-by of different symbols or the same side).
    InvalidRequest,
    /// Volume below the minimum, above the maximum, off the step, or above the position.
    InvalidVolume,
    /// A price that is not a multiple of the tick size.
    UnnormalizedPrice,
    /// A pending order price on the wrong side of the market or within the stops level.
    PendingPrice,
    /// Stop loss or take profit on the wrong side or within the stops level.
    InvalidStops,
    /// The symbol does not trade.
    TradeDisabled,
    /// Outside the symbol's trade session.
    MarketClosed,
    /// Not enough free margin.
    NoMoney,
    /// An expiration in the past or a lifetime the symbol does not allow.
    InvalidExpiration,
    /// A modification that changes nothing (an error on MT4; MT5 reports success with 10025).
    NoChanges,
    /// The order or position is within the freeze level of the market.
    Frozen,
    /// A filling mode the symbol does not allow.
    InvalidFill,
    /// Too many pending orders.
    LimitOrders,
    /// The symbol's volume limit would be exceeded.
    LimitVolume,
    /// Trading is switched off in the terminal.
    ClientDisabled,
    /// The symbol allows buys only.
    LongOnly,
    /// The symbol allows sells only.
    ShortOnly,
    /// The symbol allows closing only.
    CloseOnly,
    /// The terminal is not connected to its trade server, so the request was never sent.
    NoConnection,
}

impl Reject {
    /// The MT code on `platform`.
    pub fn code(self, platform: Platform) -> i32 {
        let (mt5, mt4) = match self {
            Reject::Requote => (10004, 138),
            Reject::InvalidRequest => (10013, 3),
            Reject::InvalidVolume => (10014, 131),
            Reject::UnnormalizedPrice => (10015, 129),
            Reject::PendingPrice => (10015, 130),
            Reject::InvalidStops => (10016, 130),
            Reject::TradeDisabled => (10017, 133),
            Reject::MarketClosed => (10018, 132),
            Reject::NoMoney => (10019, 134),
            Reject::InvalidExpiration => (10022, 147),
            Reject::NoChanges => (10025, 1),
            Reject::Frozen => (10029, 145),
            Reject::InvalidFill => (10030, 3),
            Reject::LimitOrders => (10033, 148),
            Reject::LimitVolume => (10034, 131),
            Reject::ClientDisabled => (10027, 4109),
            Reject::LongOnly => (10042, 4111),
            Reject::ShortOnly => (10043, 4110),
            Reject::CloseOnly => (10044, 133),
            Reject::NoConnection => (10031, 6),
        };
        match platform {
            Platform::Mt5 => mt5,
            Platform::Mt4 => mt4,
        }
    }

    /// A human description.
    pub fn message(self) -> &'static str {
        match self {
            Reject::Requote => "Requote: the price moved beyond the deviation",
            Reject::InvalidRequest => "Invalid request",
            Reject::InvalidVolume => "Invalid volume in the request",
            Reject::UnnormalizedPrice => "Invalid price: not a multiple of the tick size",
            Reject::PendingPrice => "Invalid price: the order price is on the wrong side of the market or too close",
            Reject::InvalidStops => "Invalid stops in the request",
            Reject::TradeDisabled => "Trade is disabled for the symbol",
            Reject::MarketClosed => "Market is closed",
            Reject::NoMoney => "There is not enough money to complete the request",
            Reject::InvalidExpiration => "Invalid order expiration date in the request",
            Reject::NoChanges => "No changes in request",
            Reject::Frozen => "Order or position frozen: too close to the market",
            Reject::InvalidFill => "Invalid order filling type",
            Reject::LimitOrders => "The number of pending orders has reached the limit",
            Reject::LimitVolume => "The volume of orders and positions for the symbol has reached the limit",
            Reject::ClientDisabled => "Autotrading disabled by client terminal",
            Reject::LongOnly => "Only long positions are allowed for the symbol",
            Reject::ShortOnly => "Only short positions are allowed for the symbol",
            Reject::CloseOnly => "Only position closing is allowed for the symbol",
            Reject::NoConnection => "No connection with the trade server",
        }
    }

    /// The `trade_rejected` error on `platform`.
    pub fn error(self, platform: Platform) -> ErrorObject {
        let code = self.code(platform);
        ErrorObject::trade_rejected(code, code_name(platform, code), self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reject_has_a_named_code_on_both_platforms() {
        let all = [
            Reject::Requote,
            Reject::InvalidRequest,
            Reject::InvalidVolume,
            Reject::UnnormalizedPrice,
            Reject::PendingPrice,
            Reject::InvalidStops,
            Reject::TradeDisabled,
            Reject::MarketClosed,
            Reject::NoMoney,
            Reject::InvalidExpiration,
            Reject::NoChanges,
            Reject::Frozen,
            Reject::InvalidFill,
            Reject::LimitOrders,
            Reject::LimitVolume,
            Reject::ClientDisabled,
            Reject::LongOnly,
            Reject::ShortOnly,
            Reject::CloseOnly,
            Reject::NoConnection,
        ];
        for reject in all {
            for platform in [Platform::Mt4, Platform::Mt5] {
                assert_ne!(code_name(platform, reject.code(platform)), "UNKNOWN", "{reject:?} on {platform:?}");
            }
        }
        assert_eq!(code_name(Platform::Mt5, 10014), "TRADE_RETCODE_INVALID_VOLUME");
        assert_eq!(code_name(Platform::Mt4, 130), "ERR_INVALID_STOPS");
    }
}
