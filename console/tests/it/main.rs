//! Integration tests of the console: the real server on loopback, the real SQLite file (or, under
//! tests/with-postgres.sh, a real PostgreSQL), real clients.

#![forbid(unsafe_code)]

mod auth;
mod bodies;
mod durability;
mod events;
mod logs;
mod page;
mod presence;
mod replicas;
mod store;
mod support;
mod tokens;
mod verify;
