//! The examples, run as users run them: every example binary against the in-process demo, to completion.

#![forbid(unsafe_code)]

mod against_demo;
mod configuration;
