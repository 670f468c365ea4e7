//! The translator: one MQL program (with its includes) becomes one C++ class deriving from the platform's
//! `Terminal`, whose members are the program's globals and functions, plus C entry points. Every emitted line carries
//! a `#line` back to its MQL file and line, so a C++ compiler error names the MQL source.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::entry;
use crate::error::Error;
use crate::imports::{Import, parse_import};
use crate::lexer::{Item, Kind, Loc, Token, read_program, shown, tokenize};
use crate::rewrite::{OutToken, Scope, is_type, rewrite};

/// The MQL dialect of a program, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// `.mq5`: derives from `mql5::Terminal`.
    Mql5,
    /// `.mq4`: derives from `mql4::Terminal`.
    Mql4,
}

impl Platform {
    /// The platform of a program file, by extension.
    pub fn of(program: &Path) -> Option<Platform> {
        match program.extension()?.to_str()? {
            "mq5" => Some(Platform::Mql5),
            "mq4" => Some(Platform::Mql4),
            _ => None,
        }
    }

    /// The C++ namespace of the platform's declarations.
    pub fn namespace(self) -> &'static str {
        match self {
            Platform::Mql5 => "mql5",
            Platform::Mql4 => "mql4",
        }
    }
}

/// An event handler a program can define; the value is its bit in `<prog>_handlers()` (host.h's MQL_HANDLER_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Handler {
    /// `OnInit`.
    OnInit = 1,
    /// `OnDeinit`.
    OnDeinit = 2,
    /// `OnTimer`.
    OnTimer = 4,
    /// `OnTick`.
    OnTick = 8,
    /// `OnTradeTransaction`.
    OnTradeTransaction = 16,
    /// `OnBookEvent`.
    OnBookEvent = 32,
    /// `OnStart`.
    OnStart = 64,
    /// `OnChartEvent`.
    OnChartEvent = 128,
}

impl Handler {
    /// Every handler, in bit order.
    pub const ALL: [Handler; 8] = [
        Handler::OnInit,
        Handler::OnDeinit,
        Handler::OnTimer,
        Handler::OnTick,
        Handler::OnTradeTransaction,
        Handler::OnBookEvent,
        Handler::OnStart,
        Handler::OnChartEvent,
    ];

    /// The MQL function name.
    pub fn name(self) -> &'static str {
        match self {
            Handler::OnInit => "OnInit",
            Handler::OnDeinit => "OnDeinit",
            Handler::OnTimer => "OnTimer",
            Handler::OnTick => "OnTick",
            Handler::OnTradeTransaction => "OnTradeTransaction",
            Handler::OnBookEvent => "OnBookEvent",
            Handler::OnStart => "OnStart",
            Handler::OnChartEvent => "OnChartEvent",
        }
    }
}

/// An `input`/`sinput` (MQL5) or `extern`/`input` (MQL4) global, settable by name before OnInit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Its name.
    pub name: String,
    /// Its MQL type as written.
    pub mql_type: String,
}

/// A translated program: the C++ text and what the build and the host need to know about it.
#[derive(Debug, Clone)]
pub struct Translation {
    /// The program's name (the prefix of its C entry points).
    pub name: String,
    /// Its dialect.
    pub platform: Platform,
    /// The C++ translation unit.
    pub cpp: String,
    /// The handlers it defines, in bit order.
    pub handlers: Vec<Handler>,
    /// Its inputs, in declaration order.
    pub inputs: Vec<Input>,
    /// Its `#property` lines: name and value as written (`service`, `strict`, `description`...).
    pub properties: Vec<(String, String)>,
    /// Every MQL file read (the program and its includes).
    pub files: Vec<PathBuf>,
}

impl Translation {
    /// The `<prog>_handlers()` bitmask.
    pub fn handler_bits(&self) -> u32 {
        self.handlers.iter().fold(0, |bits, handler| bits | *handler as u32)
    }
}

/// Whether `name` can prefix the program's C symbols.
pub fn valid_program_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Translates the program at `program` (a `.mq5` or `.mq4`), resolving `#include <X>` in `include_dir`.
pub fn translate(name: &str, program: &Path, include_dir: &Path) -> Result<Translation, Error> {
    if !valid_program_name(name) {
        return Err(Error::ProgramName(name.to_owned()));
    }
    let platform = Platform::of(program).ok_or_else(|| Error::Refused {
        file: program.display().to_string(),
        line: 1,
        what: "a program must be a .mq5 or .mq4 file".to_owned(),
    })?;
    let (items, files) = read_program(program, include_dir)?;
    let program_file = shown(program);
    let mut translator = Translator {
        platform,
        program_file,
        out: Out::new(&format!("{name}.cpp")),
        inputs: Vec::new(),
        properties: Vec::new(),
        handlers: Vec::new(),
        import_library: None,
        imports: Vec::new(),
    };
    translator.out.raw(&format!("// Generated by metaapi-mql from {}; do not edit.", shown(program)));
    translator.out.raw(&format!("#define __{}__ 1", platform.namespace().to_uppercase()));
    translator.out.raw("#define __MQL__ 1");
    translator.out.raw(&format!("#include \"{}.hpp\"", platform.namespace()));
    translator.out.raw(&format!("namespace {} {{", platform.namespace()));
    translator.out.raw(&format!("namespace program_{name} {{"));
    translator.out.raw("class Program final : public Terminal {");
    translator.out.raw("  public:");
    translator.out.raw("    explicit Program(const MqlHost *host) : Terminal(host) {}");
    translator.units(&items)?;
    let Translator { out, inputs, properties, mut handlers, .. } = translator;
    handlers.sort();
    let mut cpp = out.finish();
    entry::append(&mut cpp, name, platform, &handlers, &inputs);
    Ok(Translation {
        name: name.to_owned(),
        platform,
        cpp,
        handlers: handlers.into_iter().map(|(handler, _)| handler).collect(),
        inputs,
        properties,
        files,
    })
}

struct Translator {
    platform: Platform,
    program_file: String,
    out: Out,
    inputs: Vec<Input>,
    properties: Vec<(String, String)>,
    // Each handler with whether it returns void (OnInit and OnStart may).
    handlers: Vec<(Handler, bool)>,
    import_library: Option<String>,
    imports: Vec<String>,
}

fn refuse(loc: &Loc, what: impl Into<String>) -> Error {
    Error::Refused { file: loc.file.to_string(), line: loc.line, what: what.into() }
}

impl Translator {
    // Splits the items into top-level units (directives, declarations, function definitions) and translates each.
    fn units(&mut self, items: &[Item]) -> Result<(), Error> {
        let mut unit: Vec<Token> = Vec::new();
        let mut braces = 0i32;
        let mut function = false;
        for item in items {
            match item {
                Item::Directive { name, rest, loc } => {
                    if let Some(first) = unit.first() {
                        return Err(refuse(
                            loc,
                            format!("#{name} inside the declaration that starts at line {}", first.loc.line),
                        ));
                    }
                    self.directive(name, rest, loc)?;
                }
                Item::Token(token) => {
                    let text = token.text.as_str();
                    if text == "{" {
                        if braces == 0 && starts_function(&unit) {
                            function = true;
                        }
                        braces += 1;
                    }
                    if text == "}" {
                        braces -= 1;
                        if braces < 0 {
                            return Err(refuse(&token.loc, "an unmatched }"));
                        }
                    }
                    unit.push(token.clone());
                    if braces == 0 && ((function && text == "}") || (!function && text == ";")) {
                        let done = std::mem::take(&mut unit);
                        if function {
                            self.function(&done)?;
                        } else {
                            self.declaration(&done)?;
                        }
                        function = false;
                    }
                }
            }
        }
        if let Some(first) = unit.first() {
            return Err(refuse(&first.loc, "a declaration that does not end before the end of the program"));
        }
        if self.import_library.is_some() {
            return Err(Error::Refused {
                file: self.program_file.clone(),
                line: 1,
                what: "an #import block without its closing #import".to_owned(),
            });
        }
        Ok(())
    }

    fn directive(&mut self, name: &str, rest: &str, loc: &Loc) -> Result<(), Error> {
        match name {
            "property" => {
                let (key, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                self.property(key, loc)?;
                self.properties.push((key.to_owned(), value.trim().to_owned()));
            }
            "define" => {
                let name_end = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '_').unwrap_or(rest.len());
                let (macro_name, body) = rest.split_at(name_end);
                if macro_name.is_empty() {
                    return Err(refuse(loc, "#define without a name"));
                }
                if body.starts_with('(') {
                    return Err(refuse(loc, "function-like macros are outside the translated subset"));
                }
                let tokens = rewrite(&tokenize(body, loc)?, Scope::Global)?;
                let body: Vec<String> = tokens.into_iter().map(|token| token.text).collect();
                self.out.directive(loc, &format!("#define {macro_name} {}", body.join(" ")));
            }
            "ifndef" | "ifdef" | "undef" => self.out.directive(loc, &format!("#{name} {rest}")),
            "endif" | "else" => self.out.directive(loc, &format!("#{name}")),
            "import" => match (&self.import_library, rest.is_empty()) {
                (None, false) => {
                    let library = tokenize(rest, loc)?;
                    match library.as_slice() {
                        [token] if token.kind == Kind::Str => {
                            self.import_library = Some(token.text[1..token.text.len() - 1].to_owned());
                        }
                        _ => return Err(refuse(loc, "#import expects one quoted library name")),
                    }
                }
                (Some(_), true) => self.import_library = None,
                (None, true) => return Err(refuse(loc, "a closing #import without an opening one")),
                (Some(_), false) => return Err(refuse(loc, "an #import inside an #import block")),
            },
            other => return Err(refuse(loc, format!("#{other} is outside the translated subset"))),
        }
        Ok(())
    }

    // The `#property` names each reference documents (plus `service`, which the MQL5 Book documents).
    fn property(&self, key: &str, loc: &Loc) -> Result<(), Error> {
        let common = ["copyright", "link", "version", "description", "icon", "stacksize", "library"];
        let known = match self.platform {
            Platform::Mql5 => {
                common.contains(&key)
                    || key == "service"
                    || key.starts_with("tester_")
                    || key.starts_with("script_show_")
            }
            Platform::Mql4 => common.contains(&key) || matches!(key, "strict" | "show_inputs" | "show_confirm"),
        };
        if known {
            Ok(())
        } else {
            Err(refuse(loc, format!("#property {key} is not a {} property", self.platform.namespace().to_uppercase())))
        }
    }

    fn declaration(&mut self, tokens: &[Token]) -> Result<(), Error> {
        if tokens.len() == 1 {
            return Ok(()); // a stray `;`
        }
        if let Some(library) = self.import_library.clone() {
            let import = parse_import(tokens, &library)?;
            if self.imports.contains(&import.name) {
                return Err(refuse(&tokens[0].loc, format!("`{}` is imported twice", import.name)));
            }
            self.imports.push(import.name.clone());
            self.emit_import(&import);
            return Ok(());
        }
        let first = &tokens[0];
        let mut body = tokens;
        let storage = first.text.as_str();
        match storage {
            "input" | "sinput" | "extern" => {
                if storage == "extern" && self.platform == Platform::Mql5 {
                    return Err(refuse(&first.loc, "`extern` declares an input only in MQL4; use `input` in MQL5"));
                }
                body = &tokens[1..];
                self.record_inputs(body)?;
            }
            "static" => body = &tokens[1..],
            _ => {}
        }
        let paren = body.iter().position(|t| t.text == "(");
        let equals = body.iter().position(|t| t.text == "=");
        if let Some(paren) = paren
            && equals.is_none_or(|equals| paren < equals)
        {
            return Err(refuse(
                &body[0].loc,
                "a function declaration without a body: MQL calls need none, and the translation refuses them",
            ));
        }
        if !matches!(storage, "input" | "sinput" | "extern") {
            self.check_initializer(body)?;
        }
        let rewritten = rewrite(body, Scope::Global)?;
        self.out.tokens(&rewritten);
        Ok(())
    }

    // Globals become members initialized when the program is created, before the host sets its inputs; MetaTrader
    // initializes them after. An initializer that reads an input or calls a function could see the difference, so
    // it is refused (initialize such a global in OnInit).
    fn check_initializer(&self, body: &[Token]) -> Result<(), Error> {
        let Some(equals) = body.iter().position(|t| t.text == "=") else { return Ok(()) };
        let initializer = &body[equals + 1..];
        for (index, token) in initializer.iter().enumerate() {
            if token.kind != Kind::Ident {
                continue;
            }
            let calls = initializer.get(index + 1).is_some_and(|next| next.text == "(") && !is_type(&token.text);
            let reads_input = self.inputs.iter().any(|input| input.name == token.text);
            if calls || reads_input {
                return Err(refuse(
                    &token.loc,
                    format!(
                        "a global initialized from `{}`: globals are initialized before the inputs are set here; \
                         assign it in OnInit",
                        token.text
                    ),
                ));
            }
        }
        Ok(())
    }

    fn record_inputs(&mut self, body: &[Token]) -> Result<(), Error> {
        let mut rest = body;
        if rest.first().is_some_and(|t| t.text == "const") {
            rest = &rest[1..];
        }
        let Some(type_token) = rest.first() else { return Ok(()) };
        if !is_type(&type_token.text) {
            return Err(refuse(&type_token.loc, format!("input `{}`: expected an MQL type", type_token.text)));
        }
        let mut depth = 0;
        let mut expect_name = true;
        for token in &rest[1..] {
            match token.text.as_str() {
                "(" | "{" | "[" => depth += 1,
                ")" | "}" | "]" => depth -= 1,
                "," if depth == 0 => expect_name = true,
                _ if expect_name && token.kind == Kind::Ident => {
                    self.inputs.push(Input { name: token.text.clone(), mql_type: type_token.text.clone() });
                    expect_name = false;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn function(&mut self, tokens: &[Token]) -> Result<(), Error> {
        let paren = tokens.iter().position(|t| t.text == "(").expect("a function unit has a parameter list");
        let open = tokens.iter().position(|t| t.text == "{").expect("a function unit has a body");
        if paren == 0 {
            return Err(refuse(&tokens[0].loc, "a function without a name"));
        }
        let name = &tokens[paren - 1];
        if let Some(handler) = Handler::ALL.iter().find(|handler| handler.name() == name.text) {
            let returns_void = tokens[..paren - 1].iter().any(|t| t.text == "void");
            self.handlers.push((*handler, returns_void));
        }
        check_parameters(&tokens[paren + 1..open])?;
        let mut rewritten = rewrite(&tokens[..open], Scope::Global)?;
        rewritten.extend(rewrite(&tokens[open..], Scope::Body)?);
        self.out.tokens(&rewritten);
        Ok(())
    }

    fn emit_import(&mut self, import: &Import) {
        for line in import.cpp_lines() {
            self.out.generated(&import.loc, &line);
        }
    }
}

// MQL passes arrays and structs by reference only, and MetaEditor refuses a parameter of either without `&`.
fn check_parameters(tokens: &[Token]) -> Result<(), Error> {
    let mut depth = 0;
    let mut start = 0;
    for (index, token) in tokens.iter().enumerate() {
        match token.text.as_str() {
            "(" => depth += 1,
            ")" if depth > 0 => depth -= 1,
            "," | ")" if depth == 0 => {
                check_parameter(&tokens[start..index])?;
                start = index + 1;
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_parameter(param: &[Token]) -> Result<(), Error> {
    let declarator: Vec<&Token> = param.iter().take_while(|t| t.text != "=").collect();
    let by_ref = declarator.iter().any(|t| t.text == "&");
    let Some(type_token) = declarator.iter().find(|t| t.text != "const") else { return Ok(()) };
    if by_ref {
        return Ok(());
    }
    if declarator.iter().any(|t| t.text == "[") {
        return Err(refuse(&type_token.loc, "an array parameter must be passed by reference (`T &name[]`)"));
    }
    if type_token.text.starts_with("Mql") {
        return Err(refuse(
            &type_token.loc,
            format!("a {} parameter must be passed by reference (`&`)", type_token.text),
        ));
    }
    Ok(())
}

// A top-level `{` opens a function body when the declaration so far has a parameter list and no initializer.
fn starts_function(unit: &[Token]) -> bool {
    let mut depth = 0;
    let mut has_params = false;
    for token in unit {
        match token.text.as_str() {
            "(" => {
                if depth == 0 {
                    has_params = true;
                }
                depth += 1;
            }
            ")" => depth -= 1,
            "=" if depth == 0 => return false,
            _ => {}
        }
    }
    has_params && unit.last().is_some_and(|t| t.text == ")" || t.text == "const")
}

/// The C++ text being written, with `#line` kept in step with the MQL positions.
pub struct Out {
    // The generated file's own name, for the lines that map to no MQL line.
    name: String,
    text: String,
    // The MQL position of the current output line, when it maps to one.
    at: Option<(Rc<str>, u32)>,
    // Lines written so far (the line the next newline ends).
    lines: u32,
}

impl Out {
    /// An empty output for the C++ file `name`.
    pub fn new(name: &str) -> Out {
        Out { name: name.to_owned(), text: String::new(), at: None, lines: 0 }
    }

    fn newline(&mut self) {
        self.text.push('\n');
        self.lines += 1;
    }

    /// A line of generated text that maps to no MQL line.
    pub fn raw(&mut self, line: &str) {
        if self.at.is_some() {
            self.at = None;
            self.newline();
            let next = self.lines + 2;
            self.text.push_str(&format!("#line {next} \"{}\"", escape(&self.name)));
        }
        if !self.text.is_empty() {
            self.newline();
        }
        self.text.push_str(line);
    }

    // Moves the output to the line of `loc`: the same line, a few newlines, or a #line directive.
    fn seek(&mut self, loc: &Loc) -> bool {
        if let Some((file, line)) = &self.at
            && **file == *loc.file
        {
            if *line == loc.line {
                return false;
            }
            if loc.line > *line && loc.line - *line <= 4 {
                for _ in 0..loc.line - *line {
                    self.newline();
                }
                self.at = Some((loc.file.clone(), loc.line));
                return true;
            }
        }
        self.newline();
        self.text.push_str(&format!("#line {} \"{}\"", loc.line, escape(&loc.file)));
        self.newline();
        self.at = Some((loc.file.clone(), loc.line));
        true
    }

    /// Tokens, each on the output line of its MQL line.
    pub fn tokens(&mut self, tokens: &[OutToken]) {
        for token in tokens {
            if !self.seek(&token.loc) {
                self.text.push(' ');
            }
            self.text.push_str(&token.text);
        }
    }

    /// A preprocessor line at the MQL line of `loc`.
    pub fn directive(&mut self, loc: &Loc, line: &str) {
        if !self.seek(loc) {
            // Something is already on this output line; a directive needs its own.
            self.newline();
            self.text.push_str(&format!("#line {} \"{}\"", loc.line, escape(&loc.file)));
            self.newline();
        }
        self.text.push_str(line);
    }

    /// A generated line that belongs to the MQL line of `loc` (an import wrapper).
    pub fn generated(&mut self, loc: &Loc, line: &str) {
        self.newline();
        self.text.push_str(&format!("#line {} \"{}\"", loc.line, escape(&loc.file)));
        self.newline();
        self.text.push_str(line);
        self.at = Some((loc.file.clone(), loc.line));
    }

    /// The text, ready for the entry points to be appended.
    pub fn finish(mut self) -> String {
        self.raw("");
        self.text.push('\n');
        self.text
    }
}

fn escape(file: &str) -> String {
    file.replace('\\', "\\\\").replace('"', "\\\"")
}
