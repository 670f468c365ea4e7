// MQL4 conversions and row writers of the MetaAPI bridge: server time to UTC, order types and timeframes, and
// one position, order, deal, quote or account written into a reply or event at a prefix.
#ifndef METAAPI_BRIDGE_MT4_ROWS_MQH
#define METAAPI_BRIDGE_MT4_ROWS_MQH

#include <metaapi_bridge.mqh>
#include <MetaApiBridgeMt4Time.mqh>

// ---- Conversions ----

string Mt4Type(const int t)
{
   switch(t) { case OP_BUY: return "buy"; case OP_SELL: return "sell"; case OP_BUYLIMIT: return "buy_limit";
               case OP_SELLLIMIT: return "sell_limit"; case OP_BUYSTOP: return "buy_stop"; }
   return "sell_stop";
}
int Mt4TypeOf(const string t)
{
   if(t == "sell") return OP_SELL; if(t == "buy_limit") return OP_BUYLIMIT; if(t == "sell_limit") return OP_SELLLIMIT;
   if(t == "buy_stop") return OP_BUYSTOP; if(t == "sell_stop") return OP_SELLSTOP; return OP_BUY;
}
int Mt4Timeframe(const string tf)
{
   if(tf == "m5") return PERIOD_M5; if(tf == "m15") return PERIOD_M15; if(tf == "m30") return PERIOD_M30;
   if(tf == "h1") return PERIOD_H1; if(tf == "h4") return PERIOD_H4; if(tf == "d1") return PERIOD_D1;
   if(tf == "w1") return PERIOD_W1; if(tf == "mn1") return PERIOD_MN1; if(tf == "m1") return PERIOD_M1;
   return -1;
}

// A trading call's client_id travels in the order's comment as "cid:<id>" when the call gave no comment of its
// own, as on MT5: the comment is the one field MT4 keeps with a ticket that a client can set, so after a relink the
// rows still name the call that made them. Longer ids than the comment holds (31 characters) are not kept.
string Mt4CommentFor(const string comment, const string client_id)
{
   if(comment != "" || client_id == "" || StringLen(client_id) > 27) return comment;
   return "cid:" + client_id;
}

// The client_id of the selected order, when its comment carries one.
void Mt4ClientIdOf(const long s, const long id, const string p)
{
   if(StringFind(OrderComment(), "cid:") == 0) MtbSetString(s, id, p + "client_id", StringSubstr(OrderComment(), 4));
}

// The selected open market order as a position.
void Mt4PositionRow(const long s, const long id, const string p)
{
   MtbSetString(s, id, p + "ticket", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "position_id", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "symbol", OrderSymbol());
   MtbSetString(s, id, p + "side", OrderType() == OP_BUY ? "buy" : "sell");
   MtbSetDouble(s, id, p + "volume", OrderLots());
   MtbSetDouble(s, id, p + "price_open", OrderOpenPrice());
   MtbSetDouble(s, id, p + "price_current", OrderClosePrice());
   if(OrderStopLoss() > 0) MtbSetDouble(s, id, p + "sl", OrderStopLoss());
   if(OrderTakeProfit() > 0) MtbSetDouble(s, id, p + "tp", OrderTakeProfit());
   MtbSetDouble(s, id, p + "swap", OrderSwap());
   MtbSetDouble(s, id, p + "commission", OrderCommission());
   MtbSetDouble(s, id, p + "profit", OrderProfit());
   MtbSetLong(s, id, p + "magic", OrderMagicNumber());
   MtbSetString(s, id, p + "comment", OrderComment());
   Mt4ClientIdOf(s, id, p);
   MtbSetString(s, id, p + "reason", OrderMagicNumber() != 0 ? "expert" : "client");
   MtbSetLong(s, id, p + "time", Mt4Utc(OrderOpenTime()));
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime(OrderOpenTime()));
   MtbSetLong(s, id, p + "update_time", Mt4Utc(OrderOpenTime()));
   MtbSetString(s, id, p + "platform", "mt4");
}

// The selected pending (or history) order.
void Mt4OrderRow(const long s, const long id, const string p, const bool history)
{
   MtbSetString(s, id, p + "ticket", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "symbol", OrderSymbol());
   MtbSetString(s, id, p + "type", Mt4Type(OrderType()));
   MtbSetString(s, id, p + "state", history ? (OrderType() <= OP_SELL ? "filled" : "canceled") : "placed");
   MtbSetDouble(s, id, p + "volume_initial", OrderLots());
   MtbSetDouble(s, id, p + "volume_current", history ? 0.0 : OrderLots());
   MtbSetDouble(s, id, p + "price_open", OrderOpenPrice());
   MtbSetDouble(s, id, p + "price_current", OrderClosePrice());
   if(OrderStopLoss() > 0) MtbSetDouble(s, id, p + "sl", OrderStopLoss());
   if(OrderTakeProfit() > 0) MtbSetDouble(s, id, p + "tp", OrderTakeProfit());
   MtbSetLong(s, id, p + "time_setup", Mt4Utc(OrderOpenTime()));
   if(history) MtbSetLong(s, id, p + "time_done", Mt4Utc(OrderCloseTime()));
   if(OrderExpiration() > 0) MtbSetLong(s, id, p + "expiration", Mt4Utc(OrderExpiration()));
   MtbSetString(s, id, p + "time_in_force", OrderExpiration() > 0 ? "specified" : "gtc");
   MtbSetString(s, id, p + "filling", "fok");
   MtbSetLong(s, id, p + "magic", OrderMagicNumber());
   MtbSetString(s, id, p + "comment", OrderComment());
   Mt4ClientIdOf(s, id, p);
   if(OrderType() <= OP_SELL) MtbSetString(s, id, p + "position_id", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "reason", OrderMagicNumber() != 0 ? "expert" : "client");
   MtbSetString(s, id, p + "platform", "mt4");
}

// MT4 has no deals: a closed market order yields an `in` deal (open) and an `out` deal (close).
void Mt4DealRow(const long s, const long id, const string p, const bool closing)
{
   int t = OrderType();
   bool buy = t == OP_BUY;
   // A balance or credit operation (types 6 and 7) belongs to no order or position, and is an `in` as on MT5.
   bool operation = t > OP_SELLSTOP;
   MtbSetString(s, id, p + "ticket", IntegerToString(OrderTicket()));
   if(!operation) MtbSetString(s, id, p + "order", IntegerToString(OrderTicket()));
   if(!operation) MtbSetString(s, id, p + "position_id", IntegerToString(OrderTicket()));
   MtbSetString(s, id, p + "symbol", OrderSymbol());
   MtbSetString(s, id, p + "type", t == 6 ? "balance" : t == 7 ? "credit" : ((buy != closing) ? "buy" : "sell"));
   MtbSetString(s, id, p + "entry", closing && !operation ? "out" : "in");
   MtbSetDouble(s, id, p + "volume", OrderLots());
   MtbSetDouble(s, id, p + "price", closing ? OrderClosePrice() : OrderOpenPrice());
   MtbSetDouble(s, id, p + "commission", closing ? 0.0 : OrderCommission());
   MtbSetDouble(s, id, p + "swap", closing ? OrderSwap() : 0.0);
   MtbSetDouble(s, id, p + "fee", 0.0);
   MtbSetDouble(s, id, p + "profit", closing || t > OP_SELL ? OrderProfit() : 0.0);
   MtbSetLong(s, id, p + "magic", OrderMagicNumber());
   MtbSetString(s, id, p + "comment", OrderComment());
   Mt4ClientIdOf(s, id, p);
   MtbSetString(s, id, p + "reason", OrderMagicNumber() != 0 ? "expert" : "client");
   datetime when = closing ? OrderCloseTime() : OrderOpenTime();
   MtbSetLong(s, id, p + "time", Mt4Utc(when));
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime(when));
   MtbSetString(s, id, p + "platform", "mt4");
}

bool Mt4QuoteRow(const long s, const long id, const string p, const string symbol)
{
   MqlTick tick;
   if(!SymbolInfoTick(symbol, tick)) return false;
   MtbSetString(s, id, p + "symbol", symbol);
   MtbSetDouble(s, id, p + "bid", tick.bid);
   MtbSetDouble(s, id, p + "ask", tick.ask);
   MtbSetLong(s, id, p + "time", Mt4Utc(tick.time));
   MtbSetString(s, id, p + "broker_time", MtbBrokerTime(tick.time));
   return true;
}

void Mt4AccountRow(const long s, const long id)
{
   MtbSetString(s, id, "platform", "mt4");
   MtbSetLong(s, id, "login", AccountNumber());
   MtbSetString(s, id, "name", AccountName());
   MtbSetString(s, id, "server", AccountServer());
   MtbSetString(s, id, "company", AccountCompany());
   MtbSetString(s, id, "currency", AccountCurrency());
   MtbSetLong(s, id, "currency_digits", 2);
   MtbSetLong(s, id, "leverage", AccountLeverage());
   MtbSetDouble(s, id, "balance", AccountBalance());
   MtbSetDouble(s, id, "credit", AccountCredit());
   MtbSetDouble(s, id, "profit", AccountProfit());
   MtbSetDouble(s, id, "equity", AccountEquity());
   MtbSetDouble(s, id, "margin", AccountMargin());
   MtbSetDouble(s, id, "free_margin", AccountFreeMargin());
   if(AccountMargin() > 0) MtbSetDouble(s, id, "margin_level", AccountEquity() / AccountMargin() * 100.0);
   MtbSetDouble(s, id, "margin_call_level", AccountInfoDouble(ACCOUNT_MARGIN_SO_CALL));
   MtbSetDouble(s, id, "stop_out_level", AccountStopoutLevel());
   MtbSetString(s, id, "stop_out_mode", AccountStopoutMode() == 0 ? "percent" : "money");
   MtbSetString(s, id, "margin_mode", "hedging");
   MtbSetString(s, id, "trade_mode", IsDemo() ? "demo" : "real");
   MtbSetBool(s, id, "trade_allowed", IsTradeAllowed());
   MtbSetBool(s, id, "expert_allowed", IsExpertEnabled());
   MtbSetLong(s, id, "limit_orders", AccountInfoInteger(ACCOUNT_LIMIT_ORDERS));
   MtbSetBool(s, id, "fifo_close", false);
   MtbSetBool(s, id, "investor_mode", AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) == 0);
}

#endif // METAAPI_BRIDGE_MT4_ROWS_MQH
