//! Program, terminal, account and time built-ins: MQLInfoInteger, TerminalInfo*, AccountInfo*, TimeCurrent,
//! TimeTradeServer, TimeGMT, TimeLocal, timers, custom chart events, Print and the last error.

use metaapi_protocol::types::{AccountTradeMode, MarginMode, Platform, StopOutMode};

use super::consts::mt5 as k;
use super::events::ChartEvent;
use super::{Host, TIMER_FLOOR_MS, errors, server_seconds};
use crate::terminal::MAX_BARS;

/// MQL_PROGRAM_TYPE values.
const PROGRAM_EXPERT: i64 = 0;
const PROGRAM_SERVICE: i64 = 5;

impl Host {
    pub(crate) fn print(&mut self, text: String) {
        tracing::info!(target: "terminal_sim::experts", "{text}");
        // The journal is for tests and the mutation check; bounded so a chatty program cannot grow it forever.
        if self.journal.len() >= 10_000 {
            self.journal.remove(0);
        }
        self.journal.push(text);
    }

    pub(crate) fn set_timer(&mut self, milliseconds: i32) -> bool {
        if milliseconds <= 0 {
            return self.fail(errors::INVALID_PARAMETER, false);
        }
        self.timer_ms = Some((milliseconds as u32).max(TIMER_FLOOR_MS));
        true
    }

    /// EventChartCustom: queues CHARTEVENT_CUSTOM + `custom_id` for this program's chart (id 0; this terminal has
    /// one chart per EA and no ChartID), stamped with the terminal's time so the loop queues it after what arrived
    /// earlier. False for another chart id (with the platform's error) or when the queue's rules discard it (no
    /// error: the references name none).
    pub(crate) fn event_chart_custom(
        &mut self,
        chart_id: i64,
        custom_id: u16,
        lparam: i64,
        dparam: f64,
        sparam: &str,
    ) -> bool {
        if chart_id != 0 || self.is_service {
            let code = match self.platform {
                Platform::Mt5 => errors::CHART_WRONG_ID,
                Platform::Mt4 => errors::MT4_INVALID_FUNCTION_PARAMVALUE,
            };
            return self.fail(code, false);
        }
        let event = ChartEvent::custom(k::CHARTEVENT_CUSTOM as i32 + i32::from(custom_id), lparam, dparam, sparam);
        let at = self.clock_now();
        self.events.post(at, event)
    }

    pub(crate) fn mql_info_integer(&mut self, prop: i64) -> Option<i64> {
        let terminal_trade = self.terminal().account.trade_allowed;
        Some(match prop {
            k::MQL_PROGRAM_TYPE => {
                if self.is_service {
                    PROGRAM_SERVICE
                } else {
                    PROGRAM_EXPERT
                }
            }
            k::MQL_DLLS_ALLOWED => i64::from(self.dlls_allowed),
            k::MQL_TRADE_ALLOWED => i64::from(terminal_trade),
            k::MQL_DEBUG | k::MQL_TESTER | k::MQL_OPTIMIZATION | k::MQL_VISUAL_MODE => 0,
            _ => return self.fail(errors::INVALID_PARAMETER, None),
        })
    }

    pub(crate) fn terminal_info_integer(&mut self, prop: i64) -> Option<i64> {
        let terminal = self.terminal();
        let identity = terminal.identity();
        let trade_allowed = terminal.account.trade_allowed;
        let connected = terminal.broker_connected();
        drop(terminal);
        Some(match prop {
            k::TERMINAL_BUILD => i64::from(identity.build),
            k::TERMINAL_CONNECTED => i64::from(connected),
            k::TERMINAL_DLLS_ALLOWED => i64::from(self.dlls_allowed),
            k::TERMINAL_TRADE_ALLOWED => i64::from(trade_allowed),
            k::TERMINAL_MAXBARS => MAX_BARS as i64,
            k::TERMINAL_CODEPAGE => 0,
            // Microseconds, as MetaTrader reports the last ping.
            k::TERMINAL_PING_LAST => 18_250,
            _ => return self.fail(errors::INVALID_PARAMETER, None),
        })
    }

    pub(crate) fn terminal_info_string(&mut self, prop: i64) -> Option<String> {
        let identity = self.terminal().identity();
        Some(match prop {
            k::TERMINAL_COMPANY => identity.company,
            k::TERMINAL_NAME => match self.platform {
                Platform::Mt4 => "MetaTrader 4".into(),
                Platform::Mt5 => "MetaTrader 5".into(),
            },
            k::TERMINAL_LANGUAGE => "English".into(),
            k::TERMINAL_PATH | k::TERMINAL_DATA_PATH | k::TERMINAL_COMMONDATA_PATH => "/sim/terminal".into(),
            _ => return self.fail(errors::INVALID_PARAMETER, None),
        })
    }

    /// TimeCurrent: the server time of the last quote of any Market Watch symbol.
    pub(crate) fn time_current(&self) -> i64 {
        let terminal = self.terminal();
        let last = terminal.markets.iter().filter(|market| market.selected).map(|market| market.time).max();
        server_seconds(last.unwrap_or(terminal.now()))
    }

    pub(crate) fn account_info_integer(&mut self, prop: i64) -> Option<i64> {
        let terminal = self.terminal();
        let info = terminal.account_info();
        drop(terminal);
        Some(match prop {
            k::ACCOUNT_LOGIN => info.login as i64,
            k::ACCOUNT_TRADE_MODE => match info.trade_mode {
                AccountTradeMode::Demo => k::ACCOUNT_TRADE_MODE_DEMO,
                AccountTradeMode::Contest => k::ACCOUNT_TRADE_MODE_CONTEST,
                AccountTradeMode::Real => k::ACCOUNT_TRADE_MODE_REAL,
            },
            k::ACCOUNT_TRADE_ALLOWED => i64::from(info.trade_allowed),
            k::ACCOUNT_TRADE_EXPERT => i64::from(info.expert_allowed),
            k::ACCOUNT_LEVERAGE => i64::from(info.leverage),
            k::ACCOUNT_MARGIN_SO_MODE => match info.stop_out_mode {
                StopOutMode::Percent => k::ACCOUNT_STOPOUT_MODE_PERCENT,
                StopOutMode::Money => k::ACCOUNT_STOPOUT_MODE_MONEY,
            },
            k::ACCOUNT_LIMIT_ORDERS => i64::from(info.limit_orders),
            k::ACCOUNT_MARGIN_MODE => match info.margin_mode {
                MarginMode::Netting => k::ACCOUNT_MARGIN_MODE_RETAIL_NETTING,
                MarginMode::Hedging => k::ACCOUNT_MARGIN_MODE_RETAIL_HEDGING,
                MarginMode::Exchange => k::ACCOUNT_MARGIN_MODE_EXCHANGE,
            },
            k::ACCOUNT_CURRENCY_DIGITS => i64::from(info.currency_digits),
            k::ACCOUNT_FIFO_CLOSE => i64::from(info.fifo_close),
            _ => return self.fail(errors::INVALID_PARAMETER, None),
        })
    }

    pub(crate) fn account_info_double(&mut self, prop: i64) -> Option<f64> {
        let info = self.terminal().account_info();
        Some(match prop {
            k::ACCOUNT_BALANCE => info.balance,
            k::ACCOUNT_CREDIT => info.credit,
            k::ACCOUNT_PROFIT => info.profit,
            k::ACCOUNT_EQUITY => info.equity,
            k::ACCOUNT_MARGIN => info.margin,
            k::ACCOUNT_MARGIN_FREE => info.free_margin,
            // MetaTrader reports 0 while no margin is used.
            k::ACCOUNT_MARGIN_LEVEL => info.margin_level.unwrap_or(0.0),
            k::ACCOUNT_MARGIN_SO_CALL => info.margin_call_level,
            k::ACCOUNT_MARGIN_SO_SO => info.stop_out_level,
            _ => return self.fail(errors::INVALID_PARAMETER, None),
        })
    }

    pub(crate) fn account_info_string(&mut self, prop: i64) -> Option<String> {
        let info = self.terminal().account_info();
        Some(match prop {
            k::ACCOUNT_NAME => info.name,
            k::ACCOUNT_COMPANY => info.company,
            k::ACCOUNT_SERVER => info.server,
            k::ACCOUNT_CURRENCY => info.currency,
            _ => return self.fail(errors::INVALID_PARAMETER, None),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_support::host;
    use crate::mode::Mode;

    #[test]
    fn timers_keep_the_terminal_floor_and_refuse_zero() {
        let mut host = host(Mode::Mt5Hedging, "EURUSD");
        assert!(host.set_timer(1));
        assert_eq!(host.timer_ms, Some(TIMER_FLOOR_MS));
        assert!(host.set_timer(250));
        assert_eq!(host.timer_ms, Some(250));
        assert!(!host.set_timer(0));
        assert_eq!(host.last_error, errors::INVALID_PARAMETER);
    }

    #[test]
    fn a_custom_event_goes_to_the_own_chart_and_nowhere_else() {
        use crate::host::events::Event;

        let mut host = host(Mode::Mt5Hedging, "EURUSD");
        assert!(host.event_chart_custom(0, 7, -3, 1.5, "text"));
        assert!(!host.event_chart_custom(0, 7, 0, 0.0, ""), "the same id is waiting already");
        assert_eq!(host.last_error, 0, "a discarded event sets no error");
        let posted = host.events.take_posted();
        assert_eq!(posted.len(), 1);
        assert_eq!(posted[0].1, ChartEvent { id: 1007, lparam: -3, dparam: 1.5, sparam: "text".into() });
        host.events.join_posted(posted[0].1.clone());
        assert!(matches!(host.events.take_next(), Some(Event::Chart(event)) if event.id == 1007));

        assert!(!host.event_chart_custom(42, 1, 0, 0.0, ""), "another chart");
        assert_eq!(host.last_error, errors::CHART_WRONG_ID);
        let mut mt4 = crate::host::test_support::host(Mode::Mt4, "EURUSD");
        assert!(!mt4.event_chart_custom(42, 1, 0, 0.0, ""));
        assert_eq!(mt4.last_error, errors::MT4_INVALID_FUNCTION_PARAMVALUE);
        let mut service = crate::host::test_support::host(Mode::Mt5Hedging, "");
        assert!(!service.event_chart_custom(0, 1, 0, 0.0, ""), "a service has no chart");
        assert_eq!(service.last_error, errors::CHART_WRONG_ID);
    }

    #[test]
    fn account_and_terminal_properties_read_the_engine() {
        let mut host = host(Mode::Mt5Netting, "EURUSD");
        assert_eq!(host.account_info_double(k::ACCOUNT_BALANCE), Some(10_000.0));
        assert_eq!(host.account_info_integer(k::ACCOUNT_MARGIN_MODE), Some(k::ACCOUNT_MARGIN_MODE_RETAIL_NETTING));
        assert_eq!(host.account_info_string(k::ACCOUNT_CURRENCY).as_deref(), Some("USD"));
        assert_eq!(host.terminal_info_integer(k::TERMINAL_TRADE_ALLOWED), Some(1));
        host.terminal().set_trade_allowed(false);
        assert_eq!(host.terminal_info_integer(k::TERMINAL_TRADE_ALLOWED), Some(0));
        assert_eq!(host.mql_info_integer(k::MQL_TESTER), Some(0));
        assert_eq!(host.account_info_double(9_999), None);
        assert_eq!(host.last_error, errors::INVALID_PARAMETER);
    }

    #[test]
    fn time_current_keeps_the_last_quote_over_a_weekend_while_the_server_clock_crosses_dst() {
        use std::sync::Arc;
        use std::sync::atomic::AtomicBool;

        use crate::abi::BridgeAbi;
        use crate::host::{Clock, TerminalShared, server_seconds};
        use crate::terminal::{Terminal, TerminalConfig};
        use crate::time::utc_ms;

        // Friday 2024-03-08 20:00 UTC, winter time (UTC+2); US DST starts Sunday 10 March 07:00 UTC.
        let mut config = TerminalConfig::new(Mode::Mt5Hedging, 1);
        config.start_time = utc_ms(2024, 3, 8, 20, 0, 0);
        let shared = TerminalShared::new(Terminal::new(config), Clock::Virtual, BridgeAbi::linked());
        let host = Host::new(shared, "EURUSD", Arc::new(AtomicBool::new(false)));
        let gmt = |host: &Host| host.now().div_euclid(1000);
        assert_eq!(server_seconds(host.now()) - gmt(&host), 7200);
        let last_quote = host.time_current();
        assert_eq!(last_quote, server_seconds(utc_ms(2024, 3, 8, 20, 0, 0)));
        // No quotes over the weekend: the server clock runs on, TimeCurrent stays at the last quote.
        host.terminal().jump_to(utc_ms(2024, 3, 10, 12, 0, 0));
        assert_eq!(host.time_current(), last_quote);
        assert_eq!(server_seconds(host.now()) - gmt(&host), 10_800, "summer time after the change");
        // TimeTradeServer reads 15:00 on the broker's wall clock at 12:00 UTC.
        assert_eq!(server_seconds(host.now()), utc_ms(2024, 3, 10, 15, 0, 0) / 1000);
    }
}
