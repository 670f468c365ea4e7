//! Driving the bridge's C ABI directly: a bare session for a terminal identity, used by the fan-out publisher and
//! the bridge footprint probe.

use std::time::{Duration, Instant};

use metaapi_terminal_sim::abi::ABI_MAJOR;
use metaapi_terminal_sim::{BridgeAbi, Mode, Terminal, TerminalConfig};
use serde_json::{Value, json};

use crate::error::{BenchError, unexpected};

/// `MTB_E_BUFFER_TOO_SMALL`.
const BUFFER_TOO_SMALL: i32 = -3;

/// One bridge session, stopped when dropped.
pub struct BridgeSession {
    /// The exports.
    pub abi: BridgeAbi,
    /// The session handle.
    pub handle: i64,
}

impl BridgeSession {
    /// `mtb_start` as an MT5 hedging terminal with `token`, linking to `gateway_url` (`ws://…/terminal`).
    pub fn start(gateway_url: &str, token: &str, seed: u64) -> Result<BridgeSession, BenchError> {
        let abi = BridgeAbi::linked();
        let terminal = Terminal::new(TerminalConfig::new(Mode::Mt5Hedging, seed));
        let config = json!({
            "gateway_url": gateway_url,
            "token": token,
            "terminal": terminal.identity(),
            "capabilities": terminal.capabilities(),
        })
        .to_string();
        let mut handle = 0i64;
        // SAFETY: config is valid for its length and handle is a valid out pointer.
        let status = unsafe { (abi.start)(config.as_ptr(), config.len() as i32, ABI_MAJOR, &mut handle) };
        if status < 0 {
            return Err(unexpected(format!("mtb_start: {status}: {}", abi.last_error_message())));
        }
        Ok(BridgeSession { abi, handle })
    }

    /// `mtb_status` as JSON.
    pub fn status(&self) -> Result<Value, BenchError> {
        let text = copy_out(|buf, cap, needed| {
            // SAFETY: buf has cap bytes and needed is a valid out pointer.
            unsafe { (self.abi.status)(self.handle, buf, cap, needed) }
        })?;
        serde_json::from_slice(&text).map_err(|error| unexpected(format!("mtb_status: {error}")))
    }

    /// Waits until the link to the gateway is up (or fails after `limit`).
    pub fn wait_linked(&self, limit: Duration) -> Result<(), BenchError> {
        let until = Instant::now() + limit;
        loop {
            let status = self.status()?;
            if status["link"]["state"] == "linked" {
                return Ok(());
            }
            if Instant::now() > until {
                return Err(unexpected(format!("the bridge did not link: {}", status["link"])));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Publishes an event; returns the bridge's status code (negative when it was not queued).
    pub fn publish(&self, name: &str, data: &str) -> i32 {
        // SAFETY: both buffers are valid for their lengths.
        unsafe {
            (self.abi.publish_json)(self.handle, name.as_ptr(), name.len() as i32, data.as_ptr(), data.len() as i32)
        }
    }

    /// Answers every queued request from `terminal` without blocking; returns how many.
    pub fn serve_pending(&self, terminal: &mut Terminal) -> usize {
        let mut served = 0;
        loop {
            let mut request_id = 0i64;
            let method = copy_out(|buf, cap, needed| {
                // SAFETY: buf has cap bytes; request_id and needed are valid out pointers.
                unsafe { (self.abi.next_request)(self.handle, buf, cap, &mut request_id, needed) }
            });
            let method = match method {
                Ok(bytes) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).into_owned(),
                _ => return served,
            };
            let params = copy_out(|buf, cap, needed| {
                // SAFETY: as above.
                unsafe { (self.abi.request_params)(self.handle, request_id, buf, cap, needed) }
            });
            let params = params.ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or(Value::Null);
            match terminal.handle(&method, params) {
                Ok(result) => {
                    let text = result.to_string();
                    // SAFETY: text is valid for its length.
                    unsafe { (self.abi.reply_json)(self.handle, request_id, text.as_ptr(), text.len() as i32) };
                }
                Err(error) => {
                    let message = error.message;
                    // SAFETY: message is valid for its length.
                    unsafe {
                        (self.abi.reply_error)(
                            self.handle,
                            request_id,
                            error.code.code(),
                            0,
                            message.as_ptr(),
                            message.len() as i32,
                        )
                    };
                }
            }
            served += 1;
        }
    }
}

impl Drop for BridgeSession {
    fn drop(&mut self) {
        // SAFETY: scalar call.
        unsafe { (self.abi.stop)(self.handle) };
    }
}

fn copy_out(mut call: impl FnMut(*mut u8, i32, *mut i32) -> i32) -> Result<Vec<u8>, BenchError> {
    let mut buf = vec![0u8; 4096];
    loop {
        let mut needed = 0i32;
        let status = call(buf.as_mut_ptr(), buf.len() as i32, &mut needed);
        if status == BUFFER_TOO_SMALL {
            buf.resize((needed.max(0) as usize).max(buf.len() * 2), 0);
            continue;
        }
        if status < 0 {
            return Err(unexpected(format!("bridge call failed with {status}")));
        }
        buf.truncate(status as usize);
        return Ok(buf);
    }
}
