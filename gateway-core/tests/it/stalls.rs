//! A terminal that freezes: terminal-sim driven through a copy of the real bridge's ABI table in which three exports
//! first pause the EA thread, at random and from a seeded plan, the way a busy or frozen MetaTrader does. The points:
//! before the EA claims a request (it stays queued in the bridge, maybe past its deadline), right after a claim
//! (the bridge has sent `taken`), and after the terminal executed the call but before its reply reaches the bridge.
//! Everything else goes straight to the real exports, so the simulator keeps working whatever drives it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use metaapi_terminal_sim::BridgeAbi;

/// Where the EA may pause.
#[derive(Debug, Clone, Copy)]
enum Point {
    BeforeClaim,
    AfterClaim,
    BeforeReply,
}

/// How often and how long the EA pauses at each point: percent of calls, and the longest pause.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Before `mtb_next_request`.
    pub before_claim: (u64, Duration),
    /// After a claim, before the terminal executes the call.
    pub after_claim: (u64, Duration),
    /// After the terminal executed the call, before `mtb_reply_send` / `mtb_reply_json` / `mtb_reply_error`.
    pub before_reply: (u64, Duration),
}

struct Active {
    plan: Plan,
    rng: Rng,
}

static ACTIVE: Mutex<Option<Active>> = Mutex::new(None);
static HOLDING: AtomicBool = AtomicBool::new(false);
static PAUSES: AtomicU64 = AtomicU64::new(0);

/// A small seeded generator (splitmix64): the same seed gives the same sequence of draws.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 { 0 } else { self.next() % bound }
    }

    /// Whether a `percent` chance came up.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A duration in `0..=max`.
    pub fn upto(&mut self, max: Duration) -> Duration {
        Duration::from_millis(self.below(max.as_millis() as u64 + 1))
    }
}

/// Starts pausing the EA by `plan`, drawing from `seed`.
pub fn stall(plan: Plan, seed: u64) {
    *ACTIVE.lock().unwrap() = Some(Active { plan, rng: Rng::new(seed) });
}

/// Stops pausing.
pub fn calm() {
    *ACTIVE.lock().unwrap() = None;
}

/// Holds the EA before its next claim until [`release`]: a terminal frozen with requests queued in the bridge.
pub fn hold() {
    HOLDING.store(true, Ordering::SeqCst);
}

/// Lets a held EA go on.
pub fn release() {
    HOLDING.store(false, Ordering::SeqCst);
}

/// How many pauses were taken so far.
pub fn pauses() -> u64 {
    PAUSES.load(Ordering::Relaxed)
}

fn pause(point: Point) {
    let wait = {
        let mut active = ACTIVE.lock().unwrap();
        let Some(active) = active.as_mut() else { return };
        let (percent, longest) = match point {
            Point::BeforeClaim => active.plan.before_claim,
            Point::AfterClaim => active.plan.after_claim,
            Point::BeforeReply => active.plan.before_reply,
        };
        if !active.rng.chance(percent) {
            return;
        }
        active.rng.upto(longest)
    };
    PAUSES.fetch_add(1, Ordering::Relaxed);
    std::thread::sleep(wait);
}

fn real() -> &'static BridgeAbi {
    static REAL: OnceLock<BridgeAbi> = OnceLock::new();
    REAL.get_or_init(BridgeAbi::linked)
}

unsafe extern "system" fn next_request(session: i64, buf: *mut u8, cap: i32, id: *mut i64, needed: *mut i32) -> i32 {
    while HOLDING.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5));
    }
    pause(Point::BeforeClaim);
    // SAFETY: the caller's pointers are passed on unchanged to the export they were meant for.
    let status = unsafe { (real().next_request)(session, buf, cap, id, needed) };
    if status > 0 {
        pause(Point::AfterClaim);
    }
    status
}

unsafe extern "system" fn reply_json(session: i64, id: i64, json: *const u8, len: i32) -> i32 {
    pause(Point::BeforeReply);
    // SAFETY: as above.
    unsafe { (real().reply_json)(session, id, json, len) }
}

unsafe extern "system" fn reply_send(session: i64, id: i64) -> i32 {
    pause(Point::BeforeReply);
    // SAFETY: scalars only.
    unsafe { (real().reply_send)(session, id) }
}

unsafe extern "system" fn reply_error(
    session: i64,
    id: i64,
    code: i32,
    retcode: i32,
    message: *const u8,
    len: i32,
) -> i32 {
    pause(Point::BeforeReply);
    // SAFETY: as above.
    unsafe { (real().reply_error)(session, id, code, retcode, message, len) }
}

/// The real bridge's table with the pausing exports in place.
pub fn abi() -> BridgeAbi {
    let mut abi = *real();
    abi.next_request = next_request;
    abi.reply_json = reply_json;
    abi.reply_send = reply_send;
    abi.reply_error = reply_error;
    abi
}
