// The MQL5 built-ins that need the terminal, over host.h, and the conversions of the trade structs to and from
// their C mirrors.
#include <algorithm>

#include "mql5.hpp"

namespace mql5 {

static void copy_comment(const char16_t *text, std::int32_t len, string &out) {
    std::int32_t used = std::max(0, std::min(len, static_cast<std::int32_t>(MQL_HOST_COMMENT_CAP)));
    out = string(text, static_cast<std::size_t>(used));
}

static MqlHostTradeRequest to_host(const MqlTradeRequest &request) {
    MqlHostTradeRequest out{};
    out.action = request.action;
    out.magic = request.magic;
    out.order = request.order;
    out.symbol = request.symbol.data();
    out.symbol_len = request.symbol.len();
    out.volume = request.volume;
    out.price = request.price;
    out.stoplimit = request.stoplimit;
    out.sl = request.sl;
    out.tp = request.tp;
    out.deviation = request.deviation;
    out.type = request.type;
    out.type_filling = request.type_filling;
    out.type_time = request.type_time;
    out.expiration = request.expiration;
    out.comment = request.comment.data();
    out.comment_len = request.comment.len();
    out.position = request.position;
    out.position_by = request.position_by;
    return out;
}

MqlTradeRequest from_host(const MqlHostTradeRequest &request) {
    MqlTradeRequest out;
    out.action = static_cast<ENUM_TRADE_REQUEST_ACTIONS>(request.action);
    out.magic = request.magic;
    out.order = request.order;
    if (request.symbol != nullptr) out.symbol = string(request.symbol, static_cast<std::size_t>(request.symbol_len));
    out.volume = request.volume;
    out.price = request.price;
    out.stoplimit = request.stoplimit;
    out.sl = request.sl;
    out.tp = request.tp;
    out.deviation = request.deviation;
    out.type = static_cast<ENUM_ORDER_TYPE>(request.type);
    out.type_filling = static_cast<ENUM_ORDER_TYPE_FILLING>(request.type_filling);
    out.type_time = static_cast<ENUM_ORDER_TYPE_TIME>(request.type_time);
    out.expiration = request.expiration;
    if (request.comment != nullptr) {
        out.comment = string(request.comment, static_cast<std::size_t>(request.comment_len));
    }
    out.position = request.position;
    out.position_by = request.position_by;
    return out;
}

MqlTradeResult from_host(const MqlHostTradeResult &result) {
    MqlTradeResult out;
    out.retcode = result.retcode;
    out.deal = result.deal;
    out.order = result.order;
    out.volume = result.volume;
    out.price = result.price;
    out.bid = result.bid;
    out.ask = result.ask;
    copy_comment(result.comment, result.comment_len, out.comment);
    out.request_id = result.request_id;
    out.retcode_external = result.retcode_external;
    return out;
}

MqlTradeTransaction from_host(const MqlHostTradeTransaction &trans) {
    MqlTradeTransaction out;
    out.deal = trans.deal;
    out.order = trans.order;
    if (trans.symbol != nullptr) out.symbol = string(trans.symbol, static_cast<std::size_t>(trans.symbol_len));
    out.type = static_cast<ENUM_TRADE_TRANSACTION_TYPE>(trans.type);
    out.order_type = static_cast<ENUM_ORDER_TYPE>(trans.order_type);
    out.order_state = static_cast<ENUM_ORDER_STATE>(trans.order_state);
    out.deal_type = static_cast<ENUM_DEAL_TYPE>(trans.deal_type);
    out.time_type = static_cast<ENUM_ORDER_TYPE_TIME>(trans.time_type);
    out.time_expiration = trans.time_expiration;
    out.price = trans.price;
    out.price_trigger = trans.price_trigger;
    out.price_sl = trans.price_sl;
    out.price_tp = trans.price_tp;
    out.volume = trans.volume;
    out.position = trans.position;
    out.position_by = trans.position_by;
    return out;
}

static MqlTick from_host(const MqlHostTick &tick) {
    MqlTick out;
    out.time = tick.time;
    out.bid = tick.bid;
    out.ask = tick.ask;
    out.last = tick.last;
    out.volume = tick.volume;
    out.time_msc = tick.time_msc;
    out.flags = tick.flags;
    out.volume_real = tick.volume_real;
    return out;
}

Terminal::Terminal(const MqlHost *host) : ::mql::Runtime(host) {
    _Symbol = rt_chart_symbol();
    _Period = static_cast<ENUM_TIMEFRAMES>(MQL_HOST(chart_period, "_Period")(mql_host_->ctx));
    if (_Symbol.len() > 0) {
        bool ok = false;
        _Digits = static_cast<int>(rt_symbol_integer(_Symbol, SYMBOL_DIGITS, ok));
        _Point = rt_symbol_double(_Symbol, SYMBOL_POINT, ok);
    }
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
    tick = from_host(out);
    return true;
}

bool Terminal::SymbolInfoSessionQuote(string name, ENUM_DAY_OF_WEEK day_of_week, uint session_index, datetime &from,
                                      datetime &to) {
    return MQL_HOST(symbol_info_session, "SymbolInfoSessionQuote")(mql_host_->ctx, name.data(), name.len(), 0,
                                                                   day_of_week, session_index, &from, &to) != 0;
}

bool Terminal::SymbolInfoSessionTrade(string name, ENUM_DAY_OF_WEEK day_of_week, uint session_index, datetime &from,
                                      datetime &to) {
    return MQL_HOST(symbol_info_session, "SymbolInfoSessionTrade")(mql_host_->ctx, name.data(), name.len(), 1,
                                                                   day_of_week, session_index, &from, &to) != 0;
}

bool Terminal::MarketBookAdd(string symbol) {
    return MQL_HOST(market_book_add, "MarketBookAdd")(mql_host_->ctx, symbol.data(), symbol.len()) != 0;
}

bool Terminal::MarketBookRelease(string symbol) {
    return MQL_HOST(market_book_release, "MarketBookRelease")(mql_host_->ctx, symbol.data(), symbol.len()) != 0;
}

bool Terminal::MarketBookGet(string symbol, mql_array<MqlBookInfo> &book) {
    auto entry = MQL_HOST(market_book_get, "MarketBookGet");
    std::vector<MqlHostBookInfo> rows;
    int got = ::mql::host_array(
        [&](MqlHostBookInfo *buf, std::int32_t cap) { return entry(mql_host_->ctx, symbol.data(), symbol.len(), buf, cap); },
        rows);
    if (got < 0) return false;
    if (book.resize(got, 0) < 0) return false;
    for (int i = 0; i < got; i++) {
        book[i].type = static_cast<ENUM_BOOK_TYPE>(rows[static_cast<std::size_t>(i)].type);
        book[i].price = rows[static_cast<std::size_t>(i)].price;
        book[i].volume = rows[static_cast<std::size_t>(i)].volume;
        book[i].volume_real = rows[static_cast<std::size_t>(i)].volume_real;
    }
    return true;
}

mql_long Terminal::SeriesInfoInteger(string symbol_name, ENUM_TIMEFRAMES timeframe, ENUM_SERIES_INFO_INTEGER prop_id) {
    mql_long out = 0;
    SeriesInfoInteger(symbol_name, timeframe, prop_id, out);
    return out;
}

bool Terminal::SeriesInfoInteger(string symbol_name, ENUM_TIMEFRAMES timeframe, ENUM_SERIES_INFO_INTEGER prop_id,
                                 mql_long &long_var) {
    return MQL_HOST(series_info_integer, "SeriesInfoInteger")(mql_host_->ctx, symbol_name.data(), symbol_name.len(),
                                                              timeframe, prop_id, &long_var) != 0;
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

static int fill_ticks(int got, const std::vector<MqlHostTick> &rows, mql_array<MqlTick> &out) {
    if (got < 0) return -1;
    if (out.resize(got, 0) < 0) return -1;
    for (int i = 0; i < got; i++) out[i] = from_host(rows[static_cast<std::size_t>(i)]);
    return got;
}

int Terminal::CopyTicks(string symbol_name, mql_array<MqlTick> &ticks_array, uint flags, ulong from, uint count) {
    auto entry = MQL_HOST(copy_ticks, "CopyTicks");
    std::vector<MqlHostTick> rows;
    int got = ::mql::host_array(
        [&](MqlHostTick *buf, std::int32_t cap) {
            return entry(mql_host_->ctx, symbol_name.data(), symbol_name.len(), static_cast<std::int32_t>(flags), from,
                         count, buf, cap);
        },
        rows);
    return fill_ticks(got, rows, ticks_array);
}

int Terminal::CopyTicksRange(const string symbol_name, mql_array<MqlTick> &ticks_array, uint flags, ulong from_msc,
                             ulong to_msc) {
    auto entry = MQL_HOST(copy_ticks_range, "CopyTicksRange");
    std::vector<MqlHostTick> rows;
    int got = ::mql::host_array(
        [&](MqlHostTick *buf, std::int32_t cap) {
            return entry(mql_host_->ctx, symbol_name.data(), symbol_name.len(), static_cast<std::int32_t>(flags),
                         from_msc, to_msc, buf, cap);
        },
        rows);
    return fill_ticks(got, rows, ticks_array);
}

bool Terminal::OrderCalcMargin(ENUM_ORDER_TYPE action, string symbol, double volume, double price, double &margin) {
    return MQL_HOST(order_calc_margin, "OrderCalcMargin")(mql_host_->ctx, action, symbol.data(), symbol.len(), volume,
                                                          price, &margin) != 0;
}

bool Terminal::OrderCalcProfit(ENUM_ORDER_TYPE action, string symbol, double volume, double price_open,
                               double price_close, double &profit) {
    return MQL_HOST(order_calc_profit, "OrderCalcProfit")(mql_host_->ctx, action, symbol.data(), symbol.len(), volume,
                                                          price_open, price_close, &profit) != 0;
}

bool Terminal::OrderCheck(MqlTradeRequest &request, MqlTradeCheckResult &result) {
    MqlHostTradeRequest in = to_host(request);
    MqlHostTradeCheckResult out{};
    bool ok = MQL_HOST(order_check, "OrderCheck")(mql_host_->ctx, &in, &out) != 0;
    result.retcode = out.retcode;
    result.balance = out.balance;
    result.equity = out.equity;
    result.profit = out.profit;
    result.margin = out.margin;
    result.margin_free = out.margin_free;
    result.margin_level = out.margin_level;
    copy_comment(out.comment, out.comment_len, result.comment);
    return ok;
}

bool Terminal::OrderSend(MqlTradeRequest &request, MqlTradeResult &result) {
    MqlHostTradeRequest in = to_host(request);
    MqlHostTradeResult out{};
    bool ok = MQL_HOST(order_send, "OrderSend")(mql_host_->ctx, &in, &out) != 0;
    result = from_host(out);
    return ok;
}

// ---- History ----

bool Terminal::HistorySelect(datetime from_date, datetime to_date) {
    return MQL_HOST(history_select, "HistorySelect")(mql_host_->ctx, from_date, to_date) != 0;
}
bool Terminal::HistorySelectByPosition(ulong position_id) {
    return MQL_HOST(history_select_by_position, "HistorySelectByPosition")(mql_host_->ctx, position_id) != 0;
}
bool Terminal::HistoryOrderSelect(ulong ticket) {
    return MQL_HOST(history_order_select, "HistoryOrderSelect")(mql_host_->ctx, ticket) != 0;
}
int Terminal::HistoryOrdersTotal() { return MQL_HOST(history_orders_total, "HistoryOrdersTotal")(mql_host_->ctx); }
ulong Terminal::HistoryOrderGetTicket(int index) {
    return MQL_HOST(history_order_get_ticket, "HistoryOrderGetTicket")(mql_host_->ctx, index);
}
double Terminal::HistoryOrderGetDouble(ulong ticket_number, ENUM_ORDER_PROPERTY_DOUBLE property_id) {
    double out = 0;
    return HistoryOrderGetDouble(ticket_number, property_id, out) ? out : 0;
}
bool Terminal::HistoryOrderGetDouble(ulong ticket_number, ENUM_ORDER_PROPERTY_DOUBLE property_id, double &double_var) {
    return MQL_HOST(history_order_get_double, "HistoryOrderGetDouble")(mql_host_->ctx, ticket_number, property_id,
                                                                       &double_var) != 0;
}
mql_long Terminal::HistoryOrderGetInteger(ulong ticket_number, ENUM_ORDER_PROPERTY_INTEGER property_id) {
    mql_long out = 0;
    return HistoryOrderGetInteger(ticket_number, property_id, out) ? out : 0;
}
bool Terminal::HistoryOrderGetInteger(ulong ticket_number, ENUM_ORDER_PROPERTY_INTEGER property_id,
                                      mql_long &long_var) {
    return MQL_HOST(history_order_get_integer, "HistoryOrderGetInteger")(mql_host_->ctx, ticket_number, property_id,
                                                                         &long_var) != 0;
}
string Terminal::HistoryOrderGetString(ulong ticket_number, ENUM_ORDER_PROPERTY_STRING property_id) {
    string out;
    HistoryOrderGetString(ticket_number, property_id, out);
    return out;
}
bool Terminal::HistoryOrderGetString(ulong ticket_number, ENUM_ORDER_PROPERTY_STRING property_id, string &string_var) {
    auto entry = MQL_HOST(history_order_get_string, "HistoryOrderGetString");
    return ::mql::host_string(
        [&](char16_t *buf, std::int32_t cap) { return entry(mql_host_->ctx, ticket_number, property_id, buf, cap); },
        string_var);
}
bool Terminal::HistoryDealSelect(ulong ticket) {
    return MQL_HOST(history_deal_select, "HistoryDealSelect")(mql_host_->ctx, ticket) != 0;
}
int Terminal::HistoryDealsTotal() { return MQL_HOST(history_deals_total, "HistoryDealsTotal")(mql_host_->ctx); }
ulong Terminal::HistoryDealGetTicket(int index) {
    return MQL_HOST(history_deal_get_ticket, "HistoryDealGetTicket")(mql_host_->ctx, index);
}
double Terminal::HistoryDealGetDouble(ulong ticket_number, ENUM_DEAL_PROPERTY_DOUBLE property_id) {
    double out = 0;
    return HistoryDealGetDouble(ticket_number, property_id, out) ? out : 0;
}
bool Terminal::HistoryDealGetDouble(ulong ticket_number, ENUM_DEAL_PROPERTY_DOUBLE property_id, double &double_var) {
    return MQL_HOST(history_deal_get_double, "HistoryDealGetDouble")(mql_host_->ctx, ticket_number, property_id,
                                                                     &double_var) != 0;
}
mql_long Terminal::HistoryDealGetInteger(ulong ticket_number, ENUM_DEAL_PROPERTY_INTEGER property_id) {
    mql_long out = 0;
    return HistoryDealGetInteger(ticket_number, property_id, out) ? out : 0;
}
bool Terminal::HistoryDealGetInteger(ulong ticket_number, ENUM_DEAL_PROPERTY_INTEGER property_id, mql_long &long_var) {
    return MQL_HOST(history_deal_get_integer, "HistoryDealGetInteger")(mql_host_->ctx, ticket_number, property_id,
                                                                       &long_var) != 0;
}
string Terminal::HistoryDealGetString(ulong ticket_number, ENUM_DEAL_PROPERTY_STRING property_id) {
    string out;
    HistoryDealGetString(ticket_number, property_id, out);
    return out;
}
bool Terminal::HistoryDealGetString(ulong ticket_number, ENUM_DEAL_PROPERTY_STRING property_id, string &string_var) {
    auto entry = MQL_HOST(history_deal_get_string, "HistoryDealGetString");
    return ::mql::host_string(
        [&](char16_t *buf, std::int32_t cap) { return entry(mql_host_->ctx, ticket_number, property_id, buf, cap); },
        string_var);
}

// ---- Positions and orders ----

int Terminal::PositionsTotal() { return MQL_HOST(positions_total, "PositionsTotal")(mql_host_->ctx); }
ulong Terminal::PositionGetTicket(int index) {
    return MQL_HOST(position_get_ticket, "PositionGetTicket")(mql_host_->ctx, index);
}
bool Terminal::PositionSelectByTicket(ulong ticket) {
    return MQL_HOST(position_select_by_ticket, "PositionSelectByTicket")(mql_host_->ctx, ticket) != 0;
}
double Terminal::PositionGetDouble(ENUM_POSITION_PROPERTY_DOUBLE property_id) {
    double out = 0;
    return PositionGetDouble(property_id, out) ? out : 0;
}
bool Terminal::PositionGetDouble(ENUM_POSITION_PROPERTY_DOUBLE property_id, double &double_var) {
    return MQL_HOST(position_get_double, "PositionGetDouble")(mql_host_->ctx, property_id, &double_var) != 0;
}
mql_long Terminal::PositionGetInteger(ENUM_POSITION_PROPERTY_INTEGER property_id) {
    mql_long out = 0;
    return PositionGetInteger(property_id, out) ? out : 0;
}
bool Terminal::PositionGetInteger(ENUM_POSITION_PROPERTY_INTEGER property_id, mql_long &long_var) {
    return MQL_HOST(position_get_integer, "PositionGetInteger")(mql_host_->ctx, property_id, &long_var) != 0;
}
string Terminal::PositionGetString(ENUM_POSITION_PROPERTY_STRING property_id) {
    string out;
    PositionGetString(property_id, out);
    return out;
}
bool Terminal::PositionGetString(ENUM_POSITION_PROPERTY_STRING property_id, string &string_var) {
    auto entry = MQL_HOST(position_get_string, "PositionGetString");
    return ::mql::host_string([&](char16_t *buf, std::int32_t cap) { return entry(mql_host_->ctx, property_id, buf, cap); },
                              string_var);
}
int Terminal::OrdersTotal() { return MQL_HOST(orders_total, "OrdersTotal")(mql_host_->ctx); }
ulong Terminal::OrderGetTicket(int index) { return MQL_HOST(order_get_ticket, "OrderGetTicket")(mql_host_->ctx, index); }
bool Terminal::OrderSelect(ulong ticket) { return MQL_HOST(order_select, "OrderSelect")(mql_host_->ctx, ticket) != 0; }
double Terminal::OrderGetDouble(ENUM_ORDER_PROPERTY_DOUBLE property_id) {
    double out = 0;
    return OrderGetDouble(property_id, out) ? out : 0;
}
bool Terminal::OrderGetDouble(ENUM_ORDER_PROPERTY_DOUBLE property_id, double &double_var) {
    return MQL_HOST(order_get_double, "OrderGetDouble")(mql_host_->ctx, property_id, &double_var) != 0;
}
mql_long Terminal::OrderGetInteger(ENUM_ORDER_PROPERTY_INTEGER property_id) {
    mql_long out = 0;
    return OrderGetInteger(property_id, out) ? out : 0;
}
bool Terminal::OrderGetInteger(ENUM_ORDER_PROPERTY_INTEGER property_id, mql_long &long_var) {
    return MQL_HOST(order_get_integer, "OrderGetInteger")(mql_host_->ctx, property_id, &long_var) != 0;
}
string Terminal::OrderGetString(ENUM_ORDER_PROPERTY_STRING property_id) {
    string out;
    OrderGetString(property_id, out);
    return out;
}
bool Terminal::OrderGetString(ENUM_ORDER_PROPERTY_STRING property_id, string &string_var) {
    auto entry = MQL_HOST(order_get_string, "OrderGetString");
    return ::mql::host_string([&](char16_t *buf, std::int32_t cap) { return entry(mql_host_->ctx, property_id, buf, cap); },
                              string_var);
}

// ---- Time ----

datetime Terminal::TimeTradeServer() { return MQL_HOST(time_trade_server, "TimeTradeServer")(mql_host_->ctx); }

bool Terminal::TimeToStruct(datetime dt, MqlDateTime &dt_struct) {
    int parts[8];
    ::mql::split_time(dt, parts);
    dt_struct = MqlDateTime{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6], parts[7]};
    return true;
}

datetime Terminal::StructToTime(MqlDateTime &dt_struct) {
    return ::mql::join_time(dt_struct.year, dt_struct.mon, dt_struct.day, dt_struct.hour, dt_struct.min, dt_struct.sec);
}

datetime Terminal::TimeTradeServer(MqlDateTime &dt_struct) {
    datetime now = TimeTradeServer();
    TimeToStruct(now, dt_struct);
    return now;
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

}  // namespace mql5
