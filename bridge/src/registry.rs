//! Per-method and per-notification checks built by walking protocol's registries: params are normalized through
//! the method's `Params` type, replies are checked against its `Result` type, events against the notification's data.

use std::collections::HashMap;
use std::sync::OnceLock;

use metaapi_protocol::{
    Method, MethodVisitor, Notification, NotificationVisitor, ParamsError, Route, Source, StreamKind, decode_params,
    field_path, for_each_method, for_each_notification,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::de::value::MapDeserializer;
use serde_json::Value;

/// A reply or event that does not match its type: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the offending field (`positions[0].ticket`), or empty for the value as a whole.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "field `{}`: {}", self.field, self.message)
        }
    }
}

/// What the DLL knows about one method.
#[derive(Clone, Copy)]
pub struct MethodEntry {
    /// Wire name.
    pub name: &'static str,
    /// Trading call: its reply carries the params' `client_id`.
    pub trading: bool,
    /// Who answers it; only `Terminal` methods are ever sent to the DLL.
    pub route: Route,
    /// Decodes, validates and re-encodes params, filling in defaults.
    pub normalize_params: fn(Value) -> Result<Value, ParamsError>,
    /// Checks a result and returns it re-encoded from the typed value.
    pub check_result: fn(&Value) -> Result<Value, FieldError>,
    /// The same for a result given as JSON text (`mtb_reply_json`), decoded straight into the typed value.
    pub check_result_text: fn(&str) -> Result<Value, FieldError>,
}

/// What the DLL knows about one notification the terminal may publish.
#[derive(Clone, Copy)]
pub struct EventEntry {
    /// Wire name.
    pub name: &'static str,
    /// Checks the event's data and returns it re-encoded from the typed value.
    pub check_data: fn(&Value) -> Result<Value, FieldError>,
}

/// Notifications that come from the terminal (`Source::Terminal`), in registry order. `terminal_status` is the
/// program's report of its broker connection and trade permission, which the gateway merges with the link's state;
/// the others (`token_revoked`, `stream_gap`, `heartbeat`) are made by the gateway itself.
pub fn terminal_events() -> &'static [&'static str] {
    &facts().terminal
}

/// Market-data events (`StreamKind::is_market`), filtered by the gateway's interest and keyed by symbol.
pub fn market_events() -> &'static [&'static str] {
    &facts().market
}

/// Snapshot events (`Notification::COALESCED`): only the newest per symbol matters, so an unsent older one is
/// replaced.
pub fn coalesced_events() -> &'static [&'static str] {
    &facts().coalesced
}

/// The three lists above, read once off the notification registry.
struct Facts {
    terminal: Vec<&'static str>,
    market: Vec<&'static str>,
    coalesced: Vec<&'static str>,
}

fn facts() -> &'static Facts {
    static FACTS: OnceLock<Facts> = OnceLock::new();
    FACTS.get_or_init(|| {
        struct Collect(Facts);
        impl NotificationVisitor for Collect {
            fn visit<N: Notification>(&mut self) {
                if N::SOURCE != Source::Terminal {
                    return;
                }
                self.0.terminal.push(N::NAME);
                if N::STREAM.is_some_and(StreamKind::is_market) {
                    self.0.market.push(N::NAME);
                }
                if N::COALESCED {
                    self.0.coalesced.push(N::NAME);
                }
            }
        }
        let mut collect = Collect(Facts { terminal: Vec::new(), market: Vec::new(), coalesced: Vec::new() });
        for_each_notification(&mut collect);
        collect.0
    })
}

/// The error at the field it is about (see `field_path`), with `""` for the value as a whole.
fn path_error(error: serde_path_to_error::Error<serde_json::Error>) -> FieldError {
    let (field, inner) = field_path::locate(error);
    FieldError { field: field.unwrap_or_default(), message: inner.to_string() }
}

fn check_typed<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, FieldError> {
    let typed: T = serde_path_to_error::deserialize(value).map_err(path_error)?;
    serde_json::to_value(&typed).map_err(|error| FieldError { field: String::new(), message: error.to_string() })
}

/// As `check_typed`, from JSON text already known to be well formed: no `Value` tree is built on the way (a reply
/// with a thousand candles is a thousand maps fewer on the EA thread).
fn check_typed_text<T: DeserializeOwned + Serialize>(text: &str) -> Result<Value, FieldError> {
    let mut decoder = serde_json::Deserializer::from_str(text);
    let typed: T = serde_path_to_error::deserialize(&mut decoder).map_err(path_error)?;
    let encoded = decoder.end().and_then(|()| serde_json::to_value(&typed));
    encoded.map_err(|error| FieldError { field: String::new(), message: error.to_string() })
}

fn normalize<M: Method>(params: Value) -> Result<Value, ParamsError> {
    let typed = decode_params::<M>(Some(params))?;
    serde_json::to_value(&typed).map_err(|error| ParamsError { field: None, message: error.to_string() })
}

/// Checks data as the `data` of the notification's params (`seq` and `data`) and returns it in its typed form.
///
/// The params are read from a two-entry map over the borrowed data, not from a copy wrapped in a new object: this
/// runs on the EA thread for every event the terminal publishes (several per trade, every tick).
fn check_notification<N: Notification>(data: &Value) -> Result<Value, FieldError> {
    let seq = Value::from(0);
    let params = MapDeserializer::<_, serde_json::Error>::new([("seq", &seq), ("data", data)].into_iter());
    let typed: N::Params = serde_path_to_error::deserialize(params).map_err(|error| {
        let mut error = path_error(error);
        error.field = error.field.strip_prefix("data.").or(error.field.strip_prefix("data")).unwrap_or("").to_owned();
        error
    })?;
    let internal = |message: String| FieldError { field: String::new(), message };
    match serde_json::to_value(&typed) {
        Ok(Value::Object(mut params)) => {
            params.remove("data").ok_or_else(|| internal(format!("{} params lost their data", N::NAME)))
        }
        Ok(_) => Err(internal(format!("{} params are not an object", N::NAME))),
        Err(error) => Err(internal(error.to_string())),
    }
}

struct Tables {
    methods: HashMap<&'static str, MethodEntry>,
    events: HashMap<&'static str, EventEntry>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        struct Methods(HashMap<&'static str, MethodEntry>);
        impl MethodVisitor for Methods {
            fn visit<M: Method>(&mut self) {
                let entry = MethodEntry {
                    name: M::NAME,
                    trading: M::TRADING,
                    route: M::ROUTE,
                    normalize_params: normalize::<M>,
                    check_result: check_typed::<M::Result>,
                    check_result_text: check_typed_text::<M::Result>,
                };
                self.0.insert(M::NAME, entry);
            }
        }
        struct Events(HashMap<&'static str, EventEntry>);
        impl NotificationVisitor for Events {
            fn visit<N: Notification>(&mut self) {
                if N::SOURCE == Source::Terminal {
                    self.0.insert(N::NAME, EventEntry { name: N::NAME, check_data: check_notification::<N> });
                }
            }
        }
        let mut methods = Methods(HashMap::new());
        for_each_method(&mut methods);
        let mut events = Events(HashMap::new());
        for_each_notification(&mut events);
        Tables { methods: methods.0, events: events.0 }
    })
}

/// The method called `name`.
pub fn method(name: &str) -> Option<&'static MethodEntry> {
    tables().methods.get(name)
}

/// The terminal event called `name`.
pub fn event(name: &str) -> Option<&'static EventEntry> {
    tables().events.get(name)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_terminal_event_is_a_registered_notification() {
        for name in terminal_events() {
            assert!(event(name).is_some(), "{name} is not in protocol's notification registry");
        }
    }

    /// The lists the bridge acts on are read off the notification facts; this pins what they say today, so a change
    /// of a fact in `protocol` shows here, and a terminal event without a stream fails.
    #[test]
    fn the_event_lists_follow_the_notification_facts() {
        struct Streams;
        impl NotificationVisitor for Streams {
            fn visit<N: Notification>(&mut self) {
                let from_terminal = N::SOURCE == Source::Terminal;
                assert_eq!(from_terminal, N::STREAM.is_some(), "{}: a terminal event names its stream", N::NAME);
                assert!(
                    !N::COALESCED || N::STREAM.is_some_and(StreamKind::is_market),
                    "{} is coalesced by symbol",
                    N::NAME
                );
            }
        }
        for_each_notification(&mut Streams);
        let trades = ["position_updated", "position_removed", "order_updated", "order_completed", "deal_added"];
        let expected: Vec<&str> = ["quote", "tick", "candle", "book", "account"]
            .into_iter()
            .chain(trades)
            .chain(["terminal_status"])
            .collect();
        assert_eq!(terminal_events(), expected.as_slice());
        assert_eq!(market_events(), &["quote", "tick", "candle", "book"]);
        assert_eq!(coalesced_events(), &["quote", "book"]);
    }

    #[test]
    fn reply_errors_name_the_field() {
        let check = method("get_positions").unwrap().check_result;
        let error = check(&json!({"positions": [{"ticket": 5}]})).unwrap_err();
        assert_eq!(error.field, "positions[0].ticket");
        let error = check(&json!({})).unwrap_err();
        assert_eq!(error.field, "positions");
        assert!(error.message.contains("missing field"));
    }

    #[test]
    fn results_given_as_text_are_checked_like_values() {
        let entry = method("get_positions").unwrap();
        let good = json!({"positions": []});
        assert_eq!((entry.check_result_text)(&good.to_string()).unwrap(), (entry.check_result)(&good).unwrap());
        let bad = json!({"positions": [{"ticket": 5}]}).to_string();
        assert_eq!((entry.check_result_text)(&bad).unwrap_err().field, "positions[0].ticket");
        let error = (entry.check_result_text)("{}").unwrap_err();
        assert_eq!(error.field, "positions");
        assert!(error.message.contains("missing field"));
        assert!((entry.check_result_text)(r#"{"positions": []} {}"#).is_err(), "trailing text is refused");
    }

    #[test]
    fn event_errors_name_the_field_inside_data() {
        let check = event("quote").unwrap().check_data;
        let error = check(&json!({"symbol": "EURUSD", "bid": "x"})).unwrap_err();
        assert_eq!(error.field, "bid");
        let error = check(&json!({"symbol": "EURUSD"})).unwrap_err();
        assert!(error.message.contains("missing field") && !error.field.is_empty(), "{error:?}");
        assert!(!error.field.starts_with("data"), "{error:?}");
        let error = check(&json!("not an object")).unwrap_err();
        assert!(error.field.is_empty() && !error.message.is_empty(), "{error:?}");
        let good =
            json!({"symbol": "EURUSD", "bid": 1.1, "ask": 1.2, "time": 1, "broker_time": "2024-01-01 00:00:00.000"});
        assert_eq!(check(&good).unwrap(), good);
    }

    #[test]
    fn terminal_status_is_accepted_from_the_terminal_and_checked() {
        let check = event("terminal_status").expect("the terminal reports its status").check_data;
        let good = json!({"online": true, "broker_connected": false, "trade_allowed": true, "time": 1});
        assert_eq!(check(&good).unwrap(), good);
        let error = check(&json!({"online": true, "broker_connected": "no", "trade_allowed": true, "time": 1}));
        assert_eq!(error.unwrap_err().field, "broker_connected");
        assert!(event("token_revoked").is_none() && event("stream_gap").is_none() && event("heartbeat").is_none());
    }

    #[test]
    fn params_are_normalized_with_defaults() {
        let normalize = method("get_history_deals").unwrap().normalize_params;
        let value = normalize(json!({"from": 1})).unwrap();
        assert_eq!(value["limit"], 1000);
        assert!(normalize(json!({"from": 1, "bogus": 1})).is_err());
    }
}
