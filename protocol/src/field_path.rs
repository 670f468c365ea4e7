//! Which field a deserialization error is about: the one reading of `serde_path_to_error`'s path that every crate
//! shares (method params, the bridge's replies, events and start config, the console's request bodies).
//!
//! serde reports some errors short of the field they are about: a missing field at its parent's path, and an unknown
//! field inside buffered content (internally tagged enums, flattened structs) at its parent's as well, while an
//! unknown field anywhere else is already reported at its own path. [`locate`] names the field in both cases, from
//! serde's message. A wrong type inside buffered content stays at the parent's path: its message names no field.

use serde_path_to_error::{Error, Path, Segment};

/// Splits a deserialization error into the path of the field it is about (`volume`, `streams[0].symbol`), `None`
/// for the value as a whole, and serde's own error, whose message is left as it is.
pub fn locate<E: std::fmt::Display>(error: Error<E>) -> (Option<String>, E) {
    let path = error.path().clone();
    let inner = error.into_inner();
    let field = match named_field(&inner.to_string()) {
        Some((name, Named::Missing)) => Some(join(&path, &name)),
        Some((name, Named::Unknown)) if !ends_with_key(&path, &name) => Some(join(&path, &name)),
        _ => at(&path),
    };
    (field, inner)
}

/// Which kind of serde error names a field in its message.
enum Named {
    Unknown,
    Missing,
}

/// The field named by serde's "unknown field `x`, expected ..." or "missing field `x`", if the message is one.
fn named_field(message: &str) -> Option<(String, Named)> {
    let (rest, named) = match message.strip_prefix("unknown field `") {
        Some(rest) => (rest, Named::Unknown),
        None => (message.strip_prefix("missing field `")?, Named::Missing),
    };
    let (name, _) = rest.split_once('`')?;
    Some((name.to_owned(), named))
}

/// Whether the path already ends at the member `name` (an unknown field outside buffered content).
fn ends_with_key(path: &Path, name: &str) -> bool {
    matches!(path.iter().next_back(), Some(Segment::Map { key }) if key == name)
}

/// The path as text, `None` at the root (which `Path` prints as `.`).
fn at(path: &Path) -> Option<String> {
    path.iter().next().map(|_| path.to_string())
}

fn join(parent: &Path, field: &str) -> String {
    match at(parent) {
        Some(parent) => format!("{parent}.{field}"),
        None => field.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::{Value, json};

    use super::locate;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // Only decoded, to see where decoding fails.
    struct Order {
        symbol: String,
        volume: f64,
        legs: Vec<Leg>,
        #[serde(default)]
        spec: Option<Spec>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Leg {
        price: f64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
    #[allow(dead_code)]
    enum Spec {
        Quotes { symbol: String },
        Account {},
    }

    /// Decodes `value` as an `Order` and returns where it failed and serde's message.
    fn fault(value: Value) -> (Option<String>, String) {
        let error = serde_path_to_error::deserialize::<_, Order>(value).unwrap_err();
        let (field, inner) = locate(error);
        (field, inner.to_string())
    }

    fn field(value: Value) -> Option<String> {
        fault(value).0
    }

    #[test]
    fn the_value_as_a_whole_has_no_field() {
        let (field, message) = fault(json!(7));
        assert_eq!(field, None);
        assert!(message.contains("invalid type"), "{message}");
    }

    #[test]
    fn a_wrong_type_is_at_its_own_path() {
        assert_eq!(field(json!({"symbol": 1, "volume": 1.0, "legs": []})).as_deref(), Some("symbol"));
    }

    #[test]
    fn a_missing_field_is_named_at_the_root_and_nested() {
        let (field, message) = fault(json!({"symbol": "X", "legs": []}));
        assert_eq!((field.as_deref(), message.as_str()), (Some("volume"), "missing field `volume`"));
        let nested = json!({"symbol": "X", "volume": 1.0, "legs": [{"price": 1.0}, {}]});
        assert_eq!(self::field(nested).as_deref(), Some("legs[1].price"));
    }

    #[test]
    fn an_unknown_field_is_named_once() {
        let (field, message) = fault(json!({"symbol": "X", "volume": 1.0, "legs": [], "colour": "red"}));
        assert_eq!(field.as_deref(), Some("colour"));
        assert!(message.starts_with("unknown field `colour`"), "{message}");
        let nested = json!({"symbol": "X", "volume": 1.0, "legs": [{"price": 1.0, "size": 2}]});
        assert_eq!(self::field(nested).as_deref(), Some("legs[0].size"));
    }

    #[test]
    fn an_array_element_of_the_wrong_type_is_at_its_index() {
        let value = json!({"symbol": "X", "volume": 1.0, "legs": [{"price": 1.0}, {"price": "high"}]});
        assert_eq!(field(value).as_deref(), Some("legs[1].price"));
    }

    #[test]
    fn inside_an_internally_tagged_enum() {
        let base = |spec: Value| json!({"symbol": "X", "volume": 1.0, "legs": [], "spec": spec});
        // Buffered content reports a missing or unknown field at the enum's path; both come out named.
        assert_eq!(field(base(json!({"kind": "quotes"}))).as_deref(), Some("spec.symbol"));
        assert_eq!(field(base(json!({"kind": "account", "symbol": "X"}))).as_deref(), Some("spec.symbol"));
        assert_eq!(field(base(json!({"symbol": "X"}))).as_deref(), Some("spec.kind"));
        // A wrong type there names no field in its message, and the buffering lost the member: the enum is as close
        // as the error can point.
        assert_eq!(field(base(json!({"kind": "quotes", "symbol": 3}))).as_deref(), Some("spec"));
        let (field, message) = fault(base(json!({"kind": "book"})));
        assert_eq!(field.as_deref(), Some("spec.kind"));
        assert!(message.starts_with("unknown variant `book`"), "{message}");
    }

    #[test]
    fn a_message_that_only_looks_like_a_named_field_is_left_at_its_path() {
        // A string value is never mistaken for the message naming a field.
        let value = json!({"symbol": "missing field `x`", "volume": "unknown field `y`", "legs": []});
        assert_eq!(field(value).as_deref(), Some("volume"));
    }
}
