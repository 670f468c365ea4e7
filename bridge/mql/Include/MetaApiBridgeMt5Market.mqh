// MQL5 market data queries of the MetaAPI bridge: symbols, symbol specs, Market Watch selection, quotes, candles,
// ticks and depth of market.
#ifndef METAAPI_BRIDGE_MT5_MARKET_MQH
#define METAAPI_BRIDGE_MT5_MARKET_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt5Rows.mqh>
#include <MetaApiBridgeGroup.mqh>

int Mt5Symbols(const long s, const long id)
{
   bool selected_only = MtbParamBool(s, id, "selected_only", false);
   string group = MtbParamString(s, id, "group", "");
   int total = SymbolsTotal(selected_only), row = 0, seen = 0;
   int offset = (int)MtbParamLong(s, id, "offset", 0), limit = (int)MtbParamLong(s, id, "limit", 10000);
   bool more = false;
   MtbSetEmptyArray(s, id, "symbols");
   for(int i = 0; i < total; i++)
   {
      string name = SymbolName(i, selected_only);
      string path = SymbolInfoString(name, SYMBOL_PATH);
      if(group != "" && !MtbGroupMatch(name, group)) continue;
      if(seen++ < offset) continue;
      if(row >= limit) { more = true; break; }
      string p = "symbols[" + IntegerToString(row++) + "].";
      MtbSetString(s, id, p + "name", name);
      MtbSetString(s, id, p + "description", SymbolInfoString(name, SYMBOL_DESCRIPTION));
      MtbSetString(s, id, p + "path", path);
      MtbSetLong(s, id, p + "digits", SymbolInfoInteger(name, SYMBOL_DIGITS));
      MtbSetBool(s, id, p + "selected", SymbolInfoInteger(name, SYMBOL_SELECT) != 0);
   }
   MtbSetBool(s, id, "has_more", more);
   if(more) MtbSetLong(s, id, "next_offset", offset + row);
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
   MqlRates rates[];
   int got;
   int count = (int)MtbParamLong(s, id, "count", 0);
   // A range without count is bounded too: at most 10000 candles, and next_from says where the rest starts.
   int limit = count > 0 ? count : 10000;
   bool ranged = MtbHas(s, id, "from");
   if(MtbHas(s, id, "from") && MtbHas(s, id, "to"))
      got = CopyRates(symbol, Mt5Timeframe(tf), Mt5ServerTimeOf(MtbParamLong(s, id, "from", 0)), Mt5ServerTimeOf(MtbParamLong(s, id, "to", 0)), rates);
   else if(MtbHas(s, id, "from"))
      got = CopyRates(symbol, Mt5Timeframe(tf), Mt5ServerTimeOf(MtbParamLong(s, id, "from", 0)), TimeTradeServer(), rates);
   else
      got = CopyRates(symbol, Mt5Timeframe(tf), 0, count, rates);
   if(got < 0) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no candles for " + symbol);
   int first = 0, n = MathMin(got, limit);
   bool more = got > n;
   // With count alone, has_more says whether older candles exist.
   if(!ranged) more = SeriesInfoInteger(symbol, Mt5Timeframe(tf), SERIES_BARS_COUNT) > got;
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
   if(more && ranged) MtbSetLong(s, id, "next_from", MtbUtcMs(rates[first + n].time));
   return MtbSend(s, id);
}

int Mt5Ticks(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   string kind = MtbParamString(s, id, "kind", "all");
   uint flags = kind == "info" ? COPY_TICKS_INFO : (kind == "trade" ? COPY_TICKS_TRADE : COPY_TICKS_ALL);
   ulong from = (ulong)Mt5ServerMsOf(MtbParamLong(s, id, "from", 0));
   int count = (int)MtbParamLong(s, id, "count", 10000);
   MqlTick ticks[];
   int got = MtbHas(s, id, "to") ? CopyTicksRange(symbol, ticks, flags, from, (ulong)Mt5ServerMsOf(MtbParamLong(s, id, "to", 0)))
                                 : CopyTicks(symbol, ticks, flags, from, count + 1);
   if(got < 0) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no ticks for " + symbol);
   int n = MathMin(got, count);
   bool more = got > n;
   if(more)
   {
      // A page never ends inside a millisecond: that millisecond's ticks go to the next page whole, or, when that
      // would leave this page empty, all of them are returned here.
      long boundary = (long)ticks[n].time_msc;
      long next = boundary;
      int end = n;
      while(end > 0 && (long)ticks[end - 1].time_msc == boundary) end--;
      if(end == 0)
      {
         got = CopyTicksRange(symbol, ticks, flags, (ulong)boundary, (ulong)boundary);
         end = MathMax(got, 0);
         MqlTick after[];
         more = CopyTicks(symbol, after, flags, (ulong)(boundary + 1), 1) > 0;
         if(more) next = (long)after[0].time_msc;
         if(more && MtbHas(s, id, "to")) more = next <= Mt5ServerMsOf(MtbParamLong(s, id, "to", 0));
      }
      if(more) MtbSetLong(s, id, "next_from", Mt5UtcMsOfMsc(next));
      n = end;
   }
   MtbSetString(s, id, "symbol", symbol);
   MtbSetEmptyArray(s, id, "ticks");
   for(int i = 0; i < n; i++)
   {
      string p = "ticks[" + IntegerToString(i) + "].";
      MtbSetLong(s, id, p + "time", Mt5UtcMsOfMsc(ticks[i].time_msc));
      MtbSetDouble(s, id, p + "bid", ticks[i].bid);
      MtbSetDouble(s, id, p + "ask", ticks[i].ask);
      MtbSetDouble(s, id, p + "last", ticks[i].last);
      MtbSetDouble(s, id, p + "volume", ticks[i].volume_real);
      MtbSetLong(s, id, p + "flags", ticks[i].flags);
   }
   MtbSetBool(s, id, "has_more", more);
   return MtbSend(s, id);
}

int Mt5Book(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   MqlBookInfo book[];
   // A book a subscriber holds reads at once. Otherwise it is added for this read only and given back, so
   // get_book never adds a book twice nor leaves one held that nobody wants.
   if(!MarketBookGet(symbol, book))
   {
      if(!MarketBookAdd(symbol)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no book for " + symbol);
      bool read = MarketBookGet(symbol, book);
      if(!MarketBookRelease(symbol)) PrintFormat("metaapi bridge: MarketBookRelease(%s) failed: %d", symbol, GetLastError());
      if(!read) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no book for " + symbol);
   }
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

#endif // METAAPI_BRIDGE_MT5_MARKET_MQH
