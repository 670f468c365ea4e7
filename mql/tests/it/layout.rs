//! host.h's mirror structs: `mql_host_layout` (the C++ side of the host's layout test) lists every field of every
//! struct, and the program's entry points are what host.h documents.

use metaapi_mql::cpp_dir;

// `(struct, field)` of every mirror struct in host.h, read from its text.
fn host_fields() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(cpp_dir().join("host.h")).expect("read host.h");
    let mut code = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        rest = &rest[start + 2..];
        rest = &rest[rest.find("*/").expect("a closed comment") + 2..];
    }
    code.push_str(rest);
    let mut fields = Vec::new();
    let mut rest = code.as_str();
    while let Some(start) = rest.find("typedef struct ") {
        rest = &rest[start + "typedef struct ".len()..];
        let name = rest.split_whitespace().next().expect("a struct name").to_owned();
        let open = rest.find('{').expect("a struct body");
        let close = rest.find('}').expect("the end of the body");
        for declaration in rest[open + 1..close].split(';') {
            let declaration = declaration.trim();
            if declaration.is_empty() {
                continue;
            }
            let field = match declaration.find("(*") {
                Some(start) => declaration[start + 2..].split(')').next().unwrap_or(""),
                None => declaration.split('[').next().unwrap_or("").split_whitespace().last().unwrap_or(""),
            };
            fields.push((name.clone(), field.trim_start_matches('*').to_owned()));
        }
        rest = &rest[close..];
    }
    fields
}

#[test]
fn mql_host_layout_lists_every_field_of_every_host_struct() {
    let layout = std::fs::read_to_string(cpp_dir().join("layout.cpp")).expect("read layout.cpp");
    let fields = host_fields();
    assert!(fields.len() > 100, "host.h was read: {} fields", fields.len());
    for (name, field) in &fields {
        let line = format!("MQL_LAYOUT_FIELD({name}, {field})");
        assert!(layout.contains(&line), "layout.cpp lacks {line}");
    }
    let listed = layout.matches("MQL_LAYOUT_FIELD(").count() - 1; // the macro's own definition
    assert_eq!(listed, fields.len(), "layout.cpp lists no field host.h lacks");
}
