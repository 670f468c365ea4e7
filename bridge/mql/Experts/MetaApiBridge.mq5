// MetaAPI bridge EA for MetaTrader 5: links this terminal to the local gateway through metaapi_bridge.dll,
// answers the gateway's requests in serving slices chained through custom chart events (blocking only in short
// bounded mtb_wait calls; MetaApiBridgeChain.mqh), serves the clients' demand (quotes, ticks, candles and the book of
// every subscribed symbol, account changes) from OnTimer and publishes trade events. Attach to one chart; allow DLL
// imports; paste the auth token from the console.
#property description "Links this terminal to the MetaAPI local gateway"

#include <MetaApiBridgeMt5.mqh>
#include <MetaApiBridgeChain.mqh>

input string AuthToken  = "";                                   // Auth token from the console (mat_...)
input string GatewayUrl = "ws://127.0.0.1:6000/terminal";       // Gateway terminal endpoint (loopback only)
input int    TimerMs    = 10;                                   // Timer period: demand, status, restarting the chain
input int    BudgetMs   = 30;                                   // Most time per serving slice spent waiting for requests

long g_session = 0;

int OnInit()
{
   if(!MQLInfoInteger(MQL_DLLS_ALLOWED)) { Print("metaapi bridge: enable 'Allow DLL imports' for this EA"); return INIT_FAILED; }
   if(MQLInfoInteger(MQL_TESTER)) { Print("metaapi bridge: not available in the strategy tester"); return INIT_FAILED; }
   if(!MtbAbiOk()) return INIT_FAILED;
   if(StringLen(AuthToken) == 0) { Print("metaapi bridge: paste the auth token into the AuthToken input"); return INIT_PARAMETERS_INCORRECT; }
   g_session = MtbStart(Mt5StartConfig(GatewayUrl, AuthToken));
   if(g_session == 0) return INIT_FAILED;
   EventSetMillisecondTimer(TimerMs);
   MtbChainPost(g_session);
   return INIT_SUCCEEDED;
}

void OnDeinit(const int reason)
{
   EventKillTimer();
   Mt5DemandRelease();
   // Stops the link and, with the last session, the DLL's I/O thread, before the terminal may unload the DLL.
   if(g_session != 0) mtb_stop(g_session);
   g_session = 0;
}

// Serves what the bridge has ready, waiting in mtb_wait for up to budget_ms (0: only what is ready now).
void Serve(const int budget_ms)
{
   uint started = GetTickCount();
   do
   {
      int ready = mtb_wait(g_session, budget_ms > 0 ? 5 : 0);
      if(ready < 0) { PrintFormat("metaapi bridge: mtb_wait %d: %s", ready, MtbLastError()); break; }
      if((ready & MTB_READY_LINK) != 0) { Print("metaapi bridge: link state changed: ", MtbLastError()); Mt5PublishTerminalStatus(g_session, true); }
      if((ready & MTB_READY_DEMAND) != 0) Mt5DemandRead(g_session);
      if((ready & MTB_READY_STOPPING) != 0) break;
      // The terminal delivers a trade's transactions once this handler returns: the slice ends after a trading
      // call, so they are published now and the next slice (posted after them) serves what came meanwhile. Waiting
      // out the budget instead held every transaction of the slice back and then published them all in one burst,
      // which the requests that arrived during it waited for.
      if((ready & MTB_READY_REQUEST) != 0 && Mt5Drain(g_session, 64) > 0) break;
   }
   while(!IsStopped() && GetTickCount() - started < (uint)budget_ms);
}

void OnTimer()
{
   if(g_session == 0) return;
   // The chain's slices wait for requests; the timer only serves what is ready and does the periodic work.
   Serve(0);
   Mt5PublishTerminalStatus(g_session, false);
   Mt5DemandServe(g_session);
   MtbChainTimer(g_session);
}

void OnChartEvent(const int id, const long &lparam, const double &dparam, const string &sparam)
{
   if(!MtbChainTake(g_session, id, lparam)) return;
   Serve(BudgetMs);
   // Posted last, so what arrived during this slice is handled before the next one.
   MtbChainPost(g_session);
}

void OnTick()
{
   // Before the gateway states a demand, the chart symbol's quotes are all this EA publishes.
   if(g_session != 0 && ArraySize(g_demand_kinds) == 0) Mt5PublishQuote(g_session, _Symbol);
}

void OnBookEvent(const string &symbol)
{
   if(g_session != 0) Mt5DemandBook(g_session, symbol);
}

void OnTradeTransaction(const MqlTradeTransaction &trans, const MqlTradeRequest &request, const MqlTradeResult &result)
{
   if(g_session != 0) Mt5PublishTransaction(g_session, trans);
}
