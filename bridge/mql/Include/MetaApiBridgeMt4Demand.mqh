// Serves the clients' demand (mtb_demand) on MT4: quotes and ticks of every subscribed symbol, not just the chart's
// (MT4 keeps no tick history, so each new quote is one tick); candle updates per subscribed timeframe with a closed
// flag; and account changes, throttled. MT4 has no depth of market, so book lines are not served. The EA calls
// Mt4DemandRead when mtb_wait sets MTB_READY_DEMAND and Mt4DemandServe on every timer event.
#ifndef METAAPI_BRIDGE_MT4_DEMAND_MQH
#define METAAPI_BRIDGE_MT4_DEMAND_MQH

// At most one account event per this many milliseconds: equity moves on every tick of an open order.
#define MT4_ACCOUNT_THROTTLE_MS 250

string g_demand_kinds[];
string g_demand_symbols[];
string g_demand_timeframes[];
// Per demand entry: the last quote published (time, bid, ask), or the bar last published (open time, close, volume).
long   g_demand_seen_time[];
double g_demand_seen_bid[];
double g_demand_seen_ask[];
long   g_demand_bar_volume[];
double g_account_last[4];
uint   g_account_sent_at = 0;
bool   g_account_wanted = false;

void Mt4DemandRead(const long s)
{
   int count = MtbDemand(s, g_demand_kinds, g_demand_symbols, g_demand_timeframes);
   if(count < 0) return;
   ArrayResize(g_demand_seen_time, count);
   ArrayResize(g_demand_seen_bid, count);
   ArrayResize(g_demand_seen_ask, count);
   ArrayResize(g_demand_bar_volume, count);
   g_account_wanted = false;
   for(int i = 0; i < count; i++)
   {
      g_demand_seen_time[i] = 0;
      g_demand_seen_bid[i] = 0;
      g_demand_seen_ask[i] = 0;
      g_demand_bar_volume[i] = -1;
      if(g_demand_kinds[i] == "account") g_account_wanted = true;
   }
}

void Mt4DemandQuote(const long s, const int i, const MqlTick &tick)
{
   long id = MtbEventBegin(s, MTB_EVENT_QUOTE);
   if(id != 0 && Mt4QuoteRow(s, id, "", g_demand_symbols[i])) MtbEventSend(s, id);
}

void Mt4DemandTick(const long s, const int i, const MqlTick &tick)
{
   long id = MtbEventBegin(s, MTB_EVENT_TICK);
   if(id == 0) return;
   MtbSetString(s, id, "symbol", g_demand_symbols[i]);
   MtbSetLong(s, id, "tick.time", Mt4Utc(tick.time));
   MtbSetDouble(s, id, "tick.bid", tick.bid);
   MtbSetDouble(s, id, "tick.ask", tick.ask);
   MtbSetDouble(s, id, "tick.last", tick.last);
   MtbSetDouble(s, id, "tick.volume", (double)tick.volume);
   // TICK_FLAG_BID | TICK_FLAG_ASK: an MT4 quote always carries both.
   MtbSetLong(s, id, "tick.flags", 6);
   MtbEventSend(s, id);
}

void Mt4DemandCandle(const long s, const int i, const MqlRates &bar, const bool closed)
{
   long id = MtbEventBegin(s, MTB_EVENT_CANDLE);
   if(id == 0) return;
   MtbSetString(s, id, "symbol", g_demand_symbols[i]);
   MtbSetString(s, id, "timeframe", g_demand_timeframes[i]);
   MtbSetLong(s, id, "candle.time", Mt4Utc(bar.time));
   MtbSetDouble(s, id, "candle.open", bar.open);
   MtbSetDouble(s, id, "candle.high", bar.high);
   MtbSetDouble(s, id, "candle.low", bar.low);
   MtbSetDouble(s, id, "candle.close", bar.close);
   MtbSetLong(s, id, "candle.tick_volume", bar.tick_volume);
   MtbSetLong(s, id, "candle.spread", bar.spread);
   MtbSetLong(s, id, "candle.real_volume", bar.real_volume);
   MtbSetBool(s, id, "closed", closed);
   MtbEventSend(s, id);
}

// The current bar of entry i when it changed; when a new bar opened, the one before it once more, closed.
void Mt4DemandCandles(const long s, const int i)
{
   int period = Mt4Timeframe(g_demand_timeframes[i]);
   if(period < 0) return;
   MqlRates rates[];
   int got = CopyRates(g_demand_symbols[i], (ENUM_TIMEFRAMES)period, 0, 2, rates);
   if(got <= 0) return;
   int current = got - 1;
   long opened = (long)rates[current].time;
   if(opened == g_demand_seen_time[i] && rates[current].close == g_demand_seen_bid[i]
      && (long)rates[current].tick_volume == g_demand_bar_volume[i]) return;
   if(g_demand_seen_time[i] != 0 && opened != g_demand_seen_time[i] && current > 0) Mt4DemandCandle(s, i, rates[current - 1], true);
   Mt4DemandCandle(s, i, rates[current], false);
   g_demand_seen_time[i] = opened;
   g_demand_seen_bid[i] = rates[current].close;
   g_demand_bar_volume[i] = (long)rates[current].tick_volume;
}

void Mt4DemandAccount(const long s)
{
   double now[4];
   now[0] = AccountBalance();
   now[1] = AccountEquity();
   now[2] = AccountMargin();
   now[3] = AccountFreeMargin();
   bool changed = false;
   for(int k = 0; k < 4; k++) if(now[k] != g_account_last[k]) changed = true;
   if(!changed || GetTickCount() - g_account_sent_at < MT4_ACCOUNT_THROTTLE_MS) return;
   for(int k = 0; k < 4; k++) g_account_last[k] = now[k];
   g_account_sent_at = GetTickCount();
   long id = MtbEventBegin(s, MTB_EVENT_ACCOUNT);
   if(id == 0) return;
   Mt4AccountRow(s, id);
   MtbEventSend(s, id);
}

// Publishes what changed for every demanded stream. Trades come from the timer's order scan; terminal status from
// the gateway.
void Mt4DemandServe(const long s)
{
   for(int i = 0; i < ArraySize(g_demand_kinds); i++)
   {
      string kind = g_demand_kinds[i];
      if(kind == "quotes" || kind == "ticks")
      {
         MqlTick tick;
         if(!SymbolInfoTick(g_demand_symbols[i], tick)) continue;
         if((long)tick.time == g_demand_seen_time[i] && tick.bid == g_demand_seen_bid[i] && tick.ask == g_demand_seen_ask[i]) continue;
         g_demand_seen_time[i] = (long)tick.time;
         g_demand_seen_bid[i] = tick.bid;
         g_demand_seen_ask[i] = tick.ask;
         if(kind == "quotes") Mt4DemandQuote(s, i, tick);
         else Mt4DemandTick(s, i, tick);
      }
      else if(kind == "candles") Mt4DemandCandles(s, i);
   }
   if(g_account_wanted) Mt4DemandAccount(s);
}

#endif // METAAPI_BRIDGE_MT4_DEMAND_MQH
