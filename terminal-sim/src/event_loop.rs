//! The terminal's event loop for one MQL program, as MetaTrader runs an EA or a service: create it with its
//! inputs, OnInit, then the program's event queue (host/events.rs) handled one event at a time in the order of
//! arrival: OnTimer at the period the program set (the first one period after it was set), OnTick for the chart
//! symbol's new ticks, OnBookEvent for the symbols it added with MarketBookAdd, OnChartEvent for the custom events
//! it posted with EventChartCustom; OnTradeTransaction for each transaction in order after the handler that caused
//! it; and OnDeinit on stop. A service's OnStart runs on its own thread while a feed thread moves the market, and
//! IsStopped turns true on stop.

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use metaapi_protocol::types::TimeMs;

use crate::abi::{ABI_MAJOR, BridgeAbi};
use crate::engine::transactions::Transaction;
use crate::error::SimError;
use crate::host::events::{ChartEvent, Event};
use crate::host::ffi::{MqlHostTradeRequest, MqlHostTradeResult, MqlHostTradeTransaction};
use crate::host::{Clock, Host, RequestRecord, TerminalShared, host_table, import, wall_clock_ms};
use crate::programs::{Entries, ProgramCode, handlers, set_input};
use crate::terminal::{Terminal, TerminalConfig};

/// The chart an EA is attached to.
pub const CHART_SYMBOL: &str = "EURUSD";
/// Virtual time a loop turn moves when the clock is not the wall's.
const VIRTUAL_STEP_MS: i64 = 100;
/// REASON_REMOVE: the program was removed from the chart (MetaTrader's deinitialization reason).
const REASON_REMOVE: i32 = 1;
/// INIT_SUCCEEDED.
const INIT_SUCCEEDED: i32 = 0;

/// How to run a program in a terminal.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The terminal (mode, seed, start, scale).
    pub terminal: TerminalConfig,
    /// Follow the wall clock; otherwise virtual time moves 100 ms per loop turn.
    pub realtime: bool,
    /// Inputs set before OnInit (`AuthToken`, `GatewayUrl`, ...).
    pub inputs: Vec<(String, String)>,
}

/// A running program; [`RunningProgram::stop`] delivers OnDeinit (or ends OnStart) and waits for it.
#[derive(Debug)]
pub struct RunningProgram {
    stopping: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    /// The bridge session the program started in OnInit (0: none seen yet, e.g. a service still starting).
    pub session: i64,
    /// The terminal it runs in.
    pub shared: Arc<TerminalShared>,
}

impl RunningProgram {
    /// Stops the program and its terminal.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        for thread in self.threads.drain(..) {
            // A program that panicked has nothing left to clean.
            let _ = thread.join();
        }
    }
}

impl Drop for RunningProgram {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// One created program with its host; lives on the thread that runs it.
struct Instance {
    entries: Entries,
    handlers: u32,
    host: Box<Host>,
    // The table holds a pointer to `host`; both are boxed so they stay put while the program holds them.
    _table: Box<crate::host::ffi::MqlHost>,
    program: *mut c_void,
}

impl Instance {
    fn create(code: &ProgramCode, host: Host, bridge: &BridgeAbi) -> Result<Instance, SimError> {
        import::arm(bridge.start);
        let mut host = Box::new(host);
        host.wants_transactions = code.handlers() & handlers::ON_TRADE_TRANSACTION != 0;
        let table = Box::new(host_table(&mut *host));
        // SAFETY: the table matches host.h (checked by the layout test) and outlives the program (dropped after it).
        let program = unsafe { (code.entries.create)(&*table) };
        if program.is_null() {
            return Err(SimError::Program { what: "create".into(), journal: host.journal().join("\n") });
        }
        Ok(Instance { entries: code.entries, handlers: code.handlers(), host, _table: table, program })
    }

    fn host(&mut self) -> &mut Host {
        &mut self.host
    }

    fn has(&self, handler: u32) -> bool {
        self.handlers & handler != 0
    }

    fn stopped(&self) -> bool {
        // SAFETY: program came from create and is not destroyed yet.
        unsafe { (self.entries.stopped)(self.program) != 0 }
    }

    fn init(&mut self, inputs: &[(String, String)]) -> Result<i64, SimError> {
        for (name, value) in inputs {
            if !set_input(&self.entries, self.program, name, value) {
                tracing::debug!(input = %name, "the program has no such input");
            }
        }
        // SAFETY: as above.
        let result = unsafe { (self.entries.on_init)(self.program) };
        let (status, session) = import::last_start();
        if result != INIT_SUCCEEDED {
            if status < 0 {
                let bridge = self.host.shared.bridge;
                return Err(SimError::Bridge { call: "mtb_start", status, message: bridge.last_error_message() });
            }
            return Err(SimError::Program {
                what: format!("OnInit returned {result}"),
                journal: self.host.journal().join("\n"),
            });
        }
        Ok(session)
    }

    fn handle(&mut self, event: &Event) {
        match event {
            Event::Tick => self.tick(),
            Event::Book(symbol) => self.book(symbol),
            Event::Timer => self.timer(),
            Event::Chart(chart) => self.chart_event(chart),
        }
    }

    fn timer(&mut self) {
        // SAFETY: as above.
        unsafe { (self.entries.on_timer)(self.program) };
        self.deliver_requests();
    }

    fn chart_event(&mut self, event: &ChartEvent) {
        if self.has(handlers::ON_CHART_EVENT) {
            let units: Vec<u16> = event.sparam.encode_utf16().collect();
            // SAFETY: as above; sparam is valid for the call.
            unsafe {
                (self.entries.on_chart_event)(
                    self.program,
                    event.id,
                    event.lparam,
                    event.dparam,
                    units.as_ptr(),
                    units.len() as i32,
                )
            };
            self.deliver_requests();
        }
    }

    fn tick(&mut self) {
        if self.has(handlers::ON_TICK) {
            // SAFETY: as above.
            unsafe { (self.entries.on_tick)(self.program) };
            self.deliver_requests();
        }
    }

    fn book(&mut self, symbol: &str) {
        if self.has(handlers::ON_BOOK_EVENT) {
            let units: Vec<u16> = symbol.encode_utf16().collect();
            // SAFETY: as above; the symbol is valid for the call.
            unsafe { (self.entries.on_book_event)(self.program, units.as_ptr(), units.len() as i32) };
            self.deliver_requests();
        }
    }

    fn transaction(&mut self, transaction: &Transaction, record: Option<&RequestRecord>) {
        if !self.has(handlers::ON_TRADE_TRANSACTION) {
            return;
        }
        let symbol: Vec<u16> = transaction.symbol.encode_utf16().collect();
        let mirror = transaction_mirror(transaction, &symbol);
        let (request_symbol, request_comment) = match record {
            Some(record) => (
                record.request.symbol.encode_utf16().collect::<Vec<u16>>(),
                record.request.comment.encode_utf16().collect::<Vec<u16>>(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        // The request and result are filled only for TRADE_TRANSACTION_REQUEST, as MetaTrader documents.
        let (request, result) =
            match record.filter(|_| transaction.kind == crate::engine::transactions::TransactionType::Request) {
                Some(record) => (request_mirror(&record.request, &request_symbol, &request_comment), record.result),
                None => (request_mirror(&Default::default(), &[], &[]), MqlHostTradeResult::default()),
            };
        // SAFETY: as above; the structs and their strings are valid for the call.
        unsafe { (self.entries.on_trade_transaction)(self.program, &mirror, &request, &result) };
    }

    /// Delivers the transactions of the program's own requests (each followed by its REQUEST), after the handler
    /// that sent them returned, as the terminal queues them.
    fn deliver_requests(&mut self) {
        loop {
            let server = self.host().take_server_transactions();
            for transaction in &server {
                self.transaction(transaction, None);
            }
            let requests = self.host().take_requests();
            if requests.is_empty() && server.is_empty() {
                break;
            }
            for record in &requests {
                for transaction in &record.transactions {
                    self.transaction(transaction, Some(record));
                }
            }
        }
    }

    fn deinit(&mut self) {
        // SAFETY: as above.
        unsafe { (self.entries.on_deinit)(self.program, REASON_REMOVE) };
    }

    fn start(&mut self) {
        // SAFETY: as above.
        unsafe { (self.entries.on_start)(self.program) };
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: program came from create; destroyed once, before its host and table.
        unsafe { (self.entries.destroy)(self.program) };
    }
}

fn transaction_mirror(transaction: &Transaction, symbol: &[u16]) -> MqlHostTradeTransaction {
    use crate::host::trade_codes::*;
    MqlHostTradeTransaction {
        deal: transaction.deal,
        order: transaction.order,
        symbol: symbol.as_ptr(),
        symbol_len: symbol.len() as i32,
        r#type: transaction.kind as i32,
        order_type: transaction.order_type.map_or(0, |order_type| order_type_code(order_type) as i32),
        order_state: transaction.order_state.map_or(0, |state| order_state_code(state) as i32),
        deal_type: transaction.deal_type.map_or(0, |deal_type| deal_type.code()),
        time_type: transaction.time_in_force.map_or(0, |time| time_in_force_code(time) as i32),
        time_expiration: transaction.expiration.map_or(0, crate::host::server_seconds),
        price: transaction.price,
        price_trigger: transaction.price_trigger,
        price_sl: transaction.price_sl,
        price_tp: transaction.price_tp,
        volume: transaction.volume,
        position: transaction.position,
        position_by: transaction.position_by,
    }
}

fn request_mirror(request: &crate::host::TradeRequest, symbol: &[u16], comment: &[u16]) -> MqlHostTradeRequest {
    MqlHostTradeRequest {
        action: request.action as i32,
        magic: request.magic,
        order: request.order,
        symbol: symbol.as_ptr(),
        symbol_len: symbol.len() as i32,
        volume: request.volume,
        price: request.price,
        stoplimit: request.stoplimit,
        sl: request.sl,
        tp: request.tp,
        deviation: request.deviation,
        r#type: request.order_type as i32,
        type_filling: request.type_filling as i32,
        type_time: request.type_time as i32,
        expiration: request.expiration,
        comment: comment.as_ptr(),
        comment_len: comment.len() as i32,
        position: request.position,
        position_by: request.position_by,
    }
}

/// Moves the terminal's market to `to`; the engine's own JSON events are dropped (the program publishes).
fn advance(shared: &TerminalShared, to: TimeMs) {
    let mut terminal = shared.lock();
    terminal.advance(to);
}

fn target_time(shared: &TerminalShared) -> TimeMs {
    match shared.clock {
        Clock::Realtime(offset) => wall_clock_ms() + offset,
        Clock::Virtual => shared.lock().now() + VIRTUAL_STEP_MS,
    }
}

/// What the terminal has seen of the market, to tell which ticks and book changes are new.
struct Arrivals {
    last_tick: TimeMs,
    book_times: Vec<(String, TimeMs)>,
}

impl Arrivals {
    fn new(shared: &TerminalShared) -> Arrivals {
        Arrivals {
            last_tick: shared.lock().market(CHART_SYMBOL).map_or(0, |market| market.time),
            book_times: Vec::new(),
        }
    }

    /// Queues what arrived since the last call: each custom event the last handler posted after the ticks and book
    /// changes that came before it, then what came up to `now`.
    fn queue(&mut self, host: &mut Host, defined: u32, now: TimeMs) {
        for (at, event) in host.events.take_posted() {
            self.advance(host, defined, at);
            host.events.join_posted(event);
        }
        self.advance(host, defined, now);
    }

    /// Moves the market to `to` and queues what changed for the program: a NewTick of the chart symbol, a
    /// BookEvent per added symbol (the queue's rules decide what is kept).
    fn advance(&mut self, host: &mut Host, defined: u32, to: TimeMs) {
        let shared = Arc::clone(&host.shared);
        advance(&shared, to);
        shared.lock().take_events();
        let chart_time = shared.lock().market(CHART_SYMBOL).map_or(0, |market| market.time);
        if chart_time != self.last_tick {
            self.last_tick = chart_time;
            if defined & handlers::ON_TICK != 0 {
                host.events.arrive(Event::Tick);
            }
        }
        if defined & handlers::ON_BOOK_EVENT == 0 {
            return;
        }
        let books: Vec<String> = host.books.iter().cloned().collect();
        for symbol in books {
            let time = shared.lock().market(&symbol).map_or(0, |market| market.time);
            match self.book_times.iter_mut().find(|(known, _)| *known == symbol) {
                Some((_, seen)) if *seen == time => continue,
                Some((_, seen)) => *seen = time,
                None => self.book_times.push((symbol.clone(), time)),
            }
            host.events.arrive(Event::Book(symbol));
        }
    }
}

/// The program's timer: the first event one period after it was set, then one per period.
#[derive(Default)]
struct Timer {
    period: Option<u32>,
    next: Option<Instant>,
}

impl Timer {
    /// Whether a Timer event is due now (the queue drops it while one waits or runs, so a late one fires once).
    fn due(&mut self, period: Option<u32>) -> bool {
        let now = Instant::now();
        if period != self.period {
            self.period = period;
            self.next = period.map(|period| now + Duration::from_millis(u64::from(period)));
            return false;
        }
        match (self.period, self.next) {
            (Some(period), Some(next)) if now >= next => {
                self.next = Some(now + Duration::from_millis(u64::from(period)));
                true
            }
            _ => false,
        }
    }

    /// How long the loop may sleep with nothing queued.
    fn idle(&self) -> Duration {
        let until = self.next.map_or(IDLE, |next| next.saturating_duration_since(Instant::now()));
        until.min(IDLE)
    }
}

/// The longest sleep of an idle loop turn: the feed moves on meanwhile.
const IDLE: Duration = Duration::from_millis(5);

/// Runs an EA: its thread creates it, runs OnInit and then the event queue until stopped. Each turn moves the
/// market, queues what arrived (custom events posted by the last handler after the ticks that came before them),
/// and handles the next event.
fn run_expert(mut instance: Instance, stopping: &AtomicBool) {
    let shared = Arc::clone(&instance.host.shared);
    let mut arrivals = Arrivals::new(&shared);
    let mut timer = Timer::default();
    while !stopping.load(Ordering::SeqCst) && !instance.stopped() {
        let defined = instance.handlers;
        arrivals.queue(&mut instance.host, defined, target_time(&shared));
        instance.deliver_requests();
        if timer.due(instance.host.timer_ms) {
            instance.host.events.arrive(Event::Timer);
        }
        // What arrived while the last handler ran was judged against it; now it is done.
        instance.host.events.handled();
        match instance.host.events.take_next() {
            Some(event) => instance.handle(&event),
            None => std::thread::sleep(timer.idle()),
        }
    }
    instance.deinit();
}

/// Starts `code` in a new terminal built from `config`, as MetaTrader would attach it (an EA to the chart of
/// [`CHART_SYMBOL`], a service on its own); returns once OnInit succeeded (or the service started).
pub fn run_program(bridge: BridgeAbi, code: ProgramCode, config: RunConfig) -> Result<RunningProgram, SimError> {
    // SAFETY: no arguments.
    let version = unsafe { (bridge.abi_version)() };
    if version >> 16 != ABI_MAJOR {
        return Err(SimError::AbiMismatch { found: version, expected: ABI_MAJOR << 16 });
    }
    let wall_start = wall_clock_ms();
    let clock = if config.realtime { Clock::Realtime(config.terminal.start_time - wall_start) } else { Clock::Virtual };
    let shared = TerminalShared::new(Terminal::new(config.terminal.clone()), clock, bridge);
    let stopping = Arc::new(AtomicBool::new(false));
    let (ready, started) = mpsc::channel::<Result<i64, SimError>>();
    let mut threads = Vec::new();
    let chart = if code.service { "" } else { CHART_SYMBOL };
    let (program_shared, flag, inputs) = (Arc::clone(&shared), Arc::clone(&stopping), config.inputs.clone());
    let service = code.service;
    let spawned = std::thread::Builder::new().name("terminal-sim-program".into()).spawn(move || {
        let host = Host::new(Arc::clone(&program_shared), chart, Arc::clone(&flag));
        let mut instance = match Instance::create(&code, host, &bridge) {
            Ok(instance) => instance,
            Err(error) => return drop(ready.send(Err(error))),
        };
        if service {
            for (name, value) in &inputs {
                set_input(&instance.entries, instance.program, name, value);
            }
            let _ = ready.send(Ok(0));
            instance.start();
            return;
        }
        match instance.init(&inputs) {
            Ok(session) => {
                let _ = ready.send(Ok(session));
                run_expert(instance, &flag);
            }
            Err(error) => drop(ready.send(Err(error))),
        }
    })?;
    threads.push(spawned);
    if service {
        // A service gets no events: the terminal's feed runs on its own.
        let (feed_shared, flag) = (Arc::clone(&shared), Arc::clone(&stopping));
        threads.push(std::thread::Builder::new().name("terminal-sim-feed".into()).spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                advance(&feed_shared, target_time(&feed_shared));
                feed_shared.lock().take_events();
                feed_shared.lock().take_transactions();
                std::thread::sleep(Duration::from_millis(5));
            }
        })?);
    }
    let mut running = RunningProgram { stopping, threads, session: 0, shared };
    match started.recv() {
        Ok(Ok(session)) => {
            running.session = session;
            Ok(running)
        }
        Ok(Err(error)) => Err(error),
        Err(_) => {
            Err(SimError::Program { what: "the program thread ended before OnInit".into(), journal: String::new() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::events::ChartEvent;
    use crate::host::test_support::host;
    use crate::mode::Mode;

    fn custom() -> ChartEvent {
        ChartEvent::custom(1000, 0, 0.0, "")
    }

    #[test]
    fn a_tick_that_arrived_during_a_handler_is_handled_before_the_event_it_posted_after_it() {
        let mut host = host(Mode::Mt5Hedging, CHART_SYMBOL);
        let mut arrivals = Arrivals::new(&host.shared);
        let start = host.now();
        // The handler posts at start + 2 s: the feed's chart ticks before that came while it ran.
        assert!(host.events.post(start + 2_000, custom()));
        arrivals.queue(&mut host, handlers::ON_TICK | handlers::ON_CHART_EVENT, start + 4_000);
        assert_eq!(host.events.take_next(), Some(Event::Tick), "the tick that came first");
        host.events.handled();
        assert_eq!(host.events.take_next(), Some(Event::Chart(custom())), "then the posted event");
        host.events.handled();
        assert_eq!(host.events.take_next(), None, "later ticks while a NewTick waited were not queued again");
    }

    #[test]
    fn an_event_posted_before_any_tick_is_handled_first() {
        let mut host = host(Mode::Mt5Hedging, CHART_SYMBOL);
        let mut arrivals = Arrivals::new(&host.shared);
        let start = host.now();
        assert!(host.events.post(start, custom()));
        arrivals.queue(&mut host, handlers::ON_TICK | handlers::ON_CHART_EVENT, start + 4_000);
        assert_eq!(host.events.take_next(), Some(Event::Chart(custom())));
        host.events.handled();
        assert_eq!(host.events.take_next(), Some(Event::Tick), "the ticks came after the post");
    }

    #[test]
    fn a_program_without_on_tick_gets_no_tick_events() {
        let mut host = host(Mode::Mt5Hedging, CHART_SYMBOL);
        let mut arrivals = Arrivals::new(&host.shared);
        let start = host.now();
        arrivals.queue(&mut host, handlers::ON_CHART_EVENT, start + 4_000);
        assert!(host.events.is_empty());
    }

    #[test]
    fn the_first_timer_event_comes_one_period_after_the_timer_was_set() {
        let mut timer = Timer::default();
        assert!(!timer.due(Some(60_000)), "setting the timer fires nothing");
        assert!(!timer.due(Some(60_000)), "a minute has not passed");
        assert!(timer.idle() <= IDLE);
        assert!(!timer.due(None), "killed");
        assert!(!timer.due(Some(10)), "set again: one period from now");
    }
}
