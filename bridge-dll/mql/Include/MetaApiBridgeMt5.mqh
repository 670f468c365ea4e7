// MQL5 request handlers and event publishers of the MetaAPI bridge, shared by the MQL5 EA and the MQL5 Service.
// Params come from typed getters and replies go through the typed builder: no JSON is built or parsed here.
#ifndef METAAPI_BRIDGE_MT5_MQH
#define METAAPI_BRIDGE_MT5_MQH

#include <metaapi_bridge.mqh>

string Mt5Side(const long position_type) { return position_type == POSITION_TYPE_BUY ? "buy" : "sell"; }

string Mt5OrderType(const long t)
{
   switch((int)t)
   {
      case ORDER_TYPE_BUY: return "buy";
      case ORDER_TYPE_SELL: return "sell";
      case ORDER_TYPE_BUY_LIMIT: return "buy_limit";
      case ORDER_TYPE_SELL_LIMIT: return "sell_limit";
      case ORDER_TYPE_BUY_STOP: return "buy_stop";
      case ORDER_TYPE_SELL_STOP: return "sell_stop";
      case ORDER_TYPE_BUY_STOP_LIMIT: return "buy_stop_limit";
      case ORDER_TYPE_SELL_STOP_LIMIT: return "sell_stop_limit";
   }
   return t % 2 == 0 ? "buy" : "sell"; // close-by orders
}

ENUM_ORDER_TYPE Mt5OrderTypeOf(const string t)
{
   if(t == "sell") return ORDER_TYPE_SELL;
   if(t == "buy_limit") return ORDER_TYPE_BUY_LIMIT;
   if(t == "sell_limit") return ORDER_TYPE_SELL_LIMIT;
   if(t == "buy_stop") return ORDER_TYPE_BUY_STOP;
   if(t == "sell_stop") return ORDER_TYPE_SELL_STOP;
   if(t == "buy_stop_limit") return ORDER_TYPE_BUY_STOP_LIMIT;
   if(t == "sell_stop_limit") return ORDER_TYPE_SELL_STOP_LIMIT;
   return ORDER_TYPE_BUY;
}

string Mt5OrderState(const long state)
{
   switch((int)state)
   {
      case ORDER_STATE_STARTED: return "started";
      case ORDER_STATE_CANCELED: return "canceled";
      case ORDER_STATE_PARTIAL: return "partial";
      case ORDER_STATE_FILLED: return "filled";
      case ORDER_STATE_REJECTED: return "rejected";
      case ORDER_STATE_EXPIRED: return "expired";
   }
   return "placed";
}

string Mt5TimeInForce(const long t)
{
   switch((int)t)
   {
      case ORDER_TIME_DAY: return "day";
      case ORDER_TIME_SPECIFIED: return "specified";
      case ORDER_TIME_SPECIFIED_DAY: return "specified_day";
   }
   return "gtc";
}

ENUM_ORDER_TYPE_TIME Mt5TimeInForceOf(const string t)
{
   if(t == "day") return ORDER_TIME_DAY;
   if(t == "specified") return ORDER_TIME_SPECIFIED;
   if(t == "specified_day") return ORDER_TIME_SPECIFIED_DAY;
   return ORDER_TIME_GTC;
}

string Mt5Filling(const long f)
{
   switch((int)f)
   {
      case ORDER_FILLING_FOK: return "fok";
      case ORDER_FILLING_IOC: return "ioc";
      case ORDER_FILLING_BOC: return "boc";
   }
   return "return";
}

ENUM_ORDER_TYPE_FILLING Mt5FillingOf(const string symbol, const string f)
{
   if(f == "fok") return ORDER_FILLING_FOK;
   if(f == "ioc") return ORDER_FILLING_IOC;
   if(f == "return") return ORDER_FILLING_RETURN;
   if(f == "boc") return ORDER_FILLING_BOC;
   long allowed = SymbolInfoInteger(symbol, SYMBOL_FILLING_MODE);
   if((allowed & SYMBOL_FILLING_FOK) != 0) return ORDER_FILLING_FOK;
   if((allowed & SYMBOL_FILLING_IOC) != 0) return ORDER_FILLING_IOC;
   return ORDER_FILLING_RETURN;
}

string Mt5Reason(const long r)
{
   switch((int)r)
   {
      case 1: return "mobile";
      case 2: return "web";
      case 3: return "expert";
      case 4: return "sl";
      case 5: return "tp";
      case 6: return "stop_out";
   }
   return "client";
}

string Mt5DealReason(const long r)
{
   switch((int)r)
   {
      case DEAL_REASON_MOBILE: return "mobile";
      case DEAL_REASON_WEB: return "web";
      case DEAL_REASON_EXPERT: return "expert";
      case DEAL_REASON_SL: return "sl";
      case DEAL_REASON_TP: return "tp";
      case DEAL_REASON_SO: return "stop_out";
      case DEAL_REASON_ROLLOVER: return "rollover";
      case DEAL_REASON_VMARGIN: return "vmargin";
      case DEAL_REASON_SPLIT: return "split";
   }
   return "client";
}

string Mt5DealType(const long t)
{
   switch((int)t)
   {
      case DEAL_TYPE_BUY: return "buy";
      case DEAL_TYPE_SELL: return "sell";
      case DEAL_TYPE_BALANCE: return "balance";
      case DEAL_TYPE_CREDIT: return "credit";
      case DEAL_TYPE_CHARGE: return "charge";
      case DEAL_TYPE_CORRECTION: return "correction";
      case DEAL_TYPE_BONUS: return "bonus";
   }
   return "commission";
}

string Mt5DealEntry(const long e)
{
   switch((int)e)
   {
      case DEAL_ENTRY_OUT: return "out";
      case DEAL_ENTRY_INOUT: return "inout";
      case DEAL_ENTRY_OUT_BY: return "out_by";
   }
   return "in";
}

string Mt5MarginMode()
{
   long mode = AccountInfoInteger(ACCOUNT_MARGIN_MODE);
   if(mode == ACCOUNT_MARGIN_MODE_RETAIL_HEDGING) return "hedging";
   if(mode == ACCOUNT_MARGIN_MODE_EXCHANGE) return "exchange";
   return "netting";
}

// ---- Rows ----

// The selected position (PositionSelectByTicket / PositionGetTicket) at prefix ("" or "positions[3].").
void Mt5PositionRow(const long s, const long id, const string p)
{
   MtbSetString(s, id, p + "ticket", MtbTicket(PositionGetInteger(POSITION_TICKET)));
   MtbSetString(s, id, p + "position_id", MtbTicket(PositionGetInteger(POSITION_IDENTIFIER)));
   MtbSetString(s, id, p + "symbol", PositionGetString(POSITION_SYMBOL));
   MtbSetString(s, id, p + "side", Mt5Side(PositionGetInteger(POSITION_TYPE)));
   MtbSetDouble(s, id, p + "volume", PositionGetDouble(POSITION_VOLUME));
   MtbSetDouble(s, id, p + "price_open", PositionGetDouble(POSITION_PRICE_OPEN));
   MtbSetDouble(s, id, p + "price_current", PositionGetDouble(POSITION_PRICE_CURRENT));
   if(PositionGetDouble(POSITION_SL) > 0) MtbSetDouble(s, id, p + "sl", PositionGetDouble(POSITION_SL));
   if(PositionGetDouble(POSITION_TP) > 0) MtbSetDouble(s, id, p + "tp", PositionGetDouble(POSITION_TP));
   MtbSetDouble(s, id, p + "swap", PositionGetDouble(POSITION_SWAP));
   MtbSetDouble(s, id, p + "commission", 0.0);
   MtbSetDouble(s, id, p + "profit", PositionGetDouble(POSITION_PROFIT));
   MtbSetLong(s, id, p + "magic", PositionGetInteger(POSITION_MAGIC));
   MtbSetString(s, id, p + "comment", PositionGetString(POSITION_COMMENT));
   MtbSetString(s, id, p + "reason", Mt5Reason(PositionGetInteger(POSITION_REASON)));
   MtbSetLong(s, id, p + "time", PositionGetInteger(POSITION_TIME_MSC) - (long)(TimeTradeServer() - TimeGMT()) * 1000);
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime((datetime)PositionGetInteger(POSITION_TIME)));
   MtbSetLong(s, id, p + "update_time", PositionGetInteger(POSITION_TIME_UPDATE_MSC) - (long)(TimeTradeServer() - TimeGMT()) * 1000);
   MtbSetString(s, id, p + "platform", "mt5");
}

// The selected pending order (OrderSelect / OrderGetTicket).
void Mt5OrderRow(const long s, const long id, const string p)
{
   MtbSetString(s, id, p + "ticket", MtbTicket(OrderGetInteger(ORDER_TICKET)));
   MtbSetString(s, id, p + "symbol", OrderGetString(ORDER_SYMBOL));
   MtbSetString(s, id, p + "type", Mt5OrderType(OrderGetInteger(ORDER_TYPE)));
   MtbSetString(s, id, p + "state", Mt5OrderState(OrderGetInteger(ORDER_STATE)));
   MtbSetDouble(s, id, p + "volume_initial", OrderGetDouble(ORDER_VOLUME_INITIAL));
   MtbSetDouble(s, id, p + "volume_current", OrderGetDouble(ORDER_VOLUME_CURRENT));
   MtbSetDouble(s, id, p + "price_open", OrderGetDouble(ORDER_PRICE_OPEN));
   if(OrderGetDouble(ORDER_PRICE_STOPLIMIT) > 0) MtbSetDouble(s, id, p + "price_stop_limit", OrderGetDouble(ORDER_PRICE_STOPLIMIT));
   MtbSetDouble(s, id, p + "price_current", OrderGetDouble(ORDER_PRICE_CURRENT));
   if(OrderGetDouble(ORDER_SL) > 0) MtbSetDouble(s, id, p + "sl", OrderGetDouble(ORDER_SL));
   if(OrderGetDouble(ORDER_TP) > 0) MtbSetDouble(s, id, p + "tp", OrderGetDouble(ORDER_TP));
   MtbSetLong(s, id, p + "time_setup", MtbUtcMs((datetime)OrderGetInteger(ORDER_TIME_SETUP)));
   if(OrderGetInteger(ORDER_TIME_EXPIRATION) > 0) MtbSetLong(s, id, p + "expiration", MtbUtcMs((datetime)OrderGetInteger(ORDER_TIME_EXPIRATION)));
   MtbSetString(s, id, p + "time_in_force", Mt5TimeInForce(OrderGetInteger(ORDER_TYPE_TIME)));
   MtbSetString(s, id, p + "filling", Mt5Filling(OrderGetInteger(ORDER_TYPE_FILLING)));
   MtbSetLong(s, id, p + "magic", OrderGetInteger(ORDER_MAGIC));
   MtbSetString(s, id, p + "comment", OrderGetString(ORDER_COMMENT));
   if(OrderGetInteger(ORDER_POSITION_ID) > 0) MtbSetString(s, id, p + "position_id", MtbTicket(OrderGetInteger(ORDER_POSITION_ID)));
   MtbSetString(s, id, p + "reason", Mt5Reason(OrderGetInteger(ORDER_REASON)));
   MtbSetString(s, id, p + "platform", "mt5");
}

void Mt5HistoryOrderRow(const long s, const long id, const string p, const ulong t)
{
   MtbSetString(s, id, p + "ticket", MtbTicket((long)t));
   MtbSetString(s, id, p + "symbol", HistoryOrderGetString(t, ORDER_SYMBOL));
   MtbSetString(s, id, p + "type", Mt5OrderType(HistoryOrderGetInteger(t, ORDER_TYPE)));
   MtbSetString(s, id, p + "state", Mt5OrderState(HistoryOrderGetInteger(t, ORDER_STATE)));
   MtbSetDouble(s, id, p + "volume_initial", HistoryOrderGetDouble(t, ORDER_VOLUME_INITIAL));
   MtbSetDouble(s, id, p + "volume_current", HistoryOrderGetDouble(t, ORDER_VOLUME_CURRENT));
   MtbSetDouble(s, id, p + "price_open", HistoryOrderGetDouble(t, ORDER_PRICE_OPEN));
   MtbSetDouble(s, id, p + "price_current", HistoryOrderGetDouble(t, ORDER_PRICE_CURRENT));
   if(HistoryOrderGetDouble(t, ORDER_SL) > 0) MtbSetDouble(s, id, p + "sl", HistoryOrderGetDouble(t, ORDER_SL));
   if(HistoryOrderGetDouble(t, ORDER_TP) > 0) MtbSetDouble(s, id, p + "tp", HistoryOrderGetDouble(t, ORDER_TP));
   MtbSetLong(s, id, p + "time_setup", MtbUtcMs((datetime)HistoryOrderGetInteger(t, ORDER_TIME_SETUP)));
   MtbSetLong(s, id, p + "time_done", MtbUtcMs((datetime)HistoryOrderGetInteger(t, ORDER_TIME_DONE)));
   MtbSetString(s, id, p + "time_in_force", Mt5TimeInForce(HistoryOrderGetInteger(t, ORDER_TYPE_TIME)));
   MtbSetString(s, id, p + "filling", Mt5Filling(HistoryOrderGetInteger(t, ORDER_TYPE_FILLING)));
   MtbSetLong(s, id, p + "magic", HistoryOrderGetInteger(t, ORDER_MAGIC));
   MtbSetString(s, id, p + "comment", HistoryOrderGetString(t, ORDER_COMMENT));
   if(HistoryOrderGetInteger(t, ORDER_POSITION_ID) > 0) MtbSetString(s, id, p + "position_id", MtbTicket(HistoryOrderGetInteger(t, ORDER_POSITION_ID)));
   MtbSetString(s, id, p + "reason", Mt5Reason(HistoryOrderGetInteger(t, ORDER_REASON)));
   MtbSetString(s, id, p + "platform", "mt5");
}

void Mt5DealRow(const long s, const long id, const string p, const ulong t)
{
   MtbSetString(s, id, p + "ticket", MtbTicket((long)t));
   if(HistoryDealGetInteger(t, DEAL_ORDER) > 0) MtbSetString(s, id, p + "order", MtbTicket(HistoryDealGetInteger(t, DEAL_ORDER)));
   if(HistoryDealGetInteger(t, DEAL_POSITION_ID) > 0) MtbSetString(s, id, p + "position_id", MtbTicket(HistoryDealGetInteger(t, DEAL_POSITION_ID)));
   MtbSetString(s, id, p + "symbol", HistoryDealGetString(t, DEAL_SYMBOL));
   MtbSetString(s, id, p + "type", Mt5DealType(HistoryDealGetInteger(t, DEAL_TYPE)));
   MtbSetString(s, id, p + "entry", Mt5DealEntry(HistoryDealGetInteger(t, DEAL_ENTRY)));
   MtbSetDouble(s, id, p + "volume", HistoryDealGetDouble(t, DEAL_VOLUME));
   MtbSetDouble(s, id, p + "price", HistoryDealGetDouble(t, DEAL_PRICE));
   MtbSetDouble(s, id, p + "commission", HistoryDealGetDouble(t, DEAL_COMMISSION));
   MtbSetDouble(s, id, p + "swap", HistoryDealGetDouble(t, DEAL_SWAP));
   MtbSetDouble(s, id, p + "fee", HistoryDealGetDouble(t, DEAL_FEE));
   MtbSetDouble(s, id, p + "profit", HistoryDealGetDouble(t, DEAL_PROFIT));
   MtbSetLong(s, id, p + "magic", HistoryDealGetInteger(t, DEAL_MAGIC));
   MtbSetString(s, id, p + "comment", HistoryDealGetString(t, DEAL_COMMENT));
   MtbSetString(s, id, p + "reason", Mt5DealReason(HistoryDealGetInteger(t, DEAL_REASON)));
   MtbSetLong(s, id, p + "time", MtbUtcMs((datetime)HistoryDealGetInteger(t, DEAL_TIME)));
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime((datetime)HistoryDealGetInteger(t, DEAL_TIME)));
   MtbSetString(s, id, p + "platform", "mt5");
}

bool Mt5QuoteRow(const long s, const long id, const string p, const string symbol)
{
   MqlTick tick;
   if(!SymbolInfoTick(symbol, tick)) return false;
   MtbSetString(s, id, p + "symbol", symbol);
   MtbSetDouble(s, id, p + "bid", tick.bid);
   MtbSetDouble(s, id, p + "ask", tick.ask);
   if(tick.last > 0) MtbSetDouble(s, id, p + "last", tick.last);
   MtbSetLong(s, id, p + "time", tick.time_msc - (long)(TimeTradeServer() - TimeGMT()) * 1000);
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime(tick.time));
   return true;
}

void Mt5AccountRow(const long s, const long id)
{
   MtbSetString(s, id, "platform", "mt5");
   MtbSetLong(s, id, "login", AccountInfoInteger(ACCOUNT_LOGIN));
   MtbSetString(s, id, "name", AccountInfoString(ACCOUNT_NAME));
   MtbSetString(s, id, "server", AccountInfoString(ACCOUNT_SERVER));
   MtbSetString(s, id, "company", AccountInfoString(ACCOUNT_COMPANY));
   MtbSetString(s, id, "currency", AccountInfoString(ACCOUNT_CURRENCY));
   MtbSetLong(s, id, "currency_digits", AccountInfoInteger(ACCOUNT_CURRENCY_DIGITS));
   MtbSetLong(s, id, "leverage", AccountInfoInteger(ACCOUNT_LEVERAGE));
   MtbSetDouble(s, id, "balance", AccountInfoDouble(ACCOUNT_BALANCE));
   MtbSetDouble(s, id, "credit", AccountInfoDouble(ACCOUNT_CREDIT));
   MtbSetDouble(s, id, "profit", AccountInfoDouble(ACCOUNT_PROFIT));
   MtbSetDouble(s, id, "equity", AccountInfoDouble(ACCOUNT_EQUITY));
   MtbSetDouble(s, id, "margin", AccountInfoDouble(ACCOUNT_MARGIN));
   MtbSetDouble(s, id, "free_margin", AccountInfoDouble(ACCOUNT_MARGIN_FREE));
   if(AccountInfoDouble(ACCOUNT_MARGIN) > 0) MtbSetDouble(s, id, "margin_level", AccountInfoDouble(ACCOUNT_MARGIN_LEVEL));
   MtbSetDouble(s, id, "margin_call_level", AccountInfoDouble(ACCOUNT_MARGIN_SO_CALL));
   MtbSetDouble(s, id, "stop_out_level", AccountInfoDouble(ACCOUNT_MARGIN_SO_SO));
   MtbSetString(s, id, "stop_out_mode", AccountInfoInteger(ACCOUNT_MARGIN_SO_MODE) == ACCOUNT_STOPOUT_MODE_PERCENT ? "percent" : "money");
   MtbSetString(s, id, "margin_mode", Mt5MarginMode());
   long mode = AccountInfoInteger(ACCOUNT_TRADE_MODE);
   MtbSetString(s, id, "trade_mode", mode == ACCOUNT_TRADE_MODE_DEMO ? "demo" : (mode == ACCOUNT_TRADE_MODE_CONTEST ? "contest" : "real"));
   MtbSetBool(s, id, "trade_allowed", AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) != 0);
   MtbSetBool(s, id, "expert_allowed", AccountInfoInteger(ACCOUNT_TRADE_EXPERT) != 0);
   MtbSetLong(s, id, "limit_orders", AccountInfoInteger(ACCOUNT_LIMIT_ORDERS));
   MtbSetBool(s, id, "fifo_close", AccountInfoInteger(ACCOUNT_FIFO_CLOSE) != 0);
   MtbSetBool(s, id, "investor_mode", AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) == 0);
}

void Mt5Capabilities(const long s, const long id, const string p)
{
   int i = 0;
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "ticks_history");
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "market_depth");
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "stop_limit");
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "order_check");
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "day_orders");
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "trade_transactions");
   if(Mt5MarginMode() == "hedging")
   {
      MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "hedging");
      MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "close_by");
   }
   else MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "netting");
}

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

// ---- Handlers ----

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
   MtbSetBool(s, id, "trade_allowed", TerminalInfoInteger(TERMINAL_TRADE_ALLOWED) != 0);
   MtbSetBool(s, id, "dlls_allowed", TerminalInfoInteger(TERMINAL_DLLS_ALLOWED) != 0);
   MtbSetLong(s, id, "ping_last_us", TerminalInfoInteger(TERMINAL_PING_LAST));
   MtbSetLong(s, id, "max_bars", TerminalInfoInteger(TERMINAL_MAXBARS));
   MtbSetString(s, id, "language", TerminalInfoString(TERMINAL_LANGUAGE));
   Mt5Capabilities(s, id, "capabilities");
   return MtbSend(s, id);
}

int Mt5Health(const long s, const long id)
{
   bool connected = TerminalInfoInteger(TERMINAL_CONNECTED) != 0;
   bool trade = TerminalInfoInteger(TERMINAL_TRADE_ALLOWED) != 0 && AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) != 0;
   bool expert = AccountInfoInteger(ACCOUNT_TRADE_EXPERT) != 0;
   bool synced = (bool)SymbolInfoInteger(_Symbol, SYMBOL_SELECT) && SeriesInfoInteger(_Symbol, PERIOD_M1, SERIES_SYNCHRONIZED);
   MtbSetBool(s, id, "broker_connected", connected);
   MtbSetBool(s, id, "trade_allowed", trade);
   MtbSetBool(s, id, "expert_enabled", expert);
   MtbSetBool(s, id, "synchronized", synced);
   MqlTick tick;
   if(SymbolInfoTick(_Symbol, tick)) MtbSetLong(s, id, "last_quote_age_ms", MathMax(0, (long)(TimeTradeServer() - tick.time) * 1000));
   MtbSetLong(s, id, "ping_last_us", TerminalInfoInteger(TERMINAL_PING_LAST));
   MtbSetBool(s, id, "healthy", connected && trade && expert && synced);
   return MtbSend(s, id);
}

int Mt5ServerTime(const long s, const long id)
{
   datetime server = TimeTradeServer();
   MtbSetLong(s, id, "time", (long)TimeGMT() * 1000);
   MtbSetString(s, id, "broker_time", MtbBrokerTime(server));
   MtbSetLong(s, id, "broker_utc_offset_s", (long)(server - TimeGMT()));
   MqlTick tick;
   if(SymbolInfoTick(_Symbol, tick)) MtbSetLong(s, id, "last_quote_time", MtbUtcMs(tick.time));
   return MtbSend(s, id);
}

int Mt5AccountInfo(const long s, const long id)
{
   Mt5AccountRow(s, id);
   return MtbSend(s, id);
}

int Mt5Symbols(const long s, const long id)
{
   bool selected_only = MtbParamBool(s, id, "selected_only", false);
   string group = MtbParamString(s, id, "group", "");
   int total = SymbolsTotal(selected_only), row = 0;
   MtbSetEmptyArray(s, id, "symbols");
   for(int i = 0; i < total; i++)
   {
      string name = SymbolName(i, selected_only);
      string path = SymbolInfoString(name, SYMBOL_PATH);
      if(group != "" && StringFind(path, group) < 0 && StringFind(name, group) < 0 && group != "*") continue;
      string p = "symbols[" + IntegerToString(row++) + "].";
      MtbSetString(s, id, p + "name", name);
      MtbSetString(s, id, p + "description", SymbolInfoString(name, SYMBOL_DESCRIPTION));
      MtbSetString(s, id, p + "path", path);
      MtbSetLong(s, id, p + "digits", SymbolInfoInteger(name, SYMBOL_DIGITS));
      MtbSetBool(s, id, p + "selected", SymbolInfoInteger(name, SYMBOL_SELECT) != 0);
   }
   return MtbSend(s, id);
}

string Mt5Weekday(const int d)
{
   string days[7] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
   return days[d % 7];
}

void Mt5Sessions(const long s, const long id, const string symbol, const string key, const bool trade)
{
   int row = 0;
   MtbSetEmptyArray(s, id, key);
   for(int day = 0; day < 7; day++)
      for(uint k = 0; k < 10; k++)
      {
         datetime from, to;
         bool ok = trade ? SymbolInfoSessionTrade(symbol, (ENUM_DAY_OF_WEEK)day, k, from, to)
                         : SymbolInfoSessionQuote(symbol, (ENUM_DAY_OF_WEEK)day, k, from, to);
         if(!ok) break;
         string p = key + "[" + IntegerToString(row++) + "].";
         MtbSetString(s, id, p + "day", Mt5Weekday(day));
         MtbSetLong(s, id, p + "from_minute", (long)from / 60);
         MtbSetLong(s, id, p + "to_minute", MathMin(1440, (long)to / 60));
      }
}

int Mt5SymbolSpec(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   if(!SymbolSelect(symbol, true) && !SymbolInfoInteger(symbol, SYMBOL_EXIST))
      return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no symbol " + symbol);
   MtbSetString(s, id, "symbol", symbol);
   MtbSetString(s, id, "description", SymbolInfoString(symbol, SYMBOL_DESCRIPTION));
   MtbSetString(s, id, "base_currency", SymbolInfoString(symbol, SYMBOL_CURRENCY_BASE));
   MtbSetString(s, id, "profit_currency", SymbolInfoString(symbol, SYMBOL_CURRENCY_PROFIT));
   MtbSetString(s, id, "margin_currency", SymbolInfoString(symbol, SYMBOL_CURRENCY_MARGIN));
   MtbSetLong(s, id, "digits", SymbolInfoInteger(symbol, SYMBOL_DIGITS));
   MtbSetDouble(s, id, "point", SymbolInfoDouble(symbol, SYMBOL_POINT));
   MtbSetDouble(s, id, "tick_size", SymbolInfoDouble(symbol, SYMBOL_TRADE_TICK_SIZE));
   MtbSetDouble(s, id, "tick_value", SymbolInfoDouble(symbol, SYMBOL_TRADE_TICK_VALUE));
   MtbSetDouble(s, id, "contract_size", SymbolInfoDouble(symbol, SYMBOL_TRADE_CONTRACT_SIZE));
   MtbSetDouble(s, id, "volume_min", SymbolInfoDouble(symbol, SYMBOL_VOLUME_MIN));
   MtbSetDouble(s, id, "volume_max", SymbolInfoDouble(symbol, SYMBOL_VOLUME_MAX));
   MtbSetDouble(s, id, "volume_step", SymbolInfoDouble(symbol, SYMBOL_VOLUME_STEP));
   MtbSetDouble(s, id, "volume_limit", SymbolInfoDouble(symbol, SYMBOL_VOLUME_LIMIT));
   MtbSetLong(s, id, "stops_level", SymbolInfoInteger(symbol, SYMBOL_TRADE_STOPS_LEVEL));
   MtbSetLong(s, id, "freeze_level", SymbolInfoInteger(symbol, SYMBOL_TRADE_FREEZE_LEVEL));
   long tm = SymbolInfoInteger(symbol, SYMBOL_TRADE_MODE);
   MtbSetString(s, id, "trade_mode", tm == SYMBOL_TRADE_MODE_DISABLED ? "disabled" : tm == SYMBOL_TRADE_MODE_LONGONLY ? "long_only"
                : tm == SYMBOL_TRADE_MODE_SHORTONLY ? "short_only" : tm == SYMBOL_TRADE_MODE_CLOSEONLY ? "close_only" : "full");
   long em = SymbolInfoInteger(symbol, SYMBOL_TRADE_EXEMODE);
   MtbSetString(s, id, "execution_mode", em == SYMBOL_TRADE_EXECUTION_REQUEST ? "request" : em == SYMBOL_TRADE_EXECUTION_INSTANT ? "instant"
                : em == SYMBOL_TRADE_EXECUTION_EXCHANGE ? "exchange" : "market");
   long cm = SymbolInfoInteger(symbol, SYMBOL_TRADE_CALC_MODE);
   MtbSetString(s, id, "calc_mode", cm == SYMBOL_CALC_MODE_FOREX ? "forex" : cm == SYMBOL_CALC_MODE_FOREX_NO_LEVERAGE ? "forex_no_leverage"
                : cm == SYMBOL_CALC_MODE_CFDLEVERAGE ? "cfd_leverage" : cm == SYMBOL_CALC_MODE_CFDINDEX ? "cfd_index"
                : cm == SYMBOL_CALC_MODE_FUTURES ? "futures" : cm == SYMBOL_CALC_MODE_EXCH_STOCKS ? "exchange_stocks" : "cfd");
   long fm = SymbolInfoInteger(symbol, SYMBOL_FILLING_MODE);
   int f = 0;
   MtbSetEmptyArray(s, id, "filling_modes");
   if((fm & SYMBOL_FILLING_FOK) != 0) MtbSetString(s, id, "filling_modes[" + IntegerToString(f++) + "]", "fok");
   if((fm & SYMBOL_FILLING_IOC) != 0) MtbSetString(s, id, "filling_modes[" + IntegerToString(f++) + "]", "ioc");
   if(em != SYMBOL_TRADE_EXECUTION_MARKET) MtbSetString(s, id, "filling_modes[" + IntegerToString(f++) + "]", "return");
   long xm = SymbolInfoInteger(symbol, SYMBOL_EXPIRATION_MODE);
   int x = 0;
   MtbSetEmptyArray(s, id, "expiration_modes");
   if((xm & SYMBOL_EXPIRATION_GTC) != 0) MtbSetString(s, id, "expiration_modes[" + IntegerToString(x++) + "]", "gtc");
   if((xm & SYMBOL_EXPIRATION_DAY) != 0) MtbSetString(s, id, "expiration_modes[" + IntegerToString(x++) + "]", "day");
   if((xm & SYMBOL_EXPIRATION_SPECIFIED) != 0) MtbSetString(s, id, "expiration_modes[" + IntegerToString(x++) + "]", "specified");
   if((xm & SYMBOL_EXPIRATION_SPECIFIED_DAY) != 0) MtbSetString(s, id, "expiration_modes[" + IntegerToString(x++) + "]", "specified_day");
   long om = SymbolInfoInteger(symbol, SYMBOL_ORDER_MODE);
   int o = 0;
   MtbSetEmptyArray(s, id, "order_types");
   if((om & SYMBOL_ORDER_MARKET) != 0) { MtbSetString(s, id, "order_types[" + IntegerToString(o++) + "]", "buy"); MtbSetString(s, id, "order_types[" + IntegerToString(o++) + "]", "sell"); }
   if((om & SYMBOL_ORDER_LIMIT) != 0) { MtbSetString(s, id, "order_types[" + IntegerToString(o++) + "]", "buy_limit"); MtbSetString(s, id, "order_types[" + IntegerToString(o++) + "]", "sell_limit"); }
   if((om & SYMBOL_ORDER_STOP) != 0) { MtbSetString(s, id, "order_types[" + IntegerToString(o++) + "]", "buy_stop"); MtbSetString(s, id, "order_types[" + IntegerToString(o++) + "]", "sell_stop"); }
   if((om & SYMBOL_ORDER_STOP_LIMIT) != 0) { MtbSetString(s, id, "order_types[" + IntegerToString(o++) + "]", "buy_stop_limit"); MtbSetString(s, id, "order_types[" + IntegerToString(o++) + "]", "sell_stop_limit"); }
   MtbSetDouble(s, id, "swap_long", SymbolInfoDouble(symbol, SYMBOL_SWAP_LONG));
   MtbSetDouble(s, id, "swap_short", SymbolInfoDouble(symbol, SYMBOL_SWAP_SHORT));
   MtbSetString(s, id, "swap_rollover3days", Mt5Weekday((int)SymbolInfoInteger(symbol, SYMBOL_SWAP_ROLLOVER3DAYS)));
   MtbSetDouble(s, id, "margin_initial", SymbolInfoDouble(symbol, SYMBOL_MARGIN_INITIAL));
   MtbSetDouble(s, id, "margin_maintenance", SymbolInfoDouble(symbol, SYMBOL_MARGIN_MAINTENANCE));
   MtbSetDouble(s, id, "margin_hedged", SymbolInfoDouble(symbol, SYMBOL_MARGIN_HEDGED));
   MtbSetLong(s, id, "spread", SymbolInfoInteger(symbol, SYMBOL_SPREAD));
   MtbSetBool(s, id, "spread_float", SymbolInfoInteger(symbol, SYMBOL_SPREAD_FLOAT) != 0);
   Mt5Sessions(s, id, symbol, "quote_sessions", false);
   Mt5Sessions(s, id, symbol, "trade_sessions", true);
   return MtbSend(s, id);
}

int Mt5SelectSymbol(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool enable = MtbParamBool(s, id, "enable", true);
   if(!SymbolSelect(symbol, enable) && enable) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no symbol " + symbol);
   MtbSetString(s, id, "symbol", symbol);
   MtbSetBool(s, id, "selected", SymbolInfoInteger(symbol, SYMBOL_SELECT) != 0);
   return MtbSend(s, id);
}

int Mt5Quote(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   if(!Mt5QuoteRow(s, id, "", symbol)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no quote for " + symbol);
   return MtbSend(s, id);
}

int Mt5Quotes(const long s, const long id)
{
   int n = MtbParamCount(s, id, "symbols");
   for(int i = 0; i < n; i++)
   {
      string symbol = MtbParamString(s, id, "symbols[" + IntegerToString(i) + "]", "");
      if(!Mt5QuoteRow(s, id, "quotes[" + IntegerToString(i) + "].", symbol))
         return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no quote for " + symbol);
   }
   return MtbSend(s, id);
}

ENUM_TIMEFRAMES Mt5Timeframe(const string tf)
{
   if(tf == "m2") return PERIOD_M2;   if(tf == "m3") return PERIOD_M3;   if(tf == "m4") return PERIOD_M4;
   if(tf == "m5") return PERIOD_M5;   if(tf == "m6") return PERIOD_M6;   if(tf == "m10") return PERIOD_M10;
   if(tf == "m12") return PERIOD_M12; if(tf == "m15") return PERIOD_M15; if(tf == "m20") return PERIOD_M20;
   if(tf == "m30") return PERIOD_M30; if(tf == "h1") return PERIOD_H1;   if(tf == "h2") return PERIOD_H2;
   if(tf == "h3") return PERIOD_H3;   if(tf == "h4") return PERIOD_H4;   if(tf == "h6") return PERIOD_H6;
   if(tf == "h8") return PERIOD_H8;   if(tf == "h12") return PERIOD_H12; if(tf == "d1") return PERIOD_D1;
   if(tf == "w1") return PERIOD_W1;   if(tf == "mn1") return PERIOD_MN1;
   return PERIOD_M1;
}

int Mt5Candles(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   string tf = MtbParamString(s, id, "timeframe", "m1");
   long offset = (long)(TimeTradeServer() - TimeGMT());
   MqlRates rates[];
   int got;
   int count = (int)MtbParamLong(s, id, "count", 0);
   if(MtbHas(s, id, "from") && MtbHas(s, id, "to"))
      got = CopyRates(symbol, Mt5Timeframe(tf), (datetime)(MtbParamLong(s, id, "from", 0) / 1000 + offset), (datetime)(MtbParamLong(s, id, "to", 0) / 1000 + offset), rates);
   else if(MtbHas(s, id, "from"))
      got = CopyRates(symbol, Mt5Timeframe(tf), (datetime)(MtbParamLong(s, id, "from", 0) / 1000 + offset), TimeTradeServer(), rates);
   else
      got = CopyRates(symbol, Mt5Timeframe(tf), 0, count, rates);
   if(got < 0) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no candles for " + symbol);
   int first = 0, n = got;
   bool more = false;
   if(count > 0 && got > count) { n = count; more = true; }
   MtbSetString(s, id, "symbol", symbol);
   MtbSetString(s, id, "timeframe", tf);
   MtbSetEmptyArray(s, id, "candles");
   for(int i = 0; i < n; i++)
   {
      string p = "candles[" + IntegerToString(i) + "].";
      MtbSetLong(s, id, p + "time", MtbUtcMs(rates[first + i].time));
      MtbSetDouble(s, id, p + "open", rates[first + i].open);
      MtbSetDouble(s, id, p + "high", rates[first + i].high);
      MtbSetDouble(s, id, p + "low", rates[first + i].low);
      MtbSetDouble(s, id, p + "close", rates[first + i].close);
      MtbSetLong(s, id, p + "tick_volume", rates[first + i].tick_volume);
      MtbSetLong(s, id, p + "spread", rates[first + i].spread);
      MtbSetLong(s, id, p + "real_volume", rates[first + i].real_volume);
   }
   MtbSetBool(s, id, "has_more", more);
   return MtbSend(s, id);
}

int Mt5Ticks(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   string kind = MtbParamString(s, id, "kind", "all");
   uint flags = kind == "info" ? COPY_TICKS_INFO : (kind == "trade" ? COPY_TICKS_TRADE : COPY_TICKS_ALL);
   long offset_ms = (long)(TimeTradeServer() - TimeGMT()) * 1000;
   ulong from = (ulong)(MtbParamLong(s, id, "from", 0) + offset_ms);
   int count = (int)MtbParamLong(s, id, "count", 10000);
   MqlTick ticks[];
   int got = MtbHas(s, id, "to") ? CopyTicksRange(symbol, ticks, flags, from, (ulong)(MtbParamLong(s, id, "to", 0) + offset_ms))
                                 : CopyTicks(symbol, ticks, flags, from, count + 1);
   if(got < 0) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no ticks for " + symbol);
   int n = MathMin(got, count);
   MtbSetString(s, id, "symbol", symbol);
   MtbSetEmptyArray(s, id, "ticks");
   for(int i = 0; i < n; i++)
   {
      string p = "ticks[" + IntegerToString(i) + "].";
      MtbSetLong(s, id, p + "time", ticks[i].time_msc - offset_ms);
      MtbSetDouble(s, id, p + "bid", ticks[i].bid);
      MtbSetDouble(s, id, p + "ask", ticks[i].ask);
      MtbSetDouble(s, id, p + "last", ticks[i].last);
      MtbSetDouble(s, id, p + "volume", ticks[i].volume_real);
      MtbSetLong(s, id, p + "flags", ticks[i].flags);
   }
   MtbSetBool(s, id, "has_more", got > n);
   return MtbSend(s, id);
}

int Mt5Book(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   MqlBookInfo book[];
   if(!MarketBookAdd(symbol) || !MarketBookGet(symbol, book)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no book for " + symbol);
   MtbSetString(s, id, "symbol", symbol);
   MtbSetLong(s, id, "time", (long)TimeGMT() * 1000);
   MtbSetEmptyArray(s, id, "entries");
   for(int i = 0; i < ArraySize(book); i++)
   {
      string p = "entries[" + IntegerToString(i) + "].";
      int t = book[i].type;
      MtbSetString(s, id, p + "side", t == BOOK_TYPE_SELL ? "sell" : t == BOOK_TYPE_BUY ? "buy" : t == BOOK_TYPE_SELL_MARKET ? "sell_market" : "buy_market");
      MtbSetDouble(s, id, p + "price", book[i].price);
      MtbSetDouble(s, id, p + "volume", book[i].volume_real);
   }
   return MtbSend(s, id);
}

int Mt5Positions(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool by_magic = MtbHas(s, id, "magic");
   long magic = MtbParamLong(s, id, "magic", 0);
   int row = 0;
   MtbSetEmptyArray(s, id, "positions");
   for(int i = 0; i < PositionsTotal(); i++)
   {
      if(PositionGetTicket(i) == 0) continue;
      if(symbol != "" && PositionGetString(POSITION_SYMBOL) != symbol) continue;
      if(by_magic && PositionGetInteger(POSITION_MAGIC) != magic) continue;
      Mt5PositionRow(s, id, "positions[" + IntegerToString(row++) + "].");
   }
   return MtbSend(s, id);
}

int Mt5Position(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!PositionSelectByTicket((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no position " + ticket);
   Mt5PositionRow(s, id, "");
   return MtbSend(s, id);
}

int Mt5Orders(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool by_magic = MtbHas(s, id, "magic");
   long magic = MtbParamLong(s, id, "magic", 0);
   int row = 0;
   MtbSetEmptyArray(s, id, "orders");
   for(int i = 0; i < OrdersTotal(); i++)
   {
      if(OrderGetTicket(i) == 0) continue;
      if(symbol != "" && OrderGetString(ORDER_SYMBOL) != symbol) continue;
      if(by_magic && OrderGetInteger(ORDER_MAGIC) != magic) continue;
      Mt5OrderRow(s, id, "orders[" + IntegerToString(row++) + "].");
   }
   return MtbSend(s, id);
}

int Mt5Order(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!OrderSelect((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no order " + ticket);
   Mt5OrderRow(s, id, "");
   return MtbSend(s, id);
}

// Selects history for a query; returns false when the query names nothing.
bool Mt5SelectHistory(const long s, const long id)
{
   long offset = (long)(TimeTradeServer() - TimeGMT());
   if(MtbHas(s, id, "position_id")) return HistorySelectByPosition(StringToInteger(MtbParamString(s, id, "position_id", "0")));
   if(MtbHas(s, id, "ticket")) return HistorySelect(0, TimeTradeServer() + 86400);
   datetime from = (datetime)(MtbParamLong(s, id, "from", 0) / 1000 + offset);
   datetime to = MtbHas(s, id, "to") ? (datetime)(MtbParamLong(s, id, "to", 0) / 1000 + offset) : TimeTradeServer() + 86400;
   return HistorySelect(from, to);
}

int Mt5HistoryOrders(const long s, const long id)
{
   if(!Mt5SelectHistory(s, id)) return MtbError(s, id, MTB_ERR_INTERNAL_ERROR, 0, "history not available");
   string symbol = MtbParamString(s, id, "symbol", "");
   string only = MtbParamString(s, id, "ticket", "");
   int offset = (int)MtbParamLong(s, id, "offset", 0), limit = (int)MtbParamLong(s, id, "limit", 1000), seen = 0, row = 0;
   bool more = false;
   MtbSetEmptyArray(s, id, "orders");
   for(int i = 0; i < HistoryOrdersTotal(); i++)
   {
      ulong t = HistoryOrderGetTicket(i);
      if(only != "" && MtbTicket((long)t) != only) continue;
      if(symbol != "" && HistoryOrderGetString(t, ORDER_SYMBOL) != symbol) continue;
      if(seen++ < offset) continue;
      if(row >= limit) { more = true; break; }
      Mt5HistoryOrderRow(s, id, "orders[" + IntegerToString(row++) + "].", t);
   }
   MtbSetBool(s, id, "has_more", more);
   return MtbSend(s, id);
}

int Mt5HistoryDeals(const long s, const long id)
{
   if(!Mt5SelectHistory(s, id)) return MtbError(s, id, MTB_ERR_INTERNAL_ERROR, 0, "history not available");
   string symbol = MtbParamString(s, id, "symbol", "");
   string only = MtbParamString(s, id, "ticket", "");
   int offset = (int)MtbParamLong(s, id, "offset", 0), limit = (int)MtbParamLong(s, id, "limit", 1000), seen = 0, row = 0;
   bool more = false;
   MtbSetEmptyArray(s, id, "deals");
   for(int i = 0; i < HistoryDealsTotal(); i++)
   {
      ulong t = HistoryDealGetTicket(i);
      if(only != "" && MtbTicket((long)t) != only) continue;
      if(symbol != "" && HistoryDealGetString(t, DEAL_SYMBOL) != symbol) continue;
      if(seen++ < offset) continue;
      if(row >= limit) { more = true; break; }
      Mt5DealRow(s, id, "deals[" + IntegerToString(row++) + "].", t);
   }
   MtbSetBool(s, id, "has_more", more);
   return MtbSend(s, id);
}

int Mt5CalcMargin(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool buy = MtbParamString(s, id, "side", "buy") == "buy";
   double price = MtbParamDouble(s, id, "price", buy ? SymbolInfoDouble(symbol, SYMBOL_ASK) : SymbolInfoDouble(symbol, SYMBOL_BID));
   double margin = 0;
   if(!OrderCalcMargin(buy ? ORDER_TYPE_BUY : ORDER_TYPE_SELL, symbol, MtbParamDouble(s, id, "volume", 0), price, margin))
      return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "cannot compute margin for " + symbol);
   MtbSetDouble(s, id, "margin", margin);
   MtbSetString(s, id, "currency", AccountInfoString(ACCOUNT_CURRENCY));
   return MtbSend(s, id);
}

int Mt5CalcProfit(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool buy = MtbParamString(s, id, "side", "buy") == "buy";
   double profit = 0;
   if(!OrderCalcProfit(buy ? ORDER_TYPE_BUY : ORDER_TYPE_SELL, symbol, MtbParamDouble(s, id, "volume", 0),
                       MtbParamDouble(s, id, "price_open", 0), MtbParamDouble(s, id, "price_close", 0), profit))
      return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "cannot compute profit for " + symbol);
   MtbSetDouble(s, id, "profit", profit);
   MtbSetString(s, id, "currency", AccountInfoString(ACCOUNT_CURRENCY));
   return MtbSend(s, id);
}

// Fills a trade request from place_order / check_order params.
void Mt5OrderRequest(const long s, const long id, MqlTradeRequest &request)
{
   ZeroMemory(request);
   string symbol = MtbParamString(s, id, "symbol", "");
   ENUM_ORDER_TYPE type = Mt5OrderTypeOf(MtbParamString(s, id, "type", "buy"));
   bool market = type == ORDER_TYPE_BUY || type == ORDER_TYPE_SELL;
   request.action = market ? TRADE_ACTION_DEAL : TRADE_ACTION_PENDING;
   request.symbol = symbol;
   request.type = type;
   request.volume = MtbParamDouble(s, id, "volume", 0);
   request.price = MtbParamDouble(s, id, "price", type == ORDER_TYPE_BUY ? SymbolInfoDouble(symbol, SYMBOL_ASK) : SymbolInfoDouble(symbol, SYMBOL_BID));
   request.stoplimit = MtbParamDouble(s, id, "stop_limit_price", 0);
   request.sl = MtbParamDouble(s, id, "sl", 0);
   request.tp = MtbParamDouble(s, id, "tp", 0);
   request.deviation = (ulong)MtbParamLong(s, id, "deviation_points", 10);
   request.type_filling = Mt5FillingOf(symbol, MtbParamString(s, id, "filling", "auto"));
   request.type_time = Mt5TimeInForceOf(MtbParamString(s, id, "time_in_force", "gtc"));
   if(MtbHas(s, id, "expiration")) request.expiration = (datetime)(MtbParamLong(s, id, "expiration", 0) / 1000 + (long)(TimeTradeServer() - TimeGMT()));
   request.magic = (ulong)MtbParamLong(s, id, "magic", 0);
   request.comment = MtbParamString(s, id, "comment", "");
}

int Mt5CheckOrder(const long s, const long id)
{
   MqlTradeRequest request; MqlTradeCheckResult check;
   Mt5OrderRequest(s, id, request);
   ZeroMemory(check);
   bool ok = OrderCheck(request, check);
   MtbSetLong(s, id, "retcode", ok ? 0 : check.retcode);
   MtbSetString(s, id, "retcode_name", ok ? "OK" : IntegerToString(check.retcode));
   MtbSetDouble(s, id, "balance", check.balance);
   MtbSetDouble(s, id, "equity", check.equity);
   MtbSetDouble(s, id, "profit", check.profit);
   MtbSetDouble(s, id, "margin", check.margin);
   MtbSetDouble(s, id, "free_margin", check.margin_free);
   if(check.margin > 0) MtbSetDouble(s, id, "margin_level", check.margin_level);
   MtbSetString(s, id, "comment", check.comment);
   MtbSetBool(s, id, "emulated", false);
   return MtbSend(s, id);
}

// Sends a trade request and answers with a TradeResult, or a trade_rejected error with the MT retcode.
int Mt5Trade(const long s, const long id, MqlTradeRequest &request)
{
   MqlTradeResult result;
   ZeroMemory(result);
   bool sent = OrderSend(request, result);
   bool done = result.retcode == TRADE_RETCODE_DONE || result.retcode == TRADE_RETCODE_PLACED
               || result.retcode == TRADE_RETCODE_DONE_PARTIAL || result.retcode == TRADE_RETCODE_NO_CHANGES;
   if(!sent || !done) return MtbError(s, id, MTB_ERR_TRADE_REJECTED, (int)result.retcode, result.comment);
   string client_id = MtbParamString(s, id, "client_id", "");
   if(client_id != "") MtbSetString(s, id, "client_id", client_id);
   MtbSetLong(s, id, "retcode", result.retcode);
   MtbSetString(s, id, "retcode_name", IntegerToString(result.retcode));
   MtbSetString(s, id, "message", result.comment);
   if(result.order > 0) MtbSetString(s, id, "order", MtbTicket((long)result.order));
   if(result.deal > 0) MtbSetString(s, id, "deal", MtbTicket((long)result.deal));
   if(request.position > 0) MtbSetString(s, id, "position_id", MtbTicket((long)request.position));
   MtbSetDouble(s, id, "volume", result.volume > 0 ? result.volume : request.volume);
   MtbSetDouble(s, id, "price", result.price > 0 ? result.price : request.price);
   if(result.bid > 0) MtbSetDouble(s, id, "bid", result.bid);
   if(result.ask > 0) MtbSetDouble(s, id, "ask", result.ask);
   MtbSetString(s, id, "comment", result.comment);
   MtbSetString(s, id, "platform", "mt5");
   return MtbSend(s, id);
}

int Mt5PlaceOrder(const long s, const long id)
{
   MqlTradeRequest request;
   Mt5OrderRequest(s, id, request);
   return Mt5Trade(s, id, request);
}

int Mt5ModifyPosition(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!PositionSelectByTicket((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no position " + ticket);
   MqlTradeRequest request; ZeroMemory(request);
   request.action = TRADE_ACTION_SLTP;
   request.position = (ulong)StringToInteger(ticket);
   request.symbol = PositionGetString(POSITION_SYMBOL);
   request.sl = MtbParamDouble(s, id, "sl", PositionGetDouble(POSITION_SL));
   request.tp = MtbParamDouble(s, id, "tp", PositionGetDouble(POSITION_TP));
   return Mt5Trade(s, id, request);
}

// Fills a closing deal for the selected position.
void Mt5CloseRequest(MqlTradeRequest &request, const double volume, const ulong deviation)
{
   ZeroMemory(request);
   string symbol = PositionGetString(POSITION_SYMBOL);
   bool buy = PositionGetInteger(POSITION_TYPE) == POSITION_TYPE_BUY;
   request.action = TRADE_ACTION_DEAL;
   request.position = (ulong)PositionGetInteger(POSITION_TICKET);
   request.symbol = symbol;
   request.type = buy ? ORDER_TYPE_SELL : ORDER_TYPE_BUY;
   request.volume = volume > 0 ? volume : PositionGetDouble(POSITION_VOLUME);
   request.price = buy ? SymbolInfoDouble(symbol, SYMBOL_BID) : SymbolInfoDouble(symbol, SYMBOL_ASK);
   request.deviation = deviation;
   request.type_filling = Mt5FillingOf(symbol, "auto");
   request.magic = (ulong)PositionGetInteger(POSITION_MAGIC);
}

int Mt5ClosePosition(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!PositionSelectByTicket((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no position " + ticket);
   MqlTradeRequest request;
   Mt5CloseRequest(request, MtbParamDouble(s, id, "volume", 0), (ulong)MtbParamLong(s, id, "deviation_points", 10));
   return Mt5Trade(s, id, request);
}

int Mt5ClosePositionBy(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   string opposite = MtbParamString(s, id, "opposite_ticket", "0");
   if(!PositionSelectByTicket((ulong)StringToInteger(opposite))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no position " + opposite);
   if(!PositionSelectByTicket((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no position " + ticket);
   MqlTradeRequest request; ZeroMemory(request);
   request.action = TRADE_ACTION_CLOSE_BY;
   request.position = (ulong)StringToInteger(ticket);
   request.position_by = (ulong)StringToInteger(opposite);
   request.symbol = PositionGetString(POSITION_SYMBOL);
   return Mt5Trade(s, id, request);
}

int Mt5ClosePositions(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   string side = MtbParamString(s, id, "side", "");
   bool by_magic = MtbHas(s, id, "magic");
   long magic = MtbParamLong(s, id, "magic", 0);
   string client_id = MtbParamString(s, id, "client_id", "");
   if(client_id != "") MtbSetString(s, id, "client_id", client_id);
   MtbSetEmptyArray(s, id, "outcomes");
   int row = 0;
   for(int i = PositionsTotal() - 1; i >= 0; i--)
   {
      ulong t = PositionGetTicket(i);
      if(t == 0) continue;
      if(symbol != "" && PositionGetString(POSITION_SYMBOL) != symbol) continue;
      if(by_magic && PositionGetInteger(POSITION_MAGIC) != magic) continue;
      if(side != "" && Mt5Side(PositionGetInteger(POSITION_TYPE)) != side) continue;
      MqlTradeRequest request; MqlTradeResult result; ZeroMemory(result);
      Mt5CloseRequest(request, 0, 10);
      bool ok = OrderSend(request, result) && (result.retcode == TRADE_RETCODE_DONE || result.retcode == TRADE_RETCODE_DONE_PARTIAL);
      string p = "outcomes[" + IntegerToString(row++) + "].";
      MtbSetString(s, id, p + "ticket", MtbTicket((long)t));
      if(ok)
      {
         MtbSetLong(s, id, p + "result.retcode", result.retcode);
         MtbSetString(s, id, p + "result.retcode_name", IntegerToString(result.retcode));
         MtbSetString(s, id, p + "result.message", result.comment);
         if(result.deal > 0) MtbSetString(s, id, p + "result.deal", MtbTicket((long)result.deal));
         MtbSetString(s, id, p + "result.position_id", MtbTicket((long)t));
         MtbSetDouble(s, id, p + "result.volume", result.volume);
         MtbSetDouble(s, id, p + "result.price", result.price);
         MtbSetString(s, id, p + "result.comment", result.comment);
         MtbSetString(s, id, p + "result.platform", "mt5");
      }
      else
      {
         MtbSetLong(s, id, p + "error.code", MTB_ERR_TRADE_REJECTED);
         MtbSetString(s, id, p + "error.message", result.comment);
         MtbSetString(s, id, p + "error.data.kind", "trade_rejected");
         MtbSetBool(s, id, p + "error.data.retryable", false);
         MtbSetLong(s, id, p + "error.data.retcode", result.retcode);
      }
   }
   return MtbSend(s, id);
}

int Mt5ModifyOrder(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!OrderSelect((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no order " + ticket);
   MqlTradeRequest request; ZeroMemory(request);
   request.action = TRADE_ACTION_MODIFY;
   request.order = (ulong)StringToInteger(ticket);
   request.symbol = OrderGetString(ORDER_SYMBOL);
   request.price = MtbParamDouble(s, id, "price", OrderGetDouble(ORDER_PRICE_OPEN));
   request.stoplimit = MtbParamDouble(s, id, "stop_limit_price", OrderGetDouble(ORDER_PRICE_STOPLIMIT));
   request.sl = MtbParamDouble(s, id, "sl", OrderGetDouble(ORDER_SL));
   request.tp = MtbParamDouble(s, id, "tp", OrderGetDouble(ORDER_TP));
   request.type_time = MtbHas(s, id, "time_in_force") ? Mt5TimeInForceOf(MtbParamString(s, id, "time_in_force", "gtc")) : (ENUM_ORDER_TYPE_TIME)OrderGetInteger(ORDER_TYPE_TIME);
   request.expiration = MtbHas(s, id, "expiration") ? (datetime)(MtbParamLong(s, id, "expiration", 0) / 1000 + (long)(TimeTradeServer() - TimeGMT()))
                                                     : (datetime)OrderGetInteger(ORDER_TIME_EXPIRATION);
   return Mt5Trade(s, id, request);
}

int Mt5CancelOrder(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!OrderSelect((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no order " + ticket);
   MqlTradeRequest request; ZeroMemory(request);
   request.action = TRADE_ACTION_REMOVE;
   request.order = (ulong)StringToInteger(ticket);
   request.symbol = OrderGetString(ORDER_SYMBOL);
   return Mt5Trade(s, id, request);
}

// Answers one claimed request. Every method the gateway forwards to the terminal has a branch here.
int Mt5Dispatch(const long s, const long id, const string m)
{
   if(m == MTB_METHOD_GET_TERMINAL_INFO) return Mt5TerminalInfo(s, id);
   if(m == MTB_METHOD_GET_HEALTH) return Mt5Health(s, id);
   if(m == MTB_METHOD_GET_SERVER_TIME) return Mt5ServerTime(s, id);
   if(m == MTB_METHOD_GET_ACCOUNT_INFO) return Mt5AccountInfo(s, id);
   if(m == MTB_METHOD_GET_SYMBOLS) return Mt5Symbols(s, id);
   if(m == MTB_METHOD_GET_SYMBOL_SPEC) return Mt5SymbolSpec(s, id);
   if(m == MTB_METHOD_SELECT_SYMBOL) return Mt5SelectSymbol(s, id);
   if(m == MTB_METHOD_GET_QUOTE) return Mt5Quote(s, id);
   if(m == MTB_METHOD_GET_QUOTES) return Mt5Quotes(s, id);
   if(m == MTB_METHOD_GET_CANDLES) return Mt5Candles(s, id);
   if(m == MTB_METHOD_GET_TICKS) return Mt5Ticks(s, id);
   if(m == MTB_METHOD_GET_BOOK) return Mt5Book(s, id);
   if(m == MTB_METHOD_GET_POSITIONS) return Mt5Positions(s, id);
   if(m == MTB_METHOD_GET_POSITION) return Mt5Position(s, id);
   if(m == MTB_METHOD_GET_ORDERS) return Mt5Orders(s, id);
   if(m == MTB_METHOD_GET_ORDER) return Mt5Order(s, id);
   if(m == MTB_METHOD_GET_HISTORY_ORDERS) return Mt5HistoryOrders(s, id);
   if(m == MTB_METHOD_GET_HISTORY_DEALS) return Mt5HistoryDeals(s, id);
   if(m == MTB_METHOD_CALC_MARGIN) return Mt5CalcMargin(s, id);
   if(m == MTB_METHOD_CALC_PROFIT) return Mt5CalcProfit(s, id);
   if(m == MTB_METHOD_CHECK_ORDER) return Mt5CheckOrder(s, id);
   if(m == MTB_METHOD_PLACE_ORDER) return Mt5PlaceOrder(s, id);
   if(m == MTB_METHOD_MODIFY_POSITION) return Mt5ModifyPosition(s, id);
   if(m == MTB_METHOD_CLOSE_POSITION) return Mt5ClosePosition(s, id);
   if(m == MTB_METHOD_CLOSE_POSITION_BY) return Mt5ClosePositionBy(s, id);
   if(m == MTB_METHOD_CLOSE_POSITIONS) return Mt5ClosePositions(s, id);
   if(m == MTB_METHOD_MODIFY_ORDER) return Mt5ModifyOrder(s, id);
   if(m == MTB_METHOD_CANCEL_ORDER) return Mt5CancelOrder(s, id);
   return MtbUnsupported(s, id, "this EA does not know " + m);
}

// Claims and answers up to `budget` requests; keeps the program responsive to IsStopped.
void Mt5Drain(const long s, const int budget)
{
   for(int i = 0; i < budget && !IsStopped(); i++)
   {
      long id = 0;
      string m = MtbNextRequest(s, id);
      if(id == 0) break;
      Mt5Dispatch(s, id, m);
   }
}

// ---- Events ----

void Mt5PublishQuote(const long s, const string symbol)
{
   long id = MtbEventBegin(s, MTB_EVENT_QUOTE);
   if(id == 0) return;
   if(Mt5QuoteRow(s, id, "", symbol)) MtbEventSend(s, id);
}

void Mt5PublishAccount(const long s)
{
   long id = MtbEventBegin(s, MTB_EVENT_ACCOUNT);
   if(id == 0) return;
   Mt5AccountRow(s, id);
   MtbEventSend(s, id);
}

// OnTradeTransaction -> position, order and deal events, in the order the terminal reports them.
void Mt5PublishTransaction(const long s, const MqlTradeTransaction &tx)
{
   long id = 0;
   if(tx.type == TRADE_TRANSACTION_DEAL_ADD && HistoryDealSelect(tx.deal))
   {
      id = MtbEventBegin(s, MTB_EVENT_DEAL_ADDED);
      if(id != 0) { Mt5DealRow(s, id, "", tx.deal); MtbEventSend(s, id); }
      if(PositionSelectByTicket(tx.position))
      {
         id = MtbEventBegin(s, MTB_EVENT_POSITION_UPDATED);
         if(id != 0) { Mt5PositionRow(s, id, ""); MtbEventSend(s, id); }
      }
      else if(tx.position > 0)
      {
         id = MtbEventBegin(s, MTB_EVENT_POSITION_REMOVED);
         if(id != 0)
         {
            MtbSetString(s, id, "ticket", MtbTicket((long)tx.position));
            MtbSetString(s, id, "position_id", MtbTicket((long)tx.position));
            MtbSetLong(s, id, "time", (long)TimeGMT() * 1000);
            MtbEventSend(s, id);
         }
      }
      Mt5PublishAccount(s);
   }
   else if((tx.type == TRADE_TRANSACTION_ORDER_ADD || tx.type == TRADE_TRANSACTION_ORDER_UPDATE) && OrderSelect(tx.order))
   {
      id = MtbEventBegin(s, MTB_EVENT_ORDER_UPDATED);
      if(id != 0) { Mt5OrderRow(s, id, ""); MtbEventSend(s, id); }
   }
   else if(tx.type == TRADE_TRANSACTION_ORDER_DELETE && HistoryOrderSelect(tx.order))
   {
      id = MtbEventBegin(s, MTB_EVENT_ORDER_COMPLETED);
      if(id != 0) { Mt5HistoryOrderRow(s, id, "", tx.order); MtbEventSend(s, id); }
   }
   else if(tx.type == TRADE_TRANSACTION_POSITION && PositionSelectByTicket(tx.position))
   {
      id = MtbEventBegin(s, MTB_EVENT_POSITION_UPDATED);
      if(id != 0) { Mt5PositionRow(s, id, ""); MtbEventSend(s, id); }
   }
}

// Quotes of every Market Watch symbol whose tick changed since the last call (services get no OnTick).
void Mt5PollQuotes(const long s, long &last_msc[])
{
   int total = SymbolsTotal(true);
   if(ArraySize(last_msc) != total) ArrayResize(last_msc, total);
   for(int i = 0; i < total; i++)
   {
      string symbol = SymbolName(i, true);
      MqlTick tick;
      if(!SymbolInfoTick(symbol, tick) || tick.time_msc == last_msc[i]) continue;
      last_msc[i] = tick.time_msc;
      Mt5PublishQuote(s, symbol);
   }
}

#endif // METAAPI_BRIDGE_MT5_MQH
