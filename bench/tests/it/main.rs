//! The smoke path runs to the end and produces every row. Timings are printed, never asserted.

#![forbid(unsafe_code)]

mod console;
mod smoke;
