//! The simulated EA: a thread that starts a bridge session, claims requests, answers them from the [`Terminal`],
//! moves the feed forward and publishes events, all through the `mtb_*` ABI.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::abi::{ABI_MAJOR, BridgeAbi, MTB_E_BUFFER_TOO_SMALL, MTB_READY_STOPPING};
use crate::error::SimError;
use crate::mode::Mode;
use crate::terminal::{Terminal, TerminalConfig};

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

/// The running simulator; [`SimHandle::stop`] ends the session.
#[derive(Debug)]
pub struct SimHandle {
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    abi: BridgeAbi,
    session: i64,
}

impl SimHandle {
    /// The bridge session handle.
    pub fn session(&self) -> i64 {
        self.session
    }

    /// Stops the loop, then the bridge session (`mtb_stop`).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            // The loop wakes within 100 ms from mtb_wait; a panicked loop has nothing left to clean.
            let _ = thread.join();
            // SAFETY: plain scalar call on the table's own export.
            unsafe { (self.abi.stop)(self.session) };
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn wall_clock_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis() as i64)
}

fn bridge_error(abi: &BridgeAbi, call: &'static str, status: i32) -> SimError {
    SimError::Bridge { call, status, message: abi.last_error_message() }
}

/// Starts a bridge session as the EA's `OnInit` would and runs the EA loop on a thread.
pub fn start(abi: BridgeAbi, config: SimConfig) -> Result<SimHandle, SimError> {
    // SAFETY: no arguments.
    let version = unsafe { (abi.abi_version)() };
    if version >> 16 != ABI_MAJOR {
        return Err(SimError::AbiMismatch { found: version, expected: ABI_MAJOR << 16 });
    }
    let mut terminal_config = TerminalConfig::new(config.mode, config.seed);
    terminal_config.scale = config.scale;
    let wall_start = wall_clock_ms();
    match (config.start_time, config.realtime) {
        (Some(start), _) => terminal_config.start_time = start,
        (None, true) => terminal_config.start_time = wall_start,
        (None, false) => {}
    }
    // In realtime the simulated clock keeps a fixed distance from the wall clock.
    let clock_offset = config.realtime.then(|| terminal_config.start_time - wall_start);
    let terminal = Terminal::new(terminal_config);
    let start_config = json!({
        "gateway_url": config.gateway_url,
        "token": config.token,
        "terminal": terminal.identity(),
        "capabilities": terminal.capabilities(),
    })
    .to_string();
    let mut session = 0i64;
    // SAFETY: the config buffer is valid for its length; session is a valid out pointer.
    let status = unsafe { (abi.start)(start_config.as_ptr(), start_config.len() as i32, ABI_MAJOR, &mut session) };
    if status < 0 {
        return Err(bridge_error(&abi, "mtb_start", status));
    }
    let stopping = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stopping);
    let thread = std::thread::Builder::new()
        .name(format!("terminal-sim-{session}"))
        .spawn(move || Ea { abi, session, terminal, clock_offset }.run(&flag));
    match thread {
        Ok(thread) => Ok(SimHandle { stopping, thread: Some(thread), abi, session }),
        Err(error) => {
            // SAFETY: scalar call.
            unsafe { (abi.stop)(session) };
            Err(SimError::Thread(error))
        }
    }
}

struct Ea {
    abi: BridgeAbi,
    session: i64,
    terminal: Terminal,
    /// `Some(offset)` in realtime: simulated time = wall clock + offset.
    clock_offset: Option<i64>,
}

impl Ea {
    fn run(mut self, stopping: &AtomicBool) {
        while !stopping.load(Ordering::SeqCst) {
            // SAFETY: scalar call.
            let ready = unsafe { (self.abi.wait)(self.session, 100) };
            if ready < 0 || ready & MTB_READY_STOPPING != 0 {
                tracing::debug!(ready, "bridge session ended");
                break;
            }
            while self.serve_one() {}
            let to = match self.clock_offset {
                Some(offset) => wall_clock_ms() + offset,
                None => self.terminal.now() + 100,
            };
            let events = self.terminal.advance(to);
            for event in events {
                self.publish(event.name, &event.data);
            }
        }
    }

    /// Claims and answers one request; `false` when none is queued.
    fn serve_one(&mut self) -> bool {
        let (abi, session) = (self.abi, self.session);
        let mut request_id = 0i64;
        let method = BridgeAbi::copy_out(|buf, cap, needed| {
            // SAFETY: buf has cap bytes; request_id and needed are valid out pointers.
            unsafe { (abi.next_request)(session, buf, cap, &mut request_id, needed) }
        });
        let method = match method {
            Ok(bytes) if bytes.is_empty() => return false,
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(status) => {
                tracing::warn!(status, error = %abi.last_error_message(), "mtb_next_request failed");
                return false;
            }
        };
        let params = BridgeAbi::copy_out(|buf, cap, needed| {
            // SAFETY: buf has cap bytes; needed is a valid out pointer.
            unsafe { (abi.request_params)(session, request_id, buf, cap, needed) }
        });
        let params: Value = params.ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or(Value::Null);
        let outcome = self.terminal.handle(&method, params);
        let status = match outcome {
            Ok(result) => {
                let text = result.to_string();
                // SAFETY: text is valid for its length.
                unsafe { (abi.reply_json)(session, request_id, text.as_ptr(), text.len() as i32) }
            }
            Err(error) => {
                let retcode = error.data.as_ref().and_then(|data| data.retcode).unwrap_or(0);
                let message = error.message;
                // SAFETY: message is valid for its length.
                unsafe {
                    (abi.reply_error)(
                        session,
                        request_id,
                        error.code.code(),
                        retcode,
                        message.as_ptr(),
                        message.len() as i32,
                    )
                }
            }
        };
        if status < 0 {
            tracing::warn!(method, status, error = %abi.last_error_message(), "reply refused by the bridge");
        }
        // Trading calls change the account and positions right away; publish before the next request.
        for event in self.terminal.take_events() {
            self.publish(event.name, &event.data);
        }
        true
    }

    fn publish(&self, name: &str, data: &Value) {
        let text = data.to_string();
        // SAFETY: both buffers are valid for their lengths.
        let status = unsafe {
            (self.abi.publish_json)(self.session, name.as_ptr(), name.len() as i32, text.as_ptr(), text.len() as i32)
        };
        if status < 0 && status != MTB_E_BUFFER_TOO_SMALL {
            tracing::trace!(name, status, "event not queued");
        }
    }
}
