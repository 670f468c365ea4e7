//! The translator refuses what is outside the subset with the MQL file and line, before any C++ is compiled.

use std::path::Path;

use metaapi_mql::{Error, translate};

// Writes `files` (name, text) into a temporary folder and translates the first as the program.
fn refusal(files: &[(&str, &str)]) -> (String, u32, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write a source");
    }
    let program = dir.path().join(files[0].0);
    match translate("refused", &program, dir.path()) {
        Err(Error::Refused { file, line, what }) => (file, line, what, dir),
        Err(other) => panic!("expected a refusal, got: {other}"),
        Ok(_) => panic!("the program translated"),
    }
}

fn assert_refused(files: &[(&str, &str)], file: &str, line: u32, what: &str) {
    let (got_file, got_line, got_what, dir) = refusal(files);
    assert_eq!(Path::new(&got_file), dir.path().join(file), "the refusal names the file");
    assert_eq!(got_line, line, "the refusal names the line: {got_what}");
    assert!(got_what.contains(what), "{got_what:?} says {what:?}");
}

#[test]
fn a_function_local_static_is_refused_because_copies_of_a_program_would_share_it() {
    let source = "int OnInit()\n{\n   return 0;\n}\n\nvoid OnTick()\n{\n   static int ticks = 0;\n   ticks++;\n}\n";
    assert_refused(&[("Ea.mq5", source)], "Ea.mq5", 8, "function-local static");
}

#[test]
fn a_class_in_an_include_is_refused_at_the_include_line() {
    let program = "#include \"Parts.mqh\"\nvoid OnStart() {}\n";
    let include = "// parts\n\nclass Counter\n{\n   int n;\n};\n";
    assert_refused(&[("Script.mq5", program), ("Parts.mqh", include)], "Parts.mqh", 3, "type definitions");
}

#[test]
fn pointers_and_new_are_refused() {
    assert_refused(&[("P.mq5", "void OnStart()\n{\n   MqlTick *tick;\n}\n")], "P.mq5", 3, "pointers");
    assert_refused(&[("N.mq5", "void OnStart()\n{\n   int x = 0;\n   x = new int;\n}\n")], "N.mq5", 4, "new/delete");
}

#[test]
fn a_function_declaration_without_a_body_is_refused() {
    assert_refused(&[("D.mq5", "int Helper(int x);\n\nvoid OnStart() {}\n")], "D.mq5", 1, "without a body");
}

#[test]
fn unknown_directives_and_properties_of_the_other_platform_are_refused() {
    assert_refused(&[("R.mq5", "#resource \"\\\\Images\\\\a.bmp\"\nvoid OnStart() {}\n")], "R.mq5", 1, "#resource");
    assert_refused(
        &[("S.mq5", "#property strict\nvoid OnStart() {}\n")],
        "S.mq5",
        1,
        "#property strict is not a MQL5 property",
    );
}

#[test]
fn extern_inputs_are_mql4_only() {
    assert_refused(&[("E.mq5", "extern int Period = 5;\nvoid OnStart() {}\n")], "E.mq5", 1, "only in MQL4");
}

#[test]
fn a_missing_include_names_the_including_line() {
    assert_refused(&[("I.mq4", "// an EA\n#include <Nowhere.mqh>\nvoid OnTick() {}\n")], "I.mq4", 2, "no such file");
}

#[test]
fn multi_dimensional_arrays_and_sizeof_are_refused() {
    assert_refused(&[("M.mq5", "double grid[2][3];\nvoid OnStart() {}\n")], "M.mq5", 1, "multi-dimensional");
    assert_refused(&[("Z.mq5", "void OnStart()\n{\n   int n = sizeof(int);\n}\n")], "Z.mq5", 3, "sizeof");
}

#[test]
fn an_unclosed_import_block_is_refused() {
    let source = "#import \"lib.dll\"\nint f(int x);\n\nvoid OnStart() {}\n";
    let (_, _, what, _dir) = refusal(&[("U.mq5", source)]);
    assert!(what.contains("closing #import"), "{what}");
}

#[test]
fn a_program_name_that_is_not_a_c_identifier_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let program = dir.path().join("A.mq5");
    std::fs::write(&program, "void OnStart() {}\n").expect("write");
    match translate("not-an-identifier", &program, dir.path()) {
        Err(Error::ProgramName(name)) => assert_eq!(name, "not-an-identifier"),
        other => panic!("expected a refused name, got {other:?}"),
    }
}

#[test]
fn the_refusal_reads_as_file_line_what() {
    let (file, line, what, _dir) = refusal(&[("F.mq5", "void OnStart()\n{\n   goto done;\n}\n")]);
    let error = Error::Refused { file: file.clone(), line, what: what.clone() };
    assert_eq!(error.to_string(), format!("{file}:3: {what}"));
}

#[test]
fn arrays_and_structs_are_parameters_by_reference_only() {
    let array = "int Sum(const int values[])\n{\n   return 0;\n}\nvoid OnStart() {}\n";
    assert_refused(&[("A.mq5", array)], "A.mq5", 1, "array parameter must be passed by reference");
    let by_value = "void OnStart() {}\n\nvoid Show(const int n,\n          MqlTick tick)\n{\n}\n";
    assert_refused(&[("B.mq5", by_value)], "B.mq5", 4, "MqlTick parameter must be passed by reference");
}

#[test]
fn a_global_initialized_from_an_input_or_a_call_is_refused() {
    let from_input = "input int Period = 5;\nint g_twice = Period * 2;\nvoid OnStart() {}\n";
    assert_refused(&[("G.mq5", from_input)], "G.mq5", 2, "initialized from `Period`");
    let from_call = "long g_started = GetTickCount();\nvoid OnStart() {}\n";
    assert_refused(&[("H.mq5", from_call)], "H.mq5", 1, "initialized from `GetTickCount`");
}
