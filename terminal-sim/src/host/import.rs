//! What `#import "metaapi_bridge.dll"` resolves `mtb_start` to on a program's thread: the bridge's own export, called
//! as is, with the status and session it returns noted for the terminal (a real terminal's user would read them from
//! the EA's journal). The host table hands the wrapper out; the event loop arms it before a program is created and
//! reads what it noted after OnInit.

use std::cell::Cell;

/// `MTB_E_NO_SESSION`: what the wrapper answers on a thread that runs no program.
const MTB_E_NO_SESSION: i32 = -4;

thread_local! {
    /// The bridge's real `mtb_start`, for the recording wrapper `#import` resolves to on this program's thread.
    static REAL_START: Cell<Option<StartFn>> = const { Cell::new(None) };
    /// What the program's last `mtb_start` returned: the status and the session.
    static LAST_START: Cell<(i32, i64)> = const { Cell::new((0, 0)) };
}

/// The C signature of the bridge's `mtb_start`.
pub(crate) type StartFn = unsafe extern "system" fn(*const u8, i32, i32, *mut i64) -> i32;

/// Makes `real` the export the wrapper calls on this thread, and forgets what an earlier program's start returned.
pub(crate) fn arm(real: StartFn) {
    REAL_START.with(|slot| slot.set(Some(real)));
    LAST_START.with(|last| last.set((0, 0)));
}

/// What this thread's program's last `mtb_start` returned: the status and the session (both 0 before any call).
pub(crate) fn last_start() -> (i32, i64) {
    LAST_START.with(Cell::get)
}

/// The wrapper itself: the bridge's `mtb_start` armed on this thread, its outcome noted for [`last_start`].
pub(crate) unsafe extern "system" fn recording_start(config: *const u8, len: i32, major: i32, out: *mut i64) -> i32 {
    let Some(real) = REAL_START.with(Cell::get) else { return MTB_E_NO_SESSION };
    // SAFETY: the arguments are the program's, passed through unchanged to the export they were meant for.
    let status = unsafe { real(config, len, major, out) };
    // SAFETY: the bridge wrote the session to `out` (or left it) and the program owns that variable.
    let session = if status >= 0 && !out.is_null() { unsafe { *out } } else { 0 };
    LAST_START.with(|last| last.set((status, session)));
    status
}
