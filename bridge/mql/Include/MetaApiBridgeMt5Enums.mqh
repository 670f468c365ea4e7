// MQL5 enum <-> protocol name conversions of the MetaAPI bridge (order types, states, time in force, filling,
// reasons, deal types and entries, margin mode).
#ifndef METAAPI_BRIDGE_MT5_ENUMS_MQH
#define METAAPI_BRIDGE_MT5_ENUMS_MQH

string Mt5Side(const long position_type) { return position_type == POSITION_TYPE_BUY ? "buy" : "sell"; }

string Mt5OrderType(const long t)
{
   switch((int)t)
   {
      case ORDER_TYPE_BUY: return "buy";
      case ORDER_TYPE_SELL: return "sell";
      case ORDER_TYPE_BUY_LIMIT: return "buy_limit";
      case ORDER_TYPE_SELL_LIMIT: return "sell_limit";
      case ORDER_TYPE_BUY_STOP: return "buy_stop";
      case ORDER_TYPE_SELL_STOP: return "sell_stop";
      case ORDER_TYPE_BUY_STOP_LIMIT: return "buy_stop_limit";
      case ORDER_TYPE_SELL_STOP_LIMIT: return "sell_stop_limit";
   }
   return "close_by";
}

ENUM_ORDER_TYPE Mt5OrderTypeOf(const string t)
{
   if(t == "sell") return ORDER_TYPE_SELL;
   if(t == "buy_limit") return ORDER_TYPE_BUY_LIMIT;
   if(t == "sell_limit") return ORDER_TYPE_SELL_LIMIT;
   if(t == "buy_stop") return ORDER_TYPE_BUY_STOP;
   if(t == "sell_stop") return ORDER_TYPE_SELL_STOP;
   if(t == "buy_stop_limit") return ORDER_TYPE_BUY_STOP_LIMIT;
   if(t == "sell_stop_limit") return ORDER_TYPE_SELL_STOP_LIMIT;
   return ORDER_TYPE_BUY;
}

string Mt5OrderState(const long state)
{
   switch((int)state)
   {
      case ORDER_STATE_STARTED: return "started";
      case ORDER_STATE_CANCELED: return "canceled";
      case ORDER_STATE_PARTIAL: return "partial";
      case ORDER_STATE_FILLED: return "filled";
      case ORDER_STATE_REJECTED: return "rejected";
      case ORDER_STATE_EXPIRED: return "expired";
   }
   return "placed";
}

string Mt5TimeInForce(const long t)
{
   switch((int)t)
   {
      case ORDER_TIME_DAY: return "day";
      case ORDER_TIME_SPECIFIED: return "specified";
      case ORDER_TIME_SPECIFIED_DAY: return "specified_day";
   }
   return "gtc";
}

ENUM_ORDER_TYPE_TIME Mt5TimeInForceOf(const string t)
{
   if(t == "day") return ORDER_TIME_DAY;
   if(t == "specified") return ORDER_TIME_SPECIFIED;
   if(t == "specified_day") return ORDER_TIME_SPECIFIED_DAY;
   return ORDER_TIME_GTC;
}

string Mt5Filling(const long f)
{
   switch((int)f)
   {
      case ORDER_FILLING_FOK: return "fok";
      case ORDER_FILLING_IOC: return "ioc";
      case ORDER_FILLING_BOC: return "boc";
   }
   return "return";
}

ENUM_ORDER_TYPE_FILLING Mt5FillingOf(const string symbol, const string f)
{
   if(f == "fok") return ORDER_FILLING_FOK;
   if(f == "ioc") return ORDER_FILLING_IOC;
   if(f == "return") return ORDER_FILLING_RETURN;
   if(f == "boc") return ORDER_FILLING_BOC;
   long allowed = SymbolInfoInteger(symbol, SYMBOL_FILLING_MODE);
   if((allowed & SYMBOL_FILLING_FOK) != 0) return ORDER_FILLING_FOK;
   if((allowed & SYMBOL_FILLING_IOC) != 0) return ORDER_FILLING_IOC;
   return ORDER_FILLING_RETURN;
}

string Mt5Reason(const long r)
{
   switch((int)r)
   {
      case 1: return "mobile";
      case 2: return "web";
      case 3: return "expert";
      case 4: return "sl";
      case 5: return "tp";
      case 6: return "stop_out";
   }
   return "client";
}

string Mt5DealReason(const long r)
{
   switch((int)r)
   {
      case DEAL_REASON_MOBILE: return "mobile";
      case DEAL_REASON_WEB: return "web";
      case DEAL_REASON_EXPERT: return "expert";
      case DEAL_REASON_SL: return "sl";
      case DEAL_REASON_TP: return "tp";
      case DEAL_REASON_SO: return "stop_out";
      case DEAL_REASON_ROLLOVER: return "rollover";
      case DEAL_REASON_VMARGIN: return "vmargin";
      case DEAL_REASON_SPLIT: return "split";
   }
   return "client";
}

string Mt5DealType(const long t)
{
   switch((int)t)
   {
      case DEAL_TYPE_BUY: return "buy";
      case DEAL_TYPE_SELL: return "sell";
      case DEAL_TYPE_BALANCE: return "balance";
      case DEAL_TYPE_CREDIT: return "credit";
      case DEAL_TYPE_CHARGE: return "charge";
      case DEAL_TYPE_CORRECTION: return "correction";
      case DEAL_TYPE_BONUS: return "bonus";
      case DEAL_TYPE_COMMISSION: return "commission";
      case DEAL_TYPE_COMMISSION_DAILY: return "commission_daily";
      case DEAL_TYPE_COMMISSION_MONTHLY: return "commission_monthly";
      case DEAL_TYPE_COMMISSION_AGENT_DAILY: return "commission_agent_daily";
      case DEAL_TYPE_COMMISSION_AGENT_MONTHLY: return "commission_agent_monthly";
      case DEAL_TYPE_INTEREST: return "interest";
      case DEAL_TYPE_BUY_CANCELED: return "buy_canceled";
      case DEAL_TYPE_SELL_CANCELED: return "sell_canceled";
      case DEAL_DIVIDEND: return "dividend";
      case DEAL_DIVIDEND_FRANKED: return "dividend_franked";
   }
   return "tax";
}

string Mt5DealEntry(const long e)
{
   switch((int)e)
   {
      case DEAL_ENTRY_OUT: return "out";
      case DEAL_ENTRY_INOUT: return "inout";
      case DEAL_ENTRY_OUT_BY: return "out_by";
   }
   return "in";
}

string Mt5MarginMode()
{
   long mode = AccountInfoInteger(ACCOUNT_MARGIN_MODE);
   if(mode == ACCOUNT_MARGIN_MODE_RETAIL_HEDGING) return "hedging";
   if(mode == ACCOUNT_MARGIN_MODE_EXCHANGE) return "exchange";
   return "netting";
}

#endif // METAAPI_BRIDGE_MT5_ENUMS_MQH
