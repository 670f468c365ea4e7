//! Argument checks, buffers, last error and the panic boundary, on the loaded library.

use metaapi_bridge::*;
use serde_json::json;

use crate::harness::{Session, abi, closed_port, config, copy_text, last_error};

#[test]
fn abi_version_and_version_text() {
    assert_eq!((abi().abi_version)(), 0x0001_0001);
    let text = copy_text(|buf, cap, needed| (abi().version)(buf, cap, needed)).unwrap();
    let link = format!(" protocol/1.0 link/{}", metaapi_protocol::link::LINK_VERSION);
    assert!(text.starts_with("metaapi-bridge/") && text.contains(&link), "{text}");
}

#[test]
fn short_buffer_reports_the_size_and_writes_nothing() {
    let mut needed = -1;
    let mut buf = [b'#'; 4];
    assert_eq!((abi().version)(buf.as_mut_ptr(), 4, &mut needed), MTB_E_BUFFER_TOO_SMALL);
    assert!(needed > 4);
    assert_eq!(buf, [b'#'; 4], "nothing may be written into a short buffer");
    // A size query with no buffer at all.
    assert_eq!((abi().version)(std::ptr::null_mut(), 0, &mut needed), MTB_E_BUFFER_TOO_SMALL);
    let mut big = vec![0u8; needed as usize];
    assert_eq!((abi().version)(big.as_mut_ptr(), needed, &mut needed), needed);
}

#[test]
fn null_pointers_and_negative_lengths_are_invalid_args() {
    let mut needed = 0;
    let mut buf = [0u8; 8];
    assert_eq!((abi().version)(std::ptr::null_mut(), 8, &mut needed), MTB_E_INVALID_ARG);
    assert_eq!((abi().version)(buf.as_mut_ptr(), -1, &mut needed), MTB_E_INVALID_ARG);
    assert_eq!((abi().version)(buf.as_mut_ptr(), 8, std::ptr::null_mut()), MTB_E_INVALID_ARG);
    assert!(last_error().contains("out_needed"), "{}", last_error());

    let mut session = 0;
    assert_eq!((abi().start)(std::ptr::null(), 10, 1, &mut session), MTB_E_INVALID_ARG);
    assert!(last_error().contains("null pointer"), "{}", last_error());
    let text = config(closed_port(), "mat_x");
    assert_eq!((abi().start)(text.as_ptr(), -5, 1, &mut session), MTB_E_INVALID_ARG);
    assert!(last_error().contains("negative length"), "{}", last_error());
    assert_eq!((abi().start)(text.as_ptr(), text.len() as i32, 1, std::ptr::null_mut()), MTB_E_INVALID_ARG);

    let live = Session::start(closed_port(), "mat_x");
    assert_eq!((abi().wait)(live.0, -1), MTB_E_INVALID_ARG);
    let mut id = 0;
    assert_eq!((abi().next_request)(live.0, std::ptr::null_mut(), 4, &mut id, &mut needed), MTB_E_INVALID_ARG);
    assert_eq!((abi().next_request)(live.0, buf.as_mut_ptr(), 8, std::ptr::null_mut(), &mut needed), MTB_E_INVALID_ARG);
    let path = "x";
    assert_eq!((abi().set_string)(live.0, 1, path.as_ptr(), 1, std::ptr::null(), 3), MTB_E_INVALID_ARG);
    assert_eq!((abi().event_begin)(live.0, path.as_ptr(), 1, std::ptr::null_mut()), MTB_E_INVALID_ARG);
    let mut value = 0.0;
    assert_eq!((abi().param_double)(live.0, 1, path.as_ptr(), -1, &mut value), MTB_E_INVALID_ARG);
}

#[test]
fn invalid_utf8_is_reported_as_such() {
    let mut session = 0;
    let bytes = b"{\"gateway_url\":\"\xff\"}";
    assert_eq!((abi().start)(bytes.as_ptr(), bytes.len() as i32, 1, &mut session), MTB_E_INVALID_UTF8);
    assert!(last_error().contains("UTF-8"));
    let live = Session::start(closed_port(), "mat_x");
    let name = b"quo\xfe";
    let data = b"{}";
    assert_eq!((abi().publish_json)(live.0, name.as_ptr(), 4, data.as_ptr(), 2), MTB_E_INVALID_UTF8);
    let mut id = 0;
    assert_eq!((abi().event_begin)(live.0, name.as_ptr(), 4, &mut id), MTB_E_INVALID_UTF8);
}

#[test]
fn config_errors_name_the_member() {
    let mut session = 0;
    let start =
        |text: &str, major: i32, session: &mut i64| (abi().start)(text.as_ptr(), text.len() as i32, major, session);
    let good = config(closed_port(), "mat_x");
    assert_eq!(start(&good, 2, &mut session), MTB_E_ABI_MISMATCH);
    assert!(last_error().contains("major 2"), "{}", last_error());
    assert_eq!(start("{not json", 1, &mut session), MTB_E_INVALID_JSON);
    let mut missing: serde_json::Value = serde_json::from_str(&good).unwrap();
    missing.as_object_mut().unwrap().remove("token");
    assert_eq!(start(&missing.to_string(), 1, &mut session), MTB_E_INVALID_CONFIG);
    assert!(last_error().contains("token"), "{}", last_error());
    let mut wrong: serde_json::Value = serde_json::from_str(&good).unwrap();
    wrong["terminal"]["login"] = json!("abc");
    assert_eq!(start(&wrong.to_string(), 1, &mut session), MTB_E_INVALID_CONFIG);
    assert!(last_error().contains("terminal.login"), "{}", last_error());
    let remote = good.replace("127.0.0.1", "192.0.2.1");
    assert_eq!(start(&remote, 1, &mut session), MTB_E_INVALID_CONFIG);
    assert!(last_error().contains("loopback"), "{}", last_error());
}

#[test]
fn a_missing_member_of_the_config_is_named_by_its_path() {
    let mut session = 0;
    let mut config: serde_json::Value = serde_json::from_str(&config(closed_port(), "mat_x")).unwrap();
    config["terminal"].as_object_mut().unwrap().remove("build");
    let text = config.to_string();
    assert_eq!((abi().start)(text.as_ptr(), text.len() as i32, 1, &mut session), MTB_E_INVALID_CONFIG);
    // serde reports a missing member at its parent (`terminal`); the error names the member itself.
    assert!(last_error().contains("`terminal.build`: missing field `build`"), "{}", last_error());
}

#[test]
fn last_error_is_not_changed_by_reading_it() {
    assert_eq!((abi().stop)(987_654_321), MTB_E_NO_SESSION);
    let message = last_error();
    assert!(message.contains("987654321"), "{message}");
    let mut needed = 0;
    let mut tiny = [0u8; 2];
    assert_eq!((abi().last_error)(tiny.as_mut_ptr(), 2, &mut needed), MTB_E_BUFFER_TOO_SMALL);
    assert_eq!(needed as usize, message.len());
    assert_eq!(last_error(), message);
}

#[test]
fn unknown_and_stopped_sessions() {
    let session = Session::start(closed_port(), "mat_x");
    let handle = session.0;
    drop(session);
    assert_eq!((abi().wait)(handle, 0), MTB_E_NO_SESSION);
    assert_eq!((abi().stop)(handle), MTB_E_NO_SESSION);
    let mut needed = 0;
    assert_eq!((abi().status)(handle, std::ptr::null_mut(), 0, &mut needed), MTB_E_NO_SESSION);
}

#[test]
fn a_forced_panic_returns_its_status_and_the_library_keeps_working() {
    assert_eq!((abi().debug_panic)(), MTB_E_PANIC);
    assert!(last_error().contains("mtb_debug_panic"), "{}", last_error());
    assert_eq!((abi().debug_panic)(), MTB_E_PANIC);
    // Everything still works afterwards, sessions included.
    assert_eq!((abi().abi_version)(), 0x0001_0001);
    let session = Session::start(closed_port(), "mat_x");
    let status = session.status();
    assert!(status["counters"]["panics"].as_u64().unwrap() >= 2, "{status}");
    assert_eq!((abi().wait)(session.0, 0) & !MTB_READY_LINK, 0);
}

#[test]
fn builder_ids_must_be_claimed_requests_or_begun_events() {
    let session = Session::start(closed_port(), "mat_x");
    assert_eq!(session.set_long(42, "x", 1), MTB_E_NOT_FOUND);
    assert_eq!((abi().reply_send)(session.0, 42), MTB_E_NOT_FOUND);
    let name = "nonsense";
    let mut id = 0;
    assert_eq!((abi().event_begin)(session.0, name.as_ptr(), name.len() as i32, &mut id), MTB_E_INVALID_ARG);
    assert!(last_error().contains("position_updated"), "{}", last_error());
}
