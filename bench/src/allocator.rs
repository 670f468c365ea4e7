//! The harness's allocator: mimalloc, as the gateway binary uses, except in the bridge probe, which runs on the
//! system allocator as the bridge does inside MetaTrader.
//!
//! The choice is read once from the environment (`METAAPI_BENCH_SYSTEM_ALLOCATOR`, set by the parent when it
//! starts the probe) at the first allocation, through libc's `getenv`, which does not allocate. It never changes
//! afterwards, so every block is freed by the allocator that made it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering};

use mimalloc::MiMalloc;

/// Set (to anything) in a child's environment to run it on the system allocator.
pub const SYSTEM_ALLOCATOR_ENV: &str = match SYSTEM_ALLOCATOR_NAME.to_str() {
    Ok(name) => name,
    Err(_) => panic!("the variable's name is ASCII"),
};
const SYSTEM_ALLOCATOR_NAME: &std::ffi::CStr = c"METAAPI_BENCH_SYSTEM_ALLOCATOR";

const UNDECIDED: u8 = 0;
const MIMALLOC: u8 = 1;
const SYSTEM: u8 = 2;

/// mimalloc or the system allocator, decided at the first allocation.
pub struct Allocator {
    choice: AtomicU8,
}

impl Allocator {
    /// Undecided until the first allocation.
    pub const fn new() -> Allocator {
        Allocator { choice: AtomicU8::new(UNDECIDED) }
    }

    fn system(&self) -> bool {
        match self.choice.load(Ordering::Relaxed) {
            UNDECIDED => {
                unsafe extern "C" {
                    fn getenv(name: *const std::ffi::c_char) -> *const std::ffi::c_char;
                }
                // SAFETY: a NUL-terminated name; getenv only reads the environment, which nothing here changes.
                let set = !unsafe { getenv(SYSTEM_ALLOCATOR_NAME.as_ptr()) }.is_null();
                let choice = if set { SYSTEM } else { MIMALLOC };
                // Racing first allocations compute the same answer from the same environment.
                self.choice.store(choice, Ordering::Relaxed);
                choice == SYSTEM
            }
            choice => choice == SYSTEM,
        }
    }
}

impl Default for Allocator {
    fn default() -> Allocator {
        Allocator::new()
    }
}

// SAFETY: every call goes to one of two sound allocators, the same one for the life of the process.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { if self.system() { System.alloc(layout) } else { MiMalloc.alloc(layout) } }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from the same allocator (the choice never changes).
        unsafe { if self.system() { System.dealloc(ptr, layout) } else { MiMalloc.dealloc(ptr, layout) } }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { if self.system() { System.alloc_zeroed(layout) } else { MiMalloc.alloc_zeroed(layout) } }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from the same allocator (the choice never changes).
        unsafe {
            if self.system() { System.realloc(ptr, layout, new_size) } else { MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}
