/* The host interface of the MQL runtime: how a translated MQL program reaches the terminal it runs in.
 *
 * A translated program (mql/src) is C++ that calls the MQL built-ins declared in mql5.hpp / mql4.hpp. The built-ins
 * that need a terminal (symbols, quotes, rates, ticks, book, account, positions, orders, history, trading, time,
 * timers, program state, output) call the entries of this table; everything else (strings, arrays, formatting,
 * math) is implemented by the C++ runtime itself. The table is filled by the host (terminal-sim, in Rust, as a
 * #[repr(C)] mirror) and passed to `<prog>_create`; the runtime keeps the pointer, so the table must outlive the
 * program.
 *
 * Conventions, so a Rust mirror can follow them mechanically:
 * - Every entry takes `ctx` (this table's `ctx`) first. C types only; the C calling convention.
 * - Strings in: `(const char16_t *ptr, int32_t len)`, UTF-16 code units, not zero-terminated.
 * - Strings out: `(char16_t *buf, int32_t cap)` returning the number of code units the whole string needs
 *   (no terminator), or -1 when the object or property does not exist. When the result exceeds `cap` the host
 *   writes nothing (or a prefix) and the runtime calls again with a buffer of the returned size.
 * - Arrays out (rates, ticks, book): `(T *buf, int32_t cap)` returning the number of elements available, or -1
 *   on error; more than `cap` means "call again with that capacity" (nothing is consumed by the first call).
 * - `int32_t` results named ok: nonzero = true.
 * - Property ids are MetaTrader's own values (MQL5's, as declared in mql5_constants.hpp, also for MQL4 programs,
 *   whose built-ins are mapped onto them); MQL4-only ids (MarketInfo's MODE_*, OrderSelect's pools) are MQL4's.
 * - Failing entries set the program's last error through `set_last_error` themselves (MetaTrader's error codes,
 *   e.g. 4301 ERR_MARKET_UNKNOWN_SYMBOL, 4753 ERR_TRADE_POSITION_NOT_FOUND, MQL4's 4108 ERR_INVALID_TICKET).
 * - An entry left NULL makes the built-in that needs it raise a critical runtime error naming the built-in: the
 *   program stops, as MetaTrader stops a program on a critical error. Nothing falls back silently.
 * - Entries are called on the thread that runs the program's event handlers; one program never calls
 *   concurrently.
 *
 * Each compiled program `<prog>` (its name as given to the build helper) exports, C calling convention:
 *   void   *<prog>_create(const MqlHost *host);            NULL when host->size or version do not match
 *   int32_t <prog>_set_input(void *p, const char *name, const char *value_utf8);  1 = set, 0 = no such input or
 *                                                           a value that does not parse as the input's type
 *   int32_t <prog>_on_init(void *p);                        OnInit's result (INIT_SUCCEEDED when it returns void);
 *                                                           -1 after a critical runtime error
 *   void    <prog>_on_deinit(void *p, int32_t reason);
 *   void    <prog>_on_timer(void *p);
 *   void    <prog>_on_tick(void *p);
 *   void    <prog>_on_trade_transaction(void *p, const MqlHostTradeTransaction *trans,
 *                                       const MqlHostTradeRequest *request, const MqlHostTradeResult *result);
 *   void    <prog>_on_book_event(void *p, const char16_t *symbol, int32_t symbol_len);
 *   void    <prog>_on_start(void *p);
 *   void    <prog>_on_chart_event(void *p, int32_t id, int64_t lparam, double dparam, const char16_t *sparam,
 *                                 int32_t sparam_len);
 *   void    <prog>_destroy(void *p);
 *   uint32_t <prog>_handlers(void);                         MQL_HANDLER_* bits of the handlers it defines
 *   int32_t <prog>_stopped(void *p);                        nonzero after a critical runtime error (the
 *                                                           terminal then unloads the program)
 * An event whose handler the program does not define is a no-op. After a critical runtime error (array out of
 * range, division by zero, an unresolved import, a NULL host entry) every later call is a no-op, and the error
 * was printed through `print`.
 */
#ifndef MQL_HOST_H
#define MQL_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <uchar.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bits of `<prog>_handlers()`. */
#define MQL_HANDLER_ON_INIT 1u
#define MQL_HANDLER_ON_DEINIT 2u
#define MQL_HANDLER_ON_TIMER 4u
#define MQL_HANDLER_ON_TICK 8u
#define MQL_HANDLER_ON_TRADE_TRANSACTION 16u
#define MQL_HANDLER_ON_BOOK_EVENT 32u
#define MQL_HANDLER_ON_START 64u
#define MQL_HANDLER_ON_CHART_EVENT 128u

/* Bumped when an existing entry changes; adding entries at the end changes only `size`. */
#define MQL_HOST_VERSION 1

/* Capacity (UTF-16 code units) of the inline comment buffers of the trade result mirrors. */
#define MQL_HOST_COMMENT_CAP 256

/* MqlTick (MQL5 layout; MQL4 programs see its first five fields). */
typedef struct MqlHostTick {
    int64_t time;         /* server time, seconds */
    double bid;
    double ask;
    double last;
    uint64_t volume;
    int64_t time_msc;     /* server time, milliseconds */
    uint32_t flags;       /* TICK_FLAG_* */
    double volume_real;
} MqlHostTick;

/* MqlRates (same on both platforms). */
typedef struct MqlHostRates {
    int64_t time;
    double open;
    double high;
    double low;
    double close;
    int64_t tick_volume;
    int32_t spread;
    int64_t real_volume;
} MqlHostRates;

/* MqlBookInfo. */
typedef struct MqlHostBookInfo {
    int32_t type;         /* ENUM_BOOK_TYPE */
    double price;
    int64_t volume;
    double volume_real;
} MqlHostBookInfo;

/* MqlTradeRequest: the strings are borrowed for the duration of the call. */
typedef struct MqlHostTradeRequest {
    int32_t action;       /* ENUM_TRADE_REQUEST_ACTIONS */
    uint64_t magic;
    uint64_t order;
    const char16_t *symbol;
    int32_t symbol_len;
    double volume;
    double price;
    double stoplimit;
    double sl;
    double tp;
    uint64_t deviation;
    int32_t type;         /* ENUM_ORDER_TYPE */
    int32_t type_filling; /* ENUM_ORDER_TYPE_FILLING */
    int32_t type_time;    /* ENUM_ORDER_TYPE_TIME */
    int64_t expiration;   /* server time, seconds */
    const char16_t *comment;
    int32_t comment_len;
    uint64_t position;
    uint64_t position_by;
} MqlHostTradeRequest;

/* MqlTradeResult: written by the host (OrderSend), or passed to OnTradeTransaction. */
typedef struct MqlHostTradeResult {
    uint32_t retcode;
    uint64_t deal;
    uint64_t order;
    double volume;
    double price;
    double bid;
    double ask;
    int32_t comment_len;  /* code units used in `comment`, at most MQL_HOST_COMMENT_CAP */
    char16_t comment[MQL_HOST_COMMENT_CAP];
    uint32_t request_id;
    int32_t retcode_external;
} MqlHostTradeResult;

/* MqlTradeCheckResult: written by the host (OrderCheck). */
typedef struct MqlHostTradeCheckResult {
    uint32_t retcode;
    double balance;
    double equity;
    double profit;
    double margin;
    double margin_free;
    double margin_level;
    int32_t comment_len;
    char16_t comment[MQL_HOST_COMMENT_CAP];
} MqlHostTradeCheckResult;

/* MqlTradeTransaction: passed to OnTradeTransaction; `symbol` is borrowed for the call. */
typedef struct MqlHostTradeTransaction {
    uint64_t deal;
    uint64_t order;
    const char16_t *symbol;
    int32_t symbol_len;
    int32_t type;         /* ENUM_TRADE_TRANSACTION_TYPE */
    int32_t order_type;   /* ENUM_ORDER_TYPE */
    int32_t order_state;  /* ENUM_ORDER_STATE */
    int32_t deal_type;    /* ENUM_DEAL_TYPE */
    int32_t time_type;    /* ENUM_ORDER_TYPE_TIME */
    int64_t time_expiration;
    double price;
    double price_trigger;
    double price_sl;
    double price_tp;
    double volume;
    uint64_t position;
    uint64_t position_by;
} MqlHostTradeTransaction;

/* Modes of `copy_rates`. */
#define MQL_HOST_RATES_BY_POSITION 0 /* a = start_pos, b = count */
#define MQL_HOST_RATES_BY_TIME_COUNT 1 /* a = start_time, b = count */
#define MQL_HOST_RATES_BY_TIME_RANGE 2 /* a = start_time, b = stop_time */

/* Properties of the MQL4 order selected by `mt4_order_select` (the MQL4 Order*() accessors). */
#define MQL_HOST_MT4_TICKET 0      /* integer: OrderTicket */
#define MQL_HOST_MT4_TYPE 1        /* integer: OrderType (OP_*; 6 balance, 7 credit) */
#define MQL_HOST_MT4_MAGIC 2       /* integer: OrderMagicNumber */
#define MQL_HOST_MT4_OPEN_TIME 3   /* integer: OrderOpenTime (server seconds) */
#define MQL_HOST_MT4_CLOSE_TIME 4  /* integer: OrderCloseTime (0 while open) */
#define MQL_HOST_MT4_EXPIRATION 5  /* integer: OrderExpiration */
#define MQL_HOST_MT4_LOTS 10       /* double: OrderLots */
#define MQL_HOST_MT4_OPEN_PRICE 11 /* double: OrderOpenPrice */
#define MQL_HOST_MT4_CLOSE_PRICE 12 /* double: OrderClosePrice (the current price while open) */
#define MQL_HOST_MT4_SL 13         /* double: OrderStopLoss */
#define MQL_HOST_MT4_TP 14         /* double: OrderTakeProfit */
#define MQL_HOST_MT4_SWAP 15       /* double: OrderSwap */
#define MQL_HOST_MT4_COMMISSION 16 /* double: OrderCommission */
#define MQL_HOST_MT4_PROFIT 17     /* double: OrderProfit */
#define MQL_HOST_MT4_SYMBOL 20     /* string: OrderSymbol */
#define MQL_HOST_MT4_COMMENT 21    /* string: OrderComment */

typedef struct MqlHost {
    uint32_t size;    /* sizeof(MqlHost) as the host was built; `<prog>_create` refuses a mismatch */
    uint32_t version; /* MQL_HOST_VERSION */
    void *ctx;

    /* ---- Program, imports, output, errors ---- */

    /* #import: the address of `symbol` in `library` (e.g. "metaapi_bridge.dll", "mtb_wait"), UTF-8 names; NULL
     * when it cannot be resolved (the call then fails as MetaTrader's "cannot call function" critical error). */
    void *(*resolve_import)(void *ctx, const char *library, const char *symbol);
    /* Print, PrintFormat: one line of the Experts journal, without its newline. */
    void (*print)(void *ctx, const char16_t *text, int32_t len);
    /* GetLastError (MQL4 also resets it, done by the runtime via set_last_error(0)), _LastError. */
    int32_t (*get_last_error)(void *ctx);
    /* SetLastError, ResetLastError, and every failing entry. */
    void (*set_last_error)(void *ctx, int32_t code);
    /* IsStopped, _StopFlag: nonzero once the terminal asked the program to stop. */
    int32_t (*is_stopped)(void *ctx);
    /* Sleep: returns early when the program is asked to stop. */
    void (*sleep)(void *ctx, int32_t milliseconds);
    /* EventSetMillisecondTimer -> ok; the host applies the terminal's timer floor. */
    int32_t (*event_set_millisecond_timer)(void *ctx, int32_t milliseconds);
    /* EventKillTimer. */
    void (*event_kill_timer)(void *ctx);
    /* _Symbol, Symbol(): the chart symbol ("" for a service). String out. */
    int32_t (*chart_symbol)(void *ctx, char16_t *buf, int32_t cap);
    /* _Period, Period(): the chart timeframe (ENUM_TIMEFRAMES of the program's platform). */
    int32_t (*chart_period)(void *ctx);

    /* ---- Program, terminal and time ---- */

    /* MQLInfoInteger(ENUM_MQL_INFO_INTEGER) -> ok, *out; MQL4 IsTesting (MQL_TESTER), IsDllsAllowed
     * (MQL_DLLS_ALLOWED), IsTradeAllowed (MQL_TRADE_ALLOWED together with TERMINAL_TRADE_ALLOWED). */
    int32_t (*mql_info_integer)(void *ctx, int32_t prop, int64_t *out);
    /* TerminalInfoInteger(ENUM_TERMINAL_INFO_INTEGER) -> ok, *out; MQL4 IsConnected (TERMINAL_CONNECTED),
     * IsExpertEnabled (TERMINAL_TRADE_ALLOWED). */
    int32_t (*terminal_info_integer)(void *ctx, int32_t prop, int64_t *out);
    /* TerminalInfoString(ENUM_TERMINAL_INFO_STRING); MQL4 TerminalName (TERMINAL_NAME). String out. */
    int32_t (*terminal_info_string)(void *ctx, int32_t prop, char16_t *buf, int32_t cap);
    /* TimeCurrent: the server time of the last quote (seconds). */
    int64_t (*time_current)(void *ctx);
    /* TimeTradeServer: the server clock now (seconds), with the broker's DST-aware offset. */
    int64_t (*time_trade_server)(void *ctx);
    /* TimeGMT: UTC now (seconds). */
    int64_t (*time_gmt)(void *ctx);
    /* TimeLocal: the computer's local time (seconds). */
    int64_t (*time_local)(void *ctx);

    /* ---- Account ---- */

    /* AccountInfoInteger(ENUM_ACCOUNT_INFO_INTEGER) -> ok; MQL4 AccountNumber (ACCOUNT_LOGIN), AccountLeverage
     * (ACCOUNT_LEVERAGE), AccountStopoutMode (ACCOUNT_MARGIN_SO_MODE), IsDemo (ACCOUNT_TRADE_MODE). */
    int32_t (*account_info_integer)(void *ctx, int32_t prop, int64_t *out);
    /* AccountInfoDouble(ENUM_ACCOUNT_INFO_DOUBLE) -> ok; MQL4 AccountBalance, AccountCredit, AccountEquity,
     * AccountFreeMargin, AccountMargin, AccountProfit, AccountStopoutLevel (ACCOUNT_MARGIN_SO_SO). */
    int32_t (*account_info_double)(void *ctx, int32_t prop, double *out);
    /* AccountInfoString(ENUM_ACCOUNT_INFO_STRING); MQL4 AccountCompany, AccountCurrency, AccountName,
     * AccountServer. String out. */
    int32_t (*account_info_string)(void *ctx, int32_t prop, char16_t *buf, int32_t cap);
    /* MQL4 AccountFreeMarginCheck(symbol, cmd OP_BUY/OP_SELL, volume) -> ok, *out = free margin after. */
    int32_t (*account_free_margin_check)(void *ctx, const char16_t *symbol, int32_t symbol_len, int32_t cmd,
                                         double volume, double *out);

    /* ---- Symbols and market data ---- */

    /* SymbolsTotal(selected). */
    int32_t (*symbols_total)(void *ctx, int32_t selected);
    /* SymbolName(pos, selected). String out (-1: no such position). */
    int32_t (*symbol_name)(void *ctx, int32_t pos, int32_t selected, char16_t *buf, int32_t cap);
    /* SymbolSelect(name, select) -> ok. */
    int32_t (*symbol_select)(void *ctx, const char16_t *name, int32_t name_len, int32_t select);
    /* SymbolInfoInteger(name, ENUM_SYMBOL_INFO_INTEGER) -> ok (both overloads). */
    int32_t (*symbol_info_integer)(void *ctx, const char16_t *name, int32_t name_len, int32_t prop, int64_t *out);
    /* SymbolInfoDouble(name, ENUM_SYMBOL_INFO_DOUBLE) -> ok (both overloads). */
    int32_t (*symbol_info_double)(void *ctx, const char16_t *name, int32_t name_len, int32_t prop, double *out);
    /* SymbolInfoString(name, ENUM_SYMBOL_INFO_STRING). String out. */
    int32_t (*symbol_info_string)(void *ctx, const char16_t *name, int32_t name_len, int32_t prop, char16_t *buf,
                                  int32_t cap);
    /* SymbolInfoTick(name, tick) -> ok. */
    int32_t (*symbol_info_tick)(void *ctx, const char16_t *name, int32_t name_len, MqlHostTick *out);
    /* SymbolInfoSessionQuote (trade = 0) / SymbolInfoSessionTrade (trade = 1) -> ok; from/to in seconds from
     * 00:00. day: ENUM_DAY_OF_WEEK. */
    int32_t (*symbol_info_session)(void *ctx, const char16_t *name, int32_t name_len, int32_t trade, int32_t day,
                                   uint32_t index, int64_t *from, int64_t *to);
    /* MQL4 MarketInfo(symbol, MODE_*) -> ok, *out (MQL4's MODE_* ids). */
    int32_t (*market_info)(void *ctx, const char16_t *symbol, int32_t symbol_len, int32_t mode, double *out);
    /* SeriesInfoInteger(symbol, timeframe, ENUM_SERIES_INFO_INTEGER) -> ok. */
    int32_t (*series_info_integer)(void *ctx, const char16_t *symbol, int32_t symbol_len, int32_t timeframe,
                                   int32_t prop, int64_t *out);
    /* CopyRates, all three variants (mode MQL_HOST_RATES_*), oldest first. Array out. */
    int32_t (*copy_rates)(void *ctx, const char16_t *symbol, int32_t symbol_len, int32_t timeframe, int32_t mode,
                          int64_t a, int64_t b, MqlHostRates *buf, int32_t cap);
    /* CopyTicks(symbol, flags COPY_TICKS_*, from_msc, count), oldest first. Array out. */
    int32_t (*copy_ticks)(void *ctx, const char16_t *symbol, int32_t symbol_len, int32_t flags, uint64_t from_msc,
                          uint32_t count, MqlHostTick *buf, int32_t cap);
    /* CopyTicksRange(symbol, flags, from_msc, to_msc), oldest first. Array out. */
    int32_t (*copy_ticks_range)(void *ctx, const char16_t *symbol, int32_t symbol_len, int32_t flags,
                                uint64_t from_msc, uint64_t to_msc, MqlHostTick *buf, int32_t cap);
    /* MarketBookAdd -> ok. */
    int32_t (*market_book_add)(void *ctx, const char16_t *symbol, int32_t symbol_len);
    /* MarketBookRelease -> ok. */
    int32_t (*market_book_release)(void *ctx, const char16_t *symbol, int32_t symbol_len);
    /* MarketBookGet, best sell first as MetaTrader orders it. Array out. */
    int32_t (*market_book_get)(void *ctx, const char16_t *symbol, int32_t symbol_len, MqlHostBookInfo *buf,
                               int32_t cap);

    /* ---- MQL5 trading ---- */

    /* OrderCalcMargin(ENUM_ORDER_TYPE, symbol, volume, price, &margin) -> ok. */
    int32_t (*order_calc_margin)(void *ctx, int32_t type, const char16_t *symbol, int32_t symbol_len, double volume,
                                 double price, double *margin);
    /* OrderCalcProfit(type, symbol, volume, price_open, price_close, &profit) -> ok. */
    int32_t (*order_calc_profit)(void *ctx, int32_t type, const char16_t *symbol, int32_t symbol_len, double volume,
                                 double price_open, double price_close, double *profit);
    /* OrderCheck(request, result) -> ok. */
    int32_t (*order_check)(void *ctx, const MqlHostTradeRequest *request, MqlHostTradeCheckResult *result);
    /* OrderSend(request, result) -> ok; the host then delivers the OnTradeTransaction events. */
    int32_t (*order_send)(void *ctx, const MqlHostTradeRequest *request, MqlHostTradeResult *result);

    /* ---- MQL5 positions, orders, history (each family works on the entry selected last) ---- */

    /* PositionsTotal. */
    int32_t (*positions_total)(void *ctx);
    /* PositionGetTicket(index): selects it; 0 when none. */
    uint64_t (*position_get_ticket)(void *ctx, int32_t index);
    /* PositionSelectByTicket -> ok. */
    int32_t (*position_select_by_ticket)(void *ctx, uint64_t ticket);
    /* PositionGetInteger(ENUM_POSITION_PROPERTY_INTEGER) -> ok (both overloads). */
    int32_t (*position_get_integer)(void *ctx, int32_t prop, int64_t *out);
    /* PositionGetDouble(ENUM_POSITION_PROPERTY_DOUBLE) -> ok. */
    int32_t (*position_get_double)(void *ctx, int32_t prop, double *out);
    /* PositionGetString(ENUM_POSITION_PROPERTY_STRING). String out. */
    int32_t (*position_get_string)(void *ctx, int32_t prop, char16_t *buf, int32_t cap);
    /* OrdersTotal (MQL5: pending orders). */
    int32_t (*orders_total)(void *ctx);
    /* OrderGetTicket(index): selects it; 0 when none. */
    uint64_t (*order_get_ticket)(void *ctx, int32_t index);
    /* OrderSelect(ticket) (MQL5) -> ok. */
    int32_t (*order_select)(void *ctx, uint64_t ticket);
    /* OrderGetInteger(ENUM_ORDER_PROPERTY_INTEGER) -> ok. */
    int32_t (*order_get_integer)(void *ctx, int32_t prop, int64_t *out);
    /* OrderGetDouble(ENUM_ORDER_PROPERTY_DOUBLE) -> ok. */
    int32_t (*order_get_double)(void *ctx, int32_t prop, double *out);
    /* OrderGetString(ENUM_ORDER_PROPERTY_STRING). String out. */
    int32_t (*order_get_string)(void *ctx, int32_t prop, char16_t *buf, int32_t cap);
    /* HistorySelect(from, to) (server seconds) -> ok. */
    int32_t (*history_select)(void *ctx, int64_t from, int64_t to);
    /* HistorySelectByPosition(position_id) -> ok. */
    int32_t (*history_select_by_position)(void *ctx, uint64_t position_id);
    /* HistoryOrderSelect(ticket) -> ok (adds it to the selected history). */
    int32_t (*history_order_select)(void *ctx, uint64_t ticket);
    /* HistoryOrdersTotal. */
    int32_t (*history_orders_total)(void *ctx);
    /* HistoryOrderGetTicket(index); 0 when none. */
    uint64_t (*history_order_get_ticket)(void *ctx, int32_t index);
    /* HistoryOrderGetInteger(ticket, ENUM_ORDER_PROPERTY_INTEGER) -> ok. */
    int32_t (*history_order_get_integer)(void *ctx, uint64_t ticket, int32_t prop, int64_t *out);
    /* HistoryOrderGetDouble(ticket, ENUM_ORDER_PROPERTY_DOUBLE) -> ok. */
    int32_t (*history_order_get_double)(void *ctx, uint64_t ticket, int32_t prop, double *out);
    /* HistoryOrderGetString(ticket, ENUM_ORDER_PROPERTY_STRING). String out. */
    int32_t (*history_order_get_string)(void *ctx, uint64_t ticket, int32_t prop, char16_t *buf, int32_t cap);
    /* HistoryDealSelect(ticket) -> ok. */
    int32_t (*history_deal_select)(void *ctx, uint64_t ticket);
    /* HistoryDealsTotal. */
    int32_t (*history_deals_total)(void *ctx);
    /* HistoryDealGetTicket(index); 0 when none. */
    uint64_t (*history_deal_get_ticket)(void *ctx, int32_t index);
    /* HistoryDealGetInteger(ticket, ENUM_DEAL_PROPERTY_INTEGER) -> ok. */
    int32_t (*history_deal_get_integer)(void *ctx, uint64_t ticket, int32_t prop, int64_t *out);
    /* HistoryDealGetDouble(ticket, ENUM_DEAL_PROPERTY_DOUBLE) -> ok. */
    int32_t (*history_deal_get_double)(void *ctx, uint64_t ticket, int32_t prop, double *out);
    /* HistoryDealGetString(ticket, ENUM_DEAL_PROPERTY_STRING). String out. */
    int32_t (*history_deal_get_string)(void *ctx, uint64_t ticket, int32_t prop, char16_t *buf, int32_t cap);

    /* ---- MQL4 trading (one order pool; open market orders are positions) ---- */

    /* OrderSend (MQL4) -> ticket, or -1 with the last error set. */
    int32_t (*mt4_order_send)(void *ctx, const char16_t *symbol, int32_t symbol_len, int32_t cmd, double volume,
                              double price, int32_t slippage, double stoploss, double takeprofit,
                              const char16_t *comment, int32_t comment_len, int32_t magic, int64_t expiration,
                              int32_t arrow_color);
    /* OrderSelect(index, SELECT_BY_POS | SELECT_BY_TICKET, MODE_TRADES | MODE_HISTORY) (MQL4) -> ok. */
    int32_t (*mt4_order_select)(void *ctx, int32_t index, int32_t select, int32_t pool);
    /* OrderClose(ticket, lots, price, slippage, arrow_color) -> ok. */
    int32_t (*mt4_order_close)(void *ctx, int32_t ticket, double lots, double price, int32_t slippage,
                               int32_t arrow_color);
    /* OrderCloseBy(ticket, opposite, arrow_color) -> ok. */
    int32_t (*mt4_order_close_by)(void *ctx, int32_t ticket, int32_t opposite, int32_t arrow_color);
    /* OrderModify(ticket, price, stoploss, takeprofit, expiration, arrow_color) -> ok. */
    int32_t (*mt4_order_modify)(void *ctx, int32_t ticket, double price, double stoploss, double takeprofit,
                                int64_t expiration, int32_t arrow_color);
    /* OrderDelete(ticket, arrow_color) -> ok. */
    int32_t (*mt4_order_delete)(void *ctx, int32_t ticket, int32_t arrow_color);
    /* OrdersTotal (MQL4: open and pending). */
    int32_t (*mt4_orders_total)(void *ctx);
    /* OrdersHistoryTotal. */
    int32_t (*mt4_orders_history_total)(void *ctx);
    /* The selected order's integer properties (MQL_HOST_MT4_TICKET...) -> ok. */
    int32_t (*mt4_order_integer)(void *ctx, int32_t prop, int64_t *out);
    /* The selected order's double properties (MQL_HOST_MT4_LOTS...) -> ok. */
    int32_t (*mt4_order_double)(void *ctx, int32_t prop, double *out);
    /* The selected order's string properties (MQL_HOST_MT4_SYMBOL, MQL_HOST_MT4_COMMENT). String out. */
    int32_t (*mt4_order_string)(void *ctx, int32_t prop, char16_t *buf, int32_t cap);

    /* ---- Custom chart events ---- */

    /* EventChartCustom(chart_id, custom_event_id, lparam, dparam, sparam) -> ok: queues the ChartEvent
     * CHARTEVENT_CUSTOM + custom_event_id for the programs of chart `chart_id` (0: the program's own chart), after
     * the events already in its queue; the host truncates sparam to 63 characters. 0 when the event was not queued
     * (no such chart sets the last error; a full queue or a duplicate the terminal discards does not). */
    int32_t (*event_chart_custom)(void *ctx, int64_t chart_id, uint16_t custom_event_id, int64_t lparam, double dparam,
                                  const char16_t *sparam, int32_t sparam_len);
} MqlHost;

/* Layout of the mirror structs as this C++ compiler lays them out, for the host's layout tests: the offset of
 * `field` in `type` ("MqlHost", "MqlHostTick", "MqlHostTradeRequest", ...), the struct's size when `field` is
 * NULL, and -1 for an unknown name. Defined by the runtime (mql/cpp/layout.cpp). */
int64_t mql_host_layout(const char *type, const char *field);

#ifdef __cplusplus
}
#endif

#endif /* MQL_HOST_H */
