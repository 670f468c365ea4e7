//! Driving the bridge's C ABI directly: a bare session for a terminal identity (the bridge footprint probe, which
//! measures the bridge alone), and the shipped EA's own session, on which the fan-out publishes its stamped ticks.

use std::time::{Duration, Instant};

use metaapi_terminal_sim::abi::ABI_MAJOR;
use metaapi_terminal_sim::{BridgeAbi, Mode};
use serde_json::{Value, json};

use crate::error::{BenchError, unexpected};

/// `MTB_E_BUFFER_TOO_SMALL`.
const BUFFER_TOO_SMALL: i32 = -3;

/// One bridge session; stopped when dropped if this started it.
pub struct BridgeSession {
    /// The exports.
    pub abi: BridgeAbi,
    /// The session handle.
    pub handle: i64,
    /// Whether this started the session (a program's own session is its to stop, in OnDeinit).
    owned: bool,
}

impl BridgeSession {
    /// `mtb_start` as an MT5 hedging terminal with `token`, linking to `gateway_url` (`ws://…/terminal`).
    pub fn start(gateway_url: &str, token: &str) -> Result<BridgeSession, BenchError> {
        let abi = BridgeAbi::linked();
        let config = json!({
            "gateway_url": gateway_url,
            "token": token,
            "terminal": Mode::Mt5Hedging.identity(),
            "capabilities": Mode::Mt5Hedging.capabilities(),
        })
        .to_string();
        let mut handle = 0i64;
        // SAFETY: config is valid for its length and handle is a valid out pointer.
        let status = unsafe { (abi.start)(config.as_ptr(), config.len() as i32, ABI_MAJOR, &mut handle) };
        if status < 0 {
            return Err(unexpected(format!("mtb_start: {status}: {}", abi.last_error_message())));
        }
        Ok(BridgeSession { abi, handle, owned: true })
    }

    /// The session a running program started (`SimHandle::session`), left to the program to stop.
    pub fn attach(abi: BridgeAbi, handle: i64) -> BridgeSession {
        BridgeSession { abi, handle, owned: false }
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
}

impl Drop for BridgeSession {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: scalar call.
            unsafe { (self.abi.stop)(self.handle) };
        }
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
