//! The `extern "C"` entries of the host table: each turns host.h's C conventions (UTF-16 in, caller buffers out,
//! ok flags) into a call on the program's [`Host`], inside a panic boundary so nothing unwinds into the runtime.

use std::ffi::{CStr, c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::ffi::*;
use super::trade_request::TradeRequest;
use super::{Host, read_text, server_seconds, write_array, write_text};
use crate::abi::BridgeAbi;

/// Runs `body` on the host behind `ctx`; `fallback` when it panics (the panic is logged, never unwound).
fn with<T>(ctx: *mut c_void, fallback: T, body: impl FnOnce(&mut Host) -> T) -> T {
    // SAFETY: ctx is the `Host` the table was built for (host_table), alive while the program runs, and the
    // runtime calls one entry at a time on the program's thread, so no other reference is in use.
    let host = unsafe { &mut *(ctx as *mut Host) };
    catch_unwind(AssertUnwindSafe(|| body(host))).unwrap_or_else(|_| {
        tracing::error!("a host entry panicked; the built-in reports failure");
        fallback
    })
}

fn out<T>(slot: *mut T, value: Option<T>) -> i32 {
    match value {
        Some(value) if !slot.is_null() => {
            // SAFETY: the runtime passes a valid out pointer for the value.
            unsafe { slot.write(value) };
            1
        }
        _ => 0,
    }
}

fn text_out(value: Option<String>, buf: *mut u16, cap: i32) -> i32 {
    value.map_or(-1, |text| write_text(&text, buf, cap))
}

fn array_out<T: Copy>(value: Option<Vec<T>>, buf: *mut T, cap: i32) -> i32 {
    value.map_or(-1, |items| write_array(&items, buf, cap))
}

/// The address of a bridge export, for `#import "metaapi_bridge.dll"`.
fn bridge_symbol(abi: &BridgeAbi, name: &str) -> *mut c_void {
    if name == "mtb_start" {
        // The bridge's own mtb_start, through a wrapper that notes the session for the terminal.
        return super::import::recording_start as *mut c_void;
    }
    abi.symbol(name).unwrap_or(std::ptr::null_mut())
}

unsafe extern "C" fn resolve_import(ctx: *mut c_void, library: *const c_char, symbol: *const c_char) -> *mut c_void {
    with(ctx, std::ptr::null_mut(), |host| {
        // SAFETY: the runtime passes zero-terminated UTF-8 names.
        let (library, symbol) = unsafe { (CStr::from_ptr(library), CStr::from_ptr(symbol)) };
        let library = library.to_string_lossy().to_ascii_lowercase();
        if library != "metaapi_bridge.dll" && library != "metaapi_bridge" {
            return std::ptr::null_mut();
        }
        bridge_symbol(&host.shared.bridge, &symbol.to_string_lossy())
    })
}

unsafe extern "C" fn print(ctx: *mut c_void, text: *const u16, len: i32) {
    with(ctx, (), |host| host.print(read_text(text, len)))
}
unsafe extern "C" fn get_last_error(ctx: *mut c_void) -> i32 {
    with(ctx, 0, |host| host.last_error)
}
unsafe extern "C" fn set_last_error(ctx: *mut c_void, code: i32) {
    with(ctx, (), |host| host.last_error = code)
}
unsafe extern "C" fn is_stopped(ctx: *mut c_void) -> i32 {
    with(ctx, 1, |host| i32::from(host.stopped()))
}
unsafe extern "C" fn sleep(ctx: *mut c_void, milliseconds: i32) {
    with(ctx, (), |host| {
        // Sleep in short slices so a stop request ends it early, as MetaTrader's Sleep does.
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(milliseconds.max(0) as u64);
        while !host.stopped() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5).min(deadline - std::time::Instant::now()));
        }
    })
}
unsafe extern "C" fn event_set_millisecond_timer(ctx: *mut c_void, milliseconds: i32) -> i32 {
    with(ctx, 0, |host| i32::from(host.set_timer(milliseconds)))
}
unsafe extern "C" fn event_kill_timer(ctx: *mut c_void) {
    with(ctx, (), |host| host.timer_ms = None)
}
unsafe extern "C" fn event_chart_custom(
    ctx: *mut c_void,
    chart_id: i64,
    custom_id: u16,
    lparam: i64,
    dparam: f64,
    sparam: *const u16,
    sparam_len: i32,
) -> i32 {
    with(ctx, 0, |host| {
        i32::from(host.event_chart_custom(chart_id, custom_id, lparam, dparam, &read_text(sparam, sparam_len)))
    })
}
unsafe extern "C" fn chart_symbol(ctx: *mut c_void, buf: *mut u16, cap: i32) -> i32 {
    with(ctx, -1, |host| write_text(&host.chart_symbol, buf, cap))
}
unsafe extern "C" fn chart_period(ctx: *mut c_void) -> i32 {
    with(ctx, 0, |host| host.chart_period)
}
unsafe extern "C" fn mql_info_integer(ctx: *mut c_void, prop: i32, value: *mut i64) -> i32 {
    with(ctx, 0, |host| out(value, host.mql_info_integer(i64::from(prop))))
}
unsafe extern "C" fn terminal_info_integer(ctx: *mut c_void, prop: i32, value: *mut i64) -> i32 {
    with(ctx, 0, |host| out(value, host.terminal_info_integer(i64::from(prop))))
}
unsafe extern "C" fn terminal_info_string(ctx: *mut c_void, prop: i32, buf: *mut u16, cap: i32) -> i32 {
    with(ctx, -1, |host| text_out(host.terminal_info_string(i64::from(prop)), buf, cap))
}
unsafe extern "C" fn time_current(ctx: *mut c_void) -> i64 {
    with(ctx, 0, |host| host.time_current())
}
unsafe extern "C" fn time_trade_server(ctx: *mut c_void) -> i64 {
    with(ctx, 0, |host| server_seconds(host.now()))
}
unsafe extern "C" fn time_gmt(ctx: *mut c_void) -> i64 {
    with(ctx, 0, |host| host.now().div_euclid(1000))
}
unsafe extern "C" fn time_local(ctx: *mut c_void) -> i64 {
    // The simulated computer runs on UTC.
    with(ctx, 0, |host| host.now().div_euclid(1000))
}
unsafe extern "C" fn account_info_integer(ctx: *mut c_void, prop: i32, value: *mut i64) -> i32 {
    with(ctx, 0, |host| out(value, host.account_info_integer(i64::from(prop))))
}
unsafe extern "C" fn account_info_double(ctx: *mut c_void, prop: i32, value: *mut f64) -> i32 {
    with(ctx, 0, |host| out(value, host.account_info_double(i64::from(prop))))
}
unsafe extern "C" fn account_info_string(ctx: *mut c_void, prop: i32, buf: *mut u16, cap: i32) -> i32 {
    with(ctx, -1, |host| text_out(host.account_info_string(i64::from(prop)), buf, cap))
}
unsafe extern "C" fn account_free_margin_check(
    ctx: *mut c_void,
    symbol: *const u16,
    symbol_len: i32,
    cmd: i32,
    volume: f64,
    value: *mut f64,
) -> i32 {
    with(ctx, 0, |host| {
        let symbol = read_text(symbol, symbol_len);
        let margin = host.order_calc_margin(i64::from(cmd), &symbol, volume, 0.0);
        let free = host.account_info_double(super::consts::mt5::ACCOUNT_MARGIN_FREE);
        out(value, margin.zip(free).map(|(margin, free)| free - margin))
    })
}
unsafe extern "C" fn symbols_total(ctx: *mut c_void, selected: i32) -> i32 {
    with(ctx, 0, |host| host.symbols_total(selected != 0))
}
unsafe extern "C" fn symbol_name(ctx: *mut c_void, pos: i32, selected: i32, buf: *mut u16, cap: i32) -> i32 {
    with(ctx, -1, |host| text_out(host.symbol_name(pos, selected != 0), buf, cap))
}
unsafe extern "C" fn symbol_select(ctx: *mut c_void, name: *const u16, len: i32, select: i32) -> i32 {
    with(ctx, 0, |host| i32::from(host.symbol_select(&read_text(name, len), select != 0)))
}
unsafe extern "C" fn symbol_info_integer(
    ctx: *mut c_void,
    name: *const u16,
    len: i32,
    prop: i32,
    value: *mut i64,
) -> i32 {
    with(ctx, 0, |host| out(value, host.symbol_info_integer(&read_text(name, len), i64::from(prop))))
}
unsafe extern "C" fn symbol_info_double(
    ctx: *mut c_void,
    name: *const u16,
    len: i32,
    prop: i32,
    value: *mut f64,
) -> i32 {
    with(ctx, 0, |host| out(value, host.symbol_info_double(&read_text(name, len), i64::from(prop))))
}
unsafe extern "C" fn symbol_info_string(
    ctx: *mut c_void,
    name: *const u16,
    len: i32,
    prop: i32,
    buf: *mut u16,
    cap: i32,
) -> i32 {
    with(ctx, -1, |host| text_out(host.symbol_info_string(&read_text(name, len), i64::from(prop)), buf, cap))
}
unsafe extern "C" fn symbol_info_tick(ctx: *mut c_void, name: *const u16, len: i32, tick: *mut MqlHostTick) -> i32 {
    with(ctx, 0, |host| out(tick, host.symbol_info_tick(&read_text(name, len))))
}
// The arguments are host.h's, one for one.
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn symbol_info_session(
    ctx: *mut c_void,
    name: *const u16,
    len: i32,
    trade: i32,
    day: i32,
    index: u32,
    from: *mut i64,
    to: *mut i64,
) -> i32 {
    with(ctx, 0, |host| {
        let session = host.symbol_info_session(&read_text(name, len), trade != 0, i64::from(day), index);
        out(from, session.map(|(start, _)| start)) & out(to, session.map(|(_, end)| end))
    })
}
unsafe extern "C" fn market_info(ctx: *mut c_void, symbol: *const u16, len: i32, mode: i32, value: *mut f64) -> i32 {
    with(ctx, 0, |host| out(value, host.market_info(&read_text(symbol, len), i64::from(mode))))
}
unsafe extern "C" fn series_info_integer(
    ctx: *mut c_void,
    symbol: *const u16,
    len: i32,
    timeframe: i32,
    prop: i32,
    value: *mut i64,
) -> i32 {
    with(ctx, 0, |host| {
        out(value, host.series_info_integer(&read_text(symbol, len), i64::from(timeframe), i64::from(prop)))
    })
}
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn copy_rates(
    ctx: *mut c_void,
    symbol: *const u16,
    len: i32,
    timeframe: i32,
    mode: i32,
    a: i64,
    b: i64,
    buf: *mut MqlHostRates,
    cap: i32,
) -> i32 {
    with(ctx, -1, |host| {
        array_out(host.copy_rates(&read_text(symbol, len), i64::from(timeframe), mode, a, b), buf, cap)
    })
}
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn copy_ticks(
    ctx: *mut c_void,
    symbol: *const u16,
    len: i32,
    flags: i32,
    from_msc: u64,
    count: u32,
    buf: *mut MqlHostTick,
    cap: i32,
) -> i32 {
    with(ctx, -1, |host| {
        array_out(host.copy_ticks(&read_text(symbol, len), i64::from(flags), from_msc, count), buf, cap)
    })
}
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn copy_ticks_range(
    ctx: *mut c_void,
    symbol: *const u16,
    len: i32,
    flags: i32,
    from_msc: u64,
    to_msc: u64,
    buf: *mut MqlHostTick,
    cap: i32,
) -> i32 {
    with(ctx, -1, |host| {
        array_out(host.copy_ticks_range(&read_text(symbol, len), i64::from(flags), from_msc, to_msc), buf, cap)
    })
}
unsafe extern "C" fn market_book_add(ctx: *mut c_void, symbol: *const u16, len: i32) -> i32 {
    with(ctx, 0, |host| i32::from(host.market_book_add(&read_text(symbol, len))))
}
unsafe extern "C" fn market_book_release(ctx: *mut c_void, symbol: *const u16, len: i32) -> i32 {
    with(ctx, 0, |host| i32::from(host.market_book_release(&read_text(symbol, len))))
}
unsafe extern "C" fn market_book_get(
    ctx: *mut c_void,
    symbol: *const u16,
    len: i32,
    buf: *mut MqlHostBookInfo,
    cap: i32,
) -> i32 {
    with(ctx, -1, |host| array_out(host.market_book_get(&read_text(symbol, len)), buf, cap))
}
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn order_calc_margin(
    ctx: *mut c_void,
    order_type: i32,
    symbol: *const u16,
    len: i32,
    volume: f64,
    price: f64,
    margin: *mut f64,
) -> i32 {
    with(ctx, 0, |host| {
        out(margin, host.order_calc_margin(i64::from(order_type), &read_text(symbol, len), volume, price))
    })
}
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn order_calc_profit(
    ctx: *mut c_void,
    order_type: i32,
    symbol: *const u16,
    len: i32,
    volume: f64,
    price_open: f64,
    price_close: f64,
    profit: *mut f64,
) -> i32 {
    with(ctx, 0, |host| {
        let symbol = read_text(symbol, len);
        out(profit, host.order_calc_profit(i64::from(order_type), &symbol, volume, price_open, price_close))
    })
}

fn request_of(request: *const MqlHostTradeRequest) -> TradeRequest {
    // SAFETY: the runtime passes a valid request whose strings are valid for the call.
    let request = unsafe { &*request };
    TradeRequest {
        action: i64::from(request.action),
        magic: request.magic,
        order: request.order,
        symbol: read_text(request.symbol, request.symbol_len),
        volume: request.volume,
        price: request.price,
        stoplimit: request.stoplimit,
        sl: request.sl,
        tp: request.tp,
        deviation: request.deviation,
        order_type: i64::from(request.r#type),
        type_filling: i64::from(request.type_filling),
        type_time: i64::from(request.type_time),
        expiration: request.expiration,
        comment: read_text(request.comment, request.comment_len),
        position: request.position,
        position_by: request.position_by,
    }
}

unsafe extern "C" fn order_check(
    ctx: *mut c_void,
    request: *const MqlHostTradeRequest,
    result: *mut MqlHostTradeCheckResult,
) -> i32 {
    with(ctx, 0, |host| {
        let (ok, check) = host.order_check(&request_of(request));
        out(result, Some(check));
        i32::from(ok)
    })
}
unsafe extern "C" fn order_send(
    ctx: *mut c_void,
    request: *const MqlHostTradeRequest,
    result: *mut MqlHostTradeResult,
) -> i32 {
    with(ctx, 0, |host| {
        let (ok, sent) = host.order_send(&request_of(request));
        out(result, Some(sent));
        i32::from(ok)
    })
}
unsafe extern "C" fn positions_total(ctx: *mut c_void) -> i32 {
    with(ctx, 0, |host| host.positions_total())
}
unsafe extern "C" fn position_get_ticket(ctx: *mut c_void, index: i32) -> u64 {
    with(ctx, 0, |host| host.position_get_ticket(index))
}
unsafe extern "C" fn position_select_by_ticket(ctx: *mut c_void, ticket: u64) -> i32 {
    with(ctx, 0, |host| i32::from(host.position_select_by_ticket(ticket)))
}
unsafe extern "C" fn position_get_integer(ctx: *mut c_void, prop: i32, value: *mut i64) -> i32 {
    with(ctx, 0, |host| out(value, host.position_get_integer(i64::from(prop))))
}
unsafe extern "C" fn position_get_double(ctx: *mut c_void, prop: i32, value: *mut f64) -> i32 {
    with(ctx, 0, |host| out(value, host.position_get_double(i64::from(prop))))
}
unsafe extern "C" fn position_get_string(ctx: *mut c_void, prop: i32, buf: *mut u16, cap: i32) -> i32 {
    with(ctx, -1, |host| text_out(host.position_get_string(i64::from(prop)), buf, cap))
}
unsafe extern "C" fn orders_total(ctx: *mut c_void) -> i32 {
    with(ctx, 0, |host| host.orders_total())
}
unsafe extern "C" fn order_get_ticket(ctx: *mut c_void, index: i32) -> u64 {
    with(ctx, 0, |host| host.order_get_ticket(index))
}
unsafe extern "C" fn order_select(ctx: *mut c_void, ticket: u64) -> i32 {
    with(ctx, 0, |host| i32::from(host.order_select(ticket)))
}
unsafe extern "C" fn order_get_integer(ctx: *mut c_void, prop: i32, value: *mut i64) -> i32 {
    with(ctx, 0, |host| out(value, host.order_get_integer(i64::from(prop))))
}
unsafe extern "C" fn order_get_double(ctx: *mut c_void, prop: i32, value: *mut f64) -> i32 {
    with(ctx, 0, |host| out(value, host.order_get_double(i64::from(prop))))
}
unsafe extern "C" fn order_get_string(ctx: *mut c_void, prop: i32, buf: *mut u16, cap: i32) -> i32 {
    with(ctx, -1, |host| text_out(host.order_get_string(i64::from(prop)), buf, cap))
}
unsafe extern "C" fn history_select(ctx: *mut c_void, from: i64, to: i64) -> i32 {
    with(ctx, 0, |host| i32::from(host.history_select(from, to)))
}
unsafe extern "C" fn history_select_by_position(ctx: *mut c_void, position: u64) -> i32 {
    with(ctx, 0, |host| i32::from(host.history_select_by_position(position)))
}
unsafe extern "C" fn history_order_select(ctx: *mut c_void, ticket: u64) -> i32 {
    with(ctx, 0, |host| i32::from(host.history_order_select(ticket)))
}
unsafe extern "C" fn history_orders_total(ctx: *mut c_void) -> i32 {
    with(ctx, 0, |host| host.history_orders.len() as i32)
}
unsafe extern "C" fn history_order_get_ticket(ctx: *mut c_void, index: i32) -> u64 {
    with(ctx, 0, |host| host.history_order_get_ticket(index))
}
unsafe extern "C" fn history_order_get_integer(ctx: *mut c_void, ticket: u64, prop: i32, value: *mut i64) -> i32 {
    with(ctx, 0, |host| out(value, host.history_order_get_integer(ticket, i64::from(prop))))
}
unsafe extern "C" fn history_order_get_double(ctx: *mut c_void, ticket: u64, prop: i32, value: *mut f64) -> i32 {
    with(ctx, 0, |host| out(value, host.history_order_get_double(ticket, i64::from(prop))))
}
unsafe extern "C" fn history_order_get_string(
    ctx: *mut c_void,
    ticket: u64,
    prop: i32,
    buf: *mut u16,
    cap: i32,
) -> i32 {
    with(ctx, -1, |host| text_out(host.history_order_get_string(ticket, i64::from(prop)), buf, cap))
}
unsafe extern "C" fn history_deal_select(ctx: *mut c_void, ticket: u64) -> i32 {
    with(ctx, 0, |host| i32::from(host.history_deal_select(ticket)))
}
unsafe extern "C" fn history_deals_total(ctx: *mut c_void) -> i32 {
    with(ctx, 0, |host| host.history_deals.len() as i32)
}
unsafe extern "C" fn history_deal_get_ticket(ctx: *mut c_void, index: i32) -> u64 {
    with(ctx, 0, |host| host.history_deal_get_ticket(index))
}
unsafe extern "C" fn history_deal_get_integer(ctx: *mut c_void, ticket: u64, prop: i32, value: *mut i64) -> i32 {
    with(ctx, 0, |host| out(value, host.history_deal_get_integer(ticket, i64::from(prop))))
}
unsafe extern "C" fn history_deal_get_double(ctx: *mut c_void, ticket: u64, prop: i32, value: *mut f64) -> i32 {
    with(ctx, 0, |host| out(value, host.history_deal_get_double(ticket, i64::from(prop))))
}
unsafe extern "C" fn history_deal_get_string(ctx: *mut c_void, ticket: u64, prop: i32, buf: *mut u16, cap: i32) -> i32 {
    with(ctx, -1, |host| text_out(host.history_deal_get_string(ticket, i64::from(prop)), buf, cap))
}
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn mt4_order_send(
    ctx: *mut c_void,
    symbol: *const u16,
    symbol_len: i32,
    cmd: i32,
    volume: f64,
    price: f64,
    slippage: i32,
    stoploss: f64,
    takeprofit: f64,
    comment: *const u16,
    comment_len: i32,
    magic: i32,
    expiration: i64,
    _arrow_color: i32,
) -> i32 {
    with(ctx, -1, |host| {
        let (symbol, comment) = (read_text(symbol, symbol_len), read_text(comment, comment_len));
        host.mt4_order_send(
            &symbol,
            i64::from(cmd),
            volume,
            price,
            slippage,
            stoploss,
            takeprofit,
            &comment,
            i64::from(magic),
            expiration,
        )
    })
}
unsafe extern "C" fn mt4_order_select(ctx: *mut c_void, index: i32, select: i32, pool: i32) -> i32 {
    with(ctx, 0, |host| i32::from(host.mt4_order_select(i64::from(index), i64::from(select), i64::from(pool))))
}
unsafe extern "C" fn mt4_order_close(
    ctx: *mut c_void,
    ticket: i32,
    lots: f64,
    _price: f64,
    slippage: i32,
    _arrow: i32,
) -> i32 {
    with(ctx, 0, |host| i32::from(host.mt4_order_close(i64::from(ticket), lots, slippage)))
}
unsafe extern "C" fn mt4_order_close_by(ctx: *mut c_void, ticket: i32, opposite: i32, _arrow: i32) -> i32 {
    with(ctx, 0, |host| i32::from(host.mt4_order_close_by(i64::from(ticket), i64::from(opposite))))
}
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn mt4_order_modify(
    ctx: *mut c_void,
    ticket: i32,
    price: f64,
    stoploss: f64,
    takeprofit: f64,
    expiration: i64,
    _arrow: i32,
) -> i32 {
    with(ctx, 0, |host| i32::from(host.mt4_order_modify(i64::from(ticket), price, stoploss, takeprofit, expiration)))
}
unsafe extern "C" fn mt4_order_delete(ctx: *mut c_void, ticket: i32, _arrow: i32) -> i32 {
    with(ctx, 0, |host| i32::from(host.mt4_order_delete(i64::from(ticket))))
}
unsafe extern "C" fn mt4_orders_total(ctx: *mut c_void) -> i32 {
    with(ctx, 0, |host| host.mt4_orders_total())
}
unsafe extern "C" fn mt4_orders_history_total(ctx: *mut c_void) -> i32 {
    with(ctx, 0, |host| host.mt4_orders_history_total())
}
unsafe extern "C" fn mt4_order_integer(ctx: *mut c_void, prop: i32, value: *mut i64) -> i32 {
    with(ctx, 0, |host| out(value, host.mt4_order_integer(i64::from(prop))))
}
unsafe extern "C" fn mt4_order_double(ctx: *mut c_void, prop: i32, value: *mut f64) -> i32 {
    with(ctx, 0, |host| out(value, host.mt4_order_double(i64::from(prop))))
}
unsafe extern "C" fn mt4_order_string(ctx: *mut c_void, prop: i32, buf: *mut u16, cap: i32) -> i32 {
    with(ctx, -1, |host| text_out(host.mt4_order_string(i64::from(prop)), buf, cap))
}

/// The host table for the program whose host is `host`; `host` must outlive every call through the table.
pub fn host_table(host: *mut Host) -> MqlHost {
    MqlHost {
        size: std::mem::size_of::<MqlHost>() as u32,
        version: MQL_HOST_VERSION,
        ctx: host as *mut c_void,
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
    }
}
