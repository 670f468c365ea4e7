//! Each platform's header declares only that platform's built-ins: every MQL5-only call the shipped MQL5 code makes
//! fails an MQL4 program, and MQL4-only calls fail an MQL5 program, at the calling line. Each case is one small
//! program checked by the C++ compiler (syntax only: no runtime, no link).

use std::process::Command;

use metaapi_mql::{BuildOptions, cc_build, cpp_dir, translate};

// Translates a program whose OnTick holds `statement` at line 4 and checks it with the compiler; returns the
// compiler's output when it fails, None when it compiles.
fn check(extension: &str, statement: &str) -> Option<String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let program = dir.path().join(format!("Case.{extension}"));
    let source = format!("// one call\nvoid OnTick()\n{{\n   {statement}\n}}\n");
    std::fs::write(&program, source).expect("write the case");
    let translation = translate("case", &program, dir.path()).unwrap_or_else(|error| panic!("{error}"));
    let cpp = dir.path().join("case.cpp");
    std::fs::write(&cpp, &translation.cpp).expect("write the C++");
    let options =
        BuildOptions { out_dir: dir.path().to_path_buf(), lib_name: "unused".to_owned(), cargo_metadata: false };
    let mut command: Command = cc_build(&options, &cpp_dir()).get_compiler().to_command();
    let output = command.arg("-fsyntax-only").arg(&cpp).output().expect("the C++ compiler runs");
    if output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    let at = format!("{}:4:", program.display());
    assert!(text.contains(&at), "the error names {at}:\n{text}");
    Some(text)
}

fn assert_refused_on(extension: &str, cases: &[(&str, &str)]) {
    for (name, statement) in cases {
        let text = check(extension, statement).unwrap_or_else(|| panic!("`{statement}` compiled as .{extension}"));
        assert!(text.contains(name), "the error names {name}:\n{text}");
    }
}

#[test]
fn the_controls_compile_on_both_platforms() {
    for extension in ["mq5", "mq4"] {
        for statement in
            ["datetime now = TimeCurrent();", "long v = SymbolInfoInteger(\"EURUSD\", SYMBOL_DIGITS);", "MqlTick tick;"]
        {
            assert!(check(extension, statement).is_none(), "`{statement}` compiles as .{extension}");
        }
    }
}

#[test]
fn mql5_only_built_ins_and_structs_fail_an_mql4_program() {
    assert_refused_on(
        "mq4",
        &[
            ("TimeTradeServer", "datetime now = TimeTradeServer();"),
            ("PositionsTotal", "int n = PositionsTotal();"),
            ("PositionGetTicket", "ulong t = PositionGetTicket(0);"),
            ("PositionSelectByTicket", "bool ok = PositionSelectByTicket(1);"),
            ("HistorySelect", "bool ok = HistorySelect(0, 1);"),
            ("HistoryDealSelect", "bool ok = HistoryDealSelect(1);"),
            ("OrderGetTicket", "ulong t = OrderGetTicket(0);"),
            ("MarketBookAdd", "bool ok = MarketBookAdd(\"EURUSD\");"),
            ("SeriesInfoInteger", "long v = SeriesInfoInteger(\"EURUSD\", PERIOD_M1, 4);"),
            ("MqlTradeRequest", "MqlTradeRequest request;"),
            ("MqlBookInfo", "MqlBookInfo book[];"),
            ("time_msc", "MqlTick tick; long msc = tick.time_msc;"),
        ],
    );
}

#[test]
fn mql4_only_built_ins_fail_an_mql5_program() {
    assert_refused_on(
        "mq5",
        &[
            ("MarketInfo", "double bid = MarketInfo(\"EURUSD\", 9);"),
            ("AccountBalance", "double balance = AccountBalance();"),
            ("OrderTicket", "int ticket = OrderTicket();"),
            ("IsTesting", "bool testing = IsTesting();"),
            ("OP_BUY", "int buy = OP_BUY;"),
        ],
    );
}

#[test]
fn mql4_takes_int_account_ids_where_mql5_takes_the_enum() {
    assert!(check("mq4", "double v = AccountInfoDouble(37);").is_none(), "MQL4's AccountInfoDouble takes an int");
    let text = check("mq5", "double v = AccountInfoDouble(37);").expect("MQL5's takes ENUM_ACCOUNT_INFO_DOUBLE");
    assert!(text.contains("AccountInfoDouble"), "{text}");
}
