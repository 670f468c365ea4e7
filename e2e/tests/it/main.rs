//! End-to-end tests: the real console, gateway, bridge and simulated terminals, used as a client would use them.
//!
//! One binary, a module per area:
//! - `every_method`: every protocol method in MT5 hedging, MT5 netting and MT4, checked against the committed schema;
//! - `token_doc_flow`: the auth token's life as the token doc describes it, managed over the console's HTTP API;
//! - `large_lists`: the largest documented request of every list method, and paging by `has_more` and cursor;
//! - `curl_demo`: the `metaapi-gateway demo` binary and the token doc's exact `curl` request;
//! - `ea_terminal`: `terminal_status` and `get_health` of the shipped MT5 and MT4 EAs as the broker connection and Algo Trading change;
//! - `ea_time`: broker time of the shipped MT5 and MT4 EAs over a weekend and a daylight saving change;
//! - `ea_correctness`: the shipped EAs' own correctness points (group masks, MT4 change detection, broker time);
//! - `ea_streams`: the trade and account streams of the shipped MT5 and MT4 EAs, payloads checked against the trades;
//! - `ea_outcomes`: exactly-once trading through broker timeouts (after and before execution) and a lost broker
//!   connection, through the shipped MT5 and MT4 EAs;
//! - `ea_chain`: requests through the shipped MT5 and MT4 EAs are answered with a timer that never fires.

mod curl_demo;
mod ea_chain;
mod ea_correctness;
mod ea_events;
mod ea_outcomes;
mod ea_streams;
mod ea_terminal;
mod ea_time;
mod every_method;
mod large_lists;
mod mutation;
mod support;
mod token_doc_flow;
