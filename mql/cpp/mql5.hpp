// The MQL5 built-ins, constants, enums and structs the project's MQL5 programs use, each with the exact signature of
// the MQL5 Reference (types, defaults, by-reference parameters), so the C++ compiler refuses what MetaEditor
// refuses. Constant values are MetaTrader's. Translated MQL5 programs derive from mql5::Terminal.
#ifndef MQL5_HPP
#define MQL5_HPP

#include "mql_runtime.hpp"

namespace mql5 {

#include "mql_types.inc"
#include "mql_shared_constants.inc"

// ENUM_TIMEFRAMES (MQL5 values).
enum ENUM_TIMEFRAMES {
    PERIOD_CURRENT = 0,
    PERIOD_M1 = 1,
    PERIOD_M2 = 2,
    PERIOD_M3 = 3,
    PERIOD_M4 = 4,
    PERIOD_M5 = 5,
    PERIOD_M6 = 6,
    PERIOD_M10 = 10,
    PERIOD_M12 = 12,
    PERIOD_M15 = 15,
    PERIOD_M20 = 20,
    PERIOD_M30 = 30,
    PERIOD_H1 = 16385,
    PERIOD_H2 = 16386,
    PERIOD_H3 = 16387,
    PERIOD_H4 = 16388,
    PERIOD_H6 = 16390,
    PERIOD_H8 = 16392,
    PERIOD_H12 = 16396,
    PERIOD_D1 = 16408,
    PERIOD_W1 = 32769,
    PERIOD_MN1 = 49153,
};

enum ENUM_DAY_OF_WEEK { SUNDAY = 0, MONDAY = 1, TUESDAY = 2, WEDNESDAY = 3, THURSDAY = 4, FRIDAY = 5, SATURDAY = 6 };

enum ENUM_ACCOUNT_MARGIN_MODE {
    ACCOUNT_MARGIN_MODE_RETAIL_NETTING = 0,
    ACCOUNT_MARGIN_MODE_EXCHANGE = 1,
    ACCOUNT_MARGIN_MODE_RETAIL_HEDGING = 2,
};

enum ENUM_SYMBOL_CALC_MODE {
    SYMBOL_CALC_MODE_FOREX = 0,
    SYMBOL_CALC_MODE_FUTURES = 1,
    SYMBOL_CALC_MODE_CFD = 2,
    SYMBOL_CALC_MODE_CFDINDEX = 3,
    SYMBOL_CALC_MODE_CFDLEVERAGE = 4,
    SYMBOL_CALC_MODE_FOREX_NO_LEVERAGE = 5,
    SYMBOL_CALC_MODE_EXCH_STOCKS = 32,
    SYMBOL_CALC_MODE_EXCH_FUTURES = 33,
};

enum ENUM_SYMBOL_TRADE_MODE {
    SYMBOL_TRADE_MODE_DISABLED = 0,
    SYMBOL_TRADE_MODE_LONGONLY = 1,
    SYMBOL_TRADE_MODE_SHORTONLY = 2,
    SYMBOL_TRADE_MODE_CLOSEONLY = 3,
    SYMBOL_TRADE_MODE_FULL = 4,
};

enum ENUM_SYMBOL_TRADE_EXECUTION {
    SYMBOL_TRADE_EXECUTION_REQUEST = 0,
    SYMBOL_TRADE_EXECUTION_INSTANT = 1,
    SYMBOL_TRADE_EXECUTION_MARKET = 2,
    SYMBOL_TRADE_EXECUTION_EXCHANGE = 3,
};

// Flags of SYMBOL_FILLING_MODE, SYMBOL_EXPIRATION_MODE, SYMBOL_ORDER_MODE (values printed in the reference).
constexpr int SYMBOL_FILLING_FOK = 1;
constexpr int SYMBOL_FILLING_IOC = 2;
constexpr int SYMBOL_EXPIRATION_GTC = 1;
constexpr int SYMBOL_EXPIRATION_DAY = 2;
constexpr int SYMBOL_EXPIRATION_SPECIFIED = 4;
constexpr int SYMBOL_EXPIRATION_SPECIFIED_DAY = 8;
constexpr int SYMBOL_ORDER_MARKET = 1;
constexpr int SYMBOL_ORDER_LIMIT = 2;
constexpr int SYMBOL_ORDER_STOP = 4;
constexpr int SYMBOL_ORDER_STOP_LIMIT = 8;

enum ENUM_SERIES_INFO_INTEGER {
    SERIES_BARS_COUNT = 0,
    SERIES_FIRSTDATE = 1,
    SERIES_SERVER_FIRSTDATE = 2,
    SERIES_TERMINAL_FIRSTDATE = 3,
    SERIES_SYNCHRONIZED = 4,
    SERIES_LASTBAR_DATE = 5,
};

// CopyTicks flags.
constexpr int COPY_TICKS_ALL = -1;
constexpr int COPY_TICKS_INFO = 1;
constexpr int COPY_TICKS_TRADE = 2;

enum ENUM_BOOK_TYPE { BOOK_TYPE_SELL = 1, BOOK_TYPE_BUY = 2, BOOK_TYPE_SELL_MARKET = 3, BOOK_TYPE_BUY_MARKET = 4 };

enum ENUM_ORDER_TYPE {
    ORDER_TYPE_BUY = 0,
    ORDER_TYPE_SELL = 1,
    ORDER_TYPE_BUY_LIMIT = 2,
    ORDER_TYPE_SELL_LIMIT = 3,
    ORDER_TYPE_BUY_STOP = 4,
    ORDER_TYPE_SELL_STOP = 5,
    ORDER_TYPE_BUY_STOP_LIMIT = 6,
    ORDER_TYPE_SELL_STOP_LIMIT = 7,
    ORDER_TYPE_CLOSE_BY = 8,
};

enum ENUM_ORDER_STATE {
    ORDER_STATE_STARTED = 0,
    ORDER_STATE_PLACED = 1,
    ORDER_STATE_CANCELED = 2,
    ORDER_STATE_PARTIAL = 3,
    ORDER_STATE_FILLED = 4,
    ORDER_STATE_REJECTED = 5,
    ORDER_STATE_EXPIRED = 6,
    ORDER_STATE_REQUEST_ADD = 7,
    ORDER_STATE_REQUEST_MODIFY = 8,
    ORDER_STATE_REQUEST_CANCEL = 9,
};

enum ENUM_ORDER_TYPE_FILLING { ORDER_FILLING_FOK = 0, ORDER_FILLING_IOC = 1, ORDER_FILLING_RETURN = 2, ORDER_FILLING_BOC = 3 };

enum ENUM_ORDER_TYPE_TIME { ORDER_TIME_GTC = 0, ORDER_TIME_DAY = 1, ORDER_TIME_SPECIFIED = 2, ORDER_TIME_SPECIFIED_DAY = 3 };

enum ENUM_ORDER_PROPERTY_INTEGER {
    ORDER_TIME_SETUP = 1,
    ORDER_TIME_EXPIRATION = 2,
    ORDER_TIME_DONE = 3,
    ORDER_TYPE = 4,
    ORDER_TYPE_FILLING = 5,
    ORDER_TYPE_TIME = 6,
    ORDER_STATE = 14,
    ORDER_MAGIC = 15,
    ORDER_POSITION_ID = 17,
    ORDER_TIME_SETUP_MSC = 18,
    ORDER_TIME_DONE_MSC = 19,
    ORDER_POSITION_BY_ID = 21,
    ORDER_TICKET = 22,
    ORDER_REASON = 23,
};

enum ENUM_ORDER_PROPERTY_DOUBLE {
    ORDER_VOLUME_INITIAL = 7,
    ORDER_VOLUME_CURRENT = 8,
    ORDER_PRICE_OPEN = 9,
    ORDER_PRICE_CURRENT = 10,
    ORDER_PRICE_STOPLIMIT = 11,
    ORDER_SL = 12,
    ORDER_TP = 13,
};

enum ENUM_ORDER_PROPERTY_STRING { ORDER_SYMBOL = 0, ORDER_COMMENT = 16, ORDER_EXTERNAL_ID = 20 };

enum ENUM_ORDER_REASON {
    ORDER_REASON_CLIENT = 0,
    ORDER_REASON_MOBILE = 1,
    ORDER_REASON_WEB = 2,
    ORDER_REASON_EXPERT = 3,
    ORDER_REASON_SL = 4,
    ORDER_REASON_TP = 5,
    ORDER_REASON_SO = 6,
};

enum ENUM_POSITION_PROPERTY_INTEGER {
    POSITION_TIME = 1,
    POSITION_TYPE = 2,
    POSITION_MAGIC = 12,
    POSITION_IDENTIFIER = 13,
    POSITION_TIME_MSC = 14,
    POSITION_TIME_UPDATE = 15,
    POSITION_TIME_UPDATE_MSC = 16,
    POSITION_TICKET = 17,
    POSITION_REASON = 18,
};

enum ENUM_POSITION_PROPERTY_DOUBLE {
    POSITION_VOLUME = 3,
    POSITION_PRICE_OPEN = 4,
    POSITION_PRICE_CURRENT = 5,
    POSITION_SL = 6,
    POSITION_TP = 7,
    POSITION_SWAP = 9,
    POSITION_PROFIT = 10,
};

enum ENUM_POSITION_PROPERTY_STRING { POSITION_SYMBOL = 0, POSITION_COMMENT = 11 };

enum ENUM_POSITION_TYPE { POSITION_TYPE_BUY = 0, POSITION_TYPE_SELL = 1 };

enum ENUM_POSITION_REASON {
    POSITION_REASON_CLIENT = 0,
    POSITION_REASON_MOBILE = 1,
    POSITION_REASON_WEB = 2,
    POSITION_REASON_EXPERT = 3,
};

enum ENUM_DEAL_PROPERTY_INTEGER {
    DEAL_ORDER = 1,
    DEAL_TIME = 2,
    DEAL_TYPE = 3,
    DEAL_ENTRY = 4,
    DEAL_MAGIC = 11,
    DEAL_POSITION_ID = 12,
    DEAL_TIME_MSC = 13,
    DEAL_TICKET = 15,
    DEAL_REASON = 16,
};

enum ENUM_DEAL_PROPERTY_DOUBLE {
    DEAL_VOLUME = 5,
    DEAL_PRICE = 6,
    DEAL_COMMISSION = 7,
    DEAL_SWAP = 8,
    DEAL_PROFIT = 9,
    // Not in the stored references' value tables; the identifier after DEAL_REASON in MetaTrader's numbering.
    DEAL_FEE = 17,
};

enum ENUM_DEAL_PROPERTY_STRING { DEAL_SYMBOL = 0, DEAL_COMMENT = 10, DEAL_EXTERNAL_ID = 14 };

enum ENUM_DEAL_TYPE {
    DEAL_TYPE_BUY = 0,
    DEAL_TYPE_SELL = 1,
    DEAL_TYPE_BALANCE = 2,
    DEAL_TYPE_CREDIT = 3,
    DEAL_TYPE_CHARGE = 4,
    DEAL_TYPE_CORRECTION = 5,
    DEAL_TYPE_BONUS = 6,
    DEAL_TYPE_COMMISSION = 7,
    DEAL_TYPE_COMMISSION_DAILY = 8,
    DEAL_TYPE_COMMISSION_MONTHLY = 9,
    DEAL_TYPE_COMMISSION_AGENT_DAILY = 10,
    DEAL_TYPE_COMMISSION_AGENT_MONTHLY = 11,
    DEAL_TYPE_INTEREST = 12,
    DEAL_TYPE_BUY_CANCELED = 13,
    DEAL_TYPE_SELL_CANCELED = 14,
    DEAL_DIVIDEND = 15,
    DEAL_DIVIDEND_FRANKED = 16,
    DEAL_TAX = 17,
};

enum ENUM_DEAL_ENTRY { DEAL_ENTRY_IN = 0, DEAL_ENTRY_OUT = 1, DEAL_ENTRY_INOUT = 2, DEAL_ENTRY_OUT_BY = 3 };

enum ENUM_DEAL_REASON {
    DEAL_REASON_CLIENT = 0,
    DEAL_REASON_MOBILE = 1,
    DEAL_REASON_WEB = 2,
    DEAL_REASON_EXPERT = 3,
    DEAL_REASON_SL = 4,
    DEAL_REASON_TP = 5,
    DEAL_REASON_SO = 6,
    DEAL_REASON_ROLLOVER = 7,
    DEAL_REASON_VMARGIN = 8,
    DEAL_REASON_SPLIT = 9,
};

enum ENUM_TRADE_REQUEST_ACTIONS {
    TRADE_ACTION_DEAL = 1,
    TRADE_ACTION_PENDING = 5,
    TRADE_ACTION_SLTP = 6,
    TRADE_ACTION_MODIFY = 7,
    TRADE_ACTION_REMOVE = 8,
    TRADE_ACTION_CLOSE_BY = 10,
};

enum ENUM_TRADE_TRANSACTION_TYPE {
    TRADE_TRANSACTION_ORDER_ADD = 0,
    TRADE_TRANSACTION_ORDER_UPDATE = 1,
    TRADE_TRANSACTION_ORDER_DELETE = 2,
    TRADE_TRANSACTION_HISTORY_ADD = 3,
    TRADE_TRANSACTION_HISTORY_UPDATE = 4,
    TRADE_TRANSACTION_HISTORY_DELETE = 5,
    TRADE_TRANSACTION_DEAL_ADD = 6,
    TRADE_TRANSACTION_DEAL_UPDATE = 7,
    TRADE_TRANSACTION_DEAL_DELETE = 8,
    TRADE_TRANSACTION_POSITION = 9,
    TRADE_TRANSACTION_REQUEST = 10,
};

// Trade server return codes (values printed in the reference).
constexpr uint TRADE_RETCODE_PLACED = 10008;
constexpr uint TRADE_RETCODE_DONE = 10009;
constexpr uint TRADE_RETCODE_DONE_PARTIAL = 10010;
constexpr uint TRADE_RETCODE_ERROR = 10011;
constexpr uint TRADE_RETCODE_TIMEOUT = 10012;
constexpr uint TRADE_RETCODE_NO_CHANGES = 10025;
constexpr uint TRADE_RETCODE_CONNECTION = 10031;

struct MqlTick {
    datetime time = 0;
    double bid = 0;
    double ask = 0;
    double last = 0;
    ulong volume = 0;
    mql_long time_msc = 0;
    uint flags = 0;
    double volume_real = 0;
};

struct MqlBookInfo {
    ENUM_BOOK_TYPE type = BOOK_TYPE_SELL;
    double price = 0;
    mql_long volume = 0;
    double volume_real = 0;
};

struct MqlTradeRequest {
    ENUM_TRADE_REQUEST_ACTIONS action = static_cast<ENUM_TRADE_REQUEST_ACTIONS>(0);
    ulong magic = 0;
    ulong order = 0;
    string symbol;
    double volume = 0;
    double price = 0;
    double stoplimit = 0;
    double sl = 0;
    double tp = 0;
    ulong deviation = 0;
    ENUM_ORDER_TYPE type = ORDER_TYPE_BUY;
    ENUM_ORDER_TYPE_FILLING type_filling = ORDER_FILLING_FOK;
    ENUM_ORDER_TYPE_TIME type_time = ORDER_TIME_GTC;
    datetime expiration = 0;
    string comment;
    ulong position = 0;
    ulong position_by = 0;
};

struct MqlTradeResult {
    uint retcode = 0;
    ulong deal = 0;
    ulong order = 0;
    double volume = 0;
    double price = 0;
    double bid = 0;
    double ask = 0;
    string comment;
    uint request_id = 0;
    int retcode_external = 0;
};

struct MqlTradeCheckResult {
    uint retcode = 0;
    double balance = 0;
    double equity = 0;
    double profit = 0;
    double margin = 0;
    double margin_free = 0;
    double margin_level = 0;
    string comment;
};

struct MqlTradeTransaction {
    ulong deal = 0;
    ulong order = 0;
    string symbol;
    ENUM_TRADE_TRANSACTION_TYPE type = TRADE_TRANSACTION_ORDER_ADD;
    ENUM_ORDER_TYPE order_type = ORDER_TYPE_BUY;
    ENUM_ORDER_STATE order_state = ORDER_STATE_STARTED;
    ENUM_DEAL_TYPE deal_type = DEAL_TYPE_BUY;
    ENUM_ORDER_TYPE_TIME time_type = ORDER_TIME_GTC;
    datetime time_expiration = 0;
    double price = 0;
    double price_trigger = 0;
    double price_sl = 0;
    double price_tp = 0;
    double volume = 0;
    ulong position = 0;
    ulong position_by = 0;
};

// Conversions between the MQL structs and host.h's C mirrors (the runtime's side of the event entry points).
MqlTradeTransaction from_host(const MqlHostTradeTransaction &trans);
MqlTradeRequest from_host(const MqlHostTradeRequest &request);
MqlTradeResult from_host(const MqlHostTradeResult &result);

class Terminal : public ::mql::Runtime {
  public:
    explicit Terminal(const MqlHost *host);

    // Predefined variables.
    string _Symbol;
    int _Digits = 0;
    double _Point = 0;
    ENUM_TIMEFRAMES _Period = PERIOD_CURRENT;
    string Symbol() { return _Symbol; }
    ENUM_TIMEFRAMES Period() { return _Period; }

    // Account.
    double AccountInfoDouble(ENUM_ACCOUNT_INFO_DOUBLE property_id) { return rt_account_double(property_id); }
    mql_long AccountInfoInteger(ENUM_ACCOUNT_INFO_INTEGER property_id) { return rt_account_integer(property_id); }
    string AccountInfoString(ENUM_ACCOUNT_INFO_STRING property_id) { return rt_account_string(property_id); }

    // Symbols and market data.
    double SymbolInfoDouble(string name, ENUM_SYMBOL_INFO_DOUBLE prop_id);
    bool SymbolInfoDouble(string name, ENUM_SYMBOL_INFO_DOUBLE prop_id, double &double_var);
    mql_long SymbolInfoInteger(string name, ENUM_SYMBOL_INFO_INTEGER prop_id);
    bool SymbolInfoInteger(string name, ENUM_SYMBOL_INFO_INTEGER prop_id, mql_long &long_var);
    string SymbolInfoString(string name, ENUM_SYMBOL_INFO_STRING prop_id);
    bool SymbolInfoString(string name, ENUM_SYMBOL_INFO_STRING prop_id, string &string_var);
    bool SymbolInfoTick(string symbol, MqlTick &tick);
    bool SymbolInfoSessionQuote(string name, ENUM_DAY_OF_WEEK day_of_week, uint session_index, datetime &from,
                                datetime &to);
    bool SymbolInfoSessionTrade(string name, ENUM_DAY_OF_WEEK day_of_week, uint session_index, datetime &from,
                                datetime &to);
    bool MarketBookAdd(string symbol);
    bool MarketBookRelease(string symbol);
    bool MarketBookGet(string symbol, mql_array<MqlBookInfo> &book);
    mql_long SeriesInfoInteger(string symbol_name, ENUM_TIMEFRAMES timeframe, ENUM_SERIES_INFO_INTEGER prop_id);
    bool SeriesInfoInteger(string symbol_name, ENUM_TIMEFRAMES timeframe, ENUM_SERIES_INFO_INTEGER prop_id,
                           mql_long &long_var);
    int CopyRates(string symbol_name, ENUM_TIMEFRAMES timeframe, int start_pos, int count,
                  mql_array<MqlRates> &rates_array);
    int CopyRates(string symbol_name, ENUM_TIMEFRAMES timeframe, datetime start_time, int count,
                  mql_array<MqlRates> &rates_array);
    int CopyRates(string symbol_name, ENUM_TIMEFRAMES timeframe, datetime start_time, datetime stop_time,
                  mql_array<MqlRates> &rates_array);
    int CopyTicks(string symbol_name, mql_array<MqlTick> &ticks_array, uint flags = COPY_TICKS_ALL, ulong from = 0,
                  uint count = 0);
    int CopyTicksRange(const string symbol_name, mql_array<MqlTick> &ticks_array, uint flags = COPY_TICKS_ALL,
                       ulong from_msc = 0, ulong to_msc = 0);

    // Trading.
    bool OrderCalcMargin(ENUM_ORDER_TYPE action, string symbol, double volume, double price, double &margin);
    bool OrderCalcProfit(ENUM_ORDER_TYPE action, string symbol, double volume, double price_open, double price_close,
                         double &profit);
    bool OrderCheck(MqlTradeRequest &request, MqlTradeCheckResult &result);
    bool OrderSend(MqlTradeRequest &request, MqlTradeResult &result);

    // History.
    bool HistorySelect(datetime from_date, datetime to_date);
    bool HistorySelectByPosition(ulong position_id);
    bool HistoryOrderSelect(ulong ticket);
    int HistoryOrdersTotal();
    ulong HistoryOrderGetTicket(int index);
    double HistoryOrderGetDouble(ulong ticket_number, ENUM_ORDER_PROPERTY_DOUBLE property_id);
    bool HistoryOrderGetDouble(ulong ticket_number, ENUM_ORDER_PROPERTY_DOUBLE property_id, double &double_var);
    mql_long HistoryOrderGetInteger(ulong ticket_number, ENUM_ORDER_PROPERTY_INTEGER property_id);
    bool HistoryOrderGetInteger(ulong ticket_number, ENUM_ORDER_PROPERTY_INTEGER property_id, mql_long &long_var);
    string HistoryOrderGetString(ulong ticket_number, ENUM_ORDER_PROPERTY_STRING property_id);
    bool HistoryOrderGetString(ulong ticket_number, ENUM_ORDER_PROPERTY_STRING property_id, string &string_var);
    bool HistoryDealSelect(ulong ticket);
    int HistoryDealsTotal();
    ulong HistoryDealGetTicket(int index);
    double HistoryDealGetDouble(ulong ticket_number, ENUM_DEAL_PROPERTY_DOUBLE property_id);
    bool HistoryDealGetDouble(ulong ticket_number, ENUM_DEAL_PROPERTY_DOUBLE property_id, double &double_var);
    mql_long HistoryDealGetInteger(ulong ticket_number, ENUM_DEAL_PROPERTY_INTEGER property_id);
    bool HistoryDealGetInteger(ulong ticket_number, ENUM_DEAL_PROPERTY_INTEGER property_id, mql_long &long_var);
    string HistoryDealGetString(ulong ticket_number, ENUM_DEAL_PROPERTY_STRING property_id);
    bool HistoryDealGetString(ulong ticket_number, ENUM_DEAL_PROPERTY_STRING property_id, string &string_var);

    // Positions and orders.
    int PositionsTotal();
    ulong PositionGetTicket(int index);
    bool PositionSelectByTicket(ulong ticket);
    double PositionGetDouble(ENUM_POSITION_PROPERTY_DOUBLE property_id);
    bool PositionGetDouble(ENUM_POSITION_PROPERTY_DOUBLE property_id, double &double_var);
    mql_long PositionGetInteger(ENUM_POSITION_PROPERTY_INTEGER property_id);
    bool PositionGetInteger(ENUM_POSITION_PROPERTY_INTEGER property_id, mql_long &long_var);
    string PositionGetString(ENUM_POSITION_PROPERTY_STRING property_id);
    bool PositionGetString(ENUM_POSITION_PROPERTY_STRING property_id, string &string_var);
    int OrdersTotal();
    ulong OrderGetTicket(int index);
    bool OrderSelect(ulong ticket);
    double OrderGetDouble(ENUM_ORDER_PROPERTY_DOUBLE property_id);
    bool OrderGetDouble(ENUM_ORDER_PROPERTY_DOUBLE property_id, double &double_var);
    mql_long OrderGetInteger(ENUM_ORDER_PROPERTY_INTEGER property_id);
    bool OrderGetInteger(ENUM_ORDER_PROPERTY_INTEGER property_id, mql_long &long_var);
    string OrderGetString(ENUM_ORDER_PROPERTY_STRING property_id);
    bool OrderGetString(ENUM_ORDER_PROPERTY_STRING property_id, string &string_var);

    // Time.
    datetime TimeTradeServer();
    datetime TimeTradeServer(MqlDateTime &dt_struct);
    datetime TimeGMT() { return ::mql::Runtime::TimeGMT(); }
    datetime TimeGMT(MqlDateTime &dt_struct);
    datetime TimeCurrent() { return ::mql::Runtime::TimeCurrent(); }
    datetime TimeCurrent(MqlDateTime &dt_struct);
    datetime TimeLocal() { return ::mql::Runtime::TimeLocal(); }
    bool TimeToStruct(datetime dt, MqlDateTime &dt_struct);
    datetime StructToTime(MqlDateTime &dt_struct);

    // Terminal and program.
    int TerminalInfoInteger(int property_id) { return static_cast<int>(rt_terminal_integer(property_id)); }
    string TerminalInfoString(int property_id) { return rt_terminal_string(property_id); }
    int MQLInfoInteger(int property_id) { return static_cast<int>(rt_mql_integer(property_id)); }
    int GetLastError() { return rt_last_error(); }
    void SetLastError(int user_error) { rt_set_last_error(65536 + user_error); }
    void Sleep(int milliseconds);
};

}  // namespace mql5

#endif  // MQL5_HPP
