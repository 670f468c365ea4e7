//! The runtime's own built-ins, run for real: a small MQL5 program (fixtures/RuntimeCheck.mq5) is translated, built
//! with the runtime, linked with a stub host (fixtures/stub_host.cpp, a test double of the terminal that records
//! output and provides two "DLL" functions for `#import`), and run; its output is compared line by line.

use std::path::Path;
use std::process::Command;

use metaapi_mql::{BuildOptions, cc_build, cpp_dir};

use crate::harness::{build, spec};

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/fixtures"))
}

// Builds the check program and the stub host into an executable and returns what it printed.
fn run_check() -> String {
    let out = tempfile::tempdir().expect("a temporary directory");
    let built = build(&[spec("check", &fixtures().join("RuntimeCheck.mq5"), fixtures())], out.path())
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(built.warnings.is_empty(), "{}", built.warnings);
    let options =
        BuildOptions { out_dir: out.path().to_path_buf(), lib_name: "unused".to_owned(), cargo_metadata: false };
    let compiler = cc_build(&options, &cpp_dir()).get_compiler();
    let exe = out.path().join("check");
    let status = compiler
        .to_command()
        .arg(fixtures().join("stub_host.cpp"))
        .arg(&built.library)
        .arg("-o")
        .arg(&exe)
        .status()
        .expect("the C++ compiler runs");
    assert!(status.success(), "the stub host links with the program");
    let output = Command::new(&exe).output().expect("the check program runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn the_runtime_builtins_behave_as_mql_and_each_copy_of_a_program_has_its_own_globals() {
    let expected = [
        "create with a wrong table: null",
        "print: critical error: the terminal does not provide _Symbol (host entry chart_symbol); the program is not created",
        "create without chart_symbol: null",
        "handlers=79",
        "unresolved stub.dll::stub_missing",
        "unresolved stub.dll::stub_missing",
        "set nope=0",
        "set bad=0",
        "set count=1",
        "set greeting=1",
        "print: greeting=hello x3",
        "init=0",
        "print: greeting=hé x7",
        "init=0",
        "print: calls=1 count=3",
        "print: calls=2 count=3",
        "print: calls=1 count=7",
        "print: import=6,6,filled,42",
        "print: len=11",
        "print: find=6,-1,9",
        "print: substr=wörld|héllo|",
        "print: utf8=14,14,0,195",
        "print: back=héllo wörld",
        "print: format=42|1099511627776|str| 3.14|ff|00007|a  |",
        "print: truncated=5",
        "print: long=5000000000",
        "print: concat=a5 2.5 true",
        "print: int_to_string=0007,-12",
        "print: double=0.33333,1234.57",
        "print: time=2023.11.14 22:13:20,1970.01.01 00:00,23:59:59",
        "print: struct=2023-11-14 22:13:20 dow 2 doy 317",
        "print: struct_to_time=2024.02.29 22:13:20,1",
        "print: arrays=3,9,0,-1,2",
        "print: fixed=tue,,3",
        "print: free=0",
        "print: max=5000000000,1.0",
        "print: zero=0.0[]",
        "print: replace=2,a/b\"c/",
        "print: char=65,10",
        "print: cpp_keywords=6,|",
        "print: compare=eq,lt",
        "print: printformat ok -1 0.500 %",
        "print: print 1.5 100 false 0.1 -7",
        "print: divide 3 3 -3 20 true",
        "print: critical error: array out of range (index 5, size 0); the program is stopped",
        "first stopped=1",
        "print: critical error: the terminal does not provide SymbolsTotal (host entry symbols_total); the program is stopped",
        "second stopped=1",
        "unresolved stub.dll::stub_missing",
        "print: ratio 10",
        "print: critical error: zero divide; the program is stopped",
        "third stopped=1",
        "unresolved stub.dll::stub_missing",
        "print: critical error: cannot call 'stub.dll::stub_missing': the function is not resolved; the program is stopped",
        "fourth stopped=1",
    ];
    let output = run_check();
    let lines: Vec<&str> = output.lines().collect();
    for (index, (got, want)) in lines.iter().zip(expected.iter()).enumerate() {
        assert_eq!(got, want, "line {} of:\n{output}", index + 1);
    }
    assert_eq!(lines.len(), expected.len(), "{output}");
}
