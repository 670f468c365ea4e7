// MQL4 terminal and account queries of the MetaAPI bridge (terminal info, health, server time, account info)
// and the JSON escaping of the start config.
#ifndef METAAPI_BRIDGE_MT4_TERMINAL_MQH
#define METAAPI_BRIDGE_MT4_TERMINAL_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt4Rows.mqh>

string Mt4Escape(const string text) { string out = text; StringReplace(out, "\\", "\\\\"); StringReplace(out, "\"", "\\\""); return out; }

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
   MtbSetBool(s, id, "trade_allowed", IsTradeAllowed());
   MtbSetBool(s, id, "dlls_allowed", IsDllsAllowed());
   MtbSetLong(s, id, "ping_last_us", TerminalInfoInteger(TERMINAL_PING_LAST));
   MtbSetLong(s, id, "max_bars", TerminalInfoInteger(TERMINAL_MAXBARS));
   MtbSetString(s, id, "language", TerminalInfoString(TERMINAL_LANGUAGE));
   MtbSetString(s, id, "capabilities[0]", "hedging");
   MtbSetString(s, id, "capabilities[1]", "close_by");
   return MtbSend(s, id);
}

int Mt4Health(const long s, const long id)
{
   bool ok = IsConnected() && IsTradeAllowed() && IsExpertEnabled();
   MtbSetBool(s, id, "broker_connected", IsConnected());
   MtbSetBool(s, id, "trade_allowed", IsTradeAllowed());
   MtbSetBool(s, id, "expert_enabled", IsExpertEnabled());
   MtbSetBool(s, id, "synchronized", IsConnected());
   MtbSetLong(s, id, "last_quote_age_ms", MathMax(0, (long)(TimeCurrent() - MarketInfo(_Symbol, MODE_TIME)) * 1000));
   MtbSetLong(s, id, "ping_last_us", TerminalInfoInteger(TERMINAL_PING_LAST));
   MtbSetBool(s, id, "healthy", ok);
   return MtbSend(s, id);
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
