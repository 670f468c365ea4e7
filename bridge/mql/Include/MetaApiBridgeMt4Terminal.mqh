// MQL4 terminal and account queries of the MetaAPI bridge (terminal info, health, server time, account info)
// and the JSON escaping of the start config.
#ifndef METAAPI_BRIDGE_MT4_TERMINAL_MQH
#define METAAPI_BRIDGE_MT4_TERMINAL_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt4Rows.mqh>

string Mt4Escape(const string text) { string out = text; StringReplace(out, "\\", "\\\\"); StringReplace(out, "\"", "\\\""); return out; }

// Whether an order of this EA can pass the terminal's own checks: the AutoTrading button, the EA's "Allow live
// trading" setting and the broker's permission for the account, as the MQL4 reference's trade permission checks
// read them. Not IsTradeAllowed(): it is also false while another EA holds the trade context, which is no change of
// permission.
bool Mt4TradePermitted()
{
   return TerminalInfoInteger(TERMINAL_TRADE_ALLOWED) != 0 && MQLInfoInteger(MQL_TRADE_ALLOWED) != 0
          && AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) != 0;
}

int Mt4TerminalInfo(const long s, const long id)
{
   MtbSetString(s, id, "identity.platform", "mt4");
   MtbSetLong(s, id, "identity.build", TerminalInfoInteger(TERMINAL_BUILD));
   MtbSetString(s, id, "identity.company", AccountCompany());
   MtbSetString(s, id, "identity.server", AccountServer());
   MtbSetLong(s, id, "identity.login", AccountNumber());
   MtbSetString(s, id, "identity.account_name", AccountName());
   MtbSetString(s, id, "identity.currency", AccountCurrency());
   MtbSetString(s, id, "identity.margin_mode", "hedging");
   MtbSetString(s, id, "name", TerminalName());
   MtbSetBool(s, id, "connected", IsConnected());
   MtbSetBool(s, id, "trade_allowed", Mt4TradePermitted());
   MtbSetBool(s, id, "dlls_allowed", IsDllsAllowed());
   MtbSetLong(s, id, "ping_last_us", TerminalInfoInteger(TERMINAL_PING_LAST));
   MtbSetLong(s, id, "max_bars", TerminalInfoInteger(TERMINAL_MAXBARS));
   MtbSetString(s, id, "language", TerminalInfoString(TERMINAL_LANGUAGE));
   MtbSetString(s, id, "capabilities[0]", "hedging");
   MtbSetString(s, id, "capabilities[1]", "close_by");
   return MtbSend(s, id);
}

// Writes problems[n] when `present`; returns the next index.
int Mt4Problem(const long s, const long id, const int n, const bool present, const string problem)
{
   if(!present) return n;
   MtbSetString(s, id, "problems[" + IntegerToString(n) + "]", problem);
   return n + 1;
}

int Mt4Health(const long s, const long id)
{
   bool connected = IsConnected();
   bool algo = TerminalInfoInteger(TERMINAL_TRADE_ALLOWED) != 0;
   bool program = MQLInfoInteger(MQL_TRADE_ALLOWED) != 0;
   bool account = AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) != 0;
   bool expert = AccountInfoInteger(ACCOUNT_TRADE_EXPERT) != 0;
   MtbSetBool(s, id, "broker_connected", connected);
   MtbSetBool(s, id, "trade_allowed", algo && program && account);
   MtbSetBool(s, id, "expert_enabled", IsExpertEnabled());
   MtbSetBool(s, id, "synchronized", connected);
   MtbSetLong(s, id, "last_quote_age_ms", MathMax(0, (long)(TimeCurrent() - MarketInfo(_Symbol, MODE_TIME)) * 1000));
   MtbSetLong(s, id, "ping_last_us", TerminalInfoInteger(TERMINAL_PING_LAST));
   // Healthy only when an order could go through: with AutoTrading off every order is refused, so health says
   // that, and why. MT4 is synchronized exactly while it is connected.
   int n = Mt4Problem(s, id, 0, !connected, "broker_disconnected");
   n = Mt4Problem(s, id, n, !algo, "algo_trading_disabled");
   n = Mt4Problem(s, id, n, !program, "program_trading_disabled");
   n = Mt4Problem(s, id, n, !account, "account_trading_disabled");
   n = Mt4Problem(s, id, n, !expert, "expert_trading_disabled");
   n = Mt4Problem(s, id, n, !connected, "not_synchronized");
   MtbSetBool(s, id, "healthy", n == 0);
   return MtbSend(s, id);
}

// The broker connection and trade permission last published in terminal_status (-1: nothing published yet).
int g_mt4_status_connected = -1;
int g_mt4_status_trade = -1;

// Publishes terminal_status when the broker connection (IsConnected) or the trade permission (Mt4TradePermitted)
// changed since the last one, or `again` (after a relink: a restarted gateway knows nothing of the terminal). A
// failed publish is tried again on the next call.
void Mt4PublishTerminalStatus(const long s, const bool again)
{
   int connected = IsConnected() ? 1 : 0;
   int trade = Mt4TradePermitted() ? 1 : 0;
   if(!again && connected == g_mt4_status_connected && trade == g_mt4_status_trade) return;
   long id = MtbEventBegin(s, MTB_EVENT_TERMINAL_STATUS);
   if(id == 0) return;
   MtbSetBool(s, id, "online", true);
   MtbSetBool(s, id, "broker_connected", connected == 1);
   MtbSetBool(s, id, "trade_allowed", trade == 1);
   MtbSetLong(s, id, "time", (long)TimeGMT() * 1000);
   if(MtbEventSend(s, id) < 0) return;
   g_mt4_status_connected = connected;
   g_mt4_status_trade = trade;
}

int Mt4ServerTime(const long s, const long id)
{
   // TimeCurrent is the last quote's time, which stops over a weekend; the server's clock is UTC plus the offset.
   datetime gmt = TimeGMT();
   long offset = Mt4Offset();
   MtbSetLong(s, id, "time", (long)gmt * 1000);
   MtbSetString(s, id, "broker_time", MtbBrokerTime((datetime)((long)gmt + offset)));
   MtbSetLong(s, id, "broker_utc_offset_s", offset);
   MtbSetLong(s, id, "last_quote_time", Mt4Utc((datetime)MarketInfo(_Symbol, MODE_TIME)));
   return MtbSend(s, id);
}

int Mt4AccountInfo(const long s, const long id) { Mt4AccountRow(s, id); return MtbSend(s, id); }

#endif // METAAPI_BRIDGE_MT4_TERMINAL_MQH
