// The broker's clock, shared by MQL4 and MQL5: the rule by which a trade server's offset from UTC changes with
// daylight saving time, so each time of a history converts with the offset in force at that time, not today's.
// Pure arithmetic on seconds; each platform's time include says what the offset is now.
#ifndef METAAPI_BRIDGE_TIME_MQH
#define METAAPI_BRIDGE_TIME_MQH

// Almost every MetaTrader broker keeps the "New York close" clock: UTC+2 in winter and UTC+3 while the United States
// is on daylight saving time (second Sunday of March to first Sunday of November, at 02:00 New York time), so that
// 17:00 in New York is midnight on the server all year. The offset now tells the winter offset; this rule tells
// when the extra hour applies.
#define MTB_DST_SHIFT_S 3600

// Days since 1970-01-01 of a civil date (proleptic Gregorian calendar, years after 1970).
long MtbDaysFromCivil(const long year, const long month, const long day)
{
   long y = month <= 2 ? year - 1 : year;
   long era = y / 400;
   long year_of_era = y - era * 400;
   long day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
   long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
   return era * 146097 + day_of_era - 719468;
}

// The civil year of a day number (days since 1970-01-01, not negative).
long MtbYearOfDays(const long days)
{
   long z = days + 719468;
   long era = z / 146097;
   long day_of_era = z - era * 146097;
   long year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
   long day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
   long month_index = (5 * day_of_year + 2) / 153;
   return year_of_era + era * 400 + (month_index >= 10 ? 1 : 0);
}

// The day number of the nth (1-based) Sunday of a month.
long MtbNthSunday(const long year, const long month, const long nth)
{
   long first = MtbDaysFromCivil(year, month, 1);
   // 1970-01-01 was a Thursday: (days + 4) % 7 is 0 on Sundays.
   long to_sunday = (7 - (first + 4) % 7) % 7;
   return first + to_sunday + (nth - 1) * 7;
}

// Seconds the broker's clock is ahead of its winter offset at a UTC time (seconds): an hour during US daylight
// saving time, which runs from 07:00 UTC on the second Sunday of March to 06:00 UTC on the first Sunday of November.
long MtbDstShift(const long utc)
{
   if(utc <= 0) return 0;
   long year = MtbYearOfDays(utc / 86400);
   long start = MtbNthSunday(year, 3, 2) * 86400 + 7 * 3600;
   long end = MtbNthSunday(year, 11, 1) * 86400 + 6 * 3600;
   return utc >= start && utc < end ? MTB_DST_SHIFT_S : 0;
}

// A measured offset (server clock minus UTC, seconds) rounded to the nearest quarter hour: every broker's offset is
// a whole number of quarter hours, and the measurement is off by however far apart its two clock readings were.
long MtbRoundOffset(const long raw)
{
   return (raw >= 0 ? raw + 450 : raw - 450) / 900 * 900;
}

// The offset in force at a UTC time, given the winter offset.
long MtbOffsetAtUtc(const long winter_offset, const long utc)
{
   return winter_offset + MtbDstShift(utc);
}

// The offset in force at a server time, given the winter offset. The hour the clock repeats in autumn reads as
// summer time (its first pass) and the hour it skips in spring as winter time, as the server's own clock does.
long MtbOffsetAtServer(const long winter_offset, const long server)
{
   long summer = winter_offset + MTB_DST_SHIFT_S;
   return MtbDstShift(server - summer) != 0 ? summer : winter_offset;
}

#endif // METAAPI_BRIDGE_TIME_MQH
