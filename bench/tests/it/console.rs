//! The console at scale (`--only console`) in its smoke size, as the built binary runs it: every gateway verified and
//! heard every revocation, and `--write` replaces only its own section of the report file.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_metaapi-bench");

fn run_console_smoke(output: &std::path::Path) -> String {
    let run = Command::new(BIN)
        .args(["--only", "console", "--smoke", "--write", "--output"])
        .arg(output)
        // The smoke plan is SQLite only; a PostgreSQL server in the environment must not change that.
        .env_remove("METAAPI_CONSOLE_TEST_PG_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "the console smoke run failed:\n{stderr}");
    String::from_utf8_lossy(&run.stdout).into_owned()
}

#[test]
fn the_console_smoke_run_verifies_and_fans_out_to_every_gateway_and_writes_only_its_section() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("BENCHMARKS.md");
    std::fs::write(&output, "# Benchmarks\n\nother engineers' rows\n").unwrap();

    let printed = run_console_smoke(&output);
    assert!(printed.contains("backend: SQLite, 1 replica"), "{printed}");
    assert!(printed.contains("(0 failed)"), "every verification was allowed: {printed}");
    assert!(printed.contains("(0 missed)"), "every gateway heard every revocation: {printed}");
    assert!(!printed.contains("PostgreSQL"), "the smoke plan has no PostgreSQL row: {printed}");

    let written = std::fs::read_to_string(&output).unwrap();
    assert!(written.starts_with("# Benchmarks\n\nother engineers' rows\n\n<!-- console-load:start -->"), "{written}");
    assert!(written.trim_end().ends_with("<!-- console-load:end -->"), "{written}");

    // A second run replaces the section instead of adding another.
    run_console_smoke(&output);
    let rewritten = std::fs::read_to_string(&output).unwrap();
    assert_eq!(rewritten.matches("<!-- console-load:start -->").count(), 1, "{rewritten}");
    assert!(rewritten.starts_with("# Benchmarks\n\nother engineers' rows\n\n"), "{rewritten}");
}
