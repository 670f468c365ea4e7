//! What the simulated EA publishes: a notification name and its data, as `mtb_publish_json` takes them.

use serde::Serialize;
use serde_json::Value;

/// One event for the bridge.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The notification name (`quote`, `tick`, `candle`, `account`, `position_updated`, ...).
    pub name: &'static str,
    /// The notification's `data`.
    pub data: Value,
}

impl Event {
    /// An event from a protocol data type.
    pub fn new(name: &'static str, data: &impl Serialize) -> Event {
        // Protocol types serialize infallibly (no maps with non-string keys, no failing impls).
        Event { name, data: serde_json::to_value(data).unwrap_or(Value::Null) }
    }
}
