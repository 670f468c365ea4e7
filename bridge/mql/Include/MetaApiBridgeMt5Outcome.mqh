// MQL5 answers to a trade request whose outcome the terminal cannot be sure of. A trade_rejected answer tells the
// gateway that nothing was executed, so it is given only when that is proven; a request that may have run on the
// trade server is answered from what the terminal shows (the order's "cid:<client_id>" comment, see Mt5CommentFor),
// or outcome_unknown when nothing shows it.
#ifndef METAAPI_BRIDGE_MT5_OUTCOME_MQH
#define METAAPI_BRIDGE_MT5_OUTCOME_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt5Rows.mqh>

// Whether a failed OrderSend may still have run on the trade server. The reference's codes:
// - TRADE_RETCODE_TIMEOUT (10012, "request canceled by timeout"): the terminal stopped waiting, not the server.
// - TRADE_RETCODE_ERROR (10011, "request processing error"): the server failed while processing it, after taking it.
// - TRADE_RETCODE_CONNECTION (10031, "no connection with the trade server"): if the terminal was connected when it
//   sent the request (`connected`), the connection broke while the request was out; if it was not, the terminal
//   sent nothing, which proves a rejection.
// - retcode 0: OrderSend failed its basic check of the structures in the terminal, so nothing was sent.
// Every other code is the server's refusal of the request.
bool Mt5MayHaveRun(const uint retcode, const bool connected)
{
   if(retcode == TRADE_RETCODE_TIMEOUT || retcode == TRADE_RETCODE_ERROR) return true;
   if(retcode == TRADE_RETCODE_CONNECTION) return connected;
   return false;
}

// Looks for what a request commented `tag` left in the terminal: a deal in the last day's history (it names its
// order and position), a pending order, or an order in history (a pending order since filled or removed).
// True when one carries the comment; the out-parameters then hold what the terminal shows.
bool Mt5FindByComment(const string tag, ulong &order, ulong &deal, double &volume, double &price, bool &pending)
{
   order = 0; deal = 0; volume = 0; price = 0; pending = false;
   datetime now = TimeTradeServer();
   bool history = HistorySelect(now - 86400, now + 86400);
   if(history)
      for(int i = HistoryDealsTotal() - 1; i >= 0; i--)
      {
         ulong t = HistoryDealGetTicket(i);
         if(t == 0 || HistoryDealGetString(t, DEAL_COMMENT) != tag) continue;
         deal = t;
         order = (ulong)HistoryDealGetInteger(t, DEAL_ORDER);
         volume = HistoryDealGetDouble(t, DEAL_VOLUME);
         price = HistoryDealGetDouble(t, DEAL_PRICE);
         return true;
      }
   for(int i = OrdersTotal() - 1; i >= 0; i--)
   {
      ulong t = OrderGetTicket(i);
      if(t == 0 || OrderGetString(ORDER_COMMENT) != tag) continue;
      order = t; pending = true;
      volume = OrderGetDouble(ORDER_VOLUME_CURRENT);
      price = OrderGetDouble(ORDER_PRICE_OPEN);
      return true;
   }
   if(history)
      for(int i = HistoryOrdersTotal() - 1; i >= 0; i--)
      {
         ulong t = HistoryOrderGetTicket(i);
         if(t == 0 || HistoryOrderGetString(t, ORDER_COMMENT) != tag) continue;
         order = t; pending = true;
         volume = HistoryOrderGetDouble(t, ORDER_VOLUME_INITIAL);
         price = HistoryOrderGetDouble(t, ORDER_PRICE_OPEN);
         return true;
      }
   return false;
}

// For a request that may have run (Mt5MayHaveRun): true when the request's own comment is found in the terminal,
// with `result` rewritten to what the terminal shows. Only the comment the EA wrote is proof: without a client_id,
// with a comment of the caller's own or an id too long for a comment there is nothing to find.
bool Mt5ProveRun(const long s, const long id, const MqlTradeRequest &request, MqlTradeResult &result)
{
   string tag = Mt5CommentFor("", MtbParamString(s, id, "client_id", ""));
   ulong order, deal; double volume, price; bool pending;
   if(tag == "" || request.comment != tag || !Mt5FindByComment(tag, order, deal, volume, price, pending)) return false;
   result.comment = "found in the terminal after retcode " + IntegerToString(result.retcode);
   result.retcode = pending ? TRADE_RETCODE_PLACED : TRADE_RETCODE_DONE;
   result.order = order;
   result.deal = deal;
   result.volume = volume;
   result.price = price;
   return true;
}

// The outcome_unknown answer of a request that may have run and left nothing to find.
int Mt5OutcomeUnknown(const long s, const long id, const MqlTradeResult &result)
{
   string why = result.comment != "" ? result.comment : "no answer from the trade server";
   return MtbError(s, id, MTB_ERR_OUTCOME_UNKNOWN, (int)result.retcode, why + "; the trade server may have executed it");
}

#endif // METAAPI_BRIDGE_MT5_OUTCOME_MQH
