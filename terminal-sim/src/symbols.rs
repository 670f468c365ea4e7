//! The simulated broker's symbols: trading specifications that look like a real retail broker's, and the
//! parameters of their price feed.

use metaapi_protocol::methods::{CalcMode, ExecutionMode, Session, SymbolSpec, SymbolTradeMode, Weekday};
use metaapi_protocol::types::{Filling, OrderType, TimeInForce};

use crate::mode::Mode;
use crate::time::{broker_minute_of_day, broker_weekday};

/// A symbol: its spec as `get_symbol_spec` shows it, and how its price moves.
#[derive(Debug, Clone)]
pub struct Instrument {
    /// The spec. `tick_value` and `spread` are refreshed from the market when shown.
    pub spec: SymbolSpec,
    /// Folder in the symbol tree.
    pub path: String,
    /// Mid price when the simulation starts.
    pub start_mid: f64,
    /// Standard deviation of the log price over one second.
    pub vol_per_sqrt_s: f64,
    /// Smallest and largest spread, in points.
    pub spread_points: (u32, u32),
    /// Mean time between ticks.
    pub tick_interval_ms: i64,
}

impl Instrument {
    /// Whether quotes arrive at broker wall-clock time `broker`.
    pub fn quoting(&self, broker: i64) -> bool {
        in_sessions(&self.spec.quote_sessions, broker)
    }

    /// Whether trading is open at broker wall-clock time `broker`.
    pub fn trading(&self, broker: i64) -> bool {
        in_sessions(&self.spec.trade_sessions, broker)
    }

    /// Rounds a price to the tick size.
    pub fn normalize(&self, price: f64) -> f64 {
        round_to(price, self.spec.tick_size, self.spec.digits)
    }

    /// Whether a price is a multiple of the tick size.
    pub fn is_normalized(&self, price: f64) -> bool {
        (self.normalize(price) - price).abs() < self.spec.point * 1e-3
    }
}

/// Rounds `value` to a multiple of `step`, then to `digits` decimals to drop binary noise.
pub fn round_to(value: f64, step: f64, digits: u32) -> f64 {
    let scale = 10f64.powi(digits as i32);
    (((value / step).round() * step) * scale).round() / scale
}

fn in_sessions(sessions: &[Session], broker: i64) -> bool {
    let day = broker_weekday(broker);
    let minute = broker_minute_of_day(broker);
    sessions.iter().any(|session| session.day == day && session.from_minute <= minute && minute < session.to_minute)
}

fn weekdays(from_minute: u32, to_minute: u32) -> Vec<Session> {
    [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday]
        .into_iter()
        .map(|day| Session { day, from_minute, to_minute })
        .collect()
}

fn every_day() -> Vec<Session> {
    [
        Weekday::Sunday,
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
    ]
    .into_iter()
    .map(|day| Session { day, from_minute: 0, to_minute: 1440 })
    .collect()
}

struct Def {
    name: &'static str,
    description: &'static str,
    path: &'static str,
    base: &'static str,
    profit: &'static str,
    margin: &'static str,
    digits: u32,
    contract: f64,
    volume: (f64, f64, f64, f64),
    stops_freeze: (u32, u32),
    calc_mode: CalcMode,
    filling: Vec<Filling>,
    expiration: Vec<TimeInForce>,
    swaps: (f64, f64),
    sessions: Vec<Session>,
    mid: f64,
    daily_vol: f64,
    spread: (u32, u32),
    tick_ms: i64,
}

fn build(def: Def, mode: Mode) -> Instrument {
    let point = 10f64.powi(-(def.digits as i32));
    let mut order_types = vec![
        OrderType::Buy,
        OrderType::Sell,
        OrderType::BuyLimit,
        OrderType::SellLimit,
        OrderType::BuyStop,
        OrderType::SellStop,
    ];
    let mut expiration = def.expiration;
    if mode == Mode::Mt4 {
        // MT4 has no stop-limit orders and only GTC or a specified expiration.
        expiration.retain(|tif| matches!(tif, TimeInForce::Gtc | TimeInForce::Specified));
    } else {
        order_types.extend([OrderType::BuyStopLimit, OrderType::SellStopLimit]);
    }
    let spec = SymbolSpec {
        symbol: def.name.into(),
        description: def.description.into(),
        base_currency: def.base.into(),
        profit_currency: def.profit.into(),
        margin_currency: def.margin.into(),
        digits: def.digits,
        point,
        tick_size: point,
        tick_value: point * def.contract,
        contract_size: def.contract,
        volume_min: def.volume.0,
        volume_max: def.volume.1,
        volume_step: def.volume.2,
        volume_limit: def.volume.3,
        stops_level: def.stops_freeze.0,
        freeze_level: def.stops_freeze.1,
        trade_mode: SymbolTradeMode::Full,
        execution_mode: if mode == Mode::Mt4 { ExecutionMode::Instant } else { ExecutionMode::Market },
        calc_mode: def.calc_mode,
        filling_modes: def.filling,
        expiration_modes: expiration,
        order_types,
        swap_long: def.swaps.0,
        swap_short: def.swaps.1,
        swap_rollover3days: Weekday::Wednesday,
        margin_initial: 0.0,
        margin_maintenance: 0.0,
        // Hedged lots take full margin: the account margin is the sum over positions.
        margin_hedged: def.contract,
        spread: def.spread.0,
        spread_float: true,
        quote_sessions: def.sessions.clone(),
        trade_sessions: def.sessions,
    };
    Instrument {
        spec,
        path: def.path.into(),
        start_mid: def.mid,
        vol_per_sqrt_s: def.daily_vol / 86_400f64.sqrt(),
        spread_points: def.spread,
        tick_interval_ms: def.tick_ms,
    }
}

/// The broker's symbols for `mode`, in Market Watch order.
pub fn catalogue(mode: Mode) -> Vec<Instrument> {
    use CalcMode::*;
    use Filling::*;
    use TimeInForce::*;
    let all_tif = || vec![Gtc, Day, Specified, SpecifiedDay];
    let defs = vec![
        Def {
            name: "EURUSD",
            description: "Euro vs US Dollar",
            path: "Forex\\Majors\\EURUSD",
            base: "EUR",
            profit: "USD",
            margin: "EUR",
            digits: 5,
            contract: 100_000.0,
            volume: (0.01, 100.0, 0.01, 0.0),
            stops_freeze: (10, 5),
            calc_mode: Forex,
            filling: vec![Fok, Ioc],
            expiration: all_tif(),
            swaps: (-6.94, 1.22),
            sessions: weekdays(0, 1440),
            mid: 1.08500,
            daily_vol: 0.005,
            spread: (6, 14),
            tick_ms: 250,
        },
        Def {
            name: "GBPUSD",
            description: "Great Britain Pound vs US Dollar",
            path: "Forex\\Majors\\GBPUSD",
            base: "GBP",
            profit: "USD",
            margin: "GBP",
            digits: 5,
            contract: 100_000.0,
            volume: (0.01, 100.0, 0.01, 0.0),
            stops_freeze: (10, 5),
            calc_mode: Forex,
            filling: vec![Fok, Ioc],
            expiration: all_tif(),
            swaps: (-4.1, -1.3),
            sessions: weekdays(0, 1440),
            mid: 1.27000,
            daily_vol: 0.006,
            spread: (10, 20),
            tick_ms: 300,
        },
        Def {
            name: "USDJPY",
            description: "US Dollar vs Japanese Yen",
            path: "Forex\\Majors\\USDJPY",
            base: "USD",
            profit: "JPY",
            margin: "USD",
            digits: 3,
            contract: 100_000.0,
            volume: (0.01, 100.0, 0.01, 0.0),
            stops_freeze: (10, 5),
            calc_mode: Forex,
            filling: vec![Fok, Ioc],
            expiration: all_tif(),
            swaps: (12.4, -28.9),
            sessions: weekdays(0, 1440),
            mid: 148.500,
            daily_vol: 0.006,
            spread: (8, 16),
            tick_ms: 300,
        },
        Def {
            name: "XAUUSD",
            description: "Gold vs US Dollar",
            path: "Metals\\XAUUSD",
            base: "XAU",
            profit: "USD",
            margin: "XAU",
            digits: 2,
            contract: 100.0,
            volume: (0.01, 50.0, 0.01, 0.0),
            stops_freeze: (50, 20),
            calc_mode: Forex,
            filling: vec![Fok, Ioc],
            expiration: all_tif(),
            swaps: (-35.2, 18.4),
            sessions: weekdays(60, 1440),
            mid: 2050.00,
            daily_vol: 0.01,
            spread: (15, 35),
            tick_ms: 300,
        },
        Def {
            name: "US500",
            description: "US 500 Cash Index",
            path: "Indices\\US500",
            base: "USD",
            profit: "USD",
            margin: "USD",
            digits: 2,
            contract: 1.0,
            volume: (0.1, 100.0, 0.1, 0.0),
            stops_freeze: (100, 50),
            calc_mode: Cfd,
            filling: vec![Fok, Ioc, Return],
            expiration: vec![Gtc, Day],
            swaps: (-2.5, -1.1),
            sessions: weekdays(60, 1395),
            mid: 4780.00,
            daily_vol: 0.01,
            spread: (40, 80),
            tick_ms: 500,
        },
        Def {
            name: "BTCUSD",
            description: "Bitcoin vs US Dollar",
            path: "Crypto\\BTCUSD",
            base: "BTC",
            profit: "USD",
            margin: "USD",
            digits: 2,
            contract: 1.0,
            volume: (0.01, 10.0, 0.01, 20.0),
            stops_freeze: (1000, 500),
            calc_mode: CfdLeverage,
            filling: vec![Ioc],
            expiration: vec![Gtc, Specified],
            swaps: (-20.0, -20.0),
            sessions: every_day(),
            mid: 43_000.00,
            daily_vol: 0.03,
            spread: (1500, 4000),
            tick_ms: 400,
        },
    ];
    defs.into_iter().map(|def| build(def, mode)).collect()
}

/// Whether `name` matches an MT group pattern list such as `*USD*,!*JPY*`.
pub fn matches_group(name: &str, group: &str) -> bool {
    let mut included = false;
    let mut any_positive = false;
    for pattern in group.split(',').map(str::trim).filter(|pattern| !pattern.is_empty()) {
        if let Some(negative) = pattern.strip_prefix('!') {
            if glob(name, negative) {
                return false;
            }
        } else {
            any_positive = true;
            included |= glob(name, pattern);
        }
    }
    included || !any_positive
}

fn glob(name: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return name.eq_ignore_ascii_case(pattern);
    }
    let (name, mut rest) = (name.to_ascii_uppercase(), 0usize);
    let parts: Vec<String> = parts.iter().map(|part| part.to_ascii_uppercase()).collect();
    if !name.starts_with(parts[0].as_str()) {
        return false;
    }
    rest += parts[0].len();
    for part in &parts[1..parts.len() - 1] {
        match name[rest..].find(part.as_str()) {
            Some(found) => rest += found + part.len(),
            None => return false,
        }
    }
    let last = &parts[parts.len() - 1];
    name.len() >= rest + last.len() && name.ends_with(last.as_str())
}

#[cfg(test)]
mod tests {
    use super::matches_group;

    #[test]
    fn group_patterns() {
        assert!(matches_group("EURUSD", "*USD*"));
        assert!(!matches_group("USDJPY", "*USD*,!*JPY*"));
        assert!(matches_group("XAUUSD", "XAU*"));
        assert!(!matches_group("EURUSD", "XAU*"));
        assert!(matches_group("BTCUSD", "!*JPY*"));
    }
}
