//! The `Method` and `Notification` traits, the visitors that walk their registries, and typed params decoding.
//!
//! A method is a zero-sized type implementing [`Method`]. [`for_each_method`](crate::for_each_method) (in
//! `methods/`) lists every method exactly once; the gateway's router, the schema generator, the docs and the tests
//! all walk it with a [`MethodVisitor`], so a method cannot be routed without a schema or documented without
//! existing. The registries live beside the types they list, so this module imports neither.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::error::ErrorObject;
use crate::field_path;
use crate::types::Capability;

/// Where a method is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// The gateway answers by itself; the terminal need not be asked (but must be online for the token to work).
    Gateway,
    /// Forwarded to the token's terminal over the link.
    Terminal,
    /// Only on `/ws`: subscription management, answered by the gateway.
    Stream,
}

/// Who emits a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The terminal reports it over the link; the gateway checks it and fans it out to subscribers.
    Terminal,
    /// The gateway sends it by itself; the same name arriving from a terminal is dropped.
    Gateway,
}

/// The stream whose subscribers receive a terminal event: which `StreamSpec` variant a subscription names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// `StreamSpec::Quotes`.
    Quotes,
    /// `StreamSpec::Ticks`.
    Ticks,
    /// `StreamSpec::Candles`.
    Candles,
    /// `StreamSpec::Book`.
    Book,
    /// `StreamSpec::Account`.
    Account,
    /// `StreamSpec::Trades`.
    Trades,
    /// `StreamSpec::Terminal`.
    Terminal,
}

impl StreamKind {
    /// Whether the stream is one symbol's market data: its events carry `symbol`, and the bridge sends only those
    /// of symbols some client subscribed to.
    pub const fn is_market(self) -> bool {
        matches!(self, StreamKind::Quotes | StreamKind::Ticks | StreamKind::Candles | StreamKind::Book)
    }
}

/// The group a method belongs to, for docs and client layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Liveness, versions, capabilities, health and time.
    Session,
    /// The trading account.
    Account,
    /// Symbols, quotes, candles, ticks and depth.
    Market,
    /// Open positions and pending orders.
    Positions,
    /// Closed orders and deals.
    History,
    /// Margin, profit and order checks that change nothing.
    Calculations,
    /// Calls that change orders or positions; each takes an optional `client_id`.
    Trading,
    /// WebSocket subscriptions.
    Streaming,
}

/// Checks a decoded params value beyond what its type can say (ranges, exactly-one-of rules).
pub trait Validate {
    /// `Err` names the offending field and says what is wrong with it.
    fn validate(&self) -> Result<(), ParamsError> {
        Ok(())
    }
}

/// A JSON-RPC method: its name, params and result types, and how the gateway treats it.
pub trait Method: 'static {
    /// The wire name: snake_case, verb first.
    const NAME: &'static str;
    /// One sentence for docs and the OpenRPC `summary`.
    const SUMMARY: &'static str;
    /// Its group.
    const CATEGORY: Category;
    /// Who answers it.
    const ROUTE: Route;
    /// A capability the terminal must announce, or the gateway answers `unsupported` without asking it.
    const REQUIRES: Option<Capability> = None;
    /// Whether this is a trading call: idempotent by `client_id`, its outcome recorded for `get_trade_result`.
    const TRADING: bool = false;

    /// Named params.
    type Params: Serialize + DeserializeOwned + JsonSchema + Validate + Send + Sync + 'static;
    /// The result.
    type Result: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static;

    /// The `client_id` of a trading call's params.
    fn client_id(_params: &Self::Params) -> Option<&str> {
        None
    }

    /// Sets the `client_id` of a trading call's params; does nothing for other methods.
    fn set_client_id(_params: &mut Self::Params, _client_id: String) {}
}

/// A notification the server pushes over `/ws`.
pub trait Notification: 'static {
    /// The wire name.
    const NAME: &'static str;
    /// One sentence for docs.
    const SUMMARY: &'static str;
    /// Who emits it: the gateway relays only terminal events (see the gateway's `streams::classify`).
    const SOURCE: Source;
    /// The stream whose subscribers receive it: set for every terminal event, `None` for the gateway's
    /// connection-level notices.
    const STREAM: Option<StreamKind>;
    /// A snapshot: only the newest of a symbol matters, so the bridge replaces an unsent older one rather than queue
    /// both.
    const COALESCED: bool = false;
    /// Its params, which always carry the per-connection `seq`.
    type Params: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static;
    /// The `data` member of its params.
    type Data: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static;
}

/// Something that walks the method registry.
pub trait MethodVisitor {
    /// Called once per method, in registry order.
    fn visit<M: Method>(&mut self);
}

/// Something that walks the notification registry.
pub trait NotificationVisitor {
    /// Called once per notification, in registry order.
    fn visit<N: Notification>(&mut self);
}

/// The untyped facts about a method, for code that only needs to look a name up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodInfo {
    /// The wire name.
    pub name: &'static str,
    /// The one-sentence summary.
    pub summary: &'static str,
    /// Its group.
    pub category: Category,
    /// Who answers it.
    pub route: Route,
    /// Required terminal capability.
    pub requires: Option<Capability>,
    /// Whether it is a trading call.
    pub trading: bool,
}

impl MethodInfo {
    /// The facts of `M`.
    pub const fn of<M: Method>() -> MethodInfo {
        MethodInfo {
            name: M::NAME,
            summary: M::SUMMARY,
            category: M::CATEGORY,
            route: M::ROUTE,
            requires: M::REQUIRES,
            trading: M::TRADING,
        }
    }
}

/// Params for methods that take none. Absent params, `{}` and `null` all decode to it; any member is an error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

impl Validate for NoParams {}

/// Why params did not decode: the path of the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", field.as_deref().map(|field| format!("{field}: ")).unwrap_or_default())]
pub struct ParamsError {
    /// The path of the offending field (`volume`, `streams[0].symbol`), or `None` for the params as a whole.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl ParamsError {
    /// An error about `field`.
    pub fn field(field: &str, message: impl Into<String>) -> ParamsError {
        ParamsError { field: Some(field.to_owned()), message: message.into() }
    }
}

impl From<ParamsError> for ErrorObject {
    fn from(error: ParamsError) -> ErrorObject {
        let message = format!("Invalid params: {error}");
        ErrorObject::invalid_params(error.field, message)
    }
}

/// Decodes and validates the params of `M`. Absent params count as `{}`.
///
/// Errors name the field: unknown fields, missing fields and wrong types all report their path.
/// JSON-RPC 2.0 allows params by position (an array); an empty array says "no params" in that form, so it is
/// accepted for the methods that take none ([`NoParams`]). Methods with params take them by name only: position
/// says nothing about which field a value is for once fields are optional.
pub fn decode_params<M: Method>(params: Option<Value>) -> Result<M::Params, ParamsError> {
    let value = match params {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(Value::Array(items)) if items.is_empty() && takes_no_params::<M>() => Value::Object(Default::default()),
        Some(Value::Array(_)) => {
            let message = if takes_no_params::<M>() {
                format!("{} takes no params: omit them or send {{}} or []", M::NAME)
            } else {
                format!("{} takes named params: send them as an object, not an array (by position)", M::NAME)
            };
            return Err(ParamsError { field: None, message });
        }
        Some(value) => value,
    };
    let decoded: M::Params = serde_path_to_error::deserialize(value).map_err(|error| {
        let (field, inner) = field_path::locate(error);
        ParamsError { field, message: inner.to_string() }
    })?;
    decoded.validate()?;
    Ok(decoded)
}

/// Whether `M` is a method without params.
fn takes_no_params<M: Method>() -> bool {
    std::any::TypeId::of::<M::Params>() == std::any::TypeId::of::<NoParams>()
}
