// MQL5 request handlers and event publishers of the MetaAPI bridge, shared by the MQL5 EA and the MQL5 Service.
// Params come from typed getters and replies go through the typed builder: no JSON is built or parsed here.
// This file is the programs' one include: it pulls in the parts below (helpers first) and dispatches requests.
#ifndef METAAPI_BRIDGE_MT5_MQH
#define METAAPI_BRIDGE_MT5_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt5Enums.mqh>
#include <MetaApiBridgeMt5Rows.mqh>
#include <MetaApiBridgeMt5Terminal.mqh>
#include <MetaApiBridgeMt5Market.mqh>
#include <MetaApiBridgeMt5Orders.mqh>
#include <MetaApiBridgeMt5Trade.mqh>
#include <MetaApiBridgeMt5Events.mqh>
#include <MetaApiBridgeMt5Demand.mqh>

// Answers one claimed request. Every method the gateway forwards to the terminal has a branch here.
int Mt5Dispatch(const long s, const long id, const string m)
{
   if(m == MTB_METHOD_GET_TERMINAL_INFO) return Mt5TerminalInfo(s, id);
   if(m == MTB_METHOD_GET_HEALTH) return Mt5Health(s, id);
   if(m == MTB_METHOD_GET_SERVER_TIME) return Mt5ServerTime(s, id);
   if(m == MTB_METHOD_GET_ACCOUNT_INFO) return Mt5AccountInfo(s, id);
   if(m == MTB_METHOD_GET_SYMBOLS) return Mt5Symbols(s, id);
   if(m == MTB_METHOD_GET_SYMBOL_SPEC) return Mt5SymbolSpec(s, id);
   if(m == MTB_METHOD_SELECT_SYMBOL) return Mt5SelectSymbol(s, id);
   if(m == MTB_METHOD_GET_QUOTE) return Mt5Quote(s, id);
   if(m == MTB_METHOD_GET_QUOTES) return Mt5Quotes(s, id);
   if(m == MTB_METHOD_GET_CANDLES) return Mt5Candles(s, id);
   if(m == MTB_METHOD_GET_TICKS) return Mt5Ticks(s, id);
   if(m == MTB_METHOD_GET_BOOK) return Mt5Book(s, id);
   if(m == MTB_METHOD_GET_POSITIONS) return Mt5Positions(s, id);
   if(m == MTB_METHOD_GET_POSITION) return Mt5Position(s, id);
   if(m == MTB_METHOD_GET_ORDERS) return Mt5Orders(s, id);
   if(m == MTB_METHOD_GET_ORDER) return Mt5Order(s, id);
   if(m == MTB_METHOD_GET_HISTORY_ORDERS) return Mt5HistoryOrders(s, id);
   if(m == MTB_METHOD_GET_HISTORY_DEALS) return Mt5HistoryDeals(s, id);
   if(m == MTB_METHOD_CALC_MARGIN) return Mt5CalcMargin(s, id);
   if(m == MTB_METHOD_CALC_PROFIT) return Mt5CalcProfit(s, id);
   if(m == MTB_METHOD_CHECK_ORDER) return Mt5CheckOrder(s, id);
   if(m == MTB_METHOD_PLACE_ORDER) return Mt5PlaceOrder(s, id);
   if(m == MTB_METHOD_MODIFY_POSITION) return Mt5ModifyPosition(s, id);
   if(m == MTB_METHOD_CLOSE_POSITION) return Mt5ClosePosition(s, id);
   if(m == MTB_METHOD_CLOSE_POSITION_BY) return Mt5ClosePositionBy(s, id);
   if(m == MTB_METHOD_CLOSE_POSITIONS) return Mt5ClosePositions(s, id);
   if(m == MTB_METHOD_MODIFY_ORDER) return Mt5ModifyOrder(s, id);
   if(m == MTB_METHOD_CANCEL_ORDER) return Mt5CancelOrder(s, id);
   return MtbUnsupported(s, id, "this EA does not know " + m);
}

// Claims and answers up to `budget` requests; keeps the program responsive to IsStopped. Returns how many of them
// were trading calls.
int Mt5Drain(const long s, const int budget)
{
   int trading = 0;
   for(int i = 0; i < budget && !IsStopped(); i++)
   {
      long id = 0;
      string m = MtbNextRequest(s, id);
      if(id == 0) break;
      if(MtbIsTradingMethod(m)) trading++;
      Mt5Dispatch(s, id, m);
   }
   return trading;
}

#endif // METAAPI_BRIDGE_MT5_MQH
