//! Reads a program and its includes into one stream of tokens and preprocessor directives, each tagged with the MQL
//! file and line it came from. Includes are resolved as MetaEditor resolves them and inlined once each.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::error::Error;

/// Where a token or directive came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    /// The MQL file (as displayed in `#line` and errors).
    pub file: Rc<str>,
    /// 1-based line.
    pub line: u32,
}

/// The kinds of token the subset uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword.
    Ident,
    /// A numeric literal.
    Number,
    /// A string literal, with its quotes.
    Str,
    /// A character literal, with its quotes.
    Char,
    /// An operator or punctuation.
    Punct,
}

/// One token.
#[derive(Debug, Clone)]
pub struct Token {
    /// Its kind.
    pub kind: Kind,
    /// Its text as written.
    pub text: String,
    /// Where it is.
    pub loc: Loc,
}

/// A token or a preprocessor line.
#[derive(Debug, Clone)]
pub enum Item {
    /// A token.
    Token(Token),
    /// A preprocessor directive other than `#include`: its name (`define`, `property`, `import`...) and the rest of
    /// the line, comments removed.
    Directive {
        /// `define`, `property`, `import`, `ifndef`...
        name: String,
        /// The text after the name.
        rest: String,
        /// Where it is.
        loc: Loc,
    },
}

/// Reads `program` and everything it includes. `include_dir` is the platform's Include folder.
pub fn read_program(program: &Path, include_dir: &Path) -> Result<(Vec<Item>, Vec<PathBuf>), Error> {
    let mut reader =
        Reader { include_dir: include_dir.to_path_buf(), seen: HashSet::new(), items: Vec::new(), files: Vec::new() };
    reader.file(program, &shown(program))?;
    Ok((reader.items, reader.files))
}

struct Reader {
    include_dir: PathBuf,
    seen: HashSet<PathBuf>,
    items: Vec<Item>,
    files: Vec<PathBuf>,
}

const PUNCT3: [&str; 4] = ["<<=", ">>=", "...", "->*"];
const PUNCT2: [&str; 20] = [
    "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "::",
    "->",
];

impl Reader {
    fn file(&mut self, path: &Path, shown: &str) -> Result<(), Error> {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.insert(canonical) {
            return Ok(());
        }
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        self.files.push(path.to_path_buf());
        let file: Rc<str> = Rc::from(shown);
        let mut in_comment = false;
        for (index, raw) in text.lines().enumerate() {
            let loc = Loc { file: file.clone(), line: index as u32 + 1 };
            let trimmed = raw.trim_start();
            if !in_comment && trimmed.starts_with('#') {
                let (code, opens_comment) = strip_comments(trimmed);
                in_comment = opens_comment;
                let body = code[1..].trim_start();
                let name_end = body.find(|c: char| !c.is_ascii_alphanumeric() && c != '_').unwrap_or(body.len());
                let (name, rest) = body.split_at(name_end);
                if name == "include" {
                    self.include(path, rest.trim(), &loc)?;
                } else {
                    self.items.push(Item::Directive { name: name.to_owned(), rest: rest.trim().to_owned(), loc });
                }
                continue;
            }
            in_comment = self.tokens(raw, &loc, in_comment)?;
        }
        Ok(())
    }

    // `#include <X>` from the Include folder; `#include "X"` relative to the including file first, then the Include
    // folder, as MetaEditor does.
    fn include(&mut self, from: &Path, spec: &str, loc: &Loc) -> Result<(), Error> {
        let refuse = |what: String| Error::Refused { file: loc.file.to_string(), line: loc.line, what };
        let (name, relative_first) = if let Some(name) = spec.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
            (name, false)
        } else if let Some(name) = spec.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            (name, true)
        } else {
            return Err(refuse(format!("#include {spec}: expected <file> or \"file\"")));
        };
        let name = name.replace('\\', "/");
        let mut candidates = Vec::new();
        if relative_first {
            candidates.push(from.parent().unwrap_or(Path::new(".")).join(&name));
        }
        candidates.push(self.include_dir.join(&name));
        let Some(found) = candidates.into_iter().find(|candidate| candidate.is_file()) else {
            return Err(refuse(format!("#include {spec}: no such file in the including folder or the Include folder")));
        };
        let shown = shown(&found);
        self.file(&found, &shown)
    }

    // Tokenizes one line; returns whether a block comment is still open at its end.
    fn tokens(&mut self, line: &str, loc: &Loc, mut in_comment: bool) -> Result<bool, Error> {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        let refuse = |what: String| Error::Refused { file: loc.file.to_string(), line: loc.line, what };
        while i < chars.len() {
            if in_comment {
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    in_comment = false;
                    i += 2;
                } else {
                    i += 1;
                }
                continue;
            }
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            if c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            if c == '/' && chars.get(i + 1) == Some(&'*') {
                in_comment = true;
                i += 2;
                continue;
            }
            let start = i;
            let kind = if c.is_ascii_alphabetic() || c == '_' {
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                Kind::Ident
            } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric()
                        || chars[i] == '.'
                        || ((chars[i] == '+' || chars[i] == '-')
                            && matches!(chars[i - 1], 'e' | 'E')
                            && !is_hex(&chars[start..i])))
                {
                    i += 1;
                }
                Kind::Number
            } else if c == '"' || c == '\'' {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return Err(refuse("unterminated literal".to_owned()));
                }
                i += 1;
                if c == '"' { Kind::Str } else { Kind::Char }
            } else {
                let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
                let width = if PUNCT3.iter().any(|p| rest.starts_with(p)) {
                    3
                } else if PUNCT2.iter().any(|p| rest.starts_with(p)) {
                    2
                } else {
                    1
                };
                i += width;
                Kind::Punct
            };
            let text: String = chars[start..i].iter().collect();
            self.items.push(Item::Token(Token { kind, text, loc: loc.clone() }));
        }
        Ok(in_comment)
    }
}

/// A path as errors and `#line` show it: `a/b/../c` as `a/c` (lexically; links are not resolved).
pub fn shown(path: &Path) -> String {
    let mut parts: Vec<std::path::Component> = Vec::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if matches!(parts.last(), Some(std::path::Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect::<PathBuf>().display().to_string()
}

fn is_hex(digits: &[char]) -> bool {
    digits.len() > 1 && digits[0] == '0' && matches!(digits[1], 'x' | 'X')
}

// Removes `//` and `/* */` comments from a directive line outside string literals; says whether a block comment
// stays open at the end.
fn strip_comments(line: &str) -> (String, bool) {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 1;
            } else if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            break;
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            match (i + 2..chars.len().saturating_sub(1)).find(|&k| chars[k] == '*' && chars[k + 1] == '/') {
                Some(end) => {
                    out.push(' ');
                    i = end + 2;
                    continue;
                }
                None => return (out, true),
            }
        }
        out.push(c);
        i += 1;
    }
    (out, false)
}

/// Tokenizes the text of a directive (a `#define` body, an `#import` library name) as code at `loc`.
pub fn tokenize(text: &str, loc: &Loc) -> Result<Vec<Token>, Error> {
    let mut reader = Reader { include_dir: PathBuf::new(), seen: HashSet::new(), items: Vec::new(), files: Vec::new() };
    if reader.tokens(text, loc, false)? {
        return Err(Error::Refused {
            file: loc.file.to_string(),
            line: loc.line,
            what: "an unterminated comment in a directive".to_owned(),
        });
    }
    Ok(reader
        .items
        .into_iter()
        .filter_map(|item| match item {
            Item::Token(token) => Some(token),
            Item::Directive { .. } => None,
        })
        .collect())
}
