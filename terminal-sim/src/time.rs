//! Calendar arithmetic on UTC milliseconds and the broker's clock.
//!
//! The broker runs the common "New York close" convention of MT servers: EET/EEST, UTC+2 in winter and UTC+3 in
//! summer, switching on the US rules (second Sunday of March, first Sunday of November, at 02:00 New York time), so
//! that 17:00 in New York is always midnight on the server and every day has 24 hours of D1 candle.
//!
//! No date crate: the simulator needs only civil-date conversion, weekdays and month starts.

use metaapi_protocol::methods::Weekday;
use metaapi_protocol::types::TimeMs;

/// Seconds the broker's clock runs ahead of UTC in winter.
pub const BROKER_WINTER_OFFSET_S: i32 = 7200;
/// Seconds the broker's clock runs ahead of UTC in summer (US daylight saving time).
pub const BROKER_SUMMER_OFFSET_S: i32 = 10_800;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

pub use metaapi_protocol::time::{civil_from_days, days_from_civil};

/// UTC milliseconds of a UTC civil date and time.
pub fn utc_ms(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> TimeMs {
    days_from_civil(year, month, day) * DAY_MS + i64::from(hour * 3600 + minute * 60 + second) * 1000
}

/// The day number of the `nth` (1-based) Sunday of a month.
fn nth_sunday(year: i64, month: u32, nth: i64) -> i64 {
    let first = days_from_civil(year, month, 1);
    // 1970-01-01 was a Thursday: (days + 4) % 7 is 0 on Sundays.
    let to_sunday = (7 - (first + 4).rem_euclid(7)) % 7;
    first + to_sunday + (nth - 1) * 7
}

/// The UTC span of US daylight saving time in `year`: from 02:00 EST on the second Sunday of March (07:00 UTC) to
/// 02:00 EDT on the first Sunday of November (06:00 UTC).
pub fn us_dst_span(year: i64) -> (TimeMs, TimeMs) {
    (nth_sunday(year, 3, 2) * DAY_MS + 7 * HOUR_MS, nth_sunday(year, 11, 1) * DAY_MS + 6 * HOUR_MS)
}

/// Seconds the broker's clock runs ahead of UTC at `utc`: 10,800 during US daylight saving time, else 7,200.
pub fn broker_utc_offset_s(utc: TimeMs) -> i32 {
    let (year, _, _) = civil_from_days(utc.div_euclid(DAY_MS));
    let (start, end) = us_dst_span(year);
    if (start..end).contains(&utc) { BROKER_SUMMER_OFFSET_S } else { BROKER_WINTER_OFFSET_S }
}

/// The broker's wall clock for a UTC time, as milliseconds on a UTC-like scale.
pub fn to_broker(utc: TimeMs) -> i64 {
    utc + i64::from(broker_utc_offset_s(utc)) * 1000
}

/// The UTC time of a broker wall-clock time. The hour repeated when the clock goes back reads as summer time
/// (its first occurrence); the hour skipped when it goes forward reads as winter time, as a server's clock does.
pub fn from_broker(broker: i64) -> TimeMs {
    let summer = broker - i64::from(BROKER_SUMMER_OFFSET_S) * 1000;
    if broker_utc_offset_s(summer) == BROKER_SUMMER_OFFSET_S {
        summer
    } else {
        broker - i64::from(BROKER_WINTER_OFFSET_S) * 1000
    }
}

/// `YYYY-MM-DD HH:MM:SS.mmm` on the broker's clock.
pub fn broker_time_string(utc: TimeMs) -> String {
    let broker = to_broker(utc);
    let (year, month, day) = civil_from_days(broker.div_euclid(DAY_MS));
    let ms_of_day = broker.rem_euclid(DAY_MS);
    let (hour, rest) = (ms_of_day / 3_600_000, ms_of_day % 3_600_000);
    let (minute, rest) = (rest / 60_000, rest % 60_000);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{:02}.{:03}", rest / 1000, rest % 1000)
}

/// Day of the week of a broker wall-clock time.
pub fn broker_weekday(broker: i64) -> Weekday {
    // 1970-01-01 was a Thursday.
    match (broker.div_euclid(DAY_MS) + 4).rem_euclid(7) {
        0 => Weekday::Sunday,
        1 => Weekday::Monday,
        2 => Weekday::Tuesday,
        3 => Weekday::Wednesday,
        4 => Weekday::Thursday,
        5 => Weekday::Friday,
        _ => Weekday::Saturday,
    }
}

/// Minutes since broker midnight.
pub fn broker_minute_of_day(broker: i64) -> u32 {
    (broker.rem_euclid(DAY_MS) / 60_000) as u32
}

/// Start of the broker day containing `broker`.
pub fn broker_day_start(broker: i64) -> i64 {
    broker.div_euclid(DAY_MS) * DAY_MS
}

/// Start of the broker month containing `broker`, and the start of the month before it.
pub fn broker_month_start(broker: i64) -> i64 {
    let (year, month, _) = civil_from_days(broker.div_euclid(DAY_MS));
    days_from_civil(year, month, 1) * DAY_MS
}

/// The month start before the month start `month_start`.
pub fn previous_month_start(month_start: i64) -> i64 {
    let (year, month, _) = civil_from_days(month_start.div_euclid(DAY_MS));
    let (year, month) = if month == 1 { (year - 1, 12) } else { (year, month - 1) };
    days_from_civil(year, month, 1) * DAY_MS
}

/// The month start after the month start `month_start`.
pub fn next_month_start(month_start: i64) -> i64 {
    let (year, month, _) = civil_from_days(month_start.div_euclid(DAY_MS));
    let (year, month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    days_from_civil(year, month, 1) * DAY_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_weekday() {
        let monday = utc_ms(2024, 1, 8, 0, 0, 0);
        assert_eq!(monday, 1_704_672_000_000);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(broker_weekday(to_broker(monday)), Weekday::Monday);
        assert_eq!(broker_time_string(monday + 1_234), "2024-01-08 02:00:01.234");
        assert_eq!(previous_month_start(broker_month_start(monday)), utc_ms(2023, 12, 1, 0, 0, 0));
        assert_eq!(next_month_start(utc_ms(2023, 12, 1, 0, 0, 0)), utc_ms(2024, 1, 1, 0, 0, 0));
    }

    #[test]
    fn broker_clock_follows_us_daylight_saving_time() {
        // 2024: DST from Sunday 10 March 07:00 UTC to Sunday 3 November 06:00 UTC.
        assert_eq!(us_dst_span(2024), (utc_ms(2024, 3, 10, 7, 0, 0), utc_ms(2024, 11, 3, 6, 0, 0)));
        assert_eq!(us_dst_span(2023), (utc_ms(2023, 3, 12, 7, 0, 0), utc_ms(2023, 11, 5, 6, 0, 0)));
        let spring = utc_ms(2024, 3, 10, 7, 0, 0);
        assert_eq!(broker_utc_offset_s(spring - 1), 7200);
        assert_eq!(broker_utc_offset_s(spring), 10_800);
        assert_eq!(broker_time_string(spring - 1_000), "2024-03-10 08:59:59.000");
        assert_eq!(broker_time_string(spring), "2024-03-10 10:00:00.000");
        let autumn = utc_ms(2024, 11, 3, 6, 0, 0);
        assert_eq!(broker_time_string(autumn - 1_000), "2024-11-03 08:59:59.000");
        assert_eq!(broker_time_string(autumn), "2024-11-03 08:00:00.000");
        // New York's 17:00 close is the broker's midnight all year round.
        assert_eq!(broker_minute_of_day(to_broker(utc_ms(2024, 1, 8, 22, 0, 0))), 0);
        assert_eq!(broker_minute_of_day(to_broker(utc_ms(2024, 7, 8, 21, 0, 0))), 0);
    }

    #[test]
    fn broker_to_utc_round_trips_and_resolves_the_switch_hours() {
        for utc in [utc_ms(2024, 1, 8, 8, 0, 0), utc_ms(2024, 7, 1, 12, 30, 0), utc_ms(2024, 3, 10, 7, 0, 0)] {
            assert_eq!(from_broker(to_broker(utc)), utc);
        }
        // 08:30 on 3 November happens twice on the broker's clock; the first (summer) one is meant.
        assert_eq!(from_broker(to_broker(utc_ms(2024, 11, 3, 5, 30, 0))), utc_ms(2024, 11, 3, 5, 30, 0));
        // 09:30 on 10 March never happens; it reads as winter time.
        let skipped = utc_ms(2024, 3, 10, 9, 30, 0);
        assert_eq!(from_broker(skipped), skipped - 7_200_000);
    }
}
