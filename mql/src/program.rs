//! What a program is to its host, apart from its code: its dialect, the event handlers it defines and its inputs.
//! The translator finds them and the entry points (`entry.rs`) are generated from them.

use std::path::Path;

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
