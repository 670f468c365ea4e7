//! The simulated EA against the real bridge exports (linked rlib): session start and stop, and a refused config.

use metaapi_terminal_sim::{BridgeAbi, Mode, SimConfig, SimError, start};

#[test]
fn starts_and_stops_a_bridge_session() {
    let abi = BridgeAbi::linked();
    // Nothing listens on port 9; the bridge keeps relinking in the background, the EA loop keeps running.
    let config = SimConfig {
        mode: Mode::Mt5Hedging,
        seed: 1,
        realtime: false,
        gateway_url: "ws://127.0.0.1:9/terminal".into(),
        token: "mat_test_token".into(),
        start_time: None,
        scale: Default::default(),
    };
    let handle = start(abi, config).expect("session starts");
    assert!(handle.session() > 0);
    handle.stop();
}

#[test]
fn a_refused_config_names_the_bridge_error() {
    let config = SimConfig {
        mode: Mode::Mt4,
        seed: 1,
        realtime: true,
        gateway_url: "ws://example.com/terminal".into(),
        token: "mat_test_token".into(),
        start_time: None,
        scale: Default::default(),
    };
    match start(BridgeAbi::linked(), config) {
        Err(SimError::Bridge { call, status, message }) => {
            assert_eq!((call, status), ("mtb_start", -11));
            assert!(!message.is_empty());
        }
        other => panic!("expected a refused config, got {other:?}"),
    }
}
