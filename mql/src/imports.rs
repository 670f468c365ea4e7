//! `#import "lib.dll" ... #import`: each declaration becomes a member wrapper that calls the function the host
//! resolved when the program was created, passing arrays as a pointer to their first element and `&` scalars as
//! pointers, as MetaTrader passes them to a DLL (extern "system": the C convention on x86-64, stdcall on i686).

use crate::error::Error;
use crate::lexer::{Kind, Loc, Token};
use crate::rewrite::{Scope, cpp_type, rewrite};

/// One imported function.
#[derive(Debug, Clone)]
pub struct Import {
    /// The library as written (`metaapi_bridge.dll`).
    pub library: String,
    /// The function's name.
    pub name: String,
    /// Where it is declared.
    pub loc: Loc,
    ret: &'static str,
    ret_mql: String,
    params: Vec<Param>,
}

#[derive(Debug, Clone)]
struct Param {
    name: String,
    mql_type: String,
    c_type: &'static str,
    is_const: bool,
    by_ref: bool,
    array: bool,
    default: Option<String>,
}

fn refuse(loc: &Loc, what: impl Into<String>) -> Error {
    Error::Refused { file: loc.file.to_string(), line: loc.line, what: what.into() }
}

// The C type MetaTrader passes for an MQL scalar type.
fn c_type(mql: &str) -> Option<&'static str> {
    Some(match mql {
        "char" => "std::int8_t",
        "uchar" => "std::uint8_t",
        "short" => "std::int16_t",
        "ushort" => "std::uint16_t",
        "int" => "std::int32_t",
        "uint" => "std::uint32_t",
        "long" | "datetime" => "std::int64_t",
        "ulong" => "std::uint64_t",
        "color" => "std::uint32_t",
        "float" => "float",
        "double" => "double",
        _ => return None,
    })
}

/// Parses one declaration of an `#import` block (`int f(uchar &buf[], int cap, int &out);`).
pub fn parse_import(tokens: &[Token], library: &str) -> Result<Import, Error> {
    let loc = tokens[0].loc.clone();
    let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let (ret_mql, name, open) = match texts.as_slice() {
        [ret, name, "(", ..] if tokens[1].kind == Kind::Ident => (ret.to_string(), name.to_string(), 2),
        _ => return Err(refuse(&loc, "an #import declaration must be `type name(parameters);`")),
    };
    let ret = if ret_mql == "void" {
        "void"
    } else {
        c_type(&ret_mql).ok_or_else(|| {
            refuse(&loc, format!("import `{name}`: return type `{ret_mql}` is outside the translated subset"))
        })?
    };
    let close = texts.iter().rposition(|t| *t == ")").filter(|close| *close > open);
    let Some(close) = close else { return Err(refuse(&loc, format!("import `{name}`: no closing )"))) };
    if texts[close + 1..] != [";"] {
        return Err(refuse(&loc, format!("import `{name}`: expected `;` after the parameters")));
    }
    let mut params = Vec::new();
    let inner = &tokens[open + 1..close];
    if !(inner.is_empty() || (inner.len() == 1 && inner[0].text == "void")) {
        for part in inner.split(|t| t.text == ",") {
            params.push(parse_param(part, &name, &loc)?);
        }
    }
    Ok(Import { library: library.to_owned(), name, loc, ret, ret_mql, params })
}

fn parse_param(part: &[Token], function: &str, loc: &Loc) -> Result<Param, Error> {
    let mut i = 0;
    let is_const = part.first().is_some_and(|t| t.text == "const");
    if is_const {
        i += 1;
    }
    let Some(type_token) = part.get(i) else {
        return Err(refuse(loc, format!("import `{function}`: an empty parameter")));
    };
    let mql_type = type_token.text.clone();
    i += 1;
    let by_ref = part.get(i).is_some_and(|t| t.text == "&");
    if by_ref {
        i += 1;
    }
    let Some(name) = part.get(i).filter(|t| t.kind == Kind::Ident) else {
        return Err(refuse(&type_token.loc, format!("import `{function}`: every parameter needs a name")));
    };
    i += 1;
    let array = part.get(i).is_some_and(|t| t.text == "[");
    if array {
        if part.get(i + 1).is_none_or(|t| t.text != "]") {
            return Err(refuse(&name.loc, format!("import `{function}`: array parameters must be `T &name[]`")));
        }
        i += 2;
    }
    let default = match part.get(i) {
        Some(t) if t.text == "=" => {
            let value = rewrite(&part[i + 1..], Scope::Global)?;
            Some(value.into_iter().map(|t| t.text).collect::<Vec<_>>().join(" "))
        }
        Some(t) => return Err(refuse(&t.loc, format!("import `{function}`: unexpected `{}`", t.text))),
        None => None,
    };
    let c_type = c_type(&mql_type).ok_or_else(|| {
        refuse(
            &type_token.loc,
            format!("import `{function}`: parameter type `{mql_type}` is outside the translated subset"),
        )
    })?;
    Ok(Param { name: name.text.clone(), mql_type, c_type, is_const, by_ref, array, default })
}

impl Import {
    /// The C++ member lines: the pointer type, the address resolved at creation, and the wrapper.
    pub fn cpp_lines(&self) -> Vec<String> {
        let name = &self.name;
        let c_params: Vec<String> = self
            .params
            .iter()
            .map(|p| {
                let konst = if p.is_const { "const " } else { "" };
                if p.array || p.by_ref { format!("{konst}{} *", p.c_type) } else { p.c_type.to_owned() }
            })
            .collect();
        let wrapper_params: Vec<String> = self
            .params
            .iter()
            .map(|p| {
                let konst = if p.is_const { "const " } else { "" };
                let ty = cpp_type(&p.mql_type);
                let declared = if p.array {
                    format!("{konst}mql_array<{ty}> &{}", p.name)
                } else if p.by_ref {
                    format!("{konst}{ty} &{}", p.name)
                } else {
                    format!("{konst}{ty} {}", p.name)
                };
                match &p.default {
                    Some(value) => format!("{declared} = {value}"),
                    None => declared,
                }
            })
            .collect();
        let args: Vec<String> = self
            .params
            .iter()
            .map(|p| {
                if p.array {
                    format!("{}.data()", p.name)
                } else if p.by_ref {
                    format!("&{}", p.name)
                } else {
                    p.name.clone()
                }
            })
            .collect();
        let library = &self.library;
        let ret = cpp_type(&self.ret_mql);
        let keyword = if self.ret == "void" { "" } else { "return " };
        vec![
            format!("typedef {} (MQL_IMPORT_CC *mql_import_type_{name})({});", self.ret, c_params.join(", ")),
            format!("void *mql_import_{name} = mql_resolve(\"{library}\", \"{name}\");"),
            format!(
                "{ret} {name}({}) {{ {keyword}reinterpret_cast<mql_import_type_{name}>(mql_import(mql_import_{name}, \"{library}\", \"{name}\"))({}); }}",
                wrapper_params.join(", "),
                args.join(", ")
            ),
        ]
    }
}
