// MQL4 trade events of the MetaAPI bridge. MT4 has no OnTradeTransaction, so every timer event compares the open
// orders with what the last scan saw: a new ticket, a pending order that filled (same ticket, now a market type), a
// change of volume, price, SL, TP or expiration, and a ticket that left (closed, partly closed: the rest reopens
// under a new ticket, canceled or expired) each become the notifications MT5 would send.
#ifndef METAAPI_BRIDGE_MT4_EVENTS_MQH
#define METAAPI_BRIDGE_MT4_EVENTS_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt4Rows.mqh>

// The quote is read before the event is opened: an event opened and never sent would hold one of the bridge's slots,
// which events share with requests, for good.
void Mt4PublishQuote(const long s, const string symbol)
{
   MqlTick tick;
   if(!SymbolInfoTick(symbol, tick)) return;
   long id = MtbEventBegin(s, MTB_EVENT_QUOTE);
   if(id == 0) return;
   Mt4QuoteRow(s, id, "", symbol);
   MtbEventSend(s, id);
}

// What the last scan saw of each open ticket, index for index.
int      g_known[];
int      g_known_type[];
double   g_known_lots[];
double   g_known_price[];
double   g_known_sl[];
double   g_known_tp[];
datetime g_known_expiration[];

void Mt4Remember(const int k)
{
   g_known[k] = OrderTicket();
   g_known_type[k] = OrderType();
   g_known_lots[k] = OrderLots();
   g_known_price[k] = OrderOpenPrice();
   g_known_sl[k] = OrderStopLoss();
   g_known_tp[k] = OrderTakeProfit();
   g_known_expiration[k] = OrderExpiration();
}

// Publishes the selected order as `position_updated` (market) or `order_updated` (pending).
void Mt4PublishOpen(const long s)
{
   bool pending = OrderType() > OP_SELL;
   long id = MtbEventBegin(s, pending ? MTB_EVENT_ORDER_UPDATED : MTB_EVENT_POSITION_UPDATED);
   if(id == 0) return;
   if(pending) Mt4OrderRow(s, id, "", false); else Mt4PositionRow(s, id, "");
   MtbEventSend(s, id);
}

// The selected order was pending as `pending_type` at the last scan and is a market order now: the pending order
// completed filled, a deal opened the position, and the position exists.
void Mt4PublishFill(const long s, const int pending_type)
{
   long id = MtbEventBegin(s, MTB_EVENT_ORDER_COMPLETED);
   if(id != 0)
   {
      Mt4OrderRow(s, id, "", false);
      MtbSetString(s, id, "type", Mt4Type(pending_type));
      MtbSetString(s, id, "state", "filled");
      MtbSetDouble(s, id, "volume_current", 0.0);
      MtbSetLong(s, id, "time_done", Mt4Utc(OrderOpenTime()));
      MtbEventSend(s, id);
   }
   id = MtbEventBegin(s, MTB_EVENT_DEAL_ADDED);
   if(id != 0) { Mt4DealRow(s, id, "", false); MtbEventSend(s, id); }
   Mt4PublishOpen(s);
}

// The ticket at g_known[k] is no longer open: report how it left, from its history record.
void Mt4PublishGone(const long s, const int k)
{
   if(!OrderSelect(g_known[k], SELECT_BY_TICKET)) return;
   bool pending = OrderType() > OP_SELL;
   long id = MtbEventBegin(s, pending ? MTB_EVENT_ORDER_COMPLETED : MTB_EVENT_POSITION_REMOVED);
   if(id == 0) return;
   if(pending) Mt4OrderRow(s, id, "", true);
   else
   {
      MtbSetString(s, id, "ticket", IntegerToString(OrderTicket()));
      MtbSetString(s, id, "position_id", IntegerToString(OrderTicket()));
      MtbSetLong(s, id, "time", Mt4Utc(OrderCloseTime()));
   }
   MtbEventSend(s, id);
   if(pending) return;
   // The history record holds the closed volume (all of it, or the part a partial close took).
   id = MtbEventBegin(s, MTB_EVENT_DEAL_ADDED);
   if(id != 0) { Mt4DealRow(s, id, "", true); MtbEventSend(s, id); }
}

// Compares the open orders with the last scan and, when `publish`, reports every difference. OnInit takes the
// first scan without publishing, before the first request is served: what is open then was opened before the EA
// started, and anything that appears later, even through a request served before the first timer event, is new.
void Mt4ScanTrades(const long s, const bool publish)
{
   int total = OrdersTotal(), n = 0;
   int now[];
   ArrayResize(now, total);
   for(int i = 0; i < total; i++)
   {
      if(!OrderSelect(i, SELECT_BY_POS, MODE_TRADES)) continue;
      now[n++] = OrderTicket();
      if(!publish) continue;
      int k = -1;
      for(int j = 0; j < ArraySize(g_known); j++) if(g_known[j] == OrderTicket()) { k = j; break; }
      if(k < 0)
      {
         // A new market ticket is a new position, whose opening deal comes first as MT5 reports it; the rest of a
         // partial close ("from #ticket") is no new deal.
         bool opened = OrderType() <= OP_SELL && StringFind(OrderComment(), "from #") != 0;
         long deal = opened ? MtbEventBegin(s, MTB_EVENT_DEAL_ADDED) : 0;
         if(deal != 0) { Mt4DealRow(s, deal, "", false); MtbEventSend(s, deal); }
         Mt4PublishOpen(s);
         continue;
      }
      if(g_known_type[k] > OP_SELL && OrderType() <= OP_SELL) { Mt4PublishFill(s, g_known_type[k]); continue; }
      if(g_known_lots[k] != OrderLots() || g_known_price[k] != OrderOpenPrice() || g_known_sl[k] != OrderStopLoss()
         || g_known_tp[k] != OrderTakeProfit() || g_known_expiration[k] != OrderExpiration())
         Mt4PublishOpen(s);
   }
   ArrayResize(now, n);
   for(int k = 0; publish && k < ArraySize(g_known); k++)
   {
      bool still = false;
      for(int j = 0; j < n; j++) if(now[j] == g_known[k]) { still = true; break; }
      if(!still) Mt4PublishGone(s, k);
   }
   int size = 0;
   ArrayResize(g_known, n); ArrayResize(g_known_type, n); ArrayResize(g_known_lots, n); ArrayResize(g_known_price, n);
   ArrayResize(g_known_sl, n); ArrayResize(g_known_tp, n); ArrayResize(g_known_expiration, n);
   for(int j = 0; j < n; j++) if(OrderSelect(now[j], SELECT_BY_TICKET)) Mt4Remember(size++);
   if(size < n)
   {
      ArrayResize(g_known, size); ArrayResize(g_known_type, size); ArrayResize(g_known_lots, size);
      ArrayResize(g_known_price, size); ArrayResize(g_known_sl, size); ArrayResize(g_known_tp, size);
      ArrayResize(g_known_expiration, size);
   }
}

void Mt4PublishTrades(const long s) { Mt4ScanTrades(s, true); }

#endif // METAAPI_BRIDGE_MT4_EVENTS_MQH
