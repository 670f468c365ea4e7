// MQL4 request handlers of the MetaAPI bridge for the MQL4 EA. This file is the EA's one include: it pulls in the
// parts below (helpers first) and dispatches requests.
#ifndef METAAPI_BRIDGE_MT4_MQH
#define METAAPI_BRIDGE_MT4_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt4Rows.mqh>
#include <MetaApiBridgeMt4Terminal.mqh>
#include <MetaApiBridgeMt4Market.mqh>
#include <MetaApiBridgeMt4Orders.mqh>
#include <MetaApiBridgeMt4Trade.mqh>

// Answers one claimed request. Every method the gateway forwards has a branch; MT4 lacks some, and says so.
int Mt4Dispatch(const long s, const long id, const string m)
{
   if(m == MTB_METHOD_GET_TERMINAL_INFO) return Mt4TerminalInfo(s, id);
   if(m == MTB_METHOD_GET_HEALTH) return Mt4Health(s, id);
   if(m == MTB_METHOD_GET_SERVER_TIME) return Mt4ServerTime(s, id);
   if(m == MTB_METHOD_GET_ACCOUNT_INFO) return Mt4AccountInfo(s, id);
   if(m == MTB_METHOD_GET_SYMBOLS) return Mt4Symbols(s, id);
   if(m == MTB_METHOD_GET_SYMBOL_SPEC) return Mt4SymbolSpec(s, id);
   if(m == MTB_METHOD_SELECT_SYMBOL) return Mt4SelectSymbol(s, id);
   if(m == MTB_METHOD_GET_QUOTE) return Mt4Quote(s, id);
   if(m == MTB_METHOD_GET_QUOTES) return Mt4Quotes(s, id);
   if(m == MTB_METHOD_GET_CANDLES) return Mt4Candles(s, id);
   if(m == MTB_METHOD_GET_TICKS) return MtbUnsupported(s, id, "MT4 keeps no tick history");
   if(m == MTB_METHOD_GET_BOOK) return MtbUnsupported(s, id, "MT4 has no depth of market");
   if(m == MTB_METHOD_GET_POSITIONS) return Mt4Positions(s, id, false);
   if(m == MTB_METHOD_GET_POSITION) return Mt4Position(s, id);
   if(m == MTB_METHOD_GET_ORDERS) return Mt4Positions(s, id, true);
   if(m == MTB_METHOD_GET_ORDER) return Mt4Order(s, id);
   if(m == MTB_METHOD_GET_HISTORY_ORDERS) return Mt4History(s, id, false);
   if(m == MTB_METHOD_GET_HISTORY_DEALS) return Mt4History(s, id, true);
   if(m == MTB_METHOD_CALC_MARGIN) return Mt4CalcMargin(s, id);
   if(m == MTB_METHOD_CALC_PROFIT) return Mt4CalcProfit(s, id);
   if(m == MTB_METHOD_CHECK_ORDER) return Mt4CheckOrder(s, id);
   if(m == MTB_METHOD_PLACE_ORDER) return Mt4PlaceOrder(s, id);
   if(m == MTB_METHOD_MODIFY_POSITION) return Mt4ModifyPosition(s, id);
   if(m == MTB_METHOD_CLOSE_POSITION) return Mt4ClosePosition(s, id);
   if(m == MTB_METHOD_CLOSE_POSITION_BY) return Mt4ClosePositionBy(s, id);
   if(m == MTB_METHOD_CLOSE_POSITIONS) return Mt4ClosePositions(s, id);
   if(m == MTB_METHOD_MODIFY_ORDER) return Mt4ModifyOrder(s, id);
   if(m == MTB_METHOD_CANCEL_ORDER) return Mt4CancelOrder(s, id);
   return MtbUnsupported(s, id, "this EA does not know " + m);
}

#endif // METAAPI_BRIDGE_MT4_MQH
