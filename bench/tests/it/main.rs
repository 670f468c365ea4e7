//! The smoke path runs to the end and produces every row. Timings are printed, never asserted.

mod smoke;
