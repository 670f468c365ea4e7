//! The `#[repr(C)]` mirror of mql/cpp/host.h: the host table and the structs it passes, field for field (a test
//! compares every offset and size with what the C++ compiler lays out, through the runtime's `mql_host_layout`).

use std::ffi::{c_char, c_void};

/// `MQL_HOST_VERSION`.
pub const MQL_HOST_VERSION: u32 = 1;
/// `MQL_HOST_COMMENT_CAP`.
pub const MQL_HOST_COMMENT_CAP: usize = 256;

/// `MqlHostTick`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[allow(missing_docs)]
pub struct MqlHostTick {
    pub time: i64,
    pub bid: f64,
    pub ask: f64,
    pub last: f64,
    pub volume: u64,
    pub time_msc: i64,
    pub flags: u32,
    pub volume_real: f64,
}

/// `MqlHostRates`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[allow(missing_docs)]
pub struct MqlHostRates {
    pub time: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub tick_volume: i64,
    pub spread: i32,
    pub real_volume: i64,
}

/// `MqlHostBookInfo`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[allow(missing_docs)]
pub struct MqlHostBookInfo {
    pub r#type: i32,
    pub price: f64,
    pub volume: i64,
    pub volume_real: f64,
}

/// `MqlHostTradeRequest`: the strings are borrowed for the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct MqlHostTradeRequest {
    pub action: i32,
    pub magic: u64,
    pub order: u64,
    pub symbol: *const u16,
    pub symbol_len: i32,
    pub volume: f64,
    pub price: f64,
    pub stoplimit: f64,
    pub sl: f64,
    pub tp: f64,
    pub deviation: u64,
    pub r#type: i32,
    pub type_filling: i32,
    pub type_time: i32,
    pub expiration: i64,
    pub comment: *const u16,
    pub comment_len: i32,
    pub position: u64,
    pub position_by: u64,
}

/// `MqlHostTradeResult`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct MqlHostTradeResult {
    pub retcode: u32,
    pub deal: u64,
    pub order: u64,
    pub volume: f64,
    pub price: f64,
    pub bid: f64,
    pub ask: f64,
    pub comment_len: i32,
    pub comment: [u16; MQL_HOST_COMMENT_CAP],
    pub request_id: u32,
    pub retcode_external: i32,
}

impl Default for MqlHostTradeResult {
    fn default() -> Self {
        MqlHostTradeResult {
            retcode: 0,
            deal: 0,
            order: 0,
            volume: 0.0,
            price: 0.0,
            bid: 0.0,
            ask: 0.0,
            comment_len: 0,
            comment: [0; MQL_HOST_COMMENT_CAP],
            request_id: 0,
            retcode_external: 0,
        }
    }
}

/// `MqlHostTradeCheckResult`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct MqlHostTradeCheckResult {
    pub retcode: u32,
    pub balance: f64,
    pub equity: f64,
    pub profit: f64,
    pub margin: f64,
    pub margin_free: f64,
    pub margin_level: f64,
    pub comment_len: i32,
    pub comment: [u16; MQL_HOST_COMMENT_CAP],
}

/// `MqlHostTradeTransaction`: `symbol` is borrowed for the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct MqlHostTradeTransaction {
    pub deal: u64,
    pub order: u64,
    pub symbol: *const u16,
    pub symbol_len: i32,
    pub r#type: i32,
    pub order_type: i32,
    pub order_state: i32,
    pub deal_type: i32,
    pub time_type: i32,
    pub time_expiration: i64,
    pub price: f64,
    pub price_trigger: f64,
    pub price_sl: f64,
    pub price_tp: f64,
    pub volume: f64,
    pub position: u64,
    pub position_by: u64,
}

type Ctx = *mut c_void;
type StrIn = *const u16;
type StrOut = *mut u16;

/// `MqlHost`: one entry per terminal-backed built-in.
#[repr(C)]
#[allow(missing_docs)]
pub struct MqlHost {
    pub size: u32,
    pub version: u32,
    pub ctx: Ctx,
    pub resolve_import: unsafe extern "C" fn(Ctx, *const c_char, *const c_char) -> *mut c_void,
    pub print: unsafe extern "C" fn(Ctx, StrIn, i32),
    pub get_last_error: unsafe extern "C" fn(Ctx) -> i32,
    pub set_last_error: unsafe extern "C" fn(Ctx, i32),
    pub is_stopped: unsafe extern "C" fn(Ctx) -> i32,
    pub sleep: unsafe extern "C" fn(Ctx, i32),
    pub event_set_millisecond_timer: unsafe extern "C" fn(Ctx, i32) -> i32,
    pub event_kill_timer: unsafe extern "C" fn(Ctx),
    pub chart_symbol: unsafe extern "C" fn(Ctx, StrOut, i32) -> i32,
    pub chart_period: unsafe extern "C" fn(Ctx) -> i32,
    pub mql_info_integer: unsafe extern "C" fn(Ctx, i32, *mut i64) -> i32,
    pub terminal_info_integer: unsafe extern "C" fn(Ctx, i32, *mut i64) -> i32,
    pub terminal_info_string: unsafe extern "C" fn(Ctx, i32, StrOut, i32) -> i32,
    pub time_current: unsafe extern "C" fn(Ctx) -> i64,
    pub time_trade_server: unsafe extern "C" fn(Ctx) -> i64,
    pub time_gmt: unsafe extern "C" fn(Ctx) -> i64,
    pub time_local: unsafe extern "C" fn(Ctx) -> i64,
    pub account_info_integer: unsafe extern "C" fn(Ctx, i32, *mut i64) -> i32,
    pub account_info_double: unsafe extern "C" fn(Ctx, i32, *mut f64) -> i32,
    pub account_info_string: unsafe extern "C" fn(Ctx, i32, StrOut, i32) -> i32,
    pub account_free_margin_check: unsafe extern "C" fn(Ctx, StrIn, i32, i32, f64, *mut f64) -> i32,
    pub symbols_total: unsafe extern "C" fn(Ctx, i32) -> i32,
    pub symbol_name: unsafe extern "C" fn(Ctx, i32, i32, StrOut, i32) -> i32,
    pub symbol_select: unsafe extern "C" fn(Ctx, StrIn, i32, i32) -> i32,
    pub symbol_info_integer: unsafe extern "C" fn(Ctx, StrIn, i32, i32, *mut i64) -> i32,
    pub symbol_info_double: unsafe extern "C" fn(Ctx, StrIn, i32, i32, *mut f64) -> i32,
    pub symbol_info_string: unsafe extern "C" fn(Ctx, StrIn, i32, i32, StrOut, i32) -> i32,
    pub symbol_info_tick: unsafe extern "C" fn(Ctx, StrIn, i32, *mut MqlHostTick) -> i32,
    pub symbol_info_session: unsafe extern "C" fn(Ctx, StrIn, i32, i32, i32, u32, *mut i64, *mut i64) -> i32,
    pub market_info: unsafe extern "C" fn(Ctx, StrIn, i32, i32, *mut f64) -> i32,
    pub series_info_integer: unsafe extern "C" fn(Ctx, StrIn, i32, i32, i32, *mut i64) -> i32,
    pub copy_rates: unsafe extern "C" fn(Ctx, StrIn, i32, i32, i32, i64, i64, *mut MqlHostRates, i32) -> i32,
    pub copy_ticks: unsafe extern "C" fn(Ctx, StrIn, i32, i32, u64, u32, *mut MqlHostTick, i32) -> i32,
    pub copy_ticks_range: unsafe extern "C" fn(Ctx, StrIn, i32, i32, u64, u64, *mut MqlHostTick, i32) -> i32,
    pub market_book_add: unsafe extern "C" fn(Ctx, StrIn, i32) -> i32,
    pub market_book_release: unsafe extern "C" fn(Ctx, StrIn, i32) -> i32,
    pub market_book_get: unsafe extern "C" fn(Ctx, StrIn, i32, *mut MqlHostBookInfo, i32) -> i32,
    pub order_calc_margin: unsafe extern "C" fn(Ctx, i32, StrIn, i32, f64, f64, *mut f64) -> i32,
    pub order_calc_profit: unsafe extern "C" fn(Ctx, i32, StrIn, i32, f64, f64, f64, *mut f64) -> i32,
    pub order_check: unsafe extern "C" fn(Ctx, *const MqlHostTradeRequest, *mut MqlHostTradeCheckResult) -> i32,
    pub order_send: unsafe extern "C" fn(Ctx, *const MqlHostTradeRequest, *mut MqlHostTradeResult) -> i32,
    pub positions_total: unsafe extern "C" fn(Ctx) -> i32,
    pub position_get_ticket: unsafe extern "C" fn(Ctx, i32) -> u64,
    pub position_select_by_ticket: unsafe extern "C" fn(Ctx, u64) -> i32,
    pub position_get_integer: unsafe extern "C" fn(Ctx, i32, *mut i64) -> i32,
    pub position_get_double: unsafe extern "C" fn(Ctx, i32, *mut f64) -> i32,
    pub position_get_string: unsafe extern "C" fn(Ctx, i32, StrOut, i32) -> i32,
    pub orders_total: unsafe extern "C" fn(Ctx) -> i32,
    pub order_get_ticket: unsafe extern "C" fn(Ctx, i32) -> u64,
    pub order_select: unsafe extern "C" fn(Ctx, u64) -> i32,
    pub order_get_integer: unsafe extern "C" fn(Ctx, i32, *mut i64) -> i32,
    pub order_get_double: unsafe extern "C" fn(Ctx, i32, *mut f64) -> i32,
    pub order_get_string: unsafe extern "C" fn(Ctx, i32, StrOut, i32) -> i32,
    pub history_select: unsafe extern "C" fn(Ctx, i64, i64) -> i32,
    pub history_select_by_position: unsafe extern "C" fn(Ctx, u64) -> i32,
    pub history_order_select: unsafe extern "C" fn(Ctx, u64) -> i32,
    pub history_orders_total: unsafe extern "C" fn(Ctx) -> i32,
    pub history_order_get_ticket: unsafe extern "C" fn(Ctx, i32) -> u64,
    pub history_order_get_integer: unsafe extern "C" fn(Ctx, u64, i32, *mut i64) -> i32,
    pub history_order_get_double: unsafe extern "C" fn(Ctx, u64, i32, *mut f64) -> i32,
    pub history_order_get_string: unsafe extern "C" fn(Ctx, u64, i32, StrOut, i32) -> i32,
    pub history_deal_select: unsafe extern "C" fn(Ctx, u64) -> i32,
    pub history_deals_total: unsafe extern "C" fn(Ctx) -> i32,
    pub history_deal_get_ticket: unsafe extern "C" fn(Ctx, i32) -> u64,
    pub history_deal_get_integer: unsafe extern "C" fn(Ctx, u64, i32, *mut i64) -> i32,
    pub history_deal_get_double: unsafe extern "C" fn(Ctx, u64, i32, *mut f64) -> i32,
    pub history_deal_get_string: unsafe extern "C" fn(Ctx, u64, i32, StrOut, i32) -> i32,
    pub mt4_order_send:
        unsafe extern "C" fn(Ctx, StrIn, i32, i32, f64, f64, i32, f64, f64, StrIn, i32, i32, i64, i32) -> i32,
    pub mt4_order_select: unsafe extern "C" fn(Ctx, i32, i32, i32) -> i32,
    pub mt4_order_close: unsafe extern "C" fn(Ctx, i32, f64, f64, i32, i32) -> i32,
    pub mt4_order_close_by: unsafe extern "C" fn(Ctx, i32, i32, i32) -> i32,
    pub mt4_order_modify: unsafe extern "C" fn(Ctx, i32, f64, f64, f64, i64, i32) -> i32,
    pub mt4_order_delete: unsafe extern "C" fn(Ctx, i32, i32) -> i32,
    pub mt4_orders_total: unsafe extern "C" fn(Ctx) -> i32,
    pub mt4_orders_history_total: unsafe extern "C" fn(Ctx) -> i32,
    pub mt4_order_integer: unsafe extern "C" fn(Ctx, i32, *mut i64) -> i32,
    pub mt4_order_double: unsafe extern "C" fn(Ctx, i32, *mut f64) -> i32,
    pub mt4_order_string: unsafe extern "C" fn(Ctx, i32, StrOut, i32) -> i32,
    pub event_chart_custom: unsafe extern "C" fn(Ctx, i64, u16, i64, f64, StrIn, i32) -> i32,
}

unsafe extern "C" {
    /// The runtime's layout export (mql/cpp/layout.cpp): the offset of `field` in `type`, the size when `field`
    /// is NULL, -1 when unknown.
    pub fn mql_host_layout(type_name: *const c_char, field: *const c_char) -> i64;
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;
    use std::mem::{offset_of, size_of};

    use super::*;

    fn layout(type_name: &str, field: Option<&str>) -> i64 {
        let type_name = CString::new(type_name).expect("no NUL");
        let field = field.map(|field| CString::new(field).expect("no NUL"));
        // SAFETY: both names are zero-terminated; the field may be NULL for the size.
        unsafe { mql_host_layout(type_name.as_ptr(), field.as_ref().map_or(std::ptr::null(), |field| field.as_ptr())) }
    }

    macro_rules! check {
        ($type:ident { $($field:ident $(as $c:literal)?),* $(,)? }) => {{
            assert_eq!(layout(stringify!($type), None), size_of::<$type>() as i64, "sizeof({})", stringify!($type));
            $(
                let c_name = check!(@name $field $($c)?);
                assert_eq!(
                    layout(stringify!($type), Some(c_name)),
                    offset_of!($type, $field) as i64,
                    "offsetof({}, {})", stringify!($type), c_name
                );
            )*
        }};
        (@name $field:ident $c:literal) => { $c };
        (@name $field:ident) => { stringify!($field) };
    }

    #[test]
    fn every_mirror_struct_matches_the_cpp_layout() {
        check!(MqlHostTick { time, bid, ask, last, volume, time_msc, flags, volume_real });
        check!(MqlHostRates { time, open, high, low, close, tick_volume, spread, real_volume });
        check!(MqlHostBookInfo { r#type as "type", price, volume, volume_real });
        check!(MqlHostTradeRequest {
            action, magic, order, symbol, symbol_len, volume, price, stoplimit, sl, tp, deviation, r#type as "type",
            type_filling, type_time, expiration, comment, comment_len, position, position_by,
        });
        check!(MqlHostTradeResult {
            retcode,
            deal,
            order,
            volume,
            price,
            bid,
            ask,
            comment_len,
            comment,
            request_id,
            retcode_external,
        });
        check!(MqlHostTradeCheckResult {
            retcode,
            balance,
            equity,
            profit,
            margin,
            margin_free,
            margin_level,
            comment_len,
            comment,
        });
        check!(MqlHostTradeTransaction {
            deal, order, symbol, symbol_len, r#type as "type", order_type, order_state, deal_type, time_type,
            time_expiration, price, price_trigger, price_sl, price_tp, volume, position, position_by,
        });
        check!(MqlHost {
            size,
            version,
            ctx,
            resolve_import,
            print,
            get_last_error,
            set_last_error,
            is_stopped,
            sleep,
            event_set_millisecond_timer,
            event_kill_timer,
            chart_symbol,
            chart_period,
            mql_info_integer,
            terminal_info_integer,
            terminal_info_string,
            time_current,
            time_trade_server,
            time_gmt,
            time_local,
            account_info_integer,
            account_info_double,
            account_info_string,
            account_free_margin_check,
            symbols_total,
            symbol_name,
            symbol_select,
            symbol_info_integer,
            symbol_info_double,
            symbol_info_string,
            symbol_info_tick,
            symbol_info_session,
            market_info,
            series_info_integer,
            copy_rates,
            copy_ticks,
            copy_ticks_range,
            market_book_add,
            market_book_release,
            market_book_get,
            order_calc_margin,
            order_calc_profit,
            order_check,
            order_send,
            positions_total,
            position_get_ticket,
            position_select_by_ticket,
            position_get_integer,
            position_get_double,
            position_get_string,
            orders_total,
            order_get_ticket,
            order_select,
            order_get_integer,
            order_get_double,
            order_get_string,
            history_select,
            history_select_by_position,
            history_order_select,
            history_orders_total,
            history_order_get_ticket,
            history_order_get_integer,
            history_order_get_double,
            history_order_get_string,
            history_deal_select,
            history_deals_total,
            history_deal_get_ticket,
            history_deal_get_integer,
            history_deal_get_double,
            history_deal_get_string,
            mt4_order_send,
            mt4_order_select,
            mt4_order_close,
            mt4_order_close_by,
            mt4_order_modify,
            mt4_order_delete,
            mt4_orders_total,
            mt4_orders_history_total,
            mt4_order_integer,
            mt4_order_double,
            mt4_order_string,
            event_chart_custom,
        });
        assert_eq!(layout("NoSuchStruct", None), -1);
    }
}
