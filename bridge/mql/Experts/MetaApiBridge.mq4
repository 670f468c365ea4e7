// MetaAPI bridge EA for MetaTrader 4: links this terminal to the local gateway through metaapi_bridge.dll (the
// 32-bit build). MT4 has one order pool: an open market order is a position (position_id = ticket), a pending
// order is an order. Tick history and depth of market do not exist on MT4 and are answered `unsupported`.
// Requests are answered in serving slices chained through custom chart events (MetaApiBridgeChain.mqh); the timer
// serves the clients' demand, publishes trade events and restarts the chain if its event was lost.
#property strict
#property description "Links this terminal to the MetaAPI local gateway"

#include <MetaApiBridgeMt4.mqh>
#include <MetaApiBridgeMt4Events.mqh>
#include <MetaApiBridgeMt4Demand.mqh>
#include <MetaApiBridgeChain.mqh>

input string AuthToken  = "";                                   // Auth token from the console (mat_...)
input string GatewayUrl = "ws://127.0.0.1:6000/terminal";       // Gateway terminal endpoint (loopback only)
input int    TimerMs    = 10;                                   // Timer period: demand, trades, restarting the chain
input int    BudgetMs   = 30;                                   // Most time per serving slice spent waiting

long g_session = 0;

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
   Mt4ScanTrades(g_session, false);
   EventSetMillisecondTimer(TimerMs);
   MtbChainPost(g_session);
   return INIT_SUCCEEDED;
}

void OnDeinit(const int reason)
{
   EventKillTimer();
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
      if((ready & MTB_READY_LINK) != 0) { Print("metaapi bridge: link state changed: ", MtbLastError()); Mt4PublishTerminalStatus(g_session, true); }
      if((ready & MTB_READY_DEMAND) != 0) Mt4DemandRead(g_session);
      int trading = 0;
      for(int i = 0; (ready & MTB_READY_REQUEST) != 0 && i < 64 && !IsStopped(); i++)
      {
         long id = 0;
         string m = MtbNextRequest(g_session, id);
         if(id == 0) break;
         if(MtbIsTradingMethod(m)) trading++;
         Mt4Dispatch(g_session, id, m);
      }
      // MQL4 has no trade events: the order scan finds what a trade changed. Scanning now publishes a trade's events
      // right after its answer instead of at the first timer event after this slice.
      if(trading > 0) Mt4PublishTrades(g_session);
      if((ready & MTB_READY_STOPPING) != 0) break;
   }
   while(!IsStopped() && GetTickCount() - started < (uint)budget_ms);
}

void OnTimer()
{
   if(g_session == 0) return;
   // The chain's slices wait for requests; the timer only serves what is ready and does the periodic work.
   Serve(0);
   Mt4PublishTerminalStatus(g_session, false);
   Mt4PublishTrades(g_session);
   Mt4DemandServe(g_session);
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
   if(g_session == 0) return;
   Mt4PublishQuote(g_session, _Symbol);
}
