// MQL5 event publishing of the MetaAPI bridge: quotes (OnTick, or polled by the Service), account updates and
// the position, order and deal events of OnTradeTransaction.
#ifndef METAAPI_BRIDGE_MT5_EVENTS_MQH
#define METAAPI_BRIDGE_MT5_EVENTS_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt5Rows.mqh>

void Mt5PublishQuote(const long s, const string symbol)
{
   // Read before the event is opened: an event opened and never sent would hold a bridge slot for good.
   MqlTick tick;
   if(!SymbolInfoTick(symbol, tick)) return;
   long id = MtbEventBegin(s, MTB_EVENT_QUOTE);
   if(id == 0) return;
   Mt5QuoteRow(s, id, "", symbol);
   MtbEventSend(s, id);
}

void Mt5PublishAccount(const long s)
{
   long id = MtbEventBegin(s, MTB_EVENT_ACCOUNT);
   if(id == 0) return;
   Mt5AccountRow(s, id);
   MtbEventSend(s, id);
}

// OnTradeTransaction -> position, order and deal events, in the order the terminal reports them.
void Mt5PublishTransaction(const long s, const MqlTradeTransaction &tx)
{
   long id = 0;
   if(tx.type == TRADE_TRANSACTION_DEAL_ADD && HistoryDealSelect(tx.deal))
   {
      id = MtbEventBegin(s, MTB_EVENT_DEAL_ADDED);
      if(id != 0) { Mt5DealRow(s, id, "", tx.deal); MtbEventSend(s, id); }
      if(PositionSelectByTicket(tx.position))
      {
         id = MtbEventBegin(s, MTB_EVENT_POSITION_UPDATED);
         if(id != 0) { Mt5PositionRow(s, id, ""); MtbEventSend(s, id); }
      }
      else if(tx.position > 0)
      {
         id = MtbEventBegin(s, MTB_EVENT_POSITION_REMOVED);
         if(id != 0)
         {
            MtbSetString(s, id, "ticket", MtbTicket((long)tx.position));
            MtbSetString(s, id, "position_id", MtbTicket((long)tx.position));
            MtbSetLong(s, id, "time", (long)TimeGMT() * 1000);
            MtbEventSend(s, id);
         }
      }
      Mt5PublishAccount(s);
   }
   else if((tx.type == TRADE_TRANSACTION_ORDER_ADD || tx.type == TRADE_TRANSACTION_ORDER_UPDATE) && OrderSelect(tx.order))
   {
      id = MtbEventBegin(s, MTB_EVENT_ORDER_UPDATED);
      if(id != 0) { Mt5OrderRow(s, id, ""); MtbEventSend(s, id); }
   }
   else if(tx.type == TRADE_TRANSACTION_ORDER_DELETE && HistoryOrderSelect(tx.order))
   {
      id = MtbEventBegin(s, MTB_EVENT_ORDER_COMPLETED);
      if(id != 0) { Mt5HistoryOrderRow(s, id, "", tx.order); MtbEventSend(s, id); }
   }
   else if(tx.type == TRADE_TRANSACTION_POSITION && PositionSelectByTicket(tx.position))
   {
      id = MtbEventBegin(s, MTB_EVENT_POSITION_UPDATED);
      if(id != 0) { Mt5PositionRow(s, id, ""); MtbEventSend(s, id); }
   }
}

// Quotes of every Market Watch symbol whose tick changed since the last call (services get no OnTick).
void Mt5PollQuotes(const long s, long &last_msc[])
{
   int total = SymbolsTotal(true);
   if(ArraySize(last_msc) != total) ArrayResize(last_msc, total);
   for(int i = 0; i < total; i++)
   {
      string symbol = SymbolName(i, true);
      MqlTick tick;
      if(!SymbolInfoTick(symbol, tick) || tick.time_msc == last_msc[i]) continue;
      last_msc[i] = tick.time_msc;
      Mt5PublishQuote(s, symbol);
   }
}

#endif // METAAPI_BRIDGE_MT5_EVENTS_MQH
