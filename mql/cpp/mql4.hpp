// The MQL4 (build 600+) built-ins, constants and structs the project's MQL4 program uses, each with the exact
// signature of the MQL4 Reference: `int` property ids where MQL4 has them, the 5-field MqlTick, no MQL5-only
// functions (TimeTradeServer, PositionsTotal, History*, OrderCalc*, CopyTicks, MarketBook*...), and no default for
// the `arrow_color` parameters whose printed signature has none. Translated MQL4 programs derive from mql4::Terminal.
#ifndef MQL4_HPP
#define MQL4_HPP

#include "mql_runtime.hpp"

namespace mql4 {

#include "mql_types.inc"
#include "mql_shared_constants.inc"

// ENUM_TIMEFRAMES (MQL4 values: minutes).
enum ENUM_TIMEFRAMES {
    PERIOD_CURRENT = 0,
    PERIOD_M1 = 1,
    PERIOD_M5 = 5,
    PERIOD_M15 = 15,
    PERIOD_M30 = 30,
    PERIOD_H1 = 60,
    PERIOD_H4 = 240,
    PERIOD_D1 = 1440,
    PERIOD_W1 = 10080,
    PERIOD_MN1 = 43200,
};

// Trade operations (OrderSend's cmd, OrderType's result).
constexpr int OP_BUY = 0;
constexpr int OP_SELL = 1;
constexpr int OP_BUYLIMIT = 2;
constexpr int OP_SELLLIMIT = 3;
constexpr int OP_BUYSTOP = 4;
constexpr int OP_SELLSTOP = 5;

// OrderSelect's select and pool.
constexpr int SELECT_BY_POS = 0;
constexpr int SELECT_BY_TICKET = 1;
constexpr int MODE_TRADES = 0;
constexpr int MODE_HISTORY = 1;

// MarketInfo identifiers.
constexpr int MODE_LOW = 1;
constexpr int MODE_HIGH = 2;
constexpr int MODE_TIME = 5;
constexpr int MODE_BID = 9;
constexpr int MODE_ASK = 10;
constexpr int MODE_POINT = 11;
constexpr int MODE_DIGITS = 12;
constexpr int MODE_SPREAD = 13;
constexpr int MODE_STOPLEVEL = 14;
constexpr int MODE_LOTSIZE = 15;
constexpr int MODE_TICKVALUE = 16;
constexpr int MODE_TICKSIZE = 17;
constexpr int MODE_SWAPLONG = 18;
constexpr int MODE_SWAPSHORT = 19;
constexpr int MODE_STARTING = 20;
constexpr int MODE_EXPIRATION = 21;
constexpr int MODE_TRADEALLOWED = 22;
constexpr int MODE_MINLOT = 23;
constexpr int MODE_LOTSTEP = 24;
constexpr int MODE_MAXLOT = 25;
constexpr int MODE_SWAPTYPE = 26;
constexpr int MODE_PROFITCALCMODE = 27;
constexpr int MODE_MARGINCALCMODE = 28;
constexpr int MODE_MARGININIT = 29;
constexpr int MODE_MARGINMAINTENANCE = 30;
constexpr int MODE_MARGINHEDGED = 31;
constexpr int MODE_MARGINREQUIRED = 32;
constexpr int MODE_FREEZELEVEL = 33;

// MqlTick: MQL4 has five fields.
struct MqlTick {
    datetime time = 0;
    double bid = 0;
    double ask = 0;
    double last = 0;
    ulong volume = 0;
};

class Terminal : public ::mql::Runtime {
  public:
    explicit Terminal(const MqlHost *host);

    // Predefined variables.
    string _Symbol;
    int _Digits = 0;
    double _Point = 0;
    int _Period = 0;
    string Symbol() { return _Symbol; }
    int Period() { return _Period; }

    // Account.
    double AccountInfoDouble(int property_id) { return rt_account_double(property_id); }
    mql_long AccountInfoInteger(int property_id) { return rt_account_integer(property_id); }
    string AccountInfoString(int property_id) { return rt_account_string(property_id); }
    double AccountBalance() { return rt_account_double(ACCOUNT_BALANCE); }
    string AccountCompany() { return rt_account_string(ACCOUNT_COMPANY); }
    double AccountCredit() { return rt_account_double(ACCOUNT_CREDIT); }
    string AccountCurrency() { return rt_account_string(ACCOUNT_CURRENCY); }
    double AccountEquity() { return rt_account_double(ACCOUNT_EQUITY); }
    double AccountFreeMargin() { return rt_account_double(ACCOUNT_MARGIN_FREE); }
    double AccountFreeMarginCheck(string symbol, int cmd, double volume);
    int AccountLeverage() { return static_cast<int>(rt_account_integer(ACCOUNT_LEVERAGE)); }
    double AccountMargin() { return rt_account_double(ACCOUNT_MARGIN); }
    string AccountName() { return rt_account_string(ACCOUNT_NAME); }
    int AccountNumber() { return static_cast<int>(rt_account_integer(ACCOUNT_LOGIN)); }
    double AccountProfit() { return rt_account_double(ACCOUNT_PROFIT); }
    string AccountServer() { return rt_account_string(ACCOUNT_SERVER); }
    int AccountStopoutLevel() { return static_cast<int>(rt_account_double(ACCOUNT_MARGIN_SO_SO)); }
    int AccountStopoutMode() { return static_cast<int>(rt_account_integer(ACCOUNT_MARGIN_SO_MODE)); }

    // Symbols and market data.
    double SymbolInfoDouble(string name, ENUM_SYMBOL_INFO_DOUBLE prop_id);
    bool SymbolInfoDouble(string name, ENUM_SYMBOL_INFO_DOUBLE prop_id, double &double_var);
    mql_long SymbolInfoInteger(string name, ENUM_SYMBOL_INFO_INTEGER prop_id);
    bool SymbolInfoInteger(string name, ENUM_SYMBOL_INFO_INTEGER prop_id, mql_long &long_var);
    string SymbolInfoString(string name, ENUM_SYMBOL_INFO_STRING prop_id);
    bool SymbolInfoString(string name, ENUM_SYMBOL_INFO_STRING prop_id, string &string_var);
    bool SymbolInfoTick(string symbol, MqlTick &tick);
    double MarketInfo(string symbol, int type);
    int CopyRates(string symbol_name, ENUM_TIMEFRAMES timeframe, int start_pos, int count,
                  mql_array<MqlRates> &rates_array);
    int CopyRates(string symbol_name, ENUM_TIMEFRAMES timeframe, datetime start_time, int count,
                  mql_array<MqlRates> &rates_array);
    int CopyRates(string symbol_name, ENUM_TIMEFRAMES timeframe, datetime start_time, datetime stop_time,
                  mql_array<MqlRates> &rates_array);

    // Trading: one order pool.
    int OrderSend(string symbol, int cmd, double volume, double price, int slippage, double stoploss,
                  double takeprofit, string comment = string(), int magic = 0, datetime expiration = 0,
                  color arrow_color = clrNONE);
    bool OrderSelect(int index, int select, int pool = MODE_TRADES);
    bool OrderClose(int ticket, double lots, double price, int slippage, color arrow_color);
    bool OrderCloseBy(int ticket, int opposite, color arrow_color);
    bool OrderModify(int ticket, double price, double stoploss, double takeprofit, datetime expiration,
                     color arrow_color);
    bool OrderDelete(int ticket, color arrow_color);
    int OrdersTotal();
    int OrdersHistoryTotal();
    int OrderTicket() { return static_cast<int>(order_integer(MQL_HOST_MT4_TICKET, "OrderTicket")); }
    int OrderType() { return static_cast<int>(order_integer(MQL_HOST_MT4_TYPE, "OrderType")); }
    int OrderMagicNumber() { return static_cast<int>(order_integer(MQL_HOST_MT4_MAGIC, "OrderMagicNumber")); }
    datetime OrderOpenTime() { return order_integer(MQL_HOST_MT4_OPEN_TIME, "OrderOpenTime"); }
    datetime OrderCloseTime() { return order_integer(MQL_HOST_MT4_CLOSE_TIME, "OrderCloseTime"); }
    datetime OrderExpiration() { return order_integer(MQL_HOST_MT4_EXPIRATION, "OrderExpiration"); }
    double OrderLots() { return order_double(MQL_HOST_MT4_LOTS, "OrderLots"); }
    double OrderOpenPrice() { return order_double(MQL_HOST_MT4_OPEN_PRICE, "OrderOpenPrice"); }
    double OrderClosePrice() { return order_double(MQL_HOST_MT4_CLOSE_PRICE, "OrderClosePrice"); }
    double OrderStopLoss() { return order_double(MQL_HOST_MT4_SL, "OrderStopLoss"); }
    double OrderTakeProfit() { return order_double(MQL_HOST_MT4_TP, "OrderTakeProfit"); }
    double OrderSwap() { return order_double(MQL_HOST_MT4_SWAP, "OrderSwap"); }
    double OrderCommission() { return order_double(MQL_HOST_MT4_COMMISSION, "OrderCommission"); }
    double OrderProfit() { return order_double(MQL_HOST_MT4_PROFIT, "OrderProfit"); }
    string OrderSymbol() { return order_string(MQL_HOST_MT4_SYMBOL, "OrderSymbol"); }
    string OrderComment() { return order_string(MQL_HOST_MT4_COMMENT, "OrderComment"); }

    // Time.
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
    string TerminalName() { return rt_terminal_string(TERMINAL_NAME); }
    bool IsConnected() { return rt_terminal_integer(TERMINAL_CONNECTED) != 0; }
    bool IsDemo() { return rt_account_integer(ACCOUNT_TRADE_MODE) == ACCOUNT_TRADE_MODE_DEMO; }
    bool IsDllsAllowed() { return rt_mql_integer(MQL_DLLS_ALLOWED) != 0; }
    bool IsExpertEnabled() { return rt_terminal_integer(TERMINAL_TRADE_ALLOWED) != 0; }
    bool IsTesting() { return rt_mql_integer(MQL_TESTER) != 0; }
    bool IsTradeAllowed() {
        return rt_mql_integer(MQL_TRADE_ALLOWED) != 0 && rt_terminal_integer(TERMINAL_TRADE_ALLOWED) != 0;
    }
    // MQL4's GetLastError also resets the last error.
    int GetLastError() {
        int code = rt_last_error();
        rt_set_last_error(0);
        return code;
    }
    void Sleep(int milliseconds);

  private:
    mql_long order_integer(int prop, const char *builtin);
    double order_double(int prop, const char *builtin);
    string order_string(int prop, const char *builtin);
};

}  // namespace mql4

#endif  // MQL4_HPP
