//! Starting a simulated terminal with the shipped EA attached: the MT5 EA for MT5 modes, the MT4 EA for MT4, run by
//! the terminal's event loop ([`crate::event_loop`]) over the engine, linked to the gateway through the real bridge.

use crate::abi::BridgeAbi;
use crate::error::SimError;
use crate::event_loop::{RunConfig, RunningProgram, run_program};
use crate::mode::Mode;
use crate::programs::{ProgramCode, Shipped};
use crate::terminal::TerminalConfig;

/// How the simulated EA runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// Which terminal to play.
    pub mode: Mode,
    /// Seed of the price feed.
    pub seed: u64,
    /// Follow the wall clock (the demo); otherwise virtual time moves 100 ms per loop turn.
    pub realtime: bool,
    /// The gateway's terminal endpoint, for example `ws://127.0.0.1:6000/terminal`.
    pub gateway_url: String,
    /// The auth token pasted into the EA.
    pub token: String,
    /// Where the simulated clock starts, UTC ms. `None`: a Monday morning for virtual time, now for realtime.
    /// With `realtime`, a start in the past makes the clock run at wall speed from there, so a demo started on a
    /// weekend can still trade in open sessions.
    pub start_time: Option<metaapi_protocol::types::TimeMs>,
    /// More symbols and history than the default broker (tests of the largest lists).
    pub scale: crate::scale::SimScale,
}

/// The running terminal; [`SimHandle::stop`] delivers OnDeinit to the EA, which stops its bridge session.
#[derive(Debug)]
pub struct SimHandle {
    program: Option<RunningProgram>,
    session: i64,
}

impl SimHandle {
    /// The bridge session the EA started in OnInit.
    pub fn session(&self) -> i64 {
        self.session
    }

    /// Successful `MarketBookAdd` and `MarketBookRelease` calls of the EA so far: (added, released).
    pub fn book_calls(&self) -> (u64, u64) {
        let Some(program) = &self.program else { return (0, 0) };
        let calls = &program.shared.book_calls;
        (
            calls.added.load(std::sync::atomic::Ordering::Relaxed),
            calls.released.load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    /// Drops (`false`) or restores the terminal's connection to its trade server, as a network failure would; the
    /// programs read it through `TerminalInfoInteger(TERMINAL_CONNECTED)` and MQL4's `IsConnected`. While it is
    /// down, trade requests are refused with TRADE_RETCODE_CONNECTION (MQL4's ERR_NO_CONNECTION) and quotes stop,
    /// as in MetaTrader. A test hook.
    pub fn set_broker_connected(&self, connected: bool) {
        if let Some(program) = &self.program {
            program.shared.lock().set_broker_connected(connected);
        }
    }

    /// Makes the trade server answer the next `count` trade requests (OrderSend, OrderClose, OrderModify, ...)
    /// with `fault.retcode` instead of their outcome, after executing them when `fault.executed` (the request ran,
    /// the terminal says it timed out) or without. A test hook for the outcomes a program cannot be sure of.
    pub fn inject_trade_faults(&self, fault: crate::engine::broker::TradeFault, count: usize) {
        if let Some(program) = &self.program {
            program.shared.lock().inject_trade_faults(fault, count);
        }
    }

    /// How many positions (MT4: open market orders) the terminal holds now, as the terminal itself counts them:
    /// the truth a test compares the programs' answers with.
    pub fn positions_total(&self) -> usize {
        self.program.as_ref().map_or(0, |program| program.shared.lock().positions.len())
    }

    /// The last quote of `symbol` (bid, ask, time), or `None` for an unknown symbol. A test hook.
    pub fn last_quote(&self, symbol: &str) -> Option<(f64, f64, metaapi_protocol::types::TimeMs)> {
        let program = self.program.as_ref()?;
        let terminal = program.shared.lock();
        terminal.market(symbol).ok().map(|market| (market.bid, market.ask, market.time))
    }

    /// Switches the terminal's "Algo Trading" button; with it off, `TERMINAL_TRADE_ALLOWED` and
    /// `MQL_TRADE_ALLOWED` read 0 and every order of a program is refused. A test hook.
    pub fn set_algo_trading(&self, allowed: bool) {
        if let Some(program) = &self.program {
            program.shared.lock().set_trade_allowed(allowed);
        }
    }

    /// Moves the terminal's clock forward to `utc` (UTC ms) without feed ticks in between, as a weekend or a
    /// quiet night passes: a test hook to cross a weekend or a daylight saving change in seconds.
    pub fn jump_to(&self, utc: metaapi_protocol::types::TimeMs) {
        if let Some(program) = &self.program {
            program.shared.lock().jump_to(utc);
        }
    }

    /// The broker books an operation of `kind` on the account (deposit, credit, commission, interest, dividend,
    /// tax, ...) for `amount`, as a deal with no symbol: the programs see it in history and, on MT5, in
    /// OnTradeTransaction. Returns the deal ticket, or `None` for the trade kinds (buy, sell and their
    /// cancellations), which are no operation. A test hook.
    pub fn broker_operation(
        &self,
        kind: metaapi_protocol::methods::DealType,
        amount: f64,
        comment: &str,
    ) -> Option<u64> {
        let program = self.program.as_ref()?;
        let kind = crate::engine::records::MtDealType::of_wire(kind);
        program.shared.lock().broker_operation(kind, amount, comment)
    }

    /// Stops the EA (OnDeinit, which calls `mtb_stop`) and the terminal.
    pub fn stop(mut self) {
        if let Some(program) = self.program.take() {
            program.stop();
        }
    }
}

fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis() as i64)
}

/// Starts a terminal in `config.mode` with the shipped EA of its platform attached, its inputs set to the token and
/// gateway URL; returns once the EA's OnInit succeeded.
pub fn start(abi: BridgeAbi, config: SimConfig) -> Result<SimHandle, SimError> {
    let program = match config.mode {
        Mode::Mt4 => Shipped::Mt4Expert,
        Mode::Mt5Hedging | Mode::Mt5Netting => Shipped::Mt5Expert,
    };
    start_program(abi, config, ProgramCode::shipped(program))
}

/// Starts a terminal as [`start`] does, with `code` attached instead of the shipped EA (a program built from a
/// changed copy of the MQL sources, for example).
pub fn start_program(abi: BridgeAbi, config: SimConfig, code: ProgramCode) -> Result<SimHandle, SimError> {
    start_program_with_inputs(abi, config, code, Vec::new())
}

/// Starts a terminal as [`start_program`] does, with more inputs set before OnInit (`TimerMs`, `BudgetMs`, ...),
/// as a user would change them in the EA's properties.
pub fn start_program_with_inputs(
    abi: BridgeAbi,
    config: SimConfig,
    code: ProgramCode,
    extra_inputs: Vec<(String, String)>,
) -> Result<SimHandle, SimError> {
    let mut terminal = TerminalConfig::new(config.mode, config.seed);
    terminal.scale = config.scale;
    match (config.start_time, config.realtime) {
        (Some(start), _) => terminal.start_time = start,
        (None, true) => terminal.start_time = wall_clock_ms(),
        (None, false) => {}
    }
    let mut inputs = vec![("AuthToken".to_owned(), config.token), ("GatewayUrl".to_owned(), config.gateway_url)];
    inputs.extend(extra_inputs);
    let program = run_program(abi, code, RunConfig { terminal, realtime: config.realtime, inputs })?;
    let session = program.session;
    Ok(SimHandle { program: Some(program), session })
}
