// MQL4 conversions between the trade server's clock and UTC. MQL4 has no TimeTradeServer: TimeCurrent is the server
// time of the last quote, which is the server's clock only while quotes arrive. So the offset is measured only when a
// quote came in during the last minute, and otherwise the last good measurement is kept; the broker's daylight
// saving rule (MetaApiBridgeTime.mqh) carries it across a change, over a weekend included.
#ifndef METAAPI_BRIDGE_MT4_TIME_MQH
#define METAAPI_BRIDGE_MT4_TIME_MQH

#include <MetaApiBridgeTime.mqh>

// The last good winter offset, and TimeCurrent and TimeGMT when the offset was last looked at.
long     g_mt4_winter_offset = 0;
bool     g_mt4_offset_measured = false;
datetime g_mt4_seen_quote_time = 0;
datetime g_mt4_seen_gmt = 0;

// The server's winter offset (seconds). Measured when TimeCurrent moved since the previous look less than a minute
// ago, so the newest quote is at most that old; until the first such quote (an EA started on a weekend) it is
// estimated from the last quote, which is wrong by as long as the market has been quiet.
long Mt4WinterOffset()
{
   datetime quote_time = TimeCurrent();
   datetime gmt = TimeGMT();
   bool fresh = g_mt4_seen_gmt != 0 && quote_time != g_mt4_seen_quote_time && gmt - g_mt4_seen_gmt <= 60;
   if(fresh)
   {
      g_mt4_winter_offset = MtbRoundOffset((long)(quote_time - gmt)) - MtbDstShift((long)gmt);
      g_mt4_offset_measured = true;
   }
   g_mt4_seen_quote_time = quote_time;
   g_mt4_seen_gmt = gmt;
   if(g_mt4_offset_measured) return g_mt4_winter_offset;
   return MtbRoundOffset((long)(quote_time - gmt)) - MtbDstShift((long)gmt);
}

// The server's offset from UTC now, in seconds.
long Mt4Offset() { return Mt4WinterOffset() + MtbDstShift((long)TimeGMT()); }

// UTC milliseconds of a server time, converted with the offset in force at that time.
long Mt4Utc(const datetime t) { return ((long)t - MtbOffsetAtServer(Mt4WinterOffset(), (long)t)) * 1000; }

// The server time (seconds) of UTC milliseconds from a request (a range bound, an expiration).
datetime Mt4ServerTimeOf(const long utc_ms)
{
   long utc = utc_ms >= 0 ? utc_ms / 1000 : (utc_ms - 999) / 1000;
   return (datetime)(utc + MtbOffsetAtUtc(Mt4WinterOffset(), utc));
}

#endif // METAAPI_BRIDGE_MT4_TIME_MQH
