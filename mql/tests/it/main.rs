//! Integration tests of the MQL translator and runtime: real translations, the real C++ compiler, real generated code.

#![forbid(unsafe_code)]

mod failures;
mod harness;
mod layout;
mod platforms;
mod programs;
mod refusals;
mod runtime;
