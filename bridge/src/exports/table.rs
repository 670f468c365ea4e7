//! The export table: every `mtb_*` export once, with its parameter names and C types, in ABI.md order.
//!
//! [`for_each_export!`](crate::for_each_export) hands the list to a caller's macro, so every other copy is built from
//! it: [`EXPORTS`] here (from which `mql.rs` generates the MQL `#import` and the C header), terminal-sim's
//! `BridgeAbi` (the function-pointer table its MQL runtime's `#import` resolves through) and the test harness that
//! loads the built library. A compile-time check below proves each entry's types against the real function, and the
//! integration tests prove that `src/exports` defines no `mtb_*` function the table lacks and that ABI.md declares
//! each one with the same signature.

/// Calls `$callback! { ... }` with every export, one entry each:
/// `$(#[test_only])? field: mtb_name(param: CType, ...);`, where `field` is the name without `mtb_` (a Rust field
/// name for function-pointer tables), `CType` a [`CType`] variant (its Rust type is
/// [`export_param_type!`](crate::export_param_type)), and `#[test_only]` marks an export the MQL include does not
/// import. Every export returns `i32`.
#[macro_export]
macro_rules! for_each_export {
    ($callback:ident) => {
        $callback! {
            abi_version: mtb_abi_version();
            version: mtb_version(buf: OutBytes, cap: I32, out_needed: OutI32);
            last_error: mtb_last_error(buf: OutBytes, cap: I32, out_needed: OutI32);
            start: mtb_start(config: InBytes, config_len: I32, abi_major: I32, out_session: OutI64);
            stop: mtb_stop(session: I64);
            status: mtb_status(session: I64, buf: OutBytes, cap: I32, out_needed: OutI32);
            wait: mtb_wait(session: I64, timeout_ms: I32);
            next_request: mtb_next_request(
                session: I64, method_buf: OutBytes, cap: I32, out_request_id: OutI64, out_needed: OutI32
            );
            request_params: mtb_request_params(session: I64, request_id: I64, buf: OutBytes, cap: I32, out_needed: OutI32);
            param_string: mtb_param_string(
                session: I64, request_id: I64, path: InBytes, path_len: I32, buf: OutBytes, cap: I32, out_needed: OutI32
            );
            param_double: mtb_param_double(session: I64, request_id: I64, path: InBytes, path_len: I32, out_value: OutF64);
            param_long: mtb_param_long(session: I64, request_id: I64, path: InBytes, path_len: I32, out_value: OutI64);
            param_bool: mtb_param_bool(session: I64, request_id: I64, path: InBytes, path_len: I32, out_value: OutI32);
            param_count: mtb_param_count(session: I64, request_id: I64, path: InBytes, path_len: I32, out_count: OutI32);
            set_string: mtb_set_string(
                session: I64, id: I64, path: InBytes, path_len: I32, value: InBytes, value_len: I32
            );
            set_double: mtb_set_double(session: I64, id: I64, path: InBytes, path_len: I32, value: F64);
            set_long: mtb_set_long(session: I64, id: I64, path: InBytes, path_len: I32, value: I64);
            set_bool: mtb_set_bool(session: I64, id: I64, path: InBytes, path_len: I32, value: I32);
            set_empty_array: mtb_set_empty_array(session: I64, id: I64, path: InBytes, path_len: I32);
            reply_send: mtb_reply_send(session: I64, request_id: I64);
            reply_json: mtb_reply_json(session: I64, request_id: I64, json: InBytes, len: I32);
            reply_error: mtb_reply_error(
                session: I64, request_id: I64, code: I32, retcode: I32, message: InBytes, message_len: I32
            );
            event_begin: mtb_event_begin(session: I64, name: InBytes, name_len: I32, out_event_id: OutI64);
            event_send: mtb_event_send(session: I64, event_id: I64);
            publish_json: mtb_publish_json(session: I64, name: InBytes, name_len: I32, json: InBytes, len: I32);
            demand: mtb_demand(session: I64, buf: OutBytes, cap: I32, out_needed: OutI32);
            #[test_only]
            debug_panic: mtb_debug_panic();
        }
    };
}

/// The Rust type of a [`CType`] variant named in [`for_each_export!`](crate::for_each_export).
#[macro_export]
macro_rules! export_param_type {
    (I32) => { i32 };
    (I64) => { i64 };
    (F64) => { f64 };
    (InBytes) => { *const u8 };
    (OutBytes) => { *mut u8 };
    (OutI32) => { *mut i32 };
    (OutI64) => { *mut i64 };
    (OutF64) => { *mut f64 };
}

/// The type of one export parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CType {
    /// `int32_t` / MQL `int`.
    I32,
    /// `int64_t` / MQL `long`.
    I64,
    /// `double`.
    F64,
    /// `const uint8_t *` / MQL `const uchar &x[]`.
    InBytes,
    /// `uint8_t *` / MQL `uchar &x[]`.
    OutBytes,
    /// `int32_t *` / MQL `int &x`.
    OutI32,
    /// `int64_t *` / MQL `long &x`.
    OutI64,
    /// `double *` / MQL `double &x`.
    OutF64,
}

impl CType {
    /// The C type, as the header and ABI.md spell it.
    pub fn c(self) -> &'static str {
        match self {
            CType::I32 => "int32_t",
            CType::I64 => "int64_t",
            CType::F64 => "double",
            CType::InBytes => "const uint8_t *",
            CType::OutBytes => "uint8_t *",
            CType::OutI32 => "int32_t *",
            CType::OutI64 => "int64_t *",
            CType::OutF64 => "double *",
        }
    }

    /// The MQL parameter `name` of this type, as the `#import` declares it.
    pub fn mql(self, name: &str) -> String {
        match self {
            CType::I32 => format!("int {name}"),
            CType::I64 => format!("long {name}"),
            CType::F64 => format!("double {name}"),
            CType::InBytes => format!("const uchar &{name}[]"),
            CType::OutBytes => format!("uchar &{name}[]"),
            CType::OutI32 => format!("int &{name}"),
            CType::OutI64 => format!("long &{name}"),
            CType::OutF64 => format!("double &{name}"),
        }
    }
}

/// One export: its name and parameters. Every export returns `int32_t`.
#[derive(Debug, Clone, Copy)]
pub struct Export {
    /// Symbol name.
    pub name: &'static str,
    /// Parameters in order: name and type.
    pub params: &'static [(&'static str, CType)],
    /// Only for tests: not imported by the MQL include.
    pub test_only: bool,
}

impl Export {
    /// The C parameter list: `int64_t session, uint8_t *buf`, or `void` for none.
    pub fn c_params(&self) -> String {
        if self.params.is_empty() {
            return "void".to_owned();
        }
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(name, ty)| {
                let c = ty.c();
                if c.ends_with('*') { format!("{c}{name}") } else { format!("{c} {name}") }
            })
            .collect();
        params.join(", ")
    }

    /// The C declaration without its `;` and calling convention: `int32_t mtb_stop(int64_t session)`.
    pub fn c_declaration(&self) -> String {
        format!("int32_t {}({})", self.name, self.c_params())
    }
}

/// Whether `name` is `mtb_` followed by `field`, at compile time, so an entry cannot point a table's field at another
/// export.
const fn is_mtb_name(field: &str, name: &str) -> bool {
    let (field, name) = (field.as_bytes(), name.as_bytes());
    if name.len() != field.len() + 4 {
        return false;
    }
    let prefix = b"mtb_";
    let mut index = 0;
    while index < name.len() {
        let expected = if index < 4 { prefix[index] } else { field[index - 4] };
        if name[index] != expected {
            return false;
        }
        index += 1;
    }
    true
}

macro_rules! is_test_only {
    (test_only) => {
        true
    };
}

macro_rules! export_table {
    ($( $(#[$flag:ident])? $field:ident : $name:ident ( $( $arg:ident : $ty:ident ),* $(,)? ); )*) => {
        /// Every `mtb_*` export, in ABI.md order.
        pub const EXPORTS: &[Export] = &[
            $( Export {
                name: stringify!($name),
                params: &[ $( (stringify!($arg), CType::$ty) ),* ],
                test_only: false $( || is_test_only!($flag) )?,
            } ),*
        ];

        // Compile-time proof that the table matches the real functions (a wrong arity or type fails to build) and
        // that each field name is its export's name without `mtb_`.
        const _: () = {
            $(
                let _: extern "system" fn($( export_param_type!($ty) ),*) -> i32 = crate::exports::$name;
                assert!(is_mtb_name(stringify!($field), stringify!($name)), "a field is its export's name without mtb_");
            )*
        };
    };
}

for_each_export!(export_table);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_matches_only_its_own_export_name() {
        assert!(is_mtb_name("wait", "mtb_wait"));
        assert!(!is_mtb_name("wait", "mtb_stop"));
        assert!(!is_mtb_name("wait", "mtb_waits"));
        assert!(!is_mtb_name("wait", "xtb_wait"));
        assert!(!is_mtb_name("wait", "wait"));
    }

    #[test]
    fn declarations_spell_pointers_and_empty_lists_as_c_does() {
        let stop = EXPORTS.iter().find(|export| export.name == "mtb_stop").expect("mtb_stop is in the table");
        assert_eq!(stop.c_declaration(), "int32_t mtb_stop(int64_t session)");
        let version = EXPORTS.iter().find(|export| export.name == "mtb_abi_version").expect("mtb_abi_version");
        assert_eq!(version.c_declaration(), "int32_t mtb_abi_version(void)");
        let start = EXPORTS.iter().find(|export| export.name == "mtb_start").expect("mtb_start");
        assert_eq!(
            start.c_declaration(),
            "int32_t mtb_start(const uint8_t *config, int32_t config_len, int32_t abi_major, int64_t *out_session)"
        );
    }
}
