//! A build fails where MetaEditor's would, naming the MQL file and line: each test copies the shipped sources,
//! changes one line, and builds the program through the same helper the build scripts use.

use metaapi_mql::Error;

use crate::harness::Copy;

// Builds `program` of `copy` and returns the compiler's diagnostics, which must name `file:line`.
fn diagnostics(copy: &Copy, name: &str, program: &str, file: &str, line: usize) -> String {
    match copy.build(name, program) {
        Err(Error::Compile { program, diagnostics }) => {
            assert_eq!(program, name);
            let at = format!("{}:{line}:", copy.path(file).display());
            assert!(diagnostics.contains(&at), "the diagnostics name {at}:\n{diagnostics}");
            diagnostics
        }
        Err(other) => panic!("expected a compile failure, got: {other}"),
        Ok(_) => panic!("the changed program built"),
    }
}

#[test]
fn an_undeclared_function_fails_the_build_at_its_mql_line() {
    let copy = Copy::new();
    let line = copy.replace_line(
        "Experts/MetaApiBridge.mq5",
        "EventSetMillisecondTimer(TimerMs);",
        "   EventSetMilliTimer(TimerMs);",
    );
    let text = diagnostics(&copy, "ea5", "Experts/MetaApiBridge.mq5", "Experts/MetaApiBridge.mq5", line);
    assert!(text.contains("EventSetMilliTimer"), "{text}");
}

#[test]
fn a_wrong_argument_count_fails_the_build_at_its_mql_line() {
    let copy = Copy::new();
    let line = copy.replace_line(
        "Experts/MetaApiBridge.mq5",
        "EventSetMillisecondTimer(TimerMs);",
        "   EventSetMillisecondTimer(TimerMs, 5);",
    );
    let text = diagnostics(&copy, "ea5", "Experts/MetaApiBridge.mq5", "Experts/MetaApiBridge.mq5", line);
    assert!(text.contains("EventSetMillisecondTimer"), "{text}");
}

#[test]
fn a_string_where_a_struct_reference_is_wanted_fails_the_build_in_the_include() {
    let copy = Copy::new();
    let line = copy.replace_line(
        "Include/MetaApiBridgeMt5Trade.mqh",
        "bool ok = OrderCheck(request, check);",
        "   bool ok = OrderCheck(request, \"check\");",
    );
    let text = diagnostics(&copy, "ea5", "Experts/MetaApiBridge.mq5", "Include/MetaApiBridgeMt5Trade.mqh", line);
    assert!(text.contains("OrderCheck"), "{text}");
}

#[test]
fn time_trade_server_is_an_mql5_only_call_that_fails_the_mql4_build() {
    let copy = Copy::new();
    let line = copy.replace_line(
        "Experts/MetaApiBridge.mq4",
        "uint started = GetTickCount();",
        "   uint started = (uint)TimeTradeServer();",
    );
    let text = diagnostics(&copy, "ea4", "Experts/MetaApiBridge.mq4", "Experts/MetaApiBridge.mq4", line);
    assert!(text.contains("TimeTradeServer"), "{text}");
}

#[test]
fn positions_total_is_an_mql5_only_call_that_fails_the_mql4_build() {
    let copy = Copy::new();
    let line = copy.replace_line(
        "Include/MetaApiBridgeMt4Orders.mqh",
        "for(int i = 0; i < OrdersTotal(); i++)",
        "   for(int i = 0; i < PositionsTotal(); i++)",
    );
    let text = diagnostics(&copy, "ea4", "Experts/MetaApiBridge.mq4", "Include/MetaApiBridgeMt4Orders.mqh", line);
    assert!(text.contains("PositionsTotal"), "{text}");
}

#[test]
fn the_unchanged_copy_builds_so_each_failure_is_the_changed_line() {
    let copy = Copy::new();
    for (name, program) in [("ea5", "Experts/MetaApiBridge.mq5"), ("ea4", "Experts/MetaApiBridge.mq4")] {
        copy.build(name, program).unwrap_or_else(|error| panic!("{error}"));
    }
}
