// MetaAPI bridge Service for MetaTrader 5: the lowest-latency loop. A service gets no events, so it blocks in
// mtb_wait (returns within microseconds of a request, at most 100 ms here so IsStopped is checked often) and
// polls Market Watch quotes itself. Trade events need the EA (services get no OnTradeTransaction).
#property service
#property description "Links this terminal to the MetaAPI local gateway (service loop)"

#include <MetaApiBridgeMt5.mqh>

input string AuthToken  = "";                                   // Auth token from the console (mat_...)
input string GatewayUrl = "ws://127.0.0.1:6000/terminal";       // Gateway terminal endpoint (loopback only)

void OnStart()
{
   if(!MQLInfoInteger(MQL_DLLS_ALLOWED)) { Print("metaapi bridge: enable 'Allow DLL imports' for this service"); return; }
   if(!MtbAbiOk()) return;
   if(StringLen(AuthToken) == 0) { Print("metaapi bridge: paste the auth token into the AuthToken input"); return; }
   long session = MtbStart(Mt5StartConfig(GatewayUrl, AuthToken));
   if(session == 0) return;
   long last_msc[];
   while(!IsStopped())
   {
      int ready = mtb_wait(session, 100);
      if(ready < 0) { PrintFormat("metaapi bridge: mtb_wait %d: %s", ready, MtbLastError()); Sleep(100); continue; }
      if((ready & MTB_READY_STOPPING) != 0) break;
      if((ready & MTB_READY_LINK) != 0) { Print("metaapi bridge: link state changed: ", MtbLastError()); Mt5PublishTerminalStatus(session, true); }
      if((ready & MTB_READY_REQUEST) != 0) Mt5Drain(session, 64);
      Mt5PublishTerminalStatus(session, false);
      Mt5PollQuotes(session, last_msc);
   }
   mtb_stop(session);
}
