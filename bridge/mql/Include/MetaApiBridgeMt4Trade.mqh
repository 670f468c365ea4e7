// MQL4 trading of the MetaAPI bridge: margin and profit calculation, the emulated order check, and every trade
// request (place, modify, close, close by, close many, modify and cancel pending orders).
#ifndef METAAPI_BRIDGE_MT4_TRADE_MQH
#define METAAPI_BRIDGE_MT4_TRADE_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt4Rows.mqh>
#include <MetaApiBridgeMt4Orders.mqh>

int Mt4CalcMargin(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   double per_lot = MarketInfo(symbol, MODE_MARGINREQUIRED);
   if(per_lot <= 0) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "cannot compute margin for " + symbol);
   MtbSetDouble(s, id, "margin", per_lot * MtbParamDouble(s, id, "volume", 0));
   MtbSetString(s, id, "currency", AccountCurrency());
   return MtbSend(s, id);
}

int Mt4CalcProfit(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   double tick_size = MarketInfo(symbol, MODE_TICKSIZE), tick_value = MarketInfo(symbol, MODE_TICKVALUE);
   if(tick_size <= 0) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "cannot compute profit for " + symbol);
   double move = MtbParamDouble(s, id, "price_close", 0) - MtbParamDouble(s, id, "price_open", 0);
   if(MtbParamString(s, id, "side", "buy") == "sell") move = -move;
   MtbSetDouble(s, id, "profit", move / tick_size * tick_value * MtbParamDouble(s, id, "volume", 0));
   MtbSetString(s, id, "currency", AccountCurrency());
   return MtbSend(s, id);
}

// MT4 has no OrderCheck: free margin after the order is computed here, and the reply says it is emulated.
int Mt4CheckOrder(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   int type = Mt4TypeOf(MtbParamString(s, id, "type", "buy"));
   double volume = MtbParamDouble(s, id, "volume", 0);
   double free_after = AccountFreeMarginCheck(symbol, type % 2 == 0 ? OP_BUY : OP_SELL, volume);
   int error = GetLastError();
   bool ok = free_after > 0 && error == 0;
   double margin = AccountMargin() + MarketInfo(symbol, MODE_MARGINREQUIRED) * volume;
   MtbSetLong(s, id, "retcode", ok ? 0 : (error != 0 ? error : 134));
   MtbSetString(s, id, "retcode_name", ok ? "OK" : "ERR_NOT_ENOUGH_MONEY");
   MtbSetDouble(s, id, "balance", AccountBalance());
   MtbSetDouble(s, id, "equity", AccountEquity());
   MtbSetDouble(s, id, "profit", AccountProfit());
   MtbSetDouble(s, id, "margin", margin);
   MtbSetDouble(s, id, "free_margin", free_after);
   if(margin > 0) MtbSetDouble(s, id, "margin_level", AccountEquity() / margin * 100.0);
   MtbSetString(s, id, "comment", ok ? "order would pass" : "not enough money");
   MtbSetBool(s, id, "emulated", true);
   return MtbSend(s, id);
}

int Mt4TradeDone(const long s, const long id, const int ticket, const double volume, const double price)
{
   string client_id = MtbParamString(s, id, "client_id", "");
   if(client_id != "") MtbSetString(s, id, "client_id", client_id);
   MtbSetLong(s, id, "retcode", 0);
   MtbSetString(s, id, "retcode_name", "ERR_NO_ERROR");
   MtbSetString(s, id, "message", "done");
   MtbSetString(s, id, "order", IntegerToString(ticket));
   MtbSetString(s, id, "position_id", IntegerToString(ticket));
   MtbSetDouble(s, id, "volume", volume);
   MtbSetDouble(s, id, "price", price);
   MtbSetString(s, id, "comment", "");
   MtbSetString(s, id, "platform", "mt4");
   return MtbSend(s, id);
}

// Whether a failed order function may still have run on the trade server. The MQL4 reference's trade server codes:
// - ERR_TRADE_TIMEOUT (128): the terminal stopped waiting, not the server.
// - ERR_NO_CONNECTION (6): if the terminal was connected when it sent the request (`connected`), the connection
//   broke while the request was out; if it was not, nothing was sent, which proves a rejection.
// - ERR_NO_RESULT (1, "no error returned, but the result is unknown"): unknown from OrderSend, OrderClose,
//   OrderCloseBy and OrderDelete; from OrderModify (`modify`) it is the answer to values that change nothing,
//   so nothing ran.
// The reference lists no codes 142 and 143 (the list goes from 141 to 145); every other code is a refusal.
bool Mt4MayHaveRun(const int error, const bool connected, const bool modify)
{
   if(error == 128) return true;
   if(error == 6) return connected;
   if(error == 1) return !modify;
   return false;
}

// Selects the order commented `tag`: an open one, or one in history (closed or deleted since).
bool Mt4SelectByComment(const string tag)
{
   for(int i = OrdersTotal() - 1; i >= 0; i--)
      if(OrderSelect(i, SELECT_BY_POS, MODE_TRADES) && OrderComment() == tag) return true;
   for(int i = OrdersHistoryTotal() - 1; i >= 0; i--)
      if(OrderSelect(i, SELECT_BY_POS, MODE_HISTORY) && OrderComment() == tag) return true;
   return false;
}

// Answers a failed order function (its GetLastError): trade_rejected when that proves nothing ran; otherwise the
// order the request made when its comment `tag` (the "cid:<client_id>" OrderSend wrote) is found, or
// outcome_unknown. OrderClose and the others take no comment: they pass "" and have nothing to find.
int Mt4Failed(const long s, const long id, const bool connected, const bool modify, const string tag)
{
   int error = GetLastError();
   if(!Mt4MayHaveRun(error, connected, modify))
      return MtbError(s, id, MTB_ERR_TRADE_REJECTED, error, "MT4 error " + IntegerToString(error));
   if(tag != "" && tag == Mt4CommentFor("", MtbParamString(s, id, "client_id", "")) && Mt4SelectByComment(tag))
      return Mt4TradeDone(s, id, OrderTicket(), OrderLots(), OrderOpenPrice());
   return MtbError(s, id, MTB_ERR_OUTCOME_UNKNOWN, error,
                   "MT4 error " + IntegerToString(error) + "; the trade server may have executed it");
}

int Mt4PlaceOrder(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   string type_name = MtbParamString(s, id, "type", "buy");
   if(StringFind(type_name, "stop_limit") >= 0) return MtbUnsupported(s, id, "MT4 has no stop-limit orders");
   int type = Mt4TypeOf(type_name);
   double volume = MtbParamDouble(s, id, "volume", 0);
   double price = MtbParamDouble(s, id, "price", type == OP_BUY ? MarketInfo(symbol, MODE_ASK) : MarketInfo(symbol, MODE_BID));
   datetime expiration = MtbHas(s, id, "expiration") ? Mt4ServerTimeOf(MtbParamLong(s, id, "expiration", 0)) : 0;
   string comment = Mt4CommentFor(MtbParamString(s, id, "comment", ""), MtbParamString(s, id, "client_id", ""));
   bool connected = IsConnected();
   int ticket = OrderSend(symbol, type, volume, price, (int)MtbParamLong(s, id, "deviation_points", 10),
                          MtbParamDouble(s, id, "sl", 0), MtbParamDouble(s, id, "tp", 0), comment,
                          (int)MtbParamLong(s, id, "magic", 0), expiration);
   if(ticket < 0) return Mt4Failed(s, id, connected, false, comment);
   double filled = OrderSelect(ticket, SELECT_BY_TICKET) ? OrderOpenPrice() : price;
   return Mt4TradeDone(s, id, ticket, volume, filled);
}

int Mt4ModifyPosition(const long s, const long id)
{
   if(!Mt4SelectOpen(s, id, "ticket", false)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no open position with that ticket");
   int ticket = OrderTicket();
   bool connected = IsConnected();
   if(!OrderModify(ticket, OrderOpenPrice(), MtbParamDouble(s, id, "sl", OrderStopLoss()), MtbParamDouble(s, id, "tp", OrderTakeProfit()), 0, clrNONE))
      return Mt4Failed(s, id, connected, true, "");
   return Mt4TradeDone(s, id, ticket, OrderLots(), OrderOpenPrice());
}

int Mt4ClosePosition(const long s, const long id)
{
   if(!Mt4SelectOpen(s, id, "ticket", false)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no open position with that ticket");
   int ticket = OrderTicket();
   double volume = MtbParamDouble(s, id, "volume", OrderLots());
   double price = OrderType() == OP_BUY ? MarketInfo(OrderSymbol(), MODE_BID) : MarketInfo(OrderSymbol(), MODE_ASK);
   bool connected = IsConnected();
   if(!OrderClose(ticket, volume, price, (int)MtbParamLong(s, id, "deviation_points", 10), clrNONE)) return Mt4Failed(s, id, connected, false, "");
   // A partial close leaves the rest under a new ticket whose comment names the old one ("from #ticket").
   for(int i = OrdersTotal() - 1; i >= 0 && volume < OrderLots(); i--)
      if(OrderSelect(i, SELECT_BY_POS, MODE_TRADES) && StringFind(OrderComment(), "#" + IntegerToString(ticket)) >= 0)
      { MtbSetString(s, id, "remaining_ticket", IntegerToString(OrderTicket())); break; }
   return Mt4TradeDone(s, id, ticket, volume, price);
}

int Mt4ClosePositionBy(const long s, const long id)
{
   if(!Mt4SelectOpen(s, id, "opposite_ticket", false) || !Mt4SelectOpen(s, id, "ticket", false))
      return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no open position with that ticket");
   int ticket = OrderTicket();
   double volume = OrderLots(), price = OrderOpenPrice();
   bool connected = IsConnected();
   if(!OrderCloseBy(ticket, (int)StringToInteger(MtbParamString(s, id, "opposite_ticket", "0")), clrNONE)) return Mt4Failed(s, id, connected, false, "");
   return Mt4TradeDone(s, id, ticket, volume, price);
}

int Mt4ClosePositions(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   string side = MtbParamString(s, id, "side", "");
   bool by_magic = MtbHas(s, id, "magic");
   long magic = MtbParamLong(s, id, "magic", 0);
   string client_id = MtbParamString(s, id, "client_id", "");
   if(client_id != "") MtbSetString(s, id, "client_id", client_id);
   MtbSetEmptyArray(s, id, "outcomes");
   int row = 0;
   for(int i = OrdersTotal() - 1; i >= 0; i--)
   {
      if(!OrderSelect(i, SELECT_BY_POS, MODE_TRADES) || OrderType() > OP_SELL) continue;
      if(symbol != "" && OrderSymbol() != symbol) continue;
      if(by_magic && OrderMagicNumber() != magic) continue;
      if(side != "" && (OrderType() == OP_BUY ? "buy" : "sell") != side) continue;
      int ticket = OrderTicket();
      double volume = OrderLots();
      double price = OrderType() == OP_BUY ? MarketInfo(OrderSymbol(), MODE_BID) : MarketInfo(OrderSymbol(), MODE_ASK);
      string p = "outcomes[" + IntegerToString(row++) + "].";
      MtbSetString(s, id, p + "ticket", IntegerToString(ticket));
      bool connected = IsConnected();
      if(OrderClose(ticket, volume, price, 10, clrNONE))
      {
         MtbSetLong(s, id, p + "result.retcode", 0);
         MtbSetString(s, id, p + "result.retcode_name", "ERR_NO_ERROR");
         MtbSetString(s, id, p + "result.message", "done");
         MtbSetString(s, id, p + "result.position_id", IntegerToString(ticket));
         MtbSetDouble(s, id, p + "result.volume", volume);
         MtbSetDouble(s, id, p + "result.price", price);
         MtbSetString(s, id, p + "result.comment", "");
         MtbSetString(s, id, p + "result.platform", "mt4");
      }
      else
      {
         int error = GetLastError();
         // A close that may have run has no comment to look for: its outcome is unknown, not a rejection.
         bool unsure = Mt4MayHaveRun(error, connected, false);
         MtbSetLong(s, id, p + "error.code", unsure ? MTB_ERR_OUTCOME_UNKNOWN : MTB_ERR_TRADE_REJECTED);
         MtbSetString(s, id, p + "error.message", "MT4 error " + IntegerToString(error));
         MtbSetString(s, id, p + "error.data.kind", unsure ? "outcome_unknown" : "trade_rejected");
         MtbSetBool(s, id, p + "error.data.retryable", false);
         MtbSetLong(s, id, p + "error.data.retcode", error);
      }
   }
   return MtbSend(s, id);
}

int Mt4ModifyOrder(const long s, const long id)
{
   if(MtbHas(s, id, "stop_limit_price")) return MtbUnsupported(s, id, "MT4 has no stop-limit orders");
   if(!Mt4SelectOpen(s, id, "ticket", true)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no pending order with that ticket");
   int ticket = OrderTicket();
   datetime expiration = MtbHas(s, id, "expiration") ? Mt4ServerTimeOf(MtbParamLong(s, id, "expiration", 0)) : OrderExpiration();
   double price = MtbParamDouble(s, id, "price", OrderOpenPrice());
   bool connected = IsConnected();
   if(!OrderModify(ticket, price, MtbParamDouble(s, id, "sl", OrderStopLoss()), MtbParamDouble(s, id, "tp", OrderTakeProfit()), expiration, clrNONE))
      return Mt4Failed(s, id, connected, true, "");
   return Mt4TradeDone(s, id, ticket, OrderLots(), price);
}

int Mt4CancelOrder(const long s, const long id)
{
   if(!Mt4SelectOpen(s, id, "ticket", true)) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no pending order with that ticket");
   int ticket = OrderTicket();
   double volume = OrderLots(), price = OrderOpenPrice();
   bool connected = IsConnected();
   if(!OrderDelete(ticket, clrNONE)) return Mt4Failed(s, id, connected, false, "");
   return Mt4TradeDone(s, id, ticket, volume, price);
}

#endif // METAAPI_BRIDGE_MT4_TRADE_MQH
