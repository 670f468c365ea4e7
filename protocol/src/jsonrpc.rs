//! JSON-RPC 2.0 envelopes and the framing rules of the specification.
//!
//! Transports (HTTP `/rpc`, WebSocket `/ws`) hand raw bytes to [`Incoming::parse`], run each [`Call`] through the
//! router, and hand the answers to [`Outgoing::from_answers`]. Everything the specification says about framing lives
//! here: parse errors, invalid requests, notifications that get no answer, batches, and the empty batch.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

use crate::error::{ErrorKind, ErrorObject};

/// The literal `"2.0"` member every message carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Version;

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("2.0")
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Version, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        if text == "2.0" { Ok(Version) } else { Err(serde::de::Error::custom("jsonrpc must be exactly \"2.0\"")) }
    }
}

impl JsonSchema for Version {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "JsonRpcVersion".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "const": "2.0" })
    }
}

/// A request id: a string, a number, or null.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Id {
    /// A numeric id. Kept as written, so `1` and `1.0` stay distinct.
    Number(serde_json::Number),
    /// A numeric id that no 64-bit integer holds (`12345678901234567890123`, `1.50`), as the text the client sent:
    /// read as a double it would come back changed, and a client matches answers to calls by id. Only [`Incoming::parse`] and
    /// [`request_id`] make it; deserializing an [`Id`] yields [`Id::Number`].
    #[serde(skip_deserializing)]
    #[schemars(skip)]
    Text(NumberText),
    /// A string id.
    String(String),
    /// `null`: allowed by the specification but discouraged; also the id of answers to unreadable requests.
    Null,
}

impl From<u64> for Id {
    fn from(value: u64) -> Id {
        Id::Number(value.into())
    }
}

impl From<&str> for Id {
    fn from(value: &str) -> Id {
        Id::String(value.to_owned())
    }
}

impl Id {
    /// Reads an id from a JSON value, or `None` when the value cannot be an id.
    pub fn from_value(value: &Value) -> Option<Id> {
        match value {
            Value::Null => Some(Id::Null),
            Value::Number(number) => Some(Id::Number(number.clone())),
            Value::String(text) => Some(Id::String(text.clone())),
            _ => None,
        }
    }

    /// Reads an id from its JSON text, keeping a number that is not a 64-bit integer as written.
    fn from_raw(raw: &RawValue) -> Option<Id> {
        let text = raw.get();
        match text.as_bytes().first()? {
            b'-' | b'0'..=b'9' => match serde_json::from_str::<Number>(text).ok()? {
                number if number.is_f64() => Some(Id::Text(NumberText(raw.to_owned()))),
                number => Some(Id::Number(number)),
            },
            _ => serde_json::from_str::<Value>(text).ok().as_ref().and_then(Id::from_value),
        }
    }

    /// Reads an id from a parsed value, preferring `raw`, the same member's text, for numbers a double may have
    /// changed.
    fn from_value_or_raw(value: &Value, raw: Option<&RawValue>) -> Option<Id> {
        match (value, raw) {
            (Value::Number(number), Some(raw)) if number.is_f64() => Id::from_raw(raw),
            _ => Id::from_value(value),
        }
    }
}

/// The JSON text of a numeric id, compared and hashed by that text.
#[derive(Debug, Clone)]
pub struct NumberText(Box<RawValue>);

impl NumberText {
    /// The number as the client wrote it.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }
}

impl PartialEq for NumberText {
    fn eq(&self, other: &NumberText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for NumberText {}

impl std::hash::Hash for NumberText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Serialize for NumberText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// The `id` member of a request, as text.
#[derive(Deserialize)]
struct IdMember<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
}

/// The id of a single request in `body`, read without parsing the rest into values; [`Id::Null`] for a batch or
/// anything unreadable. For answers given before a body is dispatched, such as an authorization refusal: a batch
/// gets one answer with a null id, as the specification does for a batch it cannot read.
pub fn request_id(body: &[u8]) -> Id {
    serde_json::from_slice::<IdMember>(body)
        .ok()
        .and_then(|member| member.id)
        .and_then(Id::from_raw)
        .unwrap_or(Id::Null)
}

/// The raw `id` text of each element (of the body itself for a single request), only when some id in `value` is
/// a number a double may have changed; empty otherwise, so ordinary frames are not read twice.
fn raw_ids<'a>(body: &'a [u8], value: &Value) -> Vec<Option<&'a RawValue>> {
    let inexact = |element: &Value| element.get("id").and_then(Value::as_number).is_some_and(Number::is_f64);
    match value {
        Value::Array(elements) if elements.iter().any(inexact) => serde_json::from_slice::<Vec<&RawValue>>(body)
            .map(|elements| {
                elements
                    .into_iter()
                    .map(|element| serde_json::from_str::<IdMember>(element.get()).ok().and_then(|member| member.id))
                    .collect()
            })
            .unwrap_or_default(),
        Value::Object(_) if inexact(value) => {
            vec![serde_json::from_slice::<IdMember>(body).ok().and_then(|member| member.id)]
        }
        _ => Vec::new(),
    }
}

/// Most characters of a client-chosen name (a method, a member) that an error message repeats.
pub const ECHOED_NAME_MAX_CHARS: usize = 64;

/// A client-chosen name, quoted for an error message and cut to [`ECHOED_NAME_MAX_CHARS`] characters: a 900 KB
/// method name must not come back whole.
pub fn quoted_name(name: &str) -> String {
    match name.char_indices().nth(ECHOED_NAME_MAX_CHARS) {
        None => format!("{name:?}"),
        Some((cut, _)) => format!("{:?}... ({} bytes in all)", &name[..cut], name.len()),
    }
}

/// A request or notification as sent by a client.
///
/// A notification is a request without an `id` member; `"id": null` is a request with a null id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Always `"2.0"`.
    pub jsonrpc: Version,
    /// The method name, for example `get_account_info`.
    pub method: String,
    /// Named params (an object). Positional params (an array) are framed but every method here rejects them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    /// Absent for notifications.
    #[serde(default, deserialize_with = "present_id", skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
}

fn present_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Id>, D::Error> {
    Id::deserialize(deserializer).map(Some)
}

impl Request {
    /// A request with an id and named params.
    pub fn new(id: impl Into<Id>, method: &str, params: Value) -> Request {
        Request { jsonrpc: Version, method: method.to_owned(), params: Some(params), id: Some(id.into()) }
    }

    /// Whether this is a notification (no answer is sent).
    pub fn is_notification(&self) -> bool {
        self.id.is_none()
    }

    /// Checks the members one by one, so that the answer to a malformed request keeps its id when it has one.
    /// `raw_id` is the text of the `id` member when the caller has it.
    fn from_value(value: Value, raw_id: Option<&RawValue>) -> Result<Request, Response> {
        let Value::Object(members) = value else {
            return Err(Response::error(Id::Null, invalid_request("a request must be a JSON object")));
        };
        let id = members.get("id").map(|id| Id::from_value_or_raw(id, raw_id));
        let answer_id = id.clone().flatten().unwrap_or(Id::Null);
        let fail = |message: &str| Err(Response::error(answer_id.clone(), invalid_request(message)));
        if members.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return fail("the member \"jsonrpc\" must be exactly \"2.0\"");
        }
        let Some(Value::String(method)) = members.get("method") else {
            return fail("the member \"method\" must be a string");
        };
        if let Some(params) = members.get("params")
            && !(params.is_object() || params.is_array())
        {
            return fail("the member \"params\" must be an object or an array");
        }
        if matches!(id, Some(None)) {
            return fail("the member \"id\" must be a string, a number or null");
        }
        if let Some(unknown) =
            members.keys().find(|key| !matches!(key.as_str(), "jsonrpc" | "method" | "params" | "id"))
        {
            return fail(&format!("unknown member {} in a request", quoted_name(unknown)));
        }
        let method = method.clone();
        let mut members = members;
        Ok(Request { jsonrpc: Version, method, params: members.remove("params"), id: id.flatten() })
    }
}

fn invalid_request(message: &str) -> ErrorObject {
    ErrorObject::new(ErrorKind::InvalidRequest, message)
}

/// A notification sent by the server over `/ws` (a request without an id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerNotification<P> {
    /// Always `"2.0"`.
    pub jsonrpc: Version,
    /// The notification name, for example `quote`.
    pub method: String,
    /// The notification's params, including its per-connection `seq`.
    pub params: P,
}

/// A response: the id of the request and either a result or an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// Always `"2.0"`.
    pub jsonrpc: Version,
    /// The request's id, or null when the request could not be read.
    pub id: Id,
    /// Exactly one of `result` and `error`.
    #[serde(flatten)]
    pub payload: Payload,
}

/// The outcome carried by a [`Response`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum Payload {
    /// The method's result.
    #[serde(rename = "result")]
    Result(Value),
    /// The error.
    #[serde(rename = "error")]
    Error(ErrorObject),
}

impl Response {
    /// A successful response.
    pub fn result(id: Id, result: Value) -> Response {
        Response { jsonrpc: Version, id, payload: Payload::Result(result) }
    }

    /// An error response.
    pub fn error(id: Id, error: ErrorObject) -> Response {
        Response { jsonrpc: Version, id, payload: Payload::Error(error) }
    }

    /// The result or the error, for callers that do not care about the envelope.
    pub fn into_result(self) -> Result<Value, ErrorObject> {
        match self.payload {
            Payload::Result(value) => Ok(value),
            Payload::Error(error) => Err(error),
        }
    }
}

/// One element of what a client sent: a readable request, or the error response a malformed one earns.
pub type Call = Result<Request, Response>;

/// What a client sent, framed.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A single request or notification (or a single malformed element).
    Single(Call),
    /// A non-empty batch.
    Batch(Vec<Call>),
    /// Not JSON, or an empty batch: answered with this single response and nothing is dispatched.
    Rejected(Response),
}

impl Incoming {
    /// Frames a body. Never fails: anything unreadable becomes the response the specification asks for.
    pub fn parse(body: &[u8]) -> Incoming {
        match serde_json::from_slice::<Value>(body) {
            Err(error) => Incoming::Rejected(Response::error(
                Id::Null,
                ErrorObject::new(ErrorKind::ParseError, format!("Parse error: {error}")),
            )),
            Ok(Value::Array(elements)) if elements.is_empty() => {
                Incoming::Rejected(Response::error(Id::Null, invalid_request("an empty batch is not a request")))
            }
            Ok(value) => {
                let raw = raw_ids(body, &value);
                let raw_id = |index: usize| raw.get(index).copied().flatten();
                match value {
                    Value::Array(elements) => Incoming::Batch(
                        elements
                            .into_iter()
                            .enumerate()
                            .map(|(index, element)| Request::from_value(element, raw_id(index)))
                            .collect(),
                    ),
                    value => Incoming::Single(Request::from_value(value, raw_id(0))),
                }
            }
        }
    }

    /// How many calls this frame holds (0 for a rejected frame).
    pub fn len(&self) -> usize {
        match self {
            Incoming::Single(_) => 1,
            Incoming::Batch(calls) => calls.len(),
            Incoming::Rejected(_) => 0,
        }
    }

    /// Whether the frame holds no call.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What goes back to the client.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Outgoing {
    /// One response object.
    Single(Response),
    /// An array of responses (never empty).
    Batch(Vec<Response>),
}

impl Outgoing {
    /// Assembles the answers to a frame; `None` means nothing is sent (only notifications were received).
    ///
    /// `answers` holds one entry per call, `None` for notifications.
    pub fn from_answers(batch: bool, answers: Vec<Option<Response>>) -> Option<Outgoing> {
        let mut responses: Vec<Response> = answers.into_iter().flatten().collect();
        match (batch, responses.len()) {
            (_, 0) => None,
            (false, _) => responses.pop().map(Outgoing::Single),
            (true, _) => Some(Outgoing::Batch(responses)),
        }
    }
}

/// Named params of a request as an object; absent params count as `{}`.
pub fn params_object(params: Option<Value>) -> Result<Map<String, Value>, ErrorObject> {
    match params {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(members)) => Ok(members),
        Some(_) => Err(ErrorObject::invalid_params(None, "params must be an object of named params")),
    }
}
