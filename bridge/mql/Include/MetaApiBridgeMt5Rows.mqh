// MQL5 row writers of the MetaAPI bridge: one position, order, history order, deal, quote or account written
// into a reply or event at a prefix, shared by the request handlers and the event publishers.
#ifndef METAAPI_BRIDGE_MT5_ROWS_MQH
#define METAAPI_BRIDGE_MT5_ROWS_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt5Enums.mqh>
#include <MetaApiBridgeMt5Time.mqh>

// A trading call's client_id travels in the order's comment as "cid:<id>" when the call gave no comment of its
// own: MetaTrader keeps no other field a client can set, and the comment stays with the order, its deal and the
// position it opens. Longer ids than the comment holds (31 characters) are not kept.
string Mt5CommentFor(const string comment, const string client_id)
{
   if(comment != "" || client_id == "" || StringLen(client_id) > 27) return comment;
   return "cid:" + client_id;
}

// The client_id of a row whose comment carries one.
void Mt5ClientIdOf(const long s, const long id, const string p, const string comment)
{
   if(StringFind(comment, "cid:") == 0) MtbSetString(s, id, p + "client_id", StringSubstr(comment, 4));
}

// The selected position (PositionSelectByTicket / PositionGetTicket) at prefix ("" or "positions[3].").
void Mt5PositionRow(const long s, const long id, const string p)
{
   MtbSetString(s, id, p + "ticket", MtbTicket(PositionGetInteger(POSITION_TICKET)));
   MtbSetString(s, id, p + "position_id", MtbTicket(PositionGetInteger(POSITION_IDENTIFIER)));
   MtbSetString(s, id, p + "symbol", PositionGetString(POSITION_SYMBOL));
   MtbSetString(s, id, p + "side", Mt5Side(PositionGetInteger(POSITION_TYPE)));
   MtbSetDouble(s, id, p + "volume", PositionGetDouble(POSITION_VOLUME));
   MtbSetDouble(s, id, p + "price_open", PositionGetDouble(POSITION_PRICE_OPEN));
   MtbSetDouble(s, id, p + "price_current", PositionGetDouble(POSITION_PRICE_CURRENT));
   if(PositionGetDouble(POSITION_SL) > 0) MtbSetDouble(s, id, p + "sl", PositionGetDouble(POSITION_SL));
   if(PositionGetDouble(POSITION_TP) > 0) MtbSetDouble(s, id, p + "tp", PositionGetDouble(POSITION_TP));
   MtbSetDouble(s, id, p + "swap", PositionGetDouble(POSITION_SWAP));
   MtbSetDouble(s, id, p + "commission", 0.0);
   MtbSetDouble(s, id, p + "profit", PositionGetDouble(POSITION_PROFIT));
   MtbSetLong(s, id, p + "magic", PositionGetInteger(POSITION_MAGIC));
   MtbSetString(s, id, p + "comment", PositionGetString(POSITION_COMMENT));
   Mt5ClientIdOf(s, id, p, PositionGetString(POSITION_COMMENT));
   MtbSetString(s, id, p + "reason", Mt5Reason(PositionGetInteger(POSITION_REASON)));
   MtbSetLong(s, id, p + "time", Mt5UtcMsOfMsc(PositionGetInteger(POSITION_TIME_MSC)));
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime((datetime)PositionGetInteger(POSITION_TIME)));
   MtbSetLong(s, id, p + "update_time", Mt5UtcMsOfMsc(PositionGetInteger(POSITION_TIME_UPDATE_MSC)));
   MtbSetString(s, id, p + "platform", "mt5");
}

// The selected pending order (OrderSelect / OrderGetTicket).
void Mt5OrderRow(const long s, const long id, const string p)
{
   MtbSetString(s, id, p + "ticket", MtbTicket(OrderGetInteger(ORDER_TICKET)));
   MtbSetString(s, id, p + "symbol", OrderGetString(ORDER_SYMBOL));
   MtbSetString(s, id, p + "type", Mt5OrderType(OrderGetInteger(ORDER_TYPE)));
   MtbSetString(s, id, p + "state", Mt5OrderState(OrderGetInteger(ORDER_STATE)));
   MtbSetDouble(s, id, p + "volume_initial", OrderGetDouble(ORDER_VOLUME_INITIAL));
   MtbSetDouble(s, id, p + "volume_current", OrderGetDouble(ORDER_VOLUME_CURRENT));
   MtbSetDouble(s, id, p + "price_open", OrderGetDouble(ORDER_PRICE_OPEN));
   if(OrderGetDouble(ORDER_PRICE_STOPLIMIT) > 0) MtbSetDouble(s, id, p + "price_stop_limit", OrderGetDouble(ORDER_PRICE_STOPLIMIT));
   MtbSetDouble(s, id, p + "price_current", OrderGetDouble(ORDER_PRICE_CURRENT));
   if(OrderGetDouble(ORDER_SL) > 0) MtbSetDouble(s, id, p + "sl", OrderGetDouble(ORDER_SL));
   if(OrderGetDouble(ORDER_TP) > 0) MtbSetDouble(s, id, p + "tp", OrderGetDouble(ORDER_TP));
   MtbSetLong(s, id, p + "time_setup", MtbUtcMs((datetime)OrderGetInteger(ORDER_TIME_SETUP)));
   if(OrderGetInteger(ORDER_TIME_EXPIRATION) > 0) MtbSetLong(s, id, p + "expiration", MtbUtcMs((datetime)OrderGetInteger(ORDER_TIME_EXPIRATION)));
   MtbSetString(s, id, p + "time_in_force", Mt5TimeInForce(OrderGetInteger(ORDER_TYPE_TIME)));
   MtbSetString(s, id, p + "filling", Mt5Filling(OrderGetInteger(ORDER_TYPE_FILLING)));
   MtbSetLong(s, id, p + "magic", OrderGetInteger(ORDER_MAGIC));
   MtbSetString(s, id, p + "comment", OrderGetString(ORDER_COMMENT));
   Mt5ClientIdOf(s, id, p, OrderGetString(ORDER_COMMENT));
   if(OrderGetInteger(ORDER_POSITION_ID) > 0) MtbSetString(s, id, p + "position_id", MtbTicket(OrderGetInteger(ORDER_POSITION_ID)));
   if(OrderGetInteger(ORDER_POSITION_BY_ID) > 0) MtbSetString(s, id, p + "position_by", MtbTicket(OrderGetInteger(ORDER_POSITION_BY_ID)));
   MtbSetString(s, id, p + "reason", Mt5Reason(OrderGetInteger(ORDER_REASON)));
   MtbSetString(s, id, p + "platform", "mt5");
}

void Mt5HistoryOrderRow(const long s, const long id, const string p, const ulong t)
{
   MtbSetString(s, id, p + "ticket", MtbTicket((long)t));
   MtbSetString(s, id, p + "symbol", HistoryOrderGetString(t, ORDER_SYMBOL));
   MtbSetString(s, id, p + "type", Mt5OrderType(HistoryOrderGetInteger(t, ORDER_TYPE)));
   MtbSetString(s, id, p + "state", Mt5OrderState(HistoryOrderGetInteger(t, ORDER_STATE)));
   MtbSetDouble(s, id, p + "volume_initial", HistoryOrderGetDouble(t, ORDER_VOLUME_INITIAL));
   MtbSetDouble(s, id, p + "volume_current", HistoryOrderGetDouble(t, ORDER_VOLUME_CURRENT));
   MtbSetDouble(s, id, p + "price_open", HistoryOrderGetDouble(t, ORDER_PRICE_OPEN));
   MtbSetDouble(s, id, p + "price_current", HistoryOrderGetDouble(t, ORDER_PRICE_CURRENT));
   if(HistoryOrderGetDouble(t, ORDER_SL) > 0) MtbSetDouble(s, id, p + "sl", HistoryOrderGetDouble(t, ORDER_SL));
   if(HistoryOrderGetDouble(t, ORDER_TP) > 0) MtbSetDouble(s, id, p + "tp", HistoryOrderGetDouble(t, ORDER_TP));
   MtbSetLong(s, id, p + "time_setup", MtbUtcMs((datetime)HistoryOrderGetInteger(t, ORDER_TIME_SETUP)));
   MtbSetLong(s, id, p + "time_done", MtbUtcMs((datetime)HistoryOrderGetInteger(t, ORDER_TIME_DONE)));
   MtbSetString(s, id, p + "time_in_force", Mt5TimeInForce(HistoryOrderGetInteger(t, ORDER_TYPE_TIME)));
   MtbSetString(s, id, p + "filling", Mt5Filling(HistoryOrderGetInteger(t, ORDER_TYPE_FILLING)));
   MtbSetLong(s, id, p + "magic", HistoryOrderGetInteger(t, ORDER_MAGIC));
   MtbSetString(s, id, p + "comment", HistoryOrderGetString(t, ORDER_COMMENT));
   Mt5ClientIdOf(s, id, p, HistoryOrderGetString(t, ORDER_COMMENT));
   if(HistoryOrderGetInteger(t, ORDER_POSITION_ID) > 0) MtbSetString(s, id, p + "position_id", MtbTicket(HistoryOrderGetInteger(t, ORDER_POSITION_ID)));
   if(HistoryOrderGetInteger(t, ORDER_POSITION_BY_ID) > 0) MtbSetString(s, id, p + "position_by", MtbTicket(HistoryOrderGetInteger(t, ORDER_POSITION_BY_ID)));
   MtbSetString(s, id, p + "reason", Mt5Reason(HistoryOrderGetInteger(t, ORDER_REASON)));
   MtbSetString(s, id, p + "platform", "mt5");
}

void Mt5DealRow(const long s, const long id, const string p, const ulong t)
{
   MtbSetString(s, id, p + "ticket", MtbTicket((long)t));
   if(HistoryDealGetInteger(t, DEAL_ORDER) > 0) MtbSetString(s, id, p + "order", MtbTicket(HistoryDealGetInteger(t, DEAL_ORDER)));
   if(HistoryDealGetInteger(t, DEAL_POSITION_ID) > 0) MtbSetString(s, id, p + "position_id", MtbTicket(HistoryDealGetInteger(t, DEAL_POSITION_ID)));
   MtbSetString(s, id, p + "symbol", HistoryDealGetString(t, DEAL_SYMBOL));
   MtbSetString(s, id, p + "type", Mt5DealType(HistoryDealGetInteger(t, DEAL_TYPE)));
   MtbSetString(s, id, p + "entry", Mt5DealEntry(HistoryDealGetInteger(t, DEAL_ENTRY)));
   MtbSetDouble(s, id, p + "volume", HistoryDealGetDouble(t, DEAL_VOLUME));
   MtbSetDouble(s, id, p + "price", HistoryDealGetDouble(t, DEAL_PRICE));
   MtbSetDouble(s, id, p + "commission", HistoryDealGetDouble(t, DEAL_COMMISSION));
   MtbSetDouble(s, id, p + "swap", HistoryDealGetDouble(t, DEAL_SWAP));
   MtbSetDouble(s, id, p + "fee", HistoryDealGetDouble(t, DEAL_FEE));
   MtbSetDouble(s, id, p + "profit", HistoryDealGetDouble(t, DEAL_PROFIT));
   MtbSetLong(s, id, p + "magic", HistoryDealGetInteger(t, DEAL_MAGIC));
   MtbSetString(s, id, p + "comment", HistoryDealGetString(t, DEAL_COMMENT));
   Mt5ClientIdOf(s, id, p, HistoryDealGetString(t, DEAL_COMMENT));
   MtbSetString(s, id, p + "reason", Mt5DealReason(HistoryDealGetInteger(t, DEAL_REASON)));
   MtbSetLong(s, id, p + "time", MtbUtcMs((datetime)HistoryDealGetInteger(t, DEAL_TIME)));
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime((datetime)HistoryDealGetInteger(t, DEAL_TIME)));
   MtbSetString(s, id, p + "platform", "mt5");
}

bool Mt5QuoteRow(const long s, const long id, const string p, const string symbol)
{
   MqlTick tick;
   if(!SymbolInfoTick(symbol, tick)) return false;
   MtbSetString(s, id, p + "symbol", symbol);
   MtbSetDouble(s, id, p + "bid", tick.bid);
   MtbSetDouble(s, id, p + "ask", tick.ask);
   if(tick.last > 0) MtbSetDouble(s, id, p + "last", tick.last);
   MtbSetLong(s, id, p + "time", Mt5UtcMsOfMsc(tick.time_msc));
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime(tick.time));
   return true;
}

void Mt5AccountRow(const long s, const long id)
{
   MtbSetString(s, id, "platform", "mt5");
   MtbSetLong(s, id, "login", AccountInfoInteger(ACCOUNT_LOGIN));
   MtbSetString(s, id, "name", AccountInfoString(ACCOUNT_NAME));
   MtbSetString(s, id, "server", AccountInfoString(ACCOUNT_SERVER));
   MtbSetString(s, id, "company", AccountInfoString(ACCOUNT_COMPANY));
   MtbSetString(s, id, "currency", AccountInfoString(ACCOUNT_CURRENCY));
   MtbSetLong(s, id, "currency_digits", AccountInfoInteger(ACCOUNT_CURRENCY_DIGITS));
   MtbSetLong(s, id, "leverage", AccountInfoInteger(ACCOUNT_LEVERAGE));
   MtbSetDouble(s, id, "balance", AccountInfoDouble(ACCOUNT_BALANCE));
   MtbSetDouble(s, id, "credit", AccountInfoDouble(ACCOUNT_CREDIT));
   MtbSetDouble(s, id, "profit", AccountInfoDouble(ACCOUNT_PROFIT));
   MtbSetDouble(s, id, "equity", AccountInfoDouble(ACCOUNT_EQUITY));
   MtbSetDouble(s, id, "margin", AccountInfoDouble(ACCOUNT_MARGIN));
   MtbSetDouble(s, id, "free_margin", AccountInfoDouble(ACCOUNT_MARGIN_FREE));
   if(AccountInfoDouble(ACCOUNT_MARGIN) > 0) MtbSetDouble(s, id, "margin_level", AccountInfoDouble(ACCOUNT_MARGIN_LEVEL));
   MtbSetDouble(s, id, "margin_call_level", AccountInfoDouble(ACCOUNT_MARGIN_SO_CALL));
   MtbSetDouble(s, id, "stop_out_level", AccountInfoDouble(ACCOUNT_MARGIN_SO_SO));
   MtbSetString(s, id, "stop_out_mode", AccountInfoInteger(ACCOUNT_MARGIN_SO_MODE) == ACCOUNT_STOPOUT_MODE_PERCENT ? "percent" : "money");
   MtbSetString(s, id, "margin_mode", Mt5MarginMode());
   long mode = AccountInfoInteger(ACCOUNT_TRADE_MODE);
   MtbSetString(s, id, "trade_mode", mode == ACCOUNT_TRADE_MODE_DEMO ? "demo" : (mode == ACCOUNT_TRADE_MODE_CONTEST ? "contest" : "real"));
   MtbSetBool(s, id, "trade_allowed", AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) != 0);
   MtbSetBool(s, id, "expert_allowed", AccountInfoInteger(ACCOUNT_TRADE_EXPERT) != 0);
   MtbSetLong(s, id, "limit_orders", AccountInfoInteger(ACCOUNT_LIMIT_ORDERS));
   MtbSetBool(s, id, "fifo_close", AccountInfoInteger(ACCOUNT_FIFO_CLOSE) != 0);
   MtbSetBool(s, id, "investor_mode", AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) == 0);
}

void Mt5Capabilities(const long s, const long id, const string p)
{
   int i = 0;
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "ticks_history");
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "market_depth");
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "stop_limit");
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "order_check");
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "day_orders");
   MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "trade_transactions");
   if(Mt5MarginMode() == "hedging")
   {
      MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "hedging");
      MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "close_by");
   }
   else MtbSetString(s, id, p + "[" + IntegerToString(i++) + "]", "netting");
}

#endif // METAAPI_BRIDGE_MT5_ROWS_MQH
