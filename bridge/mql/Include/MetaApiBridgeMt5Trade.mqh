// MQL5 trading of the MetaAPI bridge: margin and profit calculation, order checks, and every trade request
// (place, modify, close, close by, close many, modify and cancel pending orders).
#ifndef METAAPI_BRIDGE_MT5_TRADE_MQH
#define METAAPI_BRIDGE_MT5_TRADE_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt5Enums.mqh>
#include <MetaApiBridgeMt5Outcome.mqh>

int Mt5CalcMargin(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool buy = MtbParamString(s, id, "side", "buy") == "buy";
   double price = MtbParamDouble(s, id, "price", buy ? SymbolInfoDouble(symbol, SYMBOL_ASK) : SymbolInfoDouble(symbol, SYMBOL_BID));
   double margin = 0;
   if(!OrderCalcMargin(buy ? ORDER_TYPE_BUY : ORDER_TYPE_SELL, symbol, MtbParamDouble(s, id, "volume", 0), price, margin))
      return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "cannot compute margin for " + symbol);
   MtbSetDouble(s, id, "margin", margin);
   MtbSetString(s, id, "currency", AccountInfoString(ACCOUNT_CURRENCY));
   return MtbSend(s, id);
}

int Mt5CalcProfit(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   bool buy = MtbParamString(s, id, "side", "buy") == "buy";
   double profit = 0;
   if(!OrderCalcProfit(buy ? ORDER_TYPE_BUY : ORDER_TYPE_SELL, symbol, MtbParamDouble(s, id, "volume", 0),
                       MtbParamDouble(s, id, "price_open", 0), MtbParamDouble(s, id, "price_close", 0), profit))
      return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "cannot compute profit for " + symbol);
   MtbSetDouble(s, id, "profit", profit);
   MtbSetString(s, id, "currency", AccountInfoString(ACCOUNT_CURRENCY));
   return MtbSend(s, id);
}

// Fills a trade request from place_order / check_order params.
void Mt5OrderRequest(const long s, const long id, MqlTradeRequest &request)
{
   ZeroMemory(request);
   string symbol = MtbParamString(s, id, "symbol", "");
   ENUM_ORDER_TYPE type = Mt5OrderTypeOf(MtbParamString(s, id, "type", "buy"));
   bool market = type == ORDER_TYPE_BUY || type == ORDER_TYPE_SELL;
   request.action = market ? TRADE_ACTION_DEAL : TRADE_ACTION_PENDING;
   request.symbol = symbol;
   request.type = type;
   request.volume = MtbParamDouble(s, id, "volume", 0);
   request.price = MtbParamDouble(s, id, "price", type == ORDER_TYPE_BUY ? SymbolInfoDouble(symbol, SYMBOL_ASK) : SymbolInfoDouble(symbol, SYMBOL_BID));
   request.stoplimit = MtbParamDouble(s, id, "stop_limit_price", 0);
   request.sl = MtbParamDouble(s, id, "sl", 0);
   request.tp = MtbParamDouble(s, id, "tp", 0);
   request.deviation = (ulong)MtbParamLong(s, id, "deviation_points", 10);
   request.type_filling = Mt5FillingOf(symbol, MtbParamString(s, id, "filling", "auto"));
   request.type_time = Mt5TimeInForceOf(MtbParamString(s, id, "time_in_force", "gtc"));
   if(MtbHas(s, id, "expiration")) request.expiration = Mt5ServerTimeOf(MtbParamLong(s, id, "expiration", 0));
   request.magic = (ulong)MtbParamLong(s, id, "magic", 0);
   request.comment = Mt5CommentFor(MtbParamString(s, id, "comment", ""), MtbParamString(s, id, "client_id", ""));
}

int Mt5CheckOrder(const long s, const long id)
{
   MqlTradeRequest request; MqlTradeCheckResult check;
   Mt5OrderRequest(s, id, request);
   ZeroMemory(check);
   bool ok = OrderCheck(request, check);
   MtbSetLong(s, id, "retcode", ok ? 0 : check.retcode);
   MtbSetString(s, id, "retcode_name", ok ? "OK" : IntegerToString(check.retcode));
   MtbSetDouble(s, id, "balance", check.balance);
   MtbSetDouble(s, id, "equity", check.equity);
   MtbSetDouble(s, id, "profit", check.profit);
   MtbSetDouble(s, id, "margin", check.margin);
   MtbSetDouble(s, id, "free_margin", check.margin_free);
   if(check.margin > 0) MtbSetDouble(s, id, "margin_level", check.margin_level);
   MtbSetString(s, id, "comment", check.comment);
   MtbSetBool(s, id, "emulated", false);
   return MtbSend(s, id);
}

// The TradeResult of a request that ran, from its MqlTradeResult.
int Mt5TradeReply(const long s, const long id, const MqlTradeRequest &request, const MqlTradeResult &result)
{
   string client_id = MtbParamString(s, id, "client_id", "");
   if(client_id != "") MtbSetString(s, id, "client_id", client_id);
   MtbSetLong(s, id, "retcode", result.retcode);
   MtbSetString(s, id, "retcode_name", IntegerToString(result.retcode));
   MtbSetString(s, id, "message", result.comment);
   if(result.order > 0) MtbSetString(s, id, "order", MtbTicket((long)result.order));
   if(result.deal > 0) MtbSetString(s, id, "deal", MtbTicket((long)result.deal));
   // A deal that opened a position names it only in the deal (DEAL_POSITION_ID); a close names it in the request.
   long position_id = (long)request.position;
   if(position_id == 0 && result.deal > 0 && HistoryDealSelect(result.deal)) position_id = HistoryDealGetInteger(result.deal, DEAL_POSITION_ID);
   if(position_id > 0) MtbSetString(s, id, "position_id", MtbTicket(position_id));
   MtbSetDouble(s, id, "volume", result.volume > 0 ? result.volume : request.volume);
   MtbSetDouble(s, id, "price", result.price > 0 ? result.price : request.price);
   if(result.bid > 0) MtbSetDouble(s, id, "bid", result.bid);
   if(result.ask > 0) MtbSetDouble(s, id, "ask", result.ask);
   MtbSetString(s, id, "comment", result.comment);
   MtbSetString(s, id, "platform", "mt5");
   return MtbSend(s, id);
}

// Sends a trade request and answers with a TradeResult, a trade_rejected error with the MT retcode when the
// request provably did not run, or, when it may have run, what the terminal shows of it (Mt5ProveRun) or
// outcome_unknown.
int Mt5Trade(const long s, const long id, MqlTradeRequest &request)
{
   MqlTradeResult result;
   ZeroMemory(result);
   // Read before sending: a terminal that was connected may have delivered the request before the link broke.
   bool connected = TerminalInfoInteger(TERMINAL_CONNECTED) != 0;
   bool sent = OrderSend(request, result);
   bool done = result.retcode == TRADE_RETCODE_DONE || result.retcode == TRADE_RETCODE_PLACED
               || result.retcode == TRADE_RETCODE_DONE_PARTIAL || result.retcode == TRADE_RETCODE_NO_CHANGES;
   if(!sent || !done)
   {
      if(!Mt5MayHaveRun(result.retcode, connected)) return MtbError(s, id, MTB_ERR_TRADE_REJECTED, (int)result.retcode, result.comment);
      if(!Mt5ProveRun(s, id, request, result)) return Mt5OutcomeUnknown(s, id, result);
   }
   return Mt5TradeReply(s, id, request, result);
}

int Mt5PlaceOrder(const long s, const long id)
{
   MqlTradeRequest request;
   Mt5OrderRequest(s, id, request);
   return Mt5Trade(s, id, request);
}

int Mt5ModifyPosition(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!PositionSelectByTicket((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no position " + ticket);
   MqlTradeRequest request; ZeroMemory(request);
   request.action = TRADE_ACTION_SLTP;
   request.position = (ulong)StringToInteger(ticket);
   request.symbol = PositionGetString(POSITION_SYMBOL);
   request.sl = MtbParamDouble(s, id, "sl", PositionGetDouble(POSITION_SL));
   request.tp = MtbParamDouble(s, id, "tp", PositionGetDouble(POSITION_TP));
   return Mt5Trade(s, id, request);
}

// Fills a closing deal for the selected position.
void Mt5CloseRequest(MqlTradeRequest &request, const double volume, const ulong deviation)
{
   ZeroMemory(request);
   string symbol = PositionGetString(POSITION_SYMBOL);
   bool buy = PositionGetInteger(POSITION_TYPE) == POSITION_TYPE_BUY;
   request.action = TRADE_ACTION_DEAL;
   request.position = (ulong)PositionGetInteger(POSITION_TICKET);
   request.symbol = symbol;
   request.type = buy ? ORDER_TYPE_SELL : ORDER_TYPE_BUY;
   request.volume = volume > 0 ? volume : PositionGetDouble(POSITION_VOLUME);
   request.price = buy ? SymbolInfoDouble(symbol, SYMBOL_BID) : SymbolInfoDouble(symbol, SYMBOL_ASK);
   request.deviation = deviation;
   request.type_filling = Mt5FillingOf(symbol, "auto");
   request.magic = (ulong)PositionGetInteger(POSITION_MAGIC);
}

int Mt5ClosePosition(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!PositionSelectByTicket((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no position " + ticket);
   MqlTradeRequest request;
   Mt5CloseRequest(request, MtbParamDouble(s, id, "volume", 0), (ulong)MtbParamLong(s, id, "deviation_points", 10));
   request.comment = Mt5CommentFor("", MtbParamString(s, id, "client_id", ""));
   return Mt5Trade(s, id, request);
}

int Mt5ClosePositionBy(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   string opposite = MtbParamString(s, id, "opposite_ticket", "0");
   if(!PositionSelectByTicket((ulong)StringToInteger(opposite))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no position " + opposite);
   if(!PositionSelectByTicket((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no position " + ticket);
   MqlTradeRequest request; ZeroMemory(request);
   request.action = TRADE_ACTION_CLOSE_BY;
   request.position = (ulong)StringToInteger(ticket);
   request.position_by = (ulong)StringToInteger(opposite);
   request.symbol = PositionGetString(POSITION_SYMBOL);
   request.comment = Mt5CommentFor("", MtbParamString(s, id, "client_id", ""));
   return Mt5Trade(s, id, request);
}

int Mt5ClosePositions(const long s, const long id)
{
   string symbol = MtbParamString(s, id, "symbol", "");
   string side = MtbParamString(s, id, "side", "");
   bool by_magic = MtbHas(s, id, "magic");
   long magic = MtbParamLong(s, id, "magic", 0);
   string client_id = MtbParamString(s, id, "client_id", "");
   if(client_id != "") MtbSetString(s, id, "client_id", client_id);
   MtbSetEmptyArray(s, id, "outcomes");
   int row = 0;
   for(int i = PositionsTotal() - 1; i >= 0; i--)
   {
      ulong t = PositionGetTicket(i);
      if(t == 0) continue;
      if(symbol != "" && PositionGetString(POSITION_SYMBOL) != symbol) continue;
      if(by_magic && PositionGetInteger(POSITION_MAGIC) != magic) continue;
      if(side != "" && Mt5Side(PositionGetInteger(POSITION_TYPE)) != side) continue;
      MqlTradeRequest request; MqlTradeResult result; ZeroMemory(result);
      Mt5CloseRequest(request, 0, 10);
      bool connected = TerminalInfoInteger(TERMINAL_CONNECTED) != 0;
      bool ok = OrderSend(request, result) && (result.retcode == TRADE_RETCODE_DONE || result.retcode == TRADE_RETCODE_DONE_PARTIAL);
      // A close that may have run carries no comment to look for: its outcome is unknown, not a rejection.
      bool unsure = !ok && Mt5MayHaveRun(result.retcode, connected);
      string p = "outcomes[" + IntegerToString(row++) + "].";
      MtbSetString(s, id, p + "ticket", MtbTicket((long)t));
      if(ok)
      {
         MtbSetLong(s, id, p + "result.retcode", result.retcode);
         MtbSetString(s, id, p + "result.retcode_name", IntegerToString(result.retcode));
         MtbSetString(s, id, p + "result.message", result.comment);
         if(result.deal > 0) MtbSetString(s, id, p + "result.deal", MtbTicket((long)result.deal));
         MtbSetString(s, id, p + "result.position_id", MtbTicket((long)t));
         MtbSetDouble(s, id, p + "result.volume", result.volume);
         MtbSetDouble(s, id, p + "result.price", result.price);
         MtbSetString(s, id, p + "result.comment", result.comment);
         MtbSetString(s, id, p + "result.platform", "mt5");
      }
      else
      {
         MtbSetLong(s, id, p + "error.code", unsure ? MTB_ERR_OUTCOME_UNKNOWN : MTB_ERR_TRADE_REJECTED);
         MtbSetString(s, id, p + "error.message", result.comment);
         MtbSetString(s, id, p + "error.data.kind", unsure ? "outcome_unknown" : "trade_rejected");
         MtbSetBool(s, id, p + "error.data.retryable", false);
         MtbSetLong(s, id, p + "error.data.retcode", result.retcode);
      }
   }
   return MtbSend(s, id);
}

int Mt5ModifyOrder(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!OrderSelect((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no order " + ticket);
   MqlTradeRequest request; ZeroMemory(request);
   request.action = TRADE_ACTION_MODIFY;
   request.order = (ulong)StringToInteger(ticket);
   request.symbol = OrderGetString(ORDER_SYMBOL);
   request.price = MtbParamDouble(s, id, "price", OrderGetDouble(ORDER_PRICE_OPEN));
   request.stoplimit = MtbParamDouble(s, id, "stop_limit_price", OrderGetDouble(ORDER_PRICE_STOPLIMIT));
   request.sl = MtbParamDouble(s, id, "sl", OrderGetDouble(ORDER_SL));
   request.tp = MtbParamDouble(s, id, "tp", OrderGetDouble(ORDER_TP));
   request.type_time = MtbHas(s, id, "time_in_force") ? Mt5TimeInForceOf(MtbParamString(s, id, "time_in_force", "gtc")) : (ENUM_ORDER_TYPE_TIME)OrderGetInteger(ORDER_TYPE_TIME);
   request.expiration = MtbHas(s, id, "expiration") ? Mt5ServerTimeOf(MtbParamLong(s, id, "expiration", 0))
                                                     : (datetime)OrderGetInteger(ORDER_TIME_EXPIRATION);
   return Mt5Trade(s, id, request);
}

int Mt5CancelOrder(const long s, const long id)
{
   string ticket = MtbParamString(s, id, "ticket", "0");
   if(!OrderSelect((ulong)StringToInteger(ticket))) return MtbError(s, id, MTB_ERR_NOT_FOUND, 0, "no order " + ticket);
   MqlTradeRequest request; ZeroMemory(request);
   request.action = TRADE_ACTION_REMOVE;
   request.order = (ulong)StringToInteger(ticket);
   request.symbol = OrderGetString(ORDER_SYMBOL);
   return Mt5Trade(s, id, request);
}

#endif // METAAPI_BRIDGE_MT5_TRADE_MQH
