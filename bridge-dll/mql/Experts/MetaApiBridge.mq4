// MetaAPI bridge EA for MetaTrader 4: links this terminal to the local gateway through metaapi_bridge.dll (the
// 32-bit build). MT4 has one order pool: an open market order is a position (position_id = ticket), a pending
// order is an order. Tick history and depth of market do not exist on MT4 and are answered `unsupported`.
#property strict
#property description "Links this terminal to the MetaAPI local gateway"

#include <metaapi_bridge.mqh>

input string AuthToken  = "";                                   // Auth token from the console (mat_...)
input string GatewayUrl = "ws://127.0.0.1:6000/terminal";       // Gateway terminal endpoint (loopback only)
input int    TimerMs    = 10;                                   // Timer period
input int    BudgetMs   = 30;                                   // Most time per timer event spent waiting

long g_session = 0;
int  g_known[];                                                 // tickets seen open at the last scan

string Mt4Escape(const string text) { string out = text; StringReplace(out, "\\", "\\\\"); StringReplace(out, "\"", "\\\""); return out; }

int OnInit()
{
   if(!IsDllsAllowed()) { Print("metaapi bridge: enable 'Allow DLL imports' for this EA"); return INIT_FAILED; }
   if(IsTesting()) { Print("metaapi bridge: not available in the strategy tester"); return INIT_FAILED; }
   if(!MtbAbiOk()) return INIT_FAILED;
   if(StringLen(AuthToken) == 0) { Print("metaapi bridge: paste the auth token into the AuthToken input"); return INIT_PARAMETERS_INCORRECT; }
   string config = "{\"gateway_url\":\"" + Mt4Escape(GatewayUrl) + "\",\"token\":\"" + Mt4Escape(AuthToken) + "\",\"terminal\":{"
      + "\"platform\":\"mt4\",\"build\":" + IntegerToString(TerminalInfoInteger(TERMINAL_BUILD))
      + ",\"company\":\"" + Mt4Escape(AccountCompany()) + "\",\"server\":\"" + Mt4Escape(AccountServer())
      + "\",\"login\":" + IntegerToString(AccountNumber()) + ",\"account_name\":\"" + Mt4Escape(AccountName())
      + "\",\"currency\":\"" + Mt4Escape(AccountCurrency()) + "\",\"margin_mode\":\"hedging\"},"
      + "\"capabilities\":[\"hedging\",\"close_by\"]}";
   g_session = MtbStart(config);
   if(g_session == 0) return INIT_FAILED;
   EventSetMillisecondTimer(TimerMs);
   return INIT_SUCCEEDED;
}

void OnDeinit(const int reason)
{
   EventKillTimer();
   if(g_session != 0) mtb_stop(g_session);
   g_session = 0;
}

// ---- Conversions ----

long   Mt4Offset() { return (long)(TimeCurrent() - TimeGMT()); }
long   Mt4Utc(const datetime t) { return ((long)t - Mt4Offset()) * 1000; }
string Mt4Type(const int t)
{
   switch(t) { case OP_BUY: return "buy"; case OP_SELL: return "sell"; case OP_BUYLIMIT: return "buy_limit";
               case OP_SELLLIMIT: return "sell_limit"; case OP_BUYSTOP: return "buy_stop"; }
   return "sell_stop";
}
int Mt4TypeOf(const string t)
{
   if(t == "sell") return OP_SELL; if(t == "buy_limit") return OP_BUYLIMIT; if(t == "sell_limit") return OP_SELLLIMIT;
   if(t == "buy_stop") return OP_BUYSTOP; if(t == "sell_stop") return OP_SELLSTOP; return OP_BUY;
}
int Mt4Timeframe(const string tf)
{
   if(tf == "m5") return PERIOD_M5; if(tf == "m15") return PERIOD_M15; if(tf == "m30") return PERIOD_M30;
   if(tf == "h1") return PERIOD_H1; if(tf == "h4") return PERIOD_H4; if(tf == "d1") return PERIOD_D1;
   if(tf == "w1") return PERIOD_W1; if(tf == "mn1") return PERIOD_MN1; if(tf == "m1") return PERIOD_M1;
   return -1;
}

// The selected open market order as a position.
void Mt4PositionRow(const long s, const long id, const string p)
{
   MtbSetString(s, id, p + "ticket", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "position_id", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "symbol", OrderSymbol());
   MtbSetString(s, id, p + "side", OrderType() == OP_BUY ? "buy" : "sell");
   MtbSetDouble(s, id, p + "volume", OrderLots());
   MtbSetDouble(s, id, p + "price_open", OrderOpenPrice());
   MtbSetDouble(s, id, p + "price_current", OrderClosePrice());
   if(OrderStopLoss() > 0) MtbSetDouble(s, id, p + "sl", OrderStopLoss());
   if(OrderTakeProfit() > 0) MtbSetDouble(s, id, p + "tp", OrderTakeProfit());
   MtbSetDouble(s, id, p + "swap", OrderSwap());
   MtbSetDouble(s, id, p + "commission", OrderCommission());
   MtbSetDouble(s, id, p + "profit", OrderProfit());
   MtbSetLong(s, id, p + "magic", OrderMagicNumber());
   MtbSetString(s, id, p + "comment", OrderComment());
   MtbSetString(s, id, p + "reason", OrderMagicNumber() != 0 ? "expert" : "client");
   MtbSetLong(s, id, p + "time", Mt4Utc(OrderOpenTime()));
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime(OrderOpenTime()));
   MtbSetLong(s, id, p + "update_time", Mt4Utc(OrderOpenTime()));
   MtbSetString(s, id, p + "platform", "mt4");
}

// The selected pending (or history) order.
void Mt4OrderRow(const long s, const long id, const string p, const bool history)
{
   MtbSetString(s, id, p + "ticket", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "symbol", OrderSymbol());
   MtbSetString(s, id, p + "type", Mt4Type(OrderType()));
   MtbSetString(s, id, p + "state", history ? (OrderType() <= OP_SELL ? "filled" : "canceled") : "placed");
   MtbSetDouble(s, id, p + "volume_initial", OrderLots());
   MtbSetDouble(s, id, p + "volume_current", history ? 0.0 : OrderLots());
   MtbSetDouble(s, id, p + "price_open", OrderOpenPrice());
   MtbSetDouble(s, id, p + "price_current", OrderClosePrice());
   if(OrderStopLoss() > 0) MtbSetDouble(s, id, p + "sl", OrderStopLoss());
   if(OrderTakeProfit() > 0) MtbSetDouble(s, id, p + "tp", OrderTakeProfit());
   MtbSetLong(s, id, p + "time_setup", Mt4Utc(OrderOpenTime()));
   if(history) MtbSetLong(s, id, p + "time_done", Mt4Utc(OrderCloseTime()));
   if(OrderExpiration() > 0) MtbSetLong(s, id, p + "expiration", Mt4Utc(OrderExpiration()));
   MtbSetString(s, id, p + "time_in_force", OrderExpiration() > 0 ? "specified" : "gtc");
   MtbSetString(s, id, p + "filling", "fok");
   MtbSetLong(s, id, p + "magic", OrderMagicNumber());
   MtbSetString(s, id, p + "comment", OrderComment());
   if(OrderType() <= OP_SELL) MtbSetString(s, id, p + "position_id", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "reason", OrderMagicNumber() != 0 ? "expert" : "client");
   MtbSetString(s, id, p + "platform", "mt4");
}

// MT4 has no deals: a closed market order yields an `in` deal (open) and an `out` deal (close).
void Mt4DealRow(const long s, const long id, const string p, const bool closing)
{
   int t = OrderType();
   bool buy = t == OP_BUY;
   MtbSetString(s, id, p + "ticket", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "order", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "position_id", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "symbol", OrderSymbol());
   MtbSetString(s, id, p + "type", t == 6 ? "balance" : t == 7 ? "credit" : ((buy != closing) ? "buy" : "sell"));
   MtbSetString(s, id, p + "entry", closing ? "out" : "in");
   MtbSetDouble(s, id, p + "volume", OrderLots());
   MtbSetDouble(s, id, p + "price", closing ? OrderClosePrice() : OrderOpenPrice());
   MtbSetDouble(s, id, p + "commission", closing ? 0.0 : OrderCommission());
   MtbSetDouble(s, id, p + "swap", closing ? OrderSwap() : 0.0);
   MtbSetDouble(s, id, p + "fee", 0.0);
   MtbSetDouble(s, id, p + "profit", closing || t > OP_SELL ? OrderProfit() : 0.0);
   MtbSetLong(s, id, p + "magic", OrderMagicNumber());
   MtbSetString(s, id, p + "comment", OrderComment());
   MtbSetString(s, id, p + "reason", OrderMagicNumber() != 0 ? "expert" : "client");
   datetime when = closing ? OrderCloseTime() : OrderOpenTime();
   MtbSetLong(s, id, p + "time", Mt4Utc(when));
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime(when));
   MtbSetString(s, id, p + "platform", "mt4");
}

bool Mt4QuoteRow(const long s, const long id, const string p, const string symbol)
{
   MqlTick tick;
   if(!SymbolInfoTick(symbol, tick)) return false;
   MtbSetString(s, id, p + "symbol", symbol);
   MtbSetDouble(s, id, p + "bid", tick.bid);
   MtbSetDouble(s, id, p + "ask", tick.ask);
   MtbSetLong(s, id, p + "time", Mt4Utc(tick.time));
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime(tick.time));
   return true;
}

void Mt4AccountRow(const long s, const long id)
{
   MtbSetString(s, id, "platform", "mt4");
   MtbSetLong(s, id, "login", AccountNumber());
   MtbSetString(s, id, "name", AccountName());
   MtbSetString(s, id, "server", AccountServer());
   MtbSetString(s, id, "company", AccountCompany());
   MtbSetString(s, id, "currency", AccountCurrency());
   MtbSetLong(s, id, "currency_digits", 2);
   MtbSetLong(s, id, "leverage", AccountLeverage());
   MtbSetDouble(s, id, "balance", AccountBalance());
   MtbSetDouble(s, id, "credit", AccountCredit());
   MtbSetDouble(s, id, "profit", AccountProfit());
   MtbSetDouble(s, id, "equity", AccountEquity());
   MtbSetDouble(s, id, "margin", AccountMargin());
   MtbSetDouble(s, id, "free_margin", AccountFreeMargin());
   if(AccountMargin() > 0) MtbSetDouble(s, id, "margin_level", AccountEquity() / AccountMargin() * 100.0);
   MtbSetDouble(s, id, "margin_call_level", AccountInfoDouble(ACCOUNT_MARGIN_SO_CALL));
   MtbSetDouble(s, id, "stop_out_level", AccountStopoutLevel());
   MtbSetString(s, id, "stop_out_mode", AccountStopoutMode() == 0 ? "percent" : "money");
   MtbSetString(s, id, "margin_mode", "hedging");
   MtbSetString(s, id, "trade_mode", IsDemo() ? "demo" : "real");
   MtbSetBool(s, id, "trade_allowed", IsTradeAllowed());
   MtbSetBool(s, id, "expert_allowed", IsExpertEnabled());
   MtbSetLong(s, id, "limit_orders", AccountInfoInteger(ACCOUNT_LIMIT_ORDERS));
   MtbSetBool(s, id, "fifo_close", false);
   MtbSetBool(s, id, "investor_mode", AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) == 0);
}

// ---- Handlers ----

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
   MtbSetLong(s, id, "time", (long)TimeGMT() * 1000);
   MtbSetString(s, id, "broker_time", MtbBrokerTime(TimeCurrent()));
   MtbSetLong(s, id, "broker_utc_offset_s", Mt4Offset());
   MtbSetLong(s, id, "last_quote_time", Mt4Utc((datetime)MarketInfo(_Symbol, MODE_TIME)));
   return MtbSend(s, id);
}

int Mt4AccountInfo(const long s, const long id) { Mt4AccountRow(s, id); return MtbSend(s, id); }

int Mt4Symbols(const long s, const long id)
{
   bool selected_only = MtbParamBool(s, id, "selected_only", false);
   string group = MtbParamString(s, id, "group", "");
   int row = 0;
   MtbSetEmptyArray(s, id, "symbols");
   for(int i = 0; i < SymbolsTotal(selected_only); i++)
   {
      string name = SymbolName(i, selected_only);
      if(group != "" && group != "*" && StringFind(name, group) < 0) continue;
      string p = "symbols[" + IntegerToString(row++) + "].";
      MtbSetString(s, id, p + "name", name);
      MtbSetString(s, id, p + "description", SymbolInfoString(name, SYMBOL_DESCRIPTION));
      MtbSetString(s, id, p + "path", SymbolInfoString(name, SYMBOL_PATH));
      MtbSetLong(s, id, p + "digits", SymbolInfoInteger(name, SYMBOL_DIGITS));
      MtbSetBool(s, id, p + "selected", SymbolInfoInteger(name, SYMBOL_SELECT) != 0);
   }
   return MtbSend(s, id);
}

int Mt4SymbolSpec(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   if(MarketInfo(symbol, MODE_POINT) <= 0) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no symbol " + symbol);
   MtbSetString(s, id, "symbol", symbol);
   MtbSetString(s, id, "description", SymbolInfoString(symbol, SYMBOL_DESCRIPTION));
   MtbSetString(s, id, "base_currency", SymbolInfoString(symbol, SYMBOL_CURRENCY_BASE));
   MtbSetString(s, id, "profit_currency", SymbolInfoString(symbol, SYMBOL_CURRENCY_PROFIT));
   MtbSetString(s, id, "margin_currency", SymbolInfoString(symbol, SYMBOL_CURRENCY_MARGIN));
   MtbSetLong(s, id, "digits", (long)MarketInfo(symbol, MODE_DIGITS));
   MtbSetDouble(s, id, "point", MarketInfo(symbol, MODE_POINT));
   MtbSetDouble(s, id, "tick_size", MarketInfo(symbol, MODE_TICKSIZE));
   MtbSetDouble(s, id, "tick_value", MarketInfo(symbol, MODE_TICKVALUE));
   MtbSetDouble(s, id, "contract_size", MarketInfo(symbol, MODE_LOTSIZE));
   MtbSetDouble(s, id, "volume_min", MarketInfo(symbol, MODE_MINLOT));
   MtbSetDouble(s, id, "volume_max", MarketInfo(symbol, MODE_MAXLOT));
   MtbSetDouble(s, id, "volume_step", MarketInfo(symbol, MODE_LOTSTEP));
   MtbSetDouble(s, id, "volume_limit", 0.0);
   MtbSetLong(s, id, "stops_level", (long)MarketInfo(symbol, MODE_STOPLEVEL));
   MtbSetLong(s, id, "freeze_level", (long)MarketInfo(symbol, MODE_FREEZELEVEL));
   MtbSetString(s, id, "trade_mode", MarketInfo(symbol, MODE_TRADEALLOWED) > 0 ? "full" : "disabled");
   MtbSetString(s, id, "execution_mode", "instant");
   int calc = (int)MarketInfo(symbol, MODE_PROFITCALCMODE);
   MtbSetString(s, id, "calc_mode", calc == 0 ? "forex" : calc == 1 ? "cfd" : "futures");
   MtbSetString(s, id, "filling_modes[0]", "fok");
   MtbSetString(s, id, "expiration_modes[0]", "gtc");
   MtbSetString(s, id, "expiration_modes[1]", "specified");
   string types[6] = {"buy", "sell", "buy_limit", "sell_limit", "buy_stop", "sell_stop"};
   for(int i = 0; i < 6; i++) MtbSetString(s, id, "order_types[" + IntegerToString(i) + "]", types[i]);
   MtbSetDouble(s, id, "swap_long", MarketInfo(symbol, MODE_SWAPLONG));
   MtbSetDouble(s, id, "swap_short", MarketInfo(symbol, MODE_SWAPSHORT));
   MtbSetString(s, id, "swap_rollover3days", "wednesday");
   MtbSetDouble(s, id, "margin_initial", MarketInfo(symbol, MODE_MARGININIT));
   MtbSetDouble(s, id, "margin_maintenance", MarketInfo(symbol, MODE_MARGINMAINTENANCE));
   MtbSetDouble(s, id, "margin_hedged", MarketInfo(symbol, MODE_MARGINHEDGED));
   MtbSetLong(s, id, "spread", (long)MarketInfo(symbol, MODE_SPREAD));
   MtbSetBool(s, id, "spread_float", SymbolInfoInteger(symbol, SYMBOL_SPREAD_FLOAT) != 0);
   MtbSetEmptyArray(s, id, "quote_sessions");
   MtbSetEmptyArray(s, id, "trade_sessions");
   return MtbSend(s, id);
}

int Mt4SelectSymbol(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool enable = MtbParamBool(s, id, "enable", true);
   if(!SymbolSelect(symbol, enable) && enable) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no symbol " + symbol);
   MtbSetString(s, id, "symbol", symbol);
   MtbSetBool(s, id, "selected", SymbolInfoInteger(symbol, SYMBOL_SELECT) != 0);
   return MtbSend(s, id);
}

int Mt4Quote(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   if(!Mt4QuoteRow(s, id, "", symbol)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no quote for " + symbol);
   return MtbSend(s, id);
}

int Mt4Quotes(const long s, const long id)
{
   for(int i = 0; i < MtbParamCount(s, id, "symbols"); i++)
   {
      string symbol = MtbParamString(s, id, "symbols[" + IntegerToString(i) + "]", "");
      if(!Mt4QuoteRow(s, id, "quotes[" + IntegerToString(i) + "].", symbol)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no quote for " + symbol);
   }
   return MtbSend(s, id);
}

int Mt4Candles(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   string tf = MtbParamString(s, id, "timeframe", "m1");
   int period = Mt4Timeframe(tf);
   if(period < 0) return MtbUnsupported(s, id, "MT4 has no timeframe " + tf);
   MqlRates rates[];
   int count = (int)MtbParamLong(s, id, "count", 0);
   int got;
   if(MtbHas(s, id, "from"))
   {
      datetime from = (datetime)(MtbParamLong(s, id, "from", 0) / 1000 + Mt4Offset());
      datetime to = MtbHas(s, id, "to") ? (datetime)(MtbParamLong(s, id, "to", 0) / 1000 + Mt4Offset()) : TimeCurrent();
      got = CopyRates(symbol, period, from, to, rates);
   }
   else got = CopyRates(symbol, period, 0, count, rates);
   if(got < 0) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no candles for " + symbol);
   int n = count > 0 && got > count ? count : got;
   MtbSetString(s, id, "symbol", symbol);
   MtbSetString(s, id, "timeframe", tf);
   MtbSetEmptyArray(s, id, "candles");
   for(int i = 0; i < n; i++)
   {
      string p = "candles[" + IntegerToString(i) + "].";
      MtbSetLong(s, id, p + "time", Mt4Utc(rates[i].time));
      MtbSetDouble(s, id, p + "open", rates[i].open);
      MtbSetDouble(s, id, p + "high", rates[i].high);
      MtbSetDouble(s, id, p + "low", rates[i].low);
      MtbSetDouble(s, id, p + "close", rates[i].close);
      MtbSetLong(s, id, p + "tick_volume", rates[i].tick_volume);
      MtbSetLong(s, id, p + "spread", rates[i].spread);
      MtbSetLong(s, id, p + "real_volume", rates[i].real_volume);
   }
   MtbSetBool(s, id, "has_more", got > n);
   return MtbSend(s, id);
}

int Mt4Positions(const long s, const long id, const bool pending)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool by_magic = MtbHas(s, id, "magic");
   long magic = MtbParamLong(s, id, "magic", 0);
   string key = pending ? "orders" : "positions";
   int row = 0;
   MtbSetEmptyArray(s, id, key);
   for(int i = 0; i < OrdersTotal(); i++)
   {
      if(!OrderSelect(i, SELECT_BY_POS, MODE_TRADES)) continue;
      if((OrderType() > OP_SELL) != pending) continue;
      if(symbol != "" && OrderSymbol() != symbol) continue;
      if(by_magic && OrderMagicNumber() != magic) continue;
      string p = key + "[" + IntegerToString(row++) + "].";
      if(pending) Mt4OrderRow(s, id, p, false); else Mt4PositionRow(s, id, p);
   }
   return MtbSend(s, id);
}

bool Mt4SelectOpen(const long s, const long id, const string param, const bool pending)
{
   int ticket = (int)StringToInteger(MtbParamString(s, id, param, "0"));
   return OrderSelect(ticket, SELECT_BY_TICKET) && OrderCloseTime() == 0 && (OrderType() > OP_SELL) == pending;
}

int Mt4Position(const long s, const long id)
{
   if(!Mt4SelectOpen(s, id, "ticket", false)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no open position with that ticket");
   Mt4PositionRow(s, id, "");
   return MtbSend(s, id);
}

int Mt4Order(const long s, const long id)
{
   if(!Mt4SelectOpen(s, id, "ticket", true)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no pending order with that ticket");
   Mt4OrderRow(s, id, "", false);
   return MtbSend(s, id);
}

bool Mt4HistoryMatch(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   if(symbol != "" && OrderSymbol() != symbol) return false;
   if(MtbHas(s, id, "ticket")) return IntegerToString(OrderTicket()) == MtbParamString(s, id, "ticket", "");
   if(MtbHas(s, id, "position_id")) return IntegerToString(OrderTicket()) == MtbParamString(s, id, "position_id", "");
   long t = Mt4Utc(OrderCloseTime());
   return t >= MtbParamLong(s, id, "from", 0) && (!MtbHas(s, id, "to") || t <= MtbParamLong(s, id, "to", 0));
}

int Mt4History(const long s, const long id, const bool deals)
{
   int offset = (int)MtbParamLong(s, id, "offset", 0), limit = (int)MtbParamLong(s, id, "limit", 1000), seen = 0, row = 0;
   bool more = false;
   string key = deals ? "deals" : "orders";
   MtbSetEmptyArray(s, id, key);
   for(int i = 0; i < OrdersHistoryTotal() && !more; i++)
   {
      if(!OrderSelect(i, SELECT_BY_POS, MODE_HISTORY) || !Mt4HistoryMatch(s, id)) continue;
      int parts = deals && OrderType() <= OP_SELL ? 2 : 1;
      for(int part = 0; part < parts; part++)
      {
         if(seen++ < offset) continue;
         if(row >= limit) { more = true; break; }
         string p = key + "[" + IntegerToString(row++) + "].";
         if(deals) Mt4DealRow(s, id, p, parts == 1 || part == 1); else Mt4OrderRow(s, id, p, true);
      }
   }
   MtbSetBool(s, id, "has_more", more);
   return MtbSend(s, id);
}

int Mt4CalcMargin(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   double per_lot = MarketInfo(symbol, MODE_MARGINREQUIRED);
   if(per_lot <= 0) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "cannot compute margin for " + symbol);
   MtbSetDouble(s, id, "margin", per_lot * MtbParamDouble(s, id, "volume", 0));
   MtbSetString(s, id, "currency", AccountCurrency());
   return MtbSend(s, id);
}

int Mt4CalcProfit(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   double tick_size = MarketInfo(symbol, MODE_TICKSIZE), tick_value = MarketInfo(symbol, MODE_TICKVALUE);
   if(tick_size <= 0) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "cannot compute profit for " + symbol);
   double move = MtbParamDouble(s, id, "price_close", 0) - MtbParamDouble(s, id, "price_open", 0);
   if(MtbParamString(s, id, "side", "buy") == "sell") move = -move;
   MtbSetDouble(s, id, "profit", move / tick_size * tick_value * MtbParamDouble(s, id, "volume", 0));
   MtbSetString(s, id, "currency", AccountCurrency());
   return MtbSend(s, id);
}

// MT4 has no OrderCheck: free margin after the order is computed here, and the reply says it is emulated.
int Mt4CheckOrder(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   int type = Mt4TypeOf(MtbParamString(s, id, "type", "buy"));
   double volume = MtbParamDouble(s, id, "volume", 0);
   double free_after = AccountFreeMarginCheck(symbol, type % 2 == 0 ? OP_BUY : OP_SELL, volume);
   int error = GetLastError();
   bool ok = free_after > 0 && error == 0;
   double margin = AccountMargin() + MarketInfo(symbol, MODE_MARGINREQUIRED) * volume;
   MtbSetLong(s, id, "retcode", ok ? 0 : (error != 0 ? error : 134));
   MtbSetString(s, id, "retcode_name", ok ? "OK" : "ERR_NOT_ENOUGH_MONEY");
   MtbSetDouble(s, id, "balance", AccountBalance());
   MtbSetDouble(s, id, "equity", AccountEquity());
   MtbSetDouble(s, id, "profit", AccountProfit());
   MtbSetDouble(s, id, "margin", margin);
   MtbSetDouble(s, id, "free_margin", free_after);
   if(margin > 0) MtbSetDouble(s, id, "margin_level", AccountEquity() / margin * 100.0);
   MtbSetString(s, id, "comment", ok ? "order would pass" : "not enough money");
   MtbSetBool(s, id, "emulated", true);
   return MtbSend(s, id);
}

int Mt4TradeDone(const long s, const long id, const int ticket, const double volume, const double price)
{
   string client_id = MtbParamString(s, id, "client_id", "");
   if(client_id != "") MtbSetString(s, id, "client_id", client_id);
   MtbSetLong(s, id, "retcode", 0);
   MtbSetString(s, id, "retcode_name", "ERR_NO_ERROR");
   MtbSetString(s, id, "message", "done");
   MtbSetString(s, id, "order", IntegerToString(ticket));
   MtbSetString(s, id, "position_id", IntegerToString(ticket));
   MtbSetDouble(s, id, "volume", volume);
   MtbSetDouble(s, id, "price", price);
   MtbSetString(s, id, "comment", "");
   MtbSetString(s, id, "platform", "mt4");
   return MtbSend(s, id);
}

int Mt4Rejected(const long s, const long id)
{
   int error = GetLastError();
   return MtbError(s, id, MTB_ERR_TRADE_REJECTED, error, "MT4 error " + IntegerToString(error));
}

int Mt4PlaceOrder(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   string type_name = MtbParamString(s, id, "type", "buy");
   if(StringFind(type_name, "stop_limit") >= 0) return MtbUnsupported(s, id, "MT4 has no stop-limit orders");
   int type = Mt4TypeOf(type_name);
   double volume = MtbParamDouble(s, id, "volume", 0);
   double price = MtbParamDouble(s, id, "price", type == OP_BUY ? MarketInfo(symbol, MODE_ASK) : MarketInfo(symbol, MODE_BID));
   datetime expiration = MtbHas(s, id, "expiration") ? (datetime)(MtbParamLong(s, id, "expiration", 0) / 1000 + Mt4Offset()) : 0;
   int ticket = OrderSend(symbol, type, volume, price, (int)MtbParamLong(s, id, "deviation_points", 10),
                          MtbParamDouble(s, id, "sl", 0), MtbParamDouble(s, id, "tp", 0), MtbParamString(s, id, "comment", ""),
                          (int)MtbParamLong(s, id, "magic", 0), expiration);
   if(ticket < 0) return Mt4Rejected(s, id);
   double filled = OrderSelect(ticket, SELECT_BY_TICKET) ? OrderOpenPrice() : price;
   return Mt4TradeDone(s, id, ticket, volume, filled);
}

int Mt4ModifyPosition(const long s, const long id)
{
   if(!Mt4SelectOpen(s, id, "ticket", false)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no open position with that ticket");
   int ticket = OrderTicket();
   if(!OrderModify(ticket, OrderOpenPrice(), MtbParamDouble(s, id, "sl", OrderStopLoss()), MtbParamDouble(s, id, "tp", OrderTakeProfit()), 0))
      return Mt4Rejected(s, id);
   return Mt4TradeDone(s, id, ticket, OrderLots(), OrderOpenPrice());
}

int Mt4ClosePosition(const long s, const long id)
{
   if(!Mt4SelectOpen(s, id, "ticket", false)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no open position with that ticket");
   int ticket = OrderTicket();
   double volume = MtbParamDouble(s, id, "volume", OrderLots());
   double price = OrderType() == OP_BUY ? MarketInfo(OrderSymbol(), MODE_BID) : MarketInfo(OrderSymbol(), MODE_ASK);
   if(!OrderClose(ticket, volume, price, (int)MtbParamLong(s, id, "deviation_points", 10))) return Mt4Rejected(s, id);
   // A partial close leaves the rest under a new ticket whose comment names the old one ("from #ticket").
   for(int i = OrdersTotal() - 1; i >= 0 && volume < OrderLots(); i--)
      if(OrderSelect(i, SELECT_BY_POS, MODE_TRADES) && StringFind(OrderComment(), "#" + IntegerToString(ticket)) >= 0)
      { MtbSetString(s, id, "remaining_ticket", IntegerToString(OrderTicket())); break; }
   return Mt4TradeDone(s, id, ticket, volume, price);
}

int Mt4ClosePositionBy(const long s, const long id)
{
   if(!Mt4SelectOpen(s, id, "opposite_ticket", false) || !Mt4SelectOpen(s, id, "ticket", false))
      return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no open position with that ticket");
   int ticket = OrderTicket();
   double volume = OrderLots(), price = OrderOpenPrice();
   if(!OrderCloseBy(ticket, (int)StringToInteger(MtbParamString(s, id, "opposite_ticket", "0")))) return Mt4Rejected(s, id);
   return Mt4TradeDone(s, id, ticket, volume, price);
}

int Mt4ClosePositions(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   string side = MtbParamString(s, id, "side", "");
   bool by_magic = MtbHas(s, id, "magic");
   long magic = MtbParamLong(s, id, "magic", 0);
   string client_id = MtbParamString(s, id, "client_id", "");
   if(client_id != "") MtbSetString(s, id, "client_id", client_id);
   MtbSetEmptyArray(s, id, "outcomes");
   int row = 0;
   for(int i = OrdersTotal() - 1; i >= 0; i--)
   {
      if(!OrderSelect(i, SELECT_BY_POS, MODE_TRADES) || OrderType() > OP_SELL) continue;
      if(symbol != "" && OrderSymbol() != symbol) continue;
      if(by_magic && OrderMagicNumber() != magic) continue;
      if(side != "" && (OrderType() == OP_BUY ? "buy" : "sell") != side) continue;
      int ticket = OrderTicket();
      double volume = OrderLots();
      double price = OrderType() == OP_BUY ? MarketInfo(OrderSymbol(), MODE_BID) : MarketInfo(OrderSymbol(), MODE_ASK);
      string p = "outcomes[" + IntegerToString(row++) + "].";
      MtbSetString(s, id, p + "ticket", IntegerToString(ticket));
      if(OrderClose(ticket, volume, price, 10))
      {
         MtbSetLong(s, id, p + "result.retcode", 0);
         MtbSetString(s, id, p + "result.retcode_name", "ERR_NO_ERROR");
         MtbSetString(s, id, p + "result.message", "done");
         MtbSetString(s, id, p + "result.position_id", IntegerToString(ticket));
         MtbSetDouble(s, id, p + "result.volume", volume);
         MtbSetDouble(s, id, p + "result.price", price);
         MtbSetString(s, id, p + "result.comment", "");
         MtbSetString(s, id, p + "result.platform", "mt4");
      }
      else
      {
         int error = GetLastError();
         MtbSetLong(s, id, p + "error.code", MTB_ERR_TRADE_REJECTED);
         MtbSetString(s, id, p + "error.message", "MT4 error " + IntegerToString(error));
         MtbSetString(s, id, p + "error.data.kind", "trade_rejected");
         MtbSetBool(s, id, p + "error.data.retryable", false);
         MtbSetLong(s, id, p + "error.data.retcode", error);
      }
   }
   return MtbSend(s, id);
}

int Mt4ModifyOrder(const long s, const long id)
{
   if(MtbHas(s, id, "stop_limit_price")) return MtbUnsupported(s, id, "MT4 has no stop-limit orders");
   if(!Mt4SelectOpen(s, id, "ticket", true)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no pending order with that ticket");
   int ticket = OrderTicket();
   datetime expiration = MtbHas(s, id, "expiration") ? (datetime)(MtbParamLong(s, id, "expiration", 0) / 1000 + Mt4Offset()) : OrderExpiration();
   double price = MtbParamDouble(s, id, "price", OrderOpenPrice());
   if(!OrderModify(ticket, price, MtbParamDouble(s, id, "sl", OrderStopLoss()), MtbParamDouble(s, id, "tp", OrderTakeProfit()), expiration))
      return Mt4Rejected(s, id);
   return Mt4TradeDone(s, id, ticket, OrderLots(), price);
}

int Mt4CancelOrder(const long s, const long id)
{
   if(!Mt4SelectOpen(s, id, "ticket", true)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no pending order with that ticket");
   int ticket = OrderTicket();
   double volume = OrderLots(), price = OrderOpenPrice();
   if(!OrderDelete(ticket)) return Mt4Rejected(s, id);
   return Mt4TradeDone(s, id, ticket, volume, price);
}

// Answers one claimed request. Every method the gateway forwards has a branch; MT4 lacks some, and says so.
int Mt4Dispatch(const long s, const long id, const string m)
{
   if(m == MTB_METHOD_GET_TERMINAL_INFO) return Mt4TerminalInfo(s, id);
   if(m == MTB_METHOD_GET_HEALTH) return Mt4Health(s, id);
   if(m == MTB_METHOD_GET_SERVER_TIME) return Mt4ServerTime(s, id);
   if(m == MTB_METHOD_GET_ACCOUNT_INFO) return Mt4AccountInfo(s, id);
   if(m == MTB_METHOD_GET_SYMBOLS) return Mt4Symbols(s, id);
   if(m == MTB_METHOD_GET_SYMBOL_SPEC) return Mt4SymbolSpec(s, id);
   if(m == MTB_METHOD_SELECT_SYMBOL) return Mt4SelectSymbol(s, id);
   if(m == MTB_METHOD_GET_QUOTE) return Mt4Quote(s, id);
   if(m == MTB_METHOD_GET_QUOTES) return Mt4Quotes(s, id);
   if(m == MTB_METHOD_GET_CANDLES) return Mt4Candles(s, id);
   if(m == MTB_METHOD_GET_TICKS) return MtbUnsupported(s, id, "MT4 keeps no tick history");
   if(m == MTB_METHOD_GET_BOOK) return MtbUnsupported(s, id, "MT4 has no depth of market");
   if(m == MTB_METHOD_GET_POSITIONS) return Mt4Positions(s, id, false);
   if(m == MTB_METHOD_GET_POSITION) return Mt4Position(s, id);
   if(m == MTB_METHOD_GET_ORDERS) return Mt4Positions(s, id, true);
   if(m == MTB_METHOD_GET_ORDER) return Mt4Order(s, id);
   if(m == MTB_METHOD_GET_HISTORY_ORDERS) return Mt4History(s, id, false);
   if(m == MTB_METHOD_GET_HISTORY_DEALS) return Mt4History(s, id, true);
   if(m == MTB_METHOD_CALC_MARGIN) return Mt4CalcMargin(s, id);
   if(m == MTB_METHOD_CALC_PROFIT) return Mt4CalcProfit(s, id);
   if(m == MTB_METHOD_CHECK_ORDER) return Mt4CheckOrder(s, id);
   if(m == MTB_METHOD_PLACE_ORDER) return Mt4PlaceOrder(s, id);
   if(m == MTB_METHOD_MODIFY_POSITION) return Mt4ModifyPosition(s, id);
   if(m == MTB_METHOD_CLOSE_POSITION) return Mt4ClosePosition(s, id);
   if(m == MTB_METHOD_CLOSE_POSITION_BY) return Mt4ClosePositionBy(s, id);
   if(m == MTB_METHOD_CLOSE_POSITIONS) return Mt4ClosePositions(s, id);
   if(m == MTB_METHOD_MODIFY_ORDER) return Mt4ModifyOrder(s, id);
   if(m == MTB_METHOD_CANCEL_ORDER) return Mt4CancelOrder(s, id);
   return MtbUnsupported(s, id, "this EA does not know " + m);
}

// ---- Events: MT4 has no OnTradeTransaction, so open tickets are diffed on every timer event ----

void Mt4PublishTrades()
{
   int now[];
   int n = 0;
   for(int i = 0; i < OrdersTotal(); i++)
   {
      if(!OrderSelect(i, SELECT_BY_POS, MODE_TRADES)) continue;
      ArrayResize(now, n + 1);
      now[n++] = OrderTicket();
      bool known = false;
      for(int k = 0; k < ArraySize(g_known); k++) if(g_known[k] == OrderTicket()) { known = true; break; }
      if(known) continue;
      long id = MtbEventBegin(g_session, OrderType() > OP_SELL ? MTB_EVENT_ORDER_UPDATED : MTB_EVENT_POSITION_UPDATED);
      if(id == 0) continue;
      if(OrderType() > OP_SELL) Mt4OrderRow(g_session, id, "", false); else Mt4PositionRow(g_session, id, "");
      MtbEventSend(g_session, id);
   }
   for(int k = 0; k < ArraySize(g_known); k++)
   {
      bool still = false;
      for(int j = 0; j < n; j++) if(now[j] == g_known[k]) { still = true; break; }
      if(still || !OrderSelect(g_known[k], SELECT_BY_TICKET)) continue;
      bool pending = OrderType() > OP_SELL;
      long id = MtbEventBegin(g_session, pending ? MTB_EVENT_ORDER_COMPLETED : MTB_EVENT_POSITION_REMOVED);
      if(id == 0) continue;
      if(pending) Mt4OrderRow(g_session, id, "", true);
      else
      {
         MtbSetString(g_session, id, "ticket", IntegerToString(OrderTicket()));
         MtbSetString(g_session, id, "position_id", IntegerToString(OrderTicket()));
         MtbSetLong(g_session, id, "time", Mt4Utc(OrderCloseTime()));
      }
      MtbEventSend(g_session, id);
      if(!pending)
      {
         id = MtbEventBegin(g_session, MTB_EVENT_DEAL_ADDED);
         if(id != 0) { Mt4DealRow(g_session, id, "", true); MtbEventSend(g_session, id); }
      }
   }
   ArrayResize(g_known, n);
   for(int j = 0; j < n; j++) g_known[j] = now[j];
}

void OnTimer()
{
   if(g_session == 0) return;
   uint started = GetTickCount();
   do
   {
      int ready = mtb_wait(g_session, 5);
      if(ready < 0) { PrintFormat("metaapi bridge: mtb_wait %d: %s", ready, MtbLastError()); break; }
      if((ready & MTB_READY_LINK) != 0) Print("metaapi bridge: link state changed: ", MtbLastError());
      for(int i = 0; (ready & MTB_READY_REQUEST) != 0 && i < 64 && !IsStopped(); i++)
      {
         long id = 0;
         string m = MtbNextRequest(g_session, id);
         if(id == 0) break;
         Mt4Dispatch(g_session, id, m);
      }
      if((ready & MTB_READY_STOPPING) != 0) break;
   }
   while(!IsStopped() && GetTickCount() - started < (uint)BudgetMs);
   Mt4PublishTrades();
}

void OnTick()
{
   if(g_session == 0) return;
   long id = MtbEventBegin(g_session, MTB_EVENT_QUOTE);
   if(id != 0 && Mt4QuoteRow(g_session, id, "", _Symbol)) MtbEventSend(g_session, id);
}
