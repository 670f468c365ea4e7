//! Integration tests of the console: the real server on loopback, the real SQLite file, real clients.

mod auth;
mod durability;
mod events;
mod logs;
mod page;
mod presence;
mod support;
mod tokens;
mod verify;
