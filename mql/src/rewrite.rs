//! Token-level rewriting of MQL into C++ inside a declaration or function: string and character literals, MQL's
//! type names, array declarators (`T a[]`, `T a[N]`, `T &a[]`), predefined variables, C++-only keywords, and the
//! refusal of constructs outside the subset.

use crate::error::Error;
use crate::lexer::{Kind, Loc, Token};

/// One output token and the MQL position it came from.
#[derive(Debug, Clone)]
pub struct OutToken {
    /// Where it came from.
    pub loc: Loc,
    /// The C++ text.
    pub text: String,
}

/// MQL's built-in type names.
const BUILTIN_TYPES: [&str; 15] = [
    "bool", "char", "uchar", "short", "ushort", "int", "uint", "long", "ulong", "float", "double", "string",
    "datetime", "color", "void",
];

/// Words that are C++ keywords (or names the C++ side reserves) but not MQL keywords: renamed so an MQL program may use
/// them as identifiers.
const CPP_ONLY: [&str; 48] = [
    "alignas",
    "alignof",
    "and",
    "and_eq",
    "asm",
    "auto",
    "bitand",
    "bitor",
    "catch",
    "char16_t",
    "char32_t",
    "char8_t",
    "compl",
    "concept",
    "consteval",
    "constexpr",
    "constinit",
    "const_cast",
    "co_await",
    "co_return",
    "co_yield",
    "decltype",
    "dynamic_cast",
    "explicit",
    "export",
    "friend",
    "inline",
    "mutable",
    "namespace",
    "noexcept",
    "not",
    "not_eq",
    "nullptr",
    "or",
    "or_eq",
    "register",
    "reinterpret_cast",
    "requires",
    "signed",
    "static_assert",
    "static_cast",
    "thread_local",
    "throw",
    "try",
    "typeid",
    "unsigned",
    "using",
    "xor",
];

/// MQL constructs the translation does not accept, and why.
fn refused_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "class" | "struct" | "union" | "interface" => "type definitions are outside the translated subset",
        "enum" => "enum definitions are outside the translated subset",
        "typedef" => "typedef is outside the translated subset",
        "template" | "typename" => "templates are outside the translated subset",
        "new" | "delete" => "dynamic objects (new/delete) are outside the translated subset",
        "virtual" | "operator" | "this" | "public" | "private" | "protected" => {
            "classes are outside the translated subset"
        }
        "sizeof" => "sizeof is outside the translated subset (the C++ sizes of strings and arrays differ from MQL's)",
        "goto" => "goto is outside the translated subset",
        _ => return None,
    })
}

/// Whether `word` names an MQL type (built-in, MQL struct, or MQL enum).
pub fn is_type(word: &str) -> bool {
    BUILTIN_TYPES.contains(&word) || word.starts_with("Mql") || word.starts_with("ENUM_")
}

/// The C++ spelling of an MQL type name.
pub fn cpp_type(word: &str) -> &str {
    match word {
        "long" => "mql_long",
        "char" => "mql_char",
        other => other,
    }
}

fn refuse(loc: &Loc, what: impl Into<String>) -> Error {
    Error::Refused { file: loc.file.to_string(), line: loc.line, what: what.into() }
}

/// Where a token stream sits, for the refusals that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A global declaration, a function header, or a `#define` body.
    Global,
    /// A function body.
    Body,
}

/// Rewrites `tokens` (one declaration, one function, or a `#define` body).
pub fn rewrite(tokens: &[Token], scope: Scope) -> Result<Vec<OutToken>, Error> {
    let mut out: Vec<OutToken> = Vec::with_capacity(tokens.len() + 8);
    let mut decl_type: Option<String> = None;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let loc = &token.loc;
        let push = |out: &mut Vec<OutToken>, text: String| out.push(OutToken { loc: loc.clone(), text });
        match token.kind {
            Kind::Str => push(&mut out, format!("u{}_mq", token.text)),
            Kind::Char => push(&mut out, char_value(token)?.to_string()),
            Kind::Number => push(&mut out, token.text.clone()),
            Kind::Punct => {
                match token.text.as_str() {
                    "::" => return Err(refuse(loc, "the scope operator :: is outside the translated subset")),
                    "->" | "->*" => return Err(refuse(loc, "pointers are outside the translated subset")),
                    ";" | "{" | "}" | "(" | ")" => decl_type = None,
                    "/" | "%" | "/=" | "%=" if scope == Scope::Body => {
                        // An integer division by zero is MetaTrader's critical "zero divide", not a crash of the
                        // process: the divisor goes through mql::divisor, which checks integers.
                        let end = operand_end(tokens, i + 1);
                        let operand = &tokens[i + 1..end];
                        push(&mut out, token.text.clone());
                        if let [literal] = operand
                            && literal.kind == Kind::Number
                            && literal.text.chars().any(|c| c.is_ascii_digit() && c != '0')
                        {
                            push(&mut out, literal.text.clone());
                        } else {
                            push(&mut out, "::mql::divisor(".to_owned());
                            out.extend(rewrite(operand, scope)?);
                            push(&mut out, ")".to_owned());
                        }
                        i = end;
                        continue;
                    }
                    "," => {
                        // `T a[], b[]`: a later declarator of the same declaration.
                        if let (Some(element), Some(name), Some(open)) =
                            (&decl_type, tokens.get(i + 1), tokens.get(i + 2))
                            && name.kind == Kind::Ident
                            && open.text == "["
                        {
                            push(&mut out, ",".to_owned());
                            let element = element.clone();
                            i = array_declarator(tokens, i + 1, &element, false, &mut out)?;
                            continue;
                        }
                    }
                    _ => {}
                }
                push(&mut out, token.text.clone());
            }
            Kind::Ident => {
                let word = token.text.as_str();
                if let Some(why) = refused_word(word) {
                    return Err(refuse(loc, format!("`{word}`: {why}")));
                }
                if word == "static" {
                    return Err(refuse(
                        loc,
                        if scope == Scope::Body {
                            "a function-local static would be shared by every copy of the program in the process; use a global"
                        } else {
                            "`static` is outside the translated subset here"
                        },
                    ));
                }
                if matches!(word, "input" | "sinput" | "extern") {
                    return Err(refuse(loc, format!("`{word}` is allowed only at the start of a global declaration")));
                }
                if word.starts_with("mql_") || word.starts_with("MQL_HOST") {
                    return Err(refuse(
                        loc,
                        format!("`{word}`: names starting with mql_ are reserved for the translation"),
                    ));
                }
                let after_member = i > 0 && matches!(tokens[i - 1].text.as_str(), "." | "->");
                if is_type(word) && !after_member {
                    if tokens.get(i + 1).is_some_and(|next| next.text == "*") {
                        return Err(refuse(loc, "pointers are outside the translated subset"));
                    }
                    let mut j = i + 1;
                    let by_ref = tokens.get(j).is_some_and(|t| t.text == "&");
                    if by_ref {
                        j += 1;
                    }
                    if tokens.get(j).is_some_and(|t| t.kind == Kind::Ident && !is_type(&t.text))
                        && tokens.get(j + 1).is_some_and(|t| t.text == "[")
                    {
                        i = array_declarator(tokens, j, word, by_ref, &mut out)?;
                        decl_type = Some(word.to_owned());
                        continue;
                    }
                    if tokens.get(j).is_some_and(|t| t.kind == Kind::Ident && !is_type(&t.text)) {
                        decl_type = Some(word.to_owned());
                    }
                    push(&mut out, cpp_type(word).to_owned());
                } else if word == "_LastError" {
                    push(&mut out, "mql_LastError()".to_owned());
                } else if word == "_StopFlag" {
                    push(&mut out, "mql_StopFlag()".to_owned());
                } else if CPP_ONLY.contains(&word) || word == "xor_eq" || word == "wchar_t" {
                    push(&mut out, format!("mql_kw_{word}"));
                } else {
                    push(&mut out, word.to_owned());
                }
            }
        }
        i += 1;
    }
    Ok(out)
}

// The end of the unary expression that starts at `start` (the right operand of `/` or `%`): prefix operators, then a
// parenthesized expression (and, after a cast, its operand) or a name or literal, then calls, indexes and members.
fn operand_end(tokens: &[Token], start: usize) -> usize {
    let mut i = start;
    while tokens.get(i).is_some_and(|t| matches!(t.text.as_str(), "-" | "+" | "!" | "~" | "++" | "--")) {
        i += 1;
    }
    let Some(first) = tokens.get(i) else { return i };
    if first.text == "(" {
        let close = matching(tokens, i);
        let is_cast = close == i + 2 && is_type(&tokens[i + 1].text);
        i = close + 1;
        if is_cast {
            return operand_end(tokens, i);
        }
    } else {
        i += 1;
    }
    loop {
        match tokens.get(i).map(|t| t.text.as_str()) {
            Some("(") | Some("[") => i = matching(tokens, i) + 1,
            Some(".") => i += 2,
            Some("++") | Some("--") => i += 1,
            _ => return i.min(tokens.len()),
        }
    }
}

// The index of the bracket that closes the one at `open` (or the last index when it is not closed).
fn matching(tokens: &[Token], open: usize) -> usize {
    let (opening, closing) = if tokens[open].text == "(" { ("(", ")") } else { ("[", "]") };
    let mut depth = 0;
    for (index, token) in tokens.iter().enumerate().skip(open) {
        if token.text == opening {
            depth += 1;
        } else if token.text == closing {
            depth -= 1;
            if depth == 0 {
                return index;
            }
        }
    }
    tokens.len() - 1
}

// Writes the declarator whose name is at `name_at` (followed by `[`) for element type `element`; returns the index
// after its closing `]`.
fn array_declarator(
    tokens: &[Token],
    name_at: usize,
    element: &str,
    by_ref: bool,
    out: &mut Vec<OutToken>,
) -> Result<usize, Error> {
    let name = &tokens[name_at];
    let open = name_at + 1;
    let mut close = open + 1;
    let mut depth = 1;
    while close < tokens.len() {
        match tokens[close].text.as_str() {
            "[" => depth += 1,
            "]" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        close += 1;
    }
    if close >= tokens.len() {
        return Err(refuse(&name.loc, format!("array `{}`: unclosed [", name.text)));
    }
    if tokens.get(close + 1).is_some_and(|t| t.text == "[") {
        return Err(refuse(
            &name.loc,
            format!("array `{}`: multi-dimensional arrays are outside the translated subset", name.text),
        ));
    }
    let size = rewrite(&tokens[open + 1..close], Scope::Global)?;
    let element = cpp_type(element);
    let loc = name.loc.clone();
    let text = if size.is_empty() {
        format!("mql_array<{element}>")
    } else {
        let size: Vec<String> = size.into_iter().map(|t| t.text).collect();
        format!("mql_fixed_array<{element}, {}>", size.join(" "))
    };
    out.push(OutToken { loc: loc.clone(), text });
    if by_ref {
        out.push(OutToken { loc: loc.clone(), text: "&".to_owned() });
    }
    out.push(OutToken { loc, text: name.text.clone() });
    Ok(close + 1)
}

// An MQL character constant is an integer (its UTF-16 code).
fn char_value(token: &Token) -> Result<u32, Error> {
    let inner: Vec<char> = token.text[1..token.text.len() - 1].chars().collect();
    let value = match inner.as_slice() {
        [c] => *c as u32,
        ['\\', 'n'] => 10,
        ['\\', 't'] => 9,
        ['\\', 'r'] => 13,
        ['\\', '0'] => 0,
        ['\\', c] => *c as u32,
        ['\\', 'x', hex @ ..] => u32::from_str_radix(&hex.iter().collect::<String>(), 16)
            .map_err(|_| refuse(&token.loc, format!("character constant {}", token.text)))?,
        _ => return Err(refuse(&token.loc, format!("character constant {} is not one character", token.text))),
    };
    Ok(value)
}
