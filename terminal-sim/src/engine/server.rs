//! Sending a trade request to the simulated trade server: what the terminal's link (`engine::broker`) lets through,
//! and the answer a fault puts in place of the server's outcome. MetaTrader's worst case is a request that ran on the
//! server while the terminal reports a timeout (TRADE_RETCODE_TIMEOUT, MQL4's ERR_TRADE_TIMEOUT): the position
//! exists and the program was told otherwise.

use metaapi_protocol::ErrorObject;

use crate::engine::broker::{Admission, TradeFault};
use crate::retcode::{Reject, code_name};
use crate::terminal::Terminal;

impl Terminal {
    /// Whether the terminal is connected to its trade server.
    pub fn broker_connected(&self) -> bool {
        self.broker.connected
    }

    /// Drops (`false`) or restores the trade server connection: while it is down trade requests are refused with
    /// TRADE_RETCODE_CONNECTION (ERR_NO_CONNECTION on MT4) and the feed brings no quotes.
    pub fn set_broker_connected(&mut self, connected: bool) {
        self.broker.connected = connected;
    }

    /// Makes the server answer the next `count` trade requests with `fault` (after any faults already queued).
    pub fn inject_trade_faults(&mut self, fault: TradeFault, count: usize) {
        self.broker.faults.extend(std::iter::repeat_n(fault, count));
    }

    /// Trade faults not yet answered.
    pub fn pending_trade_faults(&self) -> usize {
        self.broker.faults.len()
    }

    /// Sends one trade request to the server: `run` is what the server does with it. A disconnected terminal does
    /// not send it; a queued fault replaces the answer (after running it when the fault says it was executed).
    pub fn send_to_server<T>(
        &mut self,
        run: impl FnOnce(&mut Terminal) -> Result<T, ErrorObject>,
    ) -> Result<T, ErrorObject> {
        let platform = self.mode.platform();
        let fault = match self.broker.admit() {
            Admission::Disconnected => return Err(Reject::NoConnection.error(platform)),
            Admission::Run => return run(self),
            Admission::Fault(fault) => fault,
        };
        if fault.executed {
            // What the server did stays done (records, events, transactions); only the terminal's answer is lost.
            let _ = run(self);
        }
        let name = code_name(platform, fault.retcode);
        let message = match fault.executed {
            true => format!("{name}: the server executed the request, the terminal got no answer"),
            false => format!("{name}: the request did not reach the server"),
        };
        Err(ErrorObject::trade_rejected(fault.retcode, name, message))
    }
}

#[cfg(test)]
mod tests {
    use metaapi_protocol::methods::PlaceOrderParams;
    use metaapi_protocol::types::Side;

    use super::*;
    use crate::mode::Mode;
    use crate::terminal::TerminalConfig;

    fn retcode(error: &ErrorObject) -> Option<i32> {
        error.data.as_ref().and_then(|data| data.retcode)
    }

    fn buy(terminal: &mut Terminal) -> Result<metaapi_protocol::methods::TradeResult, ErrorObject> {
        terminal.send_to_server(|terminal| terminal.place_order(PlaceOrderParams::market("EURUSD", Side::Buy, 0.1)))
    }

    #[test]
    fn a_fault_after_execution_answers_its_retcode_and_the_position_exists() {
        let mut terminal = Terminal::new(TerminalConfig::new(Mode::Mt5Hedging, 1));
        terminal.inject_trade_faults(TradeFault { retcode: 10012, executed: true }, 1);
        let error = buy(&mut terminal).expect_err("a timeout");
        assert_eq!(retcode(&error), Some(10012));
        assert_eq!(error.data.as_ref().and_then(|data| data.retcode_name.as_deref()), Some("TRADE_RETCODE_TIMEOUT"));
        assert_eq!(terminal.positions.len(), 1, "the server ran it");
        assert_eq!(terminal.pending_trade_faults(), 0);
        buy(&mut terminal).expect("the next request is answered normally");
        assert_eq!(terminal.positions.len(), 2);
    }

    #[test]
    fn a_fault_without_execution_leaves_nothing_and_faults_count_down() {
        let mut terminal = Terminal::new(TerminalConfig::new(Mode::Mt4, 1));
        terminal.inject_trade_faults(TradeFault { retcode: 128, executed: false }, 2);
        for _ in 0..2 {
            let error = buy(&mut terminal).expect_err("a timeout");
            assert_eq!(retcode(&error), Some(128));
            assert_eq!(error.data.as_ref().and_then(|data| data.retcode_name.as_deref()), Some("ERR_TRADE_TIMEOUT"));
        }
        assert!(terminal.positions.is_empty(), "the server never got them");
        buy(&mut terminal).expect("the third request runs");
        assert_eq!(terminal.positions.len(), 1);
    }

    #[test]
    fn a_disconnected_terminal_refuses_trades_with_the_connection_code_and_keeps_its_faults() {
        for (mode, code) in [(Mode::Mt5Netting, 10031), (Mode::Mt4, 6)] {
            let mut terminal = Terminal::new(TerminalConfig::new(mode, 1));
            terminal.inject_trade_faults(TradeFault { retcode: 10012, executed: true }, 1);
            terminal.set_broker_connected(false);
            assert!(!terminal.broker_connected());
            let error = buy(&mut terminal).expect_err("no connection");
            assert_eq!(retcode(&error), Some(code), "{mode:?}");
            assert!(terminal.positions.is_empty());
            assert_eq!(terminal.pending_trade_faults(), 1, "a request never sent meets no fault");
            terminal.set_broker_connected(true);
            assert!(buy(&mut terminal).is_err(), "the fault answers the first request sent");
            assert_eq!(terminal.positions.len(), 1);
        }
    }

    #[test]
    fn a_disconnected_terminal_gets_no_quotes_and_resumes_from_now() {
        let mut terminal = Terminal::new(TerminalConfig::new(Mode::Mt5Hedging, 1));
        let start = terminal.now();
        let quote = |terminal: &Terminal| terminal.market("EURUSD").map(|market| (market.bid, market.time)).unwrap();
        let before = quote(&terminal);
        terminal.set_broker_connected(false);
        let events = terminal.advance(start + 60_000);
        assert!(events.iter().all(|event| event.name != "quote"), "no quote while disconnected");
        assert_eq!(quote(&terminal), before, "the last quote stays");
        assert_eq!(terminal.now(), start + 60_000, "the clock still runs");
        terminal.set_broker_connected(true);
        let events = terminal.advance(start + 120_000);
        assert!(events.iter().any(|event| event.name == "quote"), "quotes again once connected");
        assert!(quote(&terminal).1 > start + 60_000, "the feed resumes after the outage, not inside it");
    }
}
