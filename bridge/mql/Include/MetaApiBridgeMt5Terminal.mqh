// MQL5 terminal and account queries of the MetaAPI bridge (terminal info, health, server time, account info)
// and the start config the programs pass to mtb_start.
#ifndef METAAPI_BRIDGE_MT5_TERMINAL_MQH
#define METAAPI_BRIDGE_MT5_TERMINAL_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt5Enums.mqh>
#include <MetaApiBridgeMt5Rows.mqh>

// The start config for mtb_start, built with the typed builder of a scratch event is not possible before a
// session exists, so it is assembled from escaped values only.
string Mt5Escape(const string text)
{
   string out = text;
   StringReplace(out, "\\", "\\\\");
   StringReplace(out, "\"", "\\\"");
   return out;
}

string Mt5StartConfig(const string url, const string token)
{
   string caps = Mt5MarginMode() == "hedging" ? "\"hedging\",\"close_by\"" : "\"netting\"";
   return "{\"gateway_url\":\"" + Mt5Escape(url) + "\",\"token\":\"" + Mt5Escape(token) + "\",\"terminal\":{"
          + "\"platform\":\"mt5\",\"build\":" + IntegerToString(TerminalInfoInteger(TERMINAL_BUILD))
          + ",\"company\":\"" + Mt5Escape(AccountInfoString(ACCOUNT_COMPANY)) + "\",\"server\":\"" + Mt5Escape(AccountInfoString(ACCOUNT_SERVER))
          + "\",\"login\":" + IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN)) + ",\"account_name\":\"" + Mt5Escape(AccountInfoString(ACCOUNT_NAME))
          + "\",\"currency\":\"" + Mt5Escape(AccountInfoString(ACCOUNT_CURRENCY)) + "\",\"margin_mode\":\"" + Mt5MarginMode() + "\"},"
          + "\"capabilities\":[\"ticks_history\",\"market_depth\",\"stop_limit\",\"order_check\",\"day_orders\",\"trade_transactions\"," + caps + "]}";
}

// Whether an order of this program can pass the terminal's own checks: the Algo Trading button, the program's
// "Allow Algo Trading" setting and the broker's permission for the account.
bool Mt5TradePermitted()
{
   return TerminalInfoInteger(TERMINAL_TRADE_ALLOWED) != 0 && MQLInfoInteger(MQL_TRADE_ALLOWED) != 0
          && AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) != 0;
}

int Mt5TerminalInfo(const long s, const long id)
{
   MtbSetString(s, id, "identity.platform", "mt5");
   MtbSetLong(s, id, "identity.build", TerminalInfoInteger(TERMINAL_BUILD));
   MtbSetString(s, id, "identity.company", AccountInfoString(ACCOUNT_COMPANY));
   MtbSetString(s, id, "identity.server", AccountInfoString(ACCOUNT_SERVER));
   MtbSetLong(s, id, "identity.login", AccountInfoInteger(ACCOUNT_LOGIN));
   MtbSetString(s, id, "identity.account_name", AccountInfoString(ACCOUNT_NAME));
   MtbSetString(s, id, "identity.currency", AccountInfoString(ACCOUNT_CURRENCY));
   MtbSetString(s, id, "identity.margin_mode", Mt5MarginMode());
   MtbSetString(s, id, "name", TerminalInfoString(TERMINAL_NAME));
   MtbSetBool(s, id, "connected", TerminalInfoInteger(TERMINAL_CONNECTED) != 0);
   MtbSetBool(s, id, "trade_allowed", Mt5TradePermitted());
   MtbSetBool(s, id, "dlls_allowed", TerminalInfoInteger(TERMINAL_DLLS_ALLOWED) != 0);
   MtbSetLong(s, id, "ping_last_us", TerminalInfoInteger(TERMINAL_PING_LAST));
   MtbSetLong(s, id, "max_bars", TerminalInfoInteger(TERMINAL_MAXBARS));
   MtbSetString(s, id, "language", TerminalInfoString(TERMINAL_LANGUAGE));
   Mt5Capabilities(s, id, "capabilities");
   return MtbSend(s, id);
}

// The symbol whose quotes and bars stand for the terminal's: the chart's for the EA; a service has no chart (_Symbol
// is empty there), so the first Market Watch symbol.
string Mt5ReferenceSymbol()
{
   if(_Symbol != "") return _Symbol;
   return SymbolsTotal(true) > 0 ? SymbolName(0, true) : "";
}

// Writes problems[n] when `present`; returns the next index.
int Mt5Problem(const long s, const long id, const int n, const bool present, const string problem)
{
   if(!present) return n;
   MtbSetString(s, id, "problems[" + IntegerToString(n) + "]", problem);
   return n + 1;
}

int Mt5Health(const long s, const long id)
{
   string symbol = Mt5ReferenceSymbol();
   bool connected = TerminalInfoInteger(TERMINAL_CONNECTED) != 0;
   bool algo = TerminalInfoInteger(TERMINAL_TRADE_ALLOWED) != 0;
   bool program = MQLInfoInteger(MQL_TRADE_ALLOWED) != 0;
   bool account = AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) != 0;
   bool expert = AccountInfoInteger(ACCOUNT_TRADE_EXPERT) != 0;
   bool synced = symbol != "" && (bool)SymbolInfoInteger(symbol, SYMBOL_SELECT) && SeriesInfoInteger(symbol, PERIOD_M1, SERIES_SYNCHRONIZED);
   MtbSetBool(s, id, "broker_connected", connected);
   MtbSetBool(s, id, "trade_allowed", algo && program && account);
   MtbSetBool(s, id, "expert_enabled", expert);
   MtbSetBool(s, id, "synchronized", synced);
   MqlTick tick;
   if(SymbolInfoTick(symbol, tick)) MtbSetLong(s, id, "last_quote_age_ms", MathMax(0, (long)(TimeTradeServer() - tick.time) * 1000));
   MtbSetLong(s, id, "ping_last_us", TerminalInfoInteger(TERMINAL_PING_LAST));
   // Healthy only when an order could go through: with Algo Trading off every order is refused, so health says
   // that, and why.
   int n = Mt5Problem(s, id, 0, !connected, "broker_disconnected");
   n = Mt5Problem(s, id, n, !algo, "algo_trading_disabled");
   n = Mt5Problem(s, id, n, !program, "program_trading_disabled");
   n = Mt5Problem(s, id, n, !account, "account_trading_disabled");
   n = Mt5Problem(s, id, n, !expert, "expert_trading_disabled");
   n = Mt5Problem(s, id, n, !synced, "not_synchronized");
   MtbSetBool(s, id, "healthy", n == 0);
   return MtbSend(s, id);
}

// The broker connection and trade permission last published in terminal_status (-1: nothing published yet).
int g_mt5_status_connected = -1;
int g_mt5_status_trade = -1;

// Publishes terminal_status when the broker connection or the trade permission changed since the last one, or
// `again` (after a relink: a restarted gateway knows nothing of the terminal). A failed publish is tried again on
// the next call.
void Mt5PublishTerminalStatus(const long s, const bool again)
{
   int connected = TerminalInfoInteger(TERMINAL_CONNECTED) != 0 ? 1 : 0;
   int trade = Mt5TradePermitted() ? 1 : 0;
   if(!again && connected == g_mt5_status_connected && trade == g_mt5_status_trade) return;
   long id = MtbEventBegin(s, MTB_EVENT_TERMINAL_STATUS);
   if(id == 0) return;
   MtbSetBool(s, id, "online", true);
   MtbSetBool(s, id, "broker_connected", connected == 1);
   MtbSetBool(s, id, "trade_allowed", trade == 1);
   MtbSetLong(s, id, "time", (long)TimeGMT() * 1000);
   if(MtbEventSend(s, id) < 0) return;
   g_mt5_status_connected = connected;
   g_mt5_status_trade = trade;
}

int Mt5ServerTime(const long s, const long id)
{
   datetime server = TimeTradeServer();
   MtbSetLong(s, id, "time", (long)TimeGMT() * 1000);
   MtbSetString(s, id, "broker_time", MtbBrokerTime(server));
   MtbSetLong(s, id, "broker_utc_offset_s", Mt5Offset());
   MqlTick tick;
   if(SymbolInfoTick(Mt5ReferenceSymbol(), tick)) MtbSetLong(s, id, "last_quote_time", MtbUtcMs(tick.time));
   return MtbSend(s, id);
}

int Mt5AccountInfo(const long s, const long id)
{
   Mt5AccountRow(s, id);
   return MtbSend(s, id);
}

#endif // METAAPI_BRIDGE_MT5_TERMINAL_MQH
