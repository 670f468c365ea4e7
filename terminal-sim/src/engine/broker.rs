//! The terminal's link to its trade server: whether the terminal is connected, and the faults a test makes the
//! server answer with. `engine/server.rs` passes every trade request a program sends through it, so a fault or a lost
//! connection reaches every trading built-in alike.
//!
//! MetaTrader's worst case is a request that ran on the server while the terminal reports a timeout
//! (TRADE_RETCODE_TIMEOUT, MQL4's ERR_TRADE_TIMEOUT): the position exists and the program was told otherwise. A fault
//! with `executed` plays that case; without it the server never got the request. A disconnected terminal sends
//! nothing and answers TRADE_RETCODE_CONNECTION (MQL4's ERR_NO_CONNECTION), and gets no quotes.

use std::collections::VecDeque;

/// What the trade server answers one trade request with instead of its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeFault {
    /// The MT5 retcode or MT4 error code the program gets (10012, 128, ...).
    pub retcode: i32,
    /// Whether the server executed the request before the terminal gave up on it.
    pub executed: bool,
}

/// The terminal's side of its trade server connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrokerLink {
    pub(crate) connected: bool,
    /// Faults for the next trade requests, first first.
    pub(crate) faults: VecDeque<TradeFault>,
}

impl Default for BrokerLink {
    fn default() -> BrokerLink {
        BrokerLink { connected: true, faults: VecDeque::new() }
    }
}

/// What becomes of one trade request the terminal is about to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Not sent: the terminal has no connection.
    Disconnected,
    /// Sent, and the server's outcome is the answer.
    Run,
    /// Sent, and this fault is the answer.
    Fault(TradeFault),
}

impl BrokerLink {
    /// Takes the next request: a disconnected terminal sends nothing (and a request never sent meets no fault).
    pub(crate) fn admit(&mut self) -> Admission {
        if !self.connected {
            return Admission::Disconnected;
        }
        self.faults.pop_front().map_or(Admission::Run, Admission::Fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_answer_in_order_and_a_disconnected_terminal_sends_nothing_to_meet_them() {
        let mut link = BrokerLink::default();
        assert_eq!(link.admit(), Admission::Run);
        let timeout = TradeFault { retcode: 10012, executed: true };
        let lost = TradeFault { retcode: 10031, executed: false };
        link.faults.extend([timeout, lost]);
        link.connected = false;
        assert_eq!(link.admit(), Admission::Disconnected);
        assert_eq!(link.faults.len(), 2);
        link.connected = true;
        assert_eq!(link.admit(), Admission::Fault(timeout));
        assert_eq!(link.admit(), Admission::Fault(lost));
        assert_eq!(link.admit(), Admission::Run);
    }
}
