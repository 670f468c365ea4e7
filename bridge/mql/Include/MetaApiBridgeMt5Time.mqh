// MQL5 conversions between the trade server's clock and UTC: the offset now (TimeTradeServer, the server clock that
// runs on between quotes, against TimeGMT, rounded) and the offset in force at any other time, by the broker's
// daylight saving rule (MetaApiBridgeTime.mqh).
#ifndef METAAPI_BRIDGE_MT5_TIME_MQH
#define METAAPI_BRIDGE_MT5_TIME_MQH

#include <MetaApiBridgeTime.mqh>

// The server's offset from UTC now, in seconds, rounded to the quarter hour so it never jitters.
long Mt5Offset()
{
   datetime gmt = TimeGMT();
   return MtbRoundOffset((long)(TimeTradeServer() - gmt));
}

// The server's winter offset: the offset now without the daylight saving hour, if it applies now.
long Mt5WinterOffset()
{
   datetime gmt = TimeGMT();
   return MtbRoundOffset((long)(TimeTradeServer() - gmt)) - MtbDstShift((long)gmt);
}

// UTC milliseconds of a server time, converted with the offset in force at that time.
long MtbUtcMs(const datetime server_time)
{
   return ((long)server_time - MtbOffsetAtServer(Mt5WinterOffset(), (long)server_time)) * 1000;
}

// UTC milliseconds of a server time in milliseconds (the *_msc properties and MqlTick.time_msc).
long Mt5UtcMsOfMsc(const long server_msc)
{
   long server = server_msc >= 0 ? server_msc / 1000 : (server_msc - 999) / 1000;
   return server_msc - MtbOffsetAtServer(Mt5WinterOffset(), server) * 1000;
}

// The server time (seconds) of UTC milliseconds from a request (a range bound, an expiration).
datetime Mt5ServerTimeOf(const long utc_ms)
{
   long utc = utc_ms >= 0 ? utc_ms / 1000 : (utc_ms - 999) / 1000;
   return (datetime)(utc + MtbOffsetAtUtc(Mt5WinterOffset(), utc));
}

// The server time in milliseconds of UTC milliseconds (CopyTicks bounds).
long Mt5ServerMsOf(const long utc_ms)
{
   long utc = utc_ms >= 0 ? utc_ms / 1000 : (utc_ms - 999) / 1000;
   return utc_ms + MtbOffsetAtUtc(Mt5WinterOffset(), utc) * 1000;
}

#endif // METAAPI_BRIDGE_MT5_TIME_MQH
