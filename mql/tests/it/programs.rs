//! The three shipped programs translate and compile through the same helper a build script uses, and their facts
//! (handlers, inputs, properties) are what the sources declare.

use metaapi_mql::{Handler, Platform, translate};

use crate::harness::{SHIPPED, build, mql_dir, spec};

#[test]
fn the_shipped_programs_translate_and_compile_into_one_library() {
    let out = tempfile::tempdir().expect("a temporary directory");
    let include = mql_dir().join("Include");
    let specs: Vec<_> = SHIPPED.iter().map(|(name, path)| spec(name, &mql_dir().join(path), &include)).collect();
    let built = build(&specs, out.path()).unwrap_or_else(|error| panic!("{error}"));
    assert!(built.library.is_file(), "the static library exists");
    assert!(built.warnings.is_empty(), "the shipped programs compile without warnings:\n{}", built.warnings);
    let symbols = std::process::Command::new("nm").arg(&built.library).output().expect("nm runs");
    let symbols = String::from_utf8_lossy(&symbols.stdout);
    for (name, _) in SHIPPED {
        for entry in [
            "create",
            "set_input",
            "on_init",
            "on_deinit",
            "on_timer",
            "on_tick",
            "on_trade_transaction",
            "on_book_event",
            "on_start",
            "on_chart_event",
            "destroy",
            "handlers",
            "stopped",
        ] {
            assert!(symbols.contains(&format!(" T {name}_{entry}")), "{name}_{entry} is exported");
        }
    }
    assert!(symbols.contains(" T mql_host_layout"), "the layout export is in the library");
}

#[test]
fn the_facts_of_each_program_are_its_handlers_inputs_and_properties() {
    let include = mql_dir().join("Include");
    let ea5 = translate("ea5", &mql_dir().join("Experts/MetaApiBridge.mq5"), &include)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(ea5.platform, Platform::Mql5);
    assert_eq!(
        ea5.handlers,
        [
            Handler::OnInit,
            Handler::OnDeinit,
            Handler::OnTimer,
            Handler::OnTick,
            Handler::OnTradeTransaction,
            Handler::OnBookEvent,
            Handler::OnChartEvent
        ]
    );
    let inputs: Vec<&str> = ea5.inputs.iter().map(|input| input.name.as_str()).collect();
    assert_eq!(inputs, ["AuthToken", "GatewayUrl", "TimerMs", "BudgetMs"]);
    assert!(ea5.properties.iter().any(|(key, _)| key == "description"));

    let service = translate("service5", &mql_dir().join("Services/MetaApiBridgeService.mq5"), &include)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(service.handlers, [Handler::OnStart]);
    assert!(service.properties.iter().any(|(key, _)| key == "service"));

    let ea4 = translate("ea4", &mql_dir().join("Experts/MetaApiBridge.mq4"), &include)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(ea4.platform, Platform::Mql4);
    assert_eq!(ea4.handler_bits(), 1 | 2 | 4 | 8 | 128);
    assert!(ea4.properties.iter().any(|(key, _)| key == "strict"));
    assert!(ea4.files.len() > 5, "the includes were read: {:?}", ea4.files);
}
