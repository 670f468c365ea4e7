//! The Windows smoke test's Linux half: a gateway stand-in on loopback, and the Windows smoke exe run under
//! Wine against it. Ignored by default; `bridge/windows/smoke.sh` builds the Windows files and runs it.

use std::process::Command;

use metaapi_protocol::link::BridgeMessage;
use serde_json::json;

use crate::gateway::StandIn;

#[test]
#[ignore = "needs the Windows build and wine64; run bridge/windows/smoke.sh"]
fn windows_dll_under_wine_links_and_answers_one_request() {
    let (Ok(wine), Ok(exe), Ok(dll)) =
        (std::env::var("SMOKE_WINE"), std::env::var("SMOKE_EXE"), std::env::var("SMOKE_DLL"))
    else {
        panic!("SMOKE_WINE, SMOKE_EXE and SMOKE_DLL must be set (smoke.sh sets them)");
    };
    let gateway = StandIn::start("mat_wine_smoke");
    let url = format!("ws://127.0.0.1:{}/terminal", gateway.port);
    let mut child = Command::new(wine).arg(&exe).arg(&dll).arg(&url).arg("mat_wine_smoke").spawn().expect("start wine");
    let hello = gateway.expect_hello();
    assert!(matches!(hello, BridgeMessage::Hello { .. }));
    gateway.wait_linked();
    gateway.request(1, "get_account_info", json!({}), 60_000);
    // A read's `taken` may travel with its reply, which implies it, and is then left out.
    let mut message = gateway.next_message();
    if message == (BridgeMessage::Taken { id: 1 }) {
        message = gateway.next_message();
    }
    match message {
        BridgeMessage::Reply { id: 1, result: Some(result), error: None, .. } => assert_eq!(result["login"], 7),
        other => panic!("expected the reply, got {other:?}"),
    }
    let status = child.wait().expect("wine exits");
    assert!(status.success(), "smoke.exe failed under wine: {status}");
}
