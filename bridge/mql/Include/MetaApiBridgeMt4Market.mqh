// MQL4 market data queries of the MetaAPI bridge: symbols, symbol specs, Market Watch selection, quotes and
// candles (MT4 keeps no tick history and has no depth of market).
#ifndef METAAPI_BRIDGE_MT4_MARKET_MQH
#define METAAPI_BRIDGE_MT4_MARKET_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt4Rows.mqh>
#include <MetaApiBridgeGroup.mqh>

int Mt4Symbols(const long s, const long id)
{
   bool selected_only = MtbParamBool(s, id, "selected_only", false);
   string group = MtbParamString(s, id, "group", "");
   int offset = (int)MtbParamLong(s, id, "offset", 0), limit = (int)MtbParamLong(s, id, "limit", 10000), seen = 0, row = 0;
   bool more = false;
   MtbSetEmptyArray(s, id, "symbols");
   for(int i = 0; i < SymbolsTotal(selected_only); i++)
   {
      string name = SymbolName(i, selected_only);
      if(group != "" && !MtbGroupMatch(name, group)) continue;
      if(seen++ < offset) continue;
      if(row >= limit) { more = true; break; }
      string p = "symbols[" + IntegerToString(row++) + "].";
      MtbSetString(s, id, p + "name", name);
      MtbSetString(s, id, p + "description", SymbolInfoString(name, SYMBOL_DESCRIPTION));
      MtbSetString(s, id, p + "path", SymbolInfoString(name, SYMBOL_PATH));
      MtbSetLong(s, id, p + "digits", SymbolInfoInteger(name, SYMBOL_DIGITS));
      MtbSetBool(s, id, p + "selected", SymbolInfoInteger(name, SYMBOL_SELECT) != 0);
   }
   MtbSetBool(s, id, "has_more", more);
   if(more) MtbSetLong(s, id, "next_offset", offset + row);
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
      datetime from = Mt4ServerTimeOf(MtbParamLong(s, id, "from", 0));
      datetime to = MtbHas(s, id, "to") ? Mt4ServerTimeOf(MtbParamLong(s, id, "to", 0)) : TimeCurrent();
      got = CopyRates(symbol, (ENUM_TIMEFRAMES)period, from, to, rates);
   }
   else got = CopyRates(symbol, (ENUM_TIMEFRAMES)period, 0, count, rates);
   if(got < 0) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no candles for " + symbol);
   // A range without count is bounded too: at most 10000 candles, and next_from says where the rest starts.
   int limit = count > 0 ? count : 10000;
   int n = MathMin(got, limit);
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
   if(got > n && MtbHas(s, id, "from")) MtbSetLong(s, id, "next_from", Mt4Utc(rates[n].time));
   return MtbSend(s, id);
}

#endif // METAAPI_BRIDGE_MT4_MARKET_MQH
