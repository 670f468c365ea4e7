// Serves the clients' demand (mtb_demand) on MT5: quotes and ticks of every subscribed symbol, not just the chart's;
// candle updates per subscribed timeframe with a closed flag; the book between MarketBookAdd and MarketBookRelease;
// and account changes, throttled. The EA calls Mt5DemandRead when mtb_wait sets MTB_READY_DEMAND and Mt5DemandServe
// on every timer event.
#ifndef METAAPI_BRIDGE_MT5_DEMAND_MQH
#define METAAPI_BRIDGE_MT5_DEMAND_MQH

// At most one account event per this many milliseconds: equity moves on every tick of an open position.
#define MT5_ACCOUNT_THROTTLE_MS 250

string g_demand_kinds[];
string g_demand_symbols[];
string g_demand_timeframes[];
// Per demand entry: the newest tick time (ms, server clock) already published, or the open time of the bar last
// published with its close and tick volume, so only changes are sent.
long   g_demand_last_msc[];
long   g_demand_bar_time[];
double g_demand_bar_close[];
long   g_demand_bar_volume[];
// Symbols whose book this program holds with MarketBookAdd.
string g_demand_books[];
double g_account_last[4];
uint   g_account_sent_at = 0;
bool   g_account_wanted = false;

bool Mt5DemandHasBook(const string symbol)
{
   for(int i = 0; i < ArraySize(g_demand_kinds); i++)
      if(g_demand_kinds[i] == "book" && g_demand_symbols[i] == symbol) return true;
   return false;
}

bool Mt5DemandHeldBook(const string symbol)
{
   for(int i = 0; i < ArraySize(g_demand_books); i++)
      if(g_demand_books[i] == symbol) return true;
   return false;
}

// Reads the demand again; releases the books no longer wanted and adds the new ones.
void Mt5DemandRead(const long s)
{
   int count = MtbDemand(s, g_demand_kinds, g_demand_symbols, g_demand_timeframes);
   if(count < 0) return;
   ArrayResize(g_demand_last_msc, count);
   ArrayResize(g_demand_bar_time, count);
   ArrayResize(g_demand_bar_close, count);
   ArrayResize(g_demand_bar_volume, count);
   g_account_wanted = false;
   for(int i = 0; i < count; i++)
   {
      // A new entry starts from now: clients want what happens next, not history.
      MqlTick tick;
      g_demand_last_msc[i] = SymbolInfoTick(g_demand_symbols[i], tick) ? (long)tick.time_msc : 0;
      g_demand_bar_time[i] = 0;
      g_demand_bar_close[i] = 0;
      g_demand_bar_volume[i] = -1;
      if(g_demand_kinds[i] == "account") g_account_wanted = true;
      if(g_demand_kinds[i] == "quotes" || g_demand_kinds[i] == "ticks") Mt5PublishQuote(s, g_demand_symbols[i]);
   }
   string kept[];
   for(int i = 0; i < ArraySize(g_demand_books); i++)
   {
      if(Mt5DemandHasBook(g_demand_books[i]))
      {
         int n = ArraySize(kept); ArrayResize(kept, n + 1); kept[n] = g_demand_books[i];
      }
      else if(!MarketBookRelease(g_demand_books[i]))
         PrintFormat("metaapi bridge: MarketBookRelease(%s) failed: %d", g_demand_books[i], GetLastError());
   }
   for(int i = 0; i < count; i++)
   {
      if(g_demand_kinds[i] != "book" || Mt5DemandHeldBook(g_demand_symbols[i])) continue;
      bool held = false;
      for(int k = 0; k < ArraySize(kept); k++) if(kept[k] == g_demand_symbols[i]) held = true;
      if(held) continue;
      if(MarketBookAdd(g_demand_symbols[i]))
      {
         int n = ArraySize(kept); ArrayResize(kept, n + 1); kept[n] = g_demand_symbols[i];
      }
      else PrintFormat("metaapi bridge: MarketBookAdd(%s) failed: %d", g_demand_symbols[i], GetLastError());
   }
   ArrayResize(g_demand_books, ArraySize(kept));
   for(int i = 0; i < ArraySize(kept); i++) g_demand_books[i] = kept[i];
}

// Releases every book this program holds (OnDeinit).
void Mt5DemandRelease()
{
   for(int i = 0; i < ArraySize(g_demand_books); i++) MarketBookRelease(g_demand_books[i]);
   ArrayResize(g_demand_books, 0);
}

// Every tick of entry i's symbol since the last one published, in order.
void Mt5DemandTicks(const long s, const int i)
{
   MqlTick ticks[];
   int got = CopyTicks(g_demand_symbols[i], ticks, COPY_TICKS_ALL, (ulong)(g_demand_last_msc[i] + 1), 1000);
   if(got <= 0) return;
   for(int k = 0; k < got; k++)
   {
      long id = MtbEventBegin(s, MTB_EVENT_TICK);
      if(id == 0) return;
      MtbSetString(s, id, "symbol", g_demand_symbols[i]);
      MtbSetLong(s, id, "tick.time", Mt5UtcMsOfMsc((long)ticks[k].time_msc));
      MtbSetDouble(s, id, "tick.bid", ticks[k].bid);
      MtbSetDouble(s, id, "tick.ask", ticks[k].ask);
      MtbSetDouble(s, id, "tick.last", ticks[k].last);
      MtbSetDouble(s, id, "tick.volume", ticks[k].volume_real);
      MtbSetLong(s, id, "tick.flags", ticks[k].flags);
      MtbEventSend(s, id);
   }
   g_demand_last_msc[i] = (long)ticks[got - 1].time_msc;
}

void Mt5DemandCandle(const long s, const int i, const MqlRates &bar, const bool closed)
{
   long id = MtbEventBegin(s, MTB_EVENT_CANDLE);
   if(id == 0) return;
   MtbSetString(s, id, "symbol", g_demand_symbols[i]);
   MtbSetString(s, id, "timeframe", g_demand_timeframes[i]);
   MtbSetLong(s, id, "candle.time", MtbUtcMs(bar.time));
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
void Mt5DemandCandles(const long s, const int i)
{
   MqlRates rates[];
   int got = CopyRates(g_demand_symbols[i], Mt5Timeframe(g_demand_timeframes[i]), 0, 2, rates);
   if(got <= 0) return;
   int current = got - 1;
   long opened = (long)rates[current].time;
   if(opened == g_demand_bar_time[i] && rates[current].close == g_demand_bar_close[i]
      && (long)rates[current].tick_volume == g_demand_bar_volume[i]) return;
   if(g_demand_bar_time[i] != 0 && opened != g_demand_bar_time[i] && current > 0) Mt5DemandCandle(s, i, rates[current - 1], true);
   Mt5DemandCandle(s, i, rates[current], false);
   g_demand_bar_time[i] = opened;
   g_demand_bar_close[i] = rates[current].close;
   g_demand_bar_volume[i] = (long)rates[current].tick_volume;
}

// An account event when balance, equity, margin or free margin changed, at most every MT5_ACCOUNT_THROTTLE_MS.
void Mt5DemandAccount(const long s)
{
   double now[4];
   now[0] = AccountInfoDouble(ACCOUNT_BALANCE);
   now[1] = AccountInfoDouble(ACCOUNT_EQUITY);
   now[2] = AccountInfoDouble(ACCOUNT_MARGIN);
   now[3] = AccountInfoDouble(ACCOUNT_MARGIN_FREE);
   bool changed = false;
   for(int k = 0; k < 4; k++) if(now[k] != g_account_last[k]) changed = true;
   if(!changed || GetTickCount() - g_account_sent_at < MT5_ACCOUNT_THROTTLE_MS) return;
   for(int k = 0; k < 4; k++) g_account_last[k] = now[k];
   g_account_sent_at = GetTickCount();
   Mt5PublishAccount(s);
}

// Publishes what changed for every demanded stream. Trades come from OnTradeTransaction; terminal status from the
// gateway.
void Mt5DemandServe(const long s)
{
   for(int i = 0; i < ArraySize(g_demand_kinds); i++)
   {
      string kind = g_demand_kinds[i];
      if(kind == "quotes")
      {
         MqlTick tick;
         if(!SymbolInfoTick(g_demand_symbols[i], tick) || (long)tick.time_msc == g_demand_last_msc[i]) continue;
         g_demand_last_msc[i] = (long)tick.time_msc;
         Mt5PublishQuote(s, g_demand_symbols[i]);
      }
      else if(kind == "ticks") Mt5DemandTicks(s, i);
      else if(kind == "candles") Mt5DemandCandles(s, i);
   }
   if(g_account_wanted) Mt5DemandAccount(s);
}

// OnBookEvent: the book of a symbol this program holds.
void Mt5DemandBook(const long s, const string symbol)
{
   if(!Mt5DemandHeldBook(symbol)) return;
   MqlBookInfo book[];
   if(!MarketBookGet(symbol, book)) return;
   long id = MtbEventBegin(s, MTB_EVENT_BOOK);
   if(id == 0) return;
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
   MtbEventSend(s, id);
}

#endif // METAAPI_BRIDGE_MT5_DEMAND_MQH
