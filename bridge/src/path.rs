//! The path syntax of the param getters and the reply builder: `symbol`, `symbols[2]`, `streams[0].symbol`.

use serde_json::{Map, Value};

use crate::status::{BridgeError, BridgeResult};

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// Parses `name(.name|[n])*`. Names are ASCII letters, digits and `_`.
pub fn parse(path: &str) -> BridgeResult<Vec<Step>> {
    let bad = |why: &str| BridgeError::arg(format!("path `{path}`: {why}"));
    if path.is_empty() {
        return Err(bad("empty path"));
    }
    let bytes = path.as_bytes();
    let mut steps = Vec::new();
    let mut at = 0;
    let mut expect_name = true;
    while at < bytes.len() {
        if expect_name {
            let start = at;
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            if at == start {
                return Err(bad(&format!("expected a member name at byte {start}")));
            }
            steps.push(Step::Key(path[start..at].to_owned()));
            expect_name = false;
            continue;
        }
        match bytes[at] {
            b'.' => {
                at += 1;
                expect_name = true;
            }
            b'[' => {
                let start = at + 1;
                let end = path[start..].find(']').map(|offset| start + offset).ok_or_else(|| bad("missing `]`"))?;
                let digits = &path[start..end];
                if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
                    return Err(bad(&format!("index `{digits}` is not a number")));
                }
                let index = digits.parse::<usize>().map_err(|_| bad("index too large"))?;
                steps.push(Step::Index(index));
                at = end + 1;
            }
            other => return Err(bad(&format!("unexpected `{}` at byte {at}", other as char))),
        }
    }
    if expect_name {
        return Err(bad("ends with `.`"));
    }
    Ok(steps)
}

/// The value at `path`, treating JSON `null` as absent.
pub fn get<'a>(root: &'a Value, path: &str) -> BridgeResult<&'a Value> {
    let mut current = root;
    for step in parse(path)? {
        let next = match (&step, current) {
            (Step::Key(key), Value::Object(map)) => map.get(key),
            (Step::Index(index), Value::Array(items)) => items.get(*index),
            (Step::Key(_), _) | (Step::Index(_), _) => {
                return Err(BridgeError::WrongType(format!(
                    "`{path}`: cannot take {} of {}",
                    describe_step(&step),
                    type_name(current)
                )));
            }
        };
        match next {
            Some(value) if !value.is_null() => current = value,
            _ => return Err(BridgeError::NotFound(format!("param `{path}` is absent"))),
        }
    }
    Ok(current)
}

/// Sets `value` at `path`, creating objects and arrays on the way. An array index may be at most the current
/// length (the next element), so lists are filled in order and never have holes.
pub fn set(root: &mut Value, path: &str, value: Value) -> BridgeResult<()> {
    let steps = parse(path)?;
    let mut current = root;
    for (position, step) in steps.iter().enumerate() {
        let last = position + 1 == steps.len();
        let fresh = || match steps.get(position + 1) {
            Some(Step::Index(_)) => Value::Array(Vec::new()),
            _ => Value::Object(Map::new()),
        };
        current = match step {
            Step::Key(key) => {
                if current.is_null() {
                    *current = Value::Object(Map::new());
                }
                let Value::Object(map) = current else {
                    return Err(BridgeError::WrongType(format!("`{path}`: {} is not an object", type_name(current))));
                };
                let slot = map.entry(key.clone()).or_insert_with(fresh);
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            Step::Index(index) => {
                if current.is_null() {
                    *current = Value::Array(Vec::new());
                }
                let Value::Array(items) = current else {
                    return Err(BridgeError::WrongType(format!("`{path}`: {} is not an array", type_name(current))));
                };
                if *index > items.len() {
                    return Err(BridgeError::arg(format!(
                        "`{path}`: index {index} skips ahead; the array has {} elements, so set index {} next",
                        items.len(),
                        items.len()
                    )));
                }
                if *index == items.len() {
                    items.push(fresh());
                }
                let slot = &mut items[*index];
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
        };
    }
    Ok(())
}

fn describe_step(step: &Step) -> String {
    match step {
        Step::Key(key) => format!("member `{key}`"),
        Step::Index(index) => format!("element [{index}]"),
    }
}

/// A JSON type's name for messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_names_indexes_and_nesting() {
        assert_eq!(
            parse("streams[0].symbol").unwrap(),
            vec![Step::Key("streams".into()), Step::Index(0), Step::Key("symbol".into())]
        );
        for bad in ["", ".a", "a.", "a[", "a[x]", "a[]", "a..b", "a-b", "[0]"] {
            assert!(parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn get_distinguishes_absent_and_wrong_type() {
        let value = json!({"symbols": ["EURUSD", "GBPUSD"], "n": 1, "gone": null});
        assert_eq!(get(&value, "symbols[1]").unwrap(), "GBPUSD");
        assert!(matches!(get(&value, "symbols[2]"), Err(BridgeError::NotFound(_))));
        assert!(matches!(get(&value, "gone"), Err(BridgeError::NotFound(_))));
        assert!(matches!(get(&value, "n.x"), Err(BridgeError::WrongType(_))));
    }

    #[test]
    fn set_builds_rows_in_order() {
        let mut value = json!({});
        set(&mut value, "positions[0].ticket", json!("1")).unwrap();
        set(&mut value, "positions[0].volume", json!(0.1)).unwrap();
        set(&mut value, "positions[1].ticket", json!("2")).unwrap();
        set(&mut value, "terminal.build", json!(4000)).unwrap();
        assert_eq!(
            value,
            json!({"positions": [{"ticket": "1", "volume": 0.1}, {"ticket": "2"}], "terminal": {"build": 4000}})
        );
        assert!(matches!(set(&mut value, "positions[5].ticket", json!("x")), Err(BridgeError::InvalidArg(_))));
        assert!(matches!(set(&mut value, "terminal.build.x", json!(1)), Err(BridgeError::WrongType(_))));
    }
}
