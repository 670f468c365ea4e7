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

#[test]
fn an_ea_whose_on_init_fails_says_why_from_its_journal() {
    // The shipped EA refuses an empty AuthToken input in OnInit (INIT_PARAMETERS_INCORRECT) and prints why.
    let config = SimConfig {
        mode: Mode::Mt5Netting,
        seed: 1,
        realtime: false,
        gateway_url: "ws://127.0.0.1:9/terminal".into(),
        token: String::new(),
        start_time: None,
        scale: Default::default(),
    };
    match start(BridgeAbi::linked(), config) {
        Err(SimError::Program { what, journal }) => {
            assert_eq!(what, "OnInit returned 2");
            assert!(journal.contains("paste the auth token"), "{journal}");
        }
        other => panic!("expected OnInit to fail, got {other:?}"),
    }
}

#[test]
fn a_program_library_that_does_not_exist_is_a_load_error() {
    let missing = std::path::Path::new("/nonexistent/libprogram.so");
    let loaded = metaapi_terminal_sim::programs::ProgramCode::load(missing, "program");
    assert!(matches!(loaded, Err(SimError::Load(_))), "{loaded:?}");
}
