//! Tests of the `metaapi-gateway` binary as users run it, and of the demo stack behind its `demo` subcommand.

#![forbid(unsafe_code)]

mod binary;
mod demo;
mod outage;
