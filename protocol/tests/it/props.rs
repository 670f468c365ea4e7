//! Property tests: ids and error codes survive the wire unchanged.

use metaapi_protocol::ErrorCode;
use metaapi_protocol::jsonrpc::Id;
use proptest::prelude::*;

fn any_id() -> impl Strategy<Value = Id> {
    prop_oneof![
        Just(Id::Null),
        any::<String>().prop_map(Id::String),
        any::<i64>().prop_map(|number| Id::Number(number.into())),
        any::<u64>().prop_map(|number| Id::Number(number.into())),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |number| number.is_finite())
            .prop_map(|number| Id::Number(serde_json::Number::from_f64(number).expect("finite"))),
    ]
}

proptest! {
    #[test]
    fn ids_round_trip(id in any_id()) {
        let text = serde_json::to_string(&id).unwrap();
        let back: Id = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &id, "through {}", text);
        let value = serde_json::to_value(&id).unwrap();
        prop_assert_eq!(Id::from_value(&value), Some(id));
    }

    #[test]
    fn error_codes_round_trip(number in any::<i32>()) {
        let code = ErrorCode::from(number);
        prop_assert_eq!(code.code(), number);
        let text = serde_json::to_string(&code).unwrap();
        prop_assert_eq!(&text, &number.to_string());
        let back: ErrorCode = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, code);
        if !ErrorCode::ALL.contains(&code) {
            prop_assert_eq!(code, ErrorCode::Other(number));
        }
    }
}
