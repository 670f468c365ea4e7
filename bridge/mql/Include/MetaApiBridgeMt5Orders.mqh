// MQL5 position and order queries of the MetaAPI bridge: open positions and pending orders, and the order and
// deal history.
#ifndef METAAPI_BRIDGE_MT5_ORDERS_MQH
#define METAAPI_BRIDGE_MT5_ORDERS_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt5Rows.mqh>

int Mt5Positions(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool by_magic = MtbHas(s, id, "magic");
   long magic = MtbParamLong(s, id, "magic", 0);
   int offset = (int)MtbParamLong(s, id, "offset", 0), limit = (int)MtbParamLong(s, id, "limit", 10000), seen = 0, row = 0;
   bool more = false;
   MtbSetEmptyArray(s, id, "positions");
   for(int i = 0; i < PositionsTotal(); i++)
   {
      if(PositionGetTicket(i) == 0) continue;
      if(symbol != "" && PositionGetString(POSITION_SYMBOL) != symbol) continue;
      if(by_magic && PositionGetInteger(POSITION_MAGIC) != magic) continue;
      if(seen++ < offset) continue;
      if(row >= limit) { more = true; break; }
      Mt5PositionRow(s, id, "positions[" + IntegerToString(row++) + "].");
   }
   MtbSetBool(s, id, "has_more", more);
   if(more) MtbSetLong(s, id, "next_offset", offset + row);
   return MtbSend(s, id);
}

int Mt5Position(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!PositionSelectByTicket((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no position " + ticket);
   Mt5PositionRow(s, id, "");
   return MtbSend(s, id);
}

int Mt5Orders(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool by_magic = MtbHas(s, id, "magic");
   long magic = MtbParamLong(s, id, "magic", 0);
   int offset = (int)MtbParamLong(s, id, "offset", 0), limit = (int)MtbParamLong(s, id, "limit", 10000), seen = 0, row = 0;
   bool more = false;
   MtbSetEmptyArray(s, id, "orders");
   for(int i = 0; i < OrdersTotal(); i++)
   {
      if(OrderGetTicket(i) == 0) continue;
      if(symbol != "" && OrderGetString(ORDER_SYMBOL) != symbol) continue;
      if(by_magic && OrderGetInteger(ORDER_MAGIC) != magic) continue;
      if(seen++ < offset) continue;
      if(row >= limit) { more = true; break; }
      Mt5OrderRow(s, id, "orders[" + IntegerToString(row++) + "].");
   }
   MtbSetBool(s, id, "has_more", more);
   if(more) MtbSetLong(s, id, "next_offset", offset + row);
   return MtbSend(s, id);
}

int Mt5Order(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!OrderSelect((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no order " + ticket);
   Mt5OrderRow(s, id, "");
   return MtbSend(s, id);
}

// Selects history for a query; returns false when the query names nothing.
bool Mt5SelectHistory(const long s, const long id)
{
   if(MtbHas(s, id, "position_id")) return HistorySelectByPosition(StringToInteger(MtbParamString(s, id, "position_id", "0")));
   if(MtbHas(s, id, "ticket")) return HistorySelect(0, TimeTradeServer() + 86400);
   datetime from = Mt5ServerTimeOf(MtbParamLong(s, id, "from", 0));
   datetime to = MtbHas(s, id, "to") ? Mt5ServerTimeOf(MtbParamLong(s, id, "to", 0)) : TimeTradeServer() + 86400;
   return HistorySelect(from, to);
}

int Mt5HistoryOrders(const long s, const long id)
{
   if(!Mt5SelectHistory(s, id)) return MtbError(s, id, MTB_ERR_INTERNAL_ERROR, 0, "history not available");
   string symbol = MtbParamString(s, id, "symbol", "");
   string only = MtbParamString(s, id, "ticket", "");
   int offset = (int)MtbParamLong(s, id, "offset", 0), limit = (int)MtbParamLong(s, id, "limit", 1000), seen = 0, row = 0;
   bool more = false;
   MtbSetEmptyArray(s, id, "orders");
   for(int i = 0; i < HistoryOrdersTotal(); i++)
   {
      ulong t = HistoryOrderGetTicket(i);
      if(only != "" && MtbTicket((long)t) != only) continue;
      if(symbol != "" && HistoryOrderGetString(t, ORDER_SYMBOL) != symbol) continue;
      if(seen++ < offset) continue;
      if(row >= limit) { more = true; break; }
      Mt5HistoryOrderRow(s, id, "orders[" + IntegerToString(row++) + "].", t);
   }
   MtbSetBool(s, id, "has_more", more);
   if(more) MtbSetLong(s, id, "next_offset", offset + row);
   return MtbSend(s, id);
}

int Mt5HistoryDeals(const long s, const long id)
{
   if(!Mt5SelectHistory(s, id)) return MtbError(s, id, MTB_ERR_INTERNAL_ERROR, 0, "history not available");
   string symbol = MtbParamString(s, id, "symbol", "");
   string only = MtbParamString(s, id, "ticket", "");
   int offset = (int)MtbParamLong(s, id, "offset", 0), limit = (int)MtbParamLong(s, id, "limit", 1000), seen = 0, row = 0;
   bool more = false;
   MtbSetEmptyArray(s, id, "deals");
   for(int i = 0; i < HistoryDealsTotal(); i++)
   {
      ulong t = HistoryDealGetTicket(i);
      if(only != "" && MtbTicket((long)t) != only) continue;
      if(symbol != "" && HistoryDealGetString(t, DEAL_SYMBOL) != symbol) continue;
      if(seen++ < offset) continue;
      if(row >= limit) { more = true; break; }
      Mt5DealRow(s, id, "deals[" + IntegerToString(row++) + "].", t);
   }
   MtbSetBool(s, id, "has_more", more);
   if(more) MtbSetLong(s, id, "next_offset", offset + row);
   return MtbSend(s, id);
}

#endif // METAAPI_BRIDGE_MT5_ORDERS_MQH
