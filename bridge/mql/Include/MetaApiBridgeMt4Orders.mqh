// MQL4 position and order queries of the MetaAPI bridge: open market orders as positions, pending orders, and
// the history as orders or as in/out deals.
#ifndef METAAPI_BRIDGE_MT4_ORDERS_MQH
#define METAAPI_BRIDGE_MT4_ORDERS_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt4Rows.mqh>

int Mt4Positions(const long s, const long id, const bool pending)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool by_magic = MtbHas(s, id, "magic");
   long magic = MtbParamLong(s, id, "magic", 0);
   string key = pending ? "orders" : "positions";
   int offset = (int)MtbParamLong(s, id, "offset", 0), limit = (int)MtbParamLong(s, id, "limit", 10000), seen = 0, row = 0;
   bool more = false;
   MtbSetEmptyArray(s, id, key);
   for(int i = 0; i < OrdersTotal(); i++)
   {
      if(!OrderSelect(i, SELECT_BY_POS, MODE_TRADES)) continue;
      if((OrderType() > OP_SELL) != pending) continue;
      if(symbol != "" && OrderSymbol() != symbol) continue;
      if(by_magic && OrderMagicNumber() != magic) continue;
      if(seen++ < offset) continue;
      if(row >= limit) { more = true; break; }
      string p = key + "[" + IntegerToString(row++) + "].";
      if(pending) Mt4OrderRow(s, id, p, false); else Mt4PositionRow(s, id, p);
   }
   MtbSetBool(s, id, "has_more", more);
   if(more) MtbSetLong(s, id, "next_offset", offset + row);
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
      // Balance and credit operations (types 6 and 7) are deals without an order, as on MT5.
      if(!deals && OrderType() > OP_SELLSTOP) continue;
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
   if(more) MtbSetLong(s, id, "next_offset", offset + row);
   return MtbSend(s, id);
}

#endif // METAAPI_BRIDGE_MT4_ORDERS_MQH
