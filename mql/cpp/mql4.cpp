// The MQL4 built-ins that need the terminal, over host.h: account, symbols, MarketInfo, rates, the one order pool.
#include "mql4.hpp"

namespace mql4 {

Terminal::Terminal(const MqlHost *host) : ::mql::Runtime(host) {
    _Symbol = rt_chart_symbol();
    _Period = MQL_HOST(chart_period, "_Period")(mql_host_->ctx);
    if (_Symbol.len() > 0) {
        bool ok = false;
        _Digits = static_cast<int>(rt_symbol_integer(_Symbol, SYMBOL_DIGITS, ok));
        _Point = rt_symbol_double(_Symbol, SYMBOL_POINT, ok);
    }
}

double Terminal::AccountFreeMarginCheck(string symbol, int cmd, double volume) {
    double out = 0;
    if (MQL_HOST(account_free_margin_check, "AccountFreeMarginCheck")(mql_host_->ctx, symbol.data(), symbol.len(), cmd,
                                                                      volume, &out) == 0) {
        return 0;
    }
    return out;
}

double Terminal::SymbolInfoDouble(string name, ENUM_SYMBOL_INFO_DOUBLE prop_id) {
    bool ok = false;
    return rt_symbol_double(name, prop_id, ok);
}
bool Terminal::SymbolInfoDouble(string name, ENUM_SYMBOL_INFO_DOUBLE prop_id, double &double_var) {
    bool ok = false;
    double value = rt_symbol_double(name, prop_id, ok);
    if (ok) double_var = value;
    return ok;
}
mql_long Terminal::SymbolInfoInteger(string name, ENUM_SYMBOL_INFO_INTEGER prop_id) {
    bool ok = false;
    return rt_symbol_integer(name, prop_id, ok);
}
bool Terminal::SymbolInfoInteger(string name, ENUM_SYMBOL_INFO_INTEGER prop_id, mql_long &long_var) {
    bool ok = false;
    mql_long value = rt_symbol_integer(name, prop_id, ok);
    if (ok) long_var = value;
    return ok;
}
string Terminal::SymbolInfoString(string name, ENUM_SYMBOL_INFO_STRING prop_id) {
    bool ok = false;
    return rt_symbol_string(name, prop_id, ok);
}
bool Terminal::SymbolInfoString(string name, ENUM_SYMBOL_INFO_STRING prop_id, string &string_var) {
    bool ok = false;
    string value = rt_symbol_string(name, prop_id, ok);
    if (ok) string_var = value;
    return ok;
}

bool Terminal::SymbolInfoTick(string symbol, MqlTick &tick) {
    MqlHostTick out{};
    if (!rt_symbol_tick(symbol, out)) return false;
    tick = MqlTick{out.time, out.bid, out.ask, out.last, out.volume};
    return true;
}

double Terminal::MarketInfo(string symbol, int type) {
    double out = 0;
    if (MQL_HOST(market_info, "MarketInfo")(mql_host_->ctx, symbol.data(), symbol.len(), type, &out) == 0) return 0;
    return out;
}

static int fill_rates(int got, const std::vector<MqlHostRates> &rows, mql_array<MqlRates> &out) {
    if (got < 0) return -1;
    if (out.resize(got, 0) < 0) return -1;
    for (int i = 0; i < got; i++) {
        const MqlHostRates &r = rows[static_cast<std::size_t>(i)];
        out[i] = MqlRates{r.time, r.open, r.high, r.low, r.close, r.tick_volume, r.spread, r.real_volume};
    }
    return got;
}

int Terminal::CopyRates(string symbol_name, ENUM_TIMEFRAMES timeframe, int start_pos, int count,
                        mql_array<MqlRates> &rates_array) {
    std::vector<MqlHostRates> rows;
    int got = rt_copy_rates(symbol_name, timeframe, MQL_HOST_RATES_BY_POSITION, start_pos, count, rows);
    return fill_rates(got, rows, rates_array);
}

int Terminal::CopyRates(string symbol_name, ENUM_TIMEFRAMES timeframe, datetime start_time, int count,
                        mql_array<MqlRates> &rates_array) {
    std::vector<MqlHostRates> rows;
    int got = rt_copy_rates(symbol_name, timeframe, MQL_HOST_RATES_BY_TIME_COUNT, start_time, count, rows);
    return fill_rates(got, rows, rates_array);
}

int Terminal::CopyRates(string symbol_name, ENUM_TIMEFRAMES timeframe, datetime start_time, datetime stop_time,
                        mql_array<MqlRates> &rates_array) {
    std::vector<MqlHostRates> rows;
    int got = rt_copy_rates(symbol_name, timeframe, MQL_HOST_RATES_BY_TIME_RANGE, start_time, stop_time, rows);
    return fill_rates(got, rows, rates_array);
}

int Terminal::OrderSend(string symbol, int cmd, double volume, double price, int slippage, double stoploss,
                        double takeprofit, string comment, int magic, datetime expiration, color arrow_color) {
    return MQL_HOST(mt4_order_send, "OrderSend")(mql_host_->ctx, symbol.data(), symbol.len(), cmd, volume, price,
                                                 slippage, stoploss, takeprofit, comment.data(), comment.len(), magic,
                                                 expiration, static_cast<std::int32_t>(arrow_color));
}

bool Terminal::OrderSelect(int index, int select, int pool) {
    return MQL_HOST(mt4_order_select, "OrderSelect")(mql_host_->ctx, index, select, pool) != 0;
}

bool Terminal::OrderClose(int ticket, double lots, double price, int slippage, color arrow_color) {
    return MQL_HOST(mt4_order_close, "OrderClose")(mql_host_->ctx, ticket, lots, price, slippage,
                                                   static_cast<std::int32_t>(arrow_color)) != 0;
}

bool Terminal::OrderCloseBy(int ticket, int opposite, color arrow_color) {
    return MQL_HOST(mt4_order_close_by, "OrderCloseBy")(mql_host_->ctx, ticket, opposite,
                                                        static_cast<std::int32_t>(arrow_color)) != 0;
}

bool Terminal::OrderModify(int ticket, double price, double stoploss, double takeprofit, datetime expiration,
                           color arrow_color) {
    return MQL_HOST(mt4_order_modify, "OrderModify")(mql_host_->ctx, ticket, price, stoploss, takeprofit, expiration,
                                                     static_cast<std::int32_t>(arrow_color)) != 0;
}

bool Terminal::OrderDelete(int ticket, color arrow_color) {
    return MQL_HOST(mt4_order_delete, "OrderDelete")(mql_host_->ctx, ticket, static_cast<std::int32_t>(arrow_color)) !=
           0;
}

int Terminal::OrdersTotal() { return MQL_HOST(mt4_orders_total, "OrdersTotal")(mql_host_->ctx); }

int Terminal::OrdersHistoryTotal() { return MQL_HOST(mt4_orders_history_total, "OrdersHistoryTotal")(mql_host_->ctx); }

mql_long Terminal::order_integer(int prop, const char *builtin) {
    return rt_integer(mql_host_->mt4_order_integer, builtin, prop);
}

double Terminal::order_double(int prop, const char *builtin) {
    if (mql_host_->mt4_order_double == nullptr) ::mql::critical(std::string("the terminal does not provide ") + builtin);
    double out = 0;
    if (mql_host_->mt4_order_double(mql_host_->ctx, prop, &out) == 0) return 0;
    return out;
}

string Terminal::order_string(int prop, const char *builtin) {
    if (mql_host_->mt4_order_string == nullptr) ::mql::critical(std::string("the terminal does not provide ") + builtin);
    string out;
    ::mql::host_string(
        [&](char16_t *buf, std::int32_t cap) { return mql_host_->mt4_order_string(mql_host_->ctx, prop, buf, cap); }, out);
    return out;
}

bool Terminal::TimeToStruct(datetime dt, MqlDateTime &dt_struct) {
    int parts[8];
    ::mql::split_time(dt, parts);
    dt_struct = MqlDateTime{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6], parts[7]};
    return true;
}

datetime Terminal::StructToTime(MqlDateTime &dt_struct) {
    return ::mql::join_time(dt_struct.year, dt_struct.mon, dt_struct.day, dt_struct.hour, dt_struct.min, dt_struct.sec);
}

datetime Terminal::TimeGMT(MqlDateTime &dt_struct) {
    datetime now = TimeGMT();
    TimeToStruct(now, dt_struct);
    return now;
}

datetime Terminal::TimeCurrent(MqlDateTime &dt_struct) {
    datetime now = TimeCurrent();
    TimeToStruct(now, dt_struct);
    return now;
}

void Terminal::Sleep(int milliseconds) { MQL_HOST(sleep, "Sleep")(mql_host_->ctx, milliseconds); }

}  // namespace mql4
