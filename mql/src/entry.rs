//! The end of a translated program: the input setter table, and the C entry points the host calls (host.h lists
//! them): create, set_input, the event handlers, handlers, stopped, destroy.

use std::fmt::Write;

use crate::program::{Handler, Input, Platform};

/// Appends the generated tail of the program class and its entry points to `cpp`.
pub fn append(cpp: &mut String, name: &str, platform: Platform, handlers: &[(Handler, bool)], inputs: &[Input]) {
    let ns = platform.namespace();
    let class = format!("{ns}::program_{name}::Program");
    let has = |handler: Handler| handlers.iter().find(|(h, _)| *h == handler).map(|(_, returns_void)| *returns_void);
    let bits = handlers.iter().fold(0u32, |bits, (handler, _)| bits | *handler as u32);

    cpp.push_str(
        "    // Sets an input by name before OnInit: 1 = set, 0 = no such input or a value of the wrong type.\n",
    );
    cpp.push_str("    int mql_set_input(const char *name, const char *value) {\n");
    for input in inputs {
        let _ = writeln!(
            cpp,
            "        if (std::strcmp(name, \"{0}\") == 0) return ::mql::parse_input({0}, value) ? 1 : 0;",
            input.name
        );
    }
    cpp.push_str("        (void)name;\n        (void)value;\n        return 0;\n    }\n");
    let _ = writeln!(cpp, "}};\n}}  // namespace program_{name}\n}}  // namespace {ns}\n");

    let _ = writeln!(
        cpp,
        "extern \"C\" void *{name}_create(const MqlHost *host) {{ return ::mql::create<{class}>(host); }}"
    );
    let _ = writeln!(cpp, "extern \"C\" void {name}_destroy(void *p) {{ delete static_cast<{class} *>(p); }}");
    let _ = writeln!(cpp, "extern \"C\" std::uint32_t {name}_handlers(void) {{ return {bits}u; }}");
    let _ = writeln!(
        cpp,
        "extern \"C\" std::int32_t {name}_stopped(void *p) {{ return static_cast<{class} *>(p)->mql_stopped() ? 1 : 0; }}"
    );
    let _ = writeln!(
        cpp,
        "extern \"C\" std::int32_t {name}_set_input(void *p, const char *name, const char *value_utf8) {{\n    \
         if (name == nullptr || value_utf8 == nullptr) return 0;\n    \
         return ::mql::run<{class}>(p, [&]({class} &program) {{ return program.mql_set_input(name, value_utf8); }}, 0);\n}}"
    );
    let on_init = match has(Handler::OnInit) {
        Some(false) => "return static_cast<std::int32_t>(program.OnInit());".to_owned(),
        Some(true) => format!("program.OnInit(); return static_cast<std::int32_t>({ns}::INIT_SUCCEEDED);"),
        None => format!("(void)program; return static_cast<std::int32_t>({ns}::INIT_SUCCEEDED);"),
    };
    let _ = writeln!(
        cpp,
        "extern \"C\" std::int32_t {name}_on_init(void *p) {{\n    \
         return ::mql::run<{class}>(p, [&]({class} &program) -> std::int32_t {{ {on_init} }}, -1);\n}}"
    );
    let simple = |cpp: &mut String, handler: Handler, entry: &str, params: &str, call: &str| {
        let body = if has(handler).is_some() { call.to_owned() } else { "(void)program;".to_owned() };
        let _ = writeln!(
            cpp,
            "extern \"C\" void {name}_{entry}(void *p{params}) {{\n    \
             ::mql::run_void<{class}>(p, [&]({class} &program) {{ {body} }});\n}}"
        );
    };
    simple(cpp, Handler::OnDeinit, "on_deinit", ", std::int32_t reason", "program.OnDeinit(reason);");
    simple(cpp, Handler::OnTimer, "on_timer", "", "program.OnTimer();");
    simple(cpp, Handler::OnTick, "on_tick", "", "program.OnTick();");
    simple(cpp, Handler::OnStart, "on_start", "", "program.OnStart();");
    simple(
        cpp,
        Handler::OnBookEvent,
        "on_book_event",
        ", const char16_t *symbol, std::int32_t symbol_len",
        &format!("const {ns}::string name(symbol, static_cast<std::size_t>(symbol_len)); program.OnBookEvent(name);"),
    );
    // OnChartEvent takes lparam, dparam and sparam by const reference (the references' signature); the entry's
    // locals are what they refer to.
    simple(
        cpp,
        Handler::OnChartEvent,
        "on_chart_event",
        ", std::int32_t id, std::int64_t lparam, double dparam, const char16_t *sparam, std::int32_t sparam_len",
        &format!(
            "const {ns}::string text(sparam, static_cast<std::size_t>(sparam_len)); \
             program.OnChartEvent(id, lparam, dparam, text);"
        ),
    );
    simple(
        cpp,
        Handler::OnTradeTransaction,
        "on_trade_transaction",
        ", const MqlHostTradeTransaction *trans, const MqlHostTradeRequest *request, const MqlHostTradeResult *result",
        &format!(
            "const auto t = {ns}::from_host(*trans); const auto q = {ns}::from_host(*request); \
             const auto r = {ns}::from_host(*result); program.OnTradeTransaction(t, q, r);"
        ),
    );
}
