//! The HTTP side of the client: typed calls, batches, and the retry policy that keeps trading idempotent.

use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use metaapi_protocol::jsonrpc::{Id, Outgoing, Payload, Request, Response};
use metaapi_protocol::{ErrorObject, Method};
use serde_json::Value;

use crate::error::ClientError;

/// How often and how patiently a call is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first (1 disables retries).
    pub attempts: u32,
    /// Wait before the second attempt; doubles for each further one.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy { attempts: 3, backoff: Duration::from_millis(100) }
    }
}

/// A connection to one terminal through the local gateway, chosen by its auth token.
///
/// Cheap to clone; clones share one HTTP connection pool.
///
/// ```no_run
/// # async fn example() -> Result<(), metaapi_client::ClientError> {
/// let client = metaapi_client::Client::new("http://127.0.0.1:6000", "mat_your_token");
/// let account = client.get_account_info().await?;
/// println!("{} {} equity {}", account.login, account.currency, account.equity);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) token: String,
    next_id: AtomicU64,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a credential: it never appears in debug output.
        f.debug_struct("Client").field("base_url", &self.inner.base_url).finish_non_exhaustive()
    }
}

impl Client {
    /// A client for the gateway at `base_url` (for example `http://127.0.0.1:6000`) using `token`.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Client {
        Client::with_retry(base_url, token, RetryPolicy::default())
    }

    /// Like [`Client::new`] with an explicit retry policy.
    pub fn with_retry(base_url: impl Into<String>, token: impl Into<String>, retry: RetryPolicy) -> Client {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("a plain HTTP client always builds");
        Client { inner: Arc::new(Inner { http, base_url, token: token.into(), next_id: AtomicU64::new(1), retry }) }
    }

    /// Calls method `M` with typed params and returns its typed result.
    ///
    /// Trading calls without a `client_id` get a fresh one, and every retry reuses it, so a retry can never place
    /// a second order. Retries happen for retryable errors (and, for trading calls, for transport errors and
    /// unknown outcomes, which the gateway resolves by `client_id`).
    ///
    /// ```no_run
    /// # async fn example(client: metaapi_client::Client) -> Result<(), metaapi_client::ClientError> {
    /// use metaapi_client::protocol::methods::{GetQuote, SymbolParams};
    /// let quote = client.call::<GetQuote>(SymbolParams { symbol: "EURUSD".into() }).await?;
    /// println!("{} {}/{}", quote.symbol, quote.bid, quote.ask);
    /// # Ok(()) }
    /// ```
    pub async fn call<M: Method>(&self, mut params: M::Params) -> Result<M::Result, ClientError> {
        if M::TRADING && M::client_id(&params).is_none() {
            M::set_client_id(&mut params, new_client_id());
        }
        let client_id = M::client_id(&params).map(str::to_owned);
        let params = serde_json::to_value(&params).map_err(|error| ClientError::Decode(error.to_string()))?;
        let policy = self.inner.retry;
        let mut attempt = 1;
        loop {
            let outcome = self.call_value(M::NAME, params.clone()).await;
            let error = match outcome {
                Ok(value) => return decode::<M>(value),
                Err(error) => error,
            };
            let safe_to_repeat = error.is_retryable()
                || (M::TRADING && matches!(error, ClientError::OutcomeUnknown { .. } | ClientError::Transport(_)));
            if attempt >= policy.attempts || !safe_to_repeat {
                return Err(match error {
                    ClientError::OutcomeUnknown { client_id: None } => ClientError::OutcomeUnknown { client_id },
                    other => other,
                });
            }
            let wait = match &error {
                ClientError::RateLimited { retry_after } => *retry_after,
                _ => policy.backoff * 2u32.saturating_pow(attempt - 1),
            };
            tracing::debug!(method = M::NAME, attempt, ?wait, %error, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Calls a method by name with untyped params: one attempt, no retries.
    pub async fn call_value(&self, method: &str, params: Value) -> Result<Value, ClientError> {
        let request = Request::new(self.next_id(), method, params);
        let body = serde_json::to_vec(&request).map_err(|error| ClientError::Decode(error.to_string()))?;
        match self.post(body).await? {
            Outgoing::Single(response) => response.into_result().map_err(ClientError::from),
            Outgoing::Batch(_) => Err(ClientError::Decode("a batch answer to a single request".into())),
        }
    }

    /// Starts a batch: several calls in one HTTP request.
    ///
    /// ```no_run
    /// # async fn example(client: metaapi_client::Client) -> Result<(), metaapi_client::ClientError> {
    /// use metaapi_client::protocol::{NoParams, methods::{GetAccountInfo, GetQuote, SymbolParams}};
    /// let mut batch = client.batch();
    /// let account = batch.add::<GetAccountInfo>(NoParams {});
    /// let quote = batch.add::<GetQuote>(SymbolParams { symbol: "XAUUSD".into() });
    /// let answers = batch.send().await?;
    /// println!("{} {}", answers.get(&account)?.equity, answers.get(&quote)?.bid);
    /// # Ok(()) }
    /// ```
    pub fn batch(&self) -> Batch {
        Batch { client: self.clone(), requests: Vec::new() }
    }

    pub(crate) fn next_id(&self) -> u64 {
        self.inner.next_id.fetch_add(1, Ordering::Relaxed)
    }

    async fn post(&self, body: Vec<u8>) -> Result<Outgoing, ClientError> {
        let response = self
            .inner
            .http
            .post(format!("{}/rpc", self.inner.base_url))
            .bearer_auth(&self.inner.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|error| ClientError::Transport(error.to_string()))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|error| ClientError::Transport(error.to_string()))?;
        // Refusals before dispatch (401, 403, 413, 429, ...) still carry a JSON-RPC error body.
        if let Ok(single) = serde_json::from_slice::<Response>(&bytes) {
            return Ok(Outgoing::Single(single));
        }
        if let Ok(batch) = serde_json::from_slice::<Vec<Response>>(&bytes) {
            return Ok(Outgoing::Batch(batch));
        }
        Err(ClientError::Transport(format!("HTTP {status} without a JSON-RPC body")))
    }
}

/// A fresh idempotency key for a trading call.
pub fn new_client_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn decode<M: Method>(value: Value) -> Result<M::Result, ClientError> {
    serde_json::from_value(value).map_err(|error| ClientError::Decode(format!("{}: {error}", M::NAME)))
}

/// Calls collected to be sent in one HTTP request. Build with [`Client::batch`].
pub struct Batch {
    client: Client,
    requests: Vec<Request>,
}

/// Names one call of a [`Batch`] and remembers its result type.
pub struct BatchKey<M> {
    id: u64,
    method: PhantomData<fn() -> M>,
}

impl Batch {
    /// Adds a call; trading calls get a `client_id` as with [`Client::call`].
    pub fn add<M: Method>(&mut self, mut params: M::Params) -> BatchKey<M> {
        if M::TRADING && M::client_id(&params).is_none() {
            M::set_client_id(&mut params, new_client_id());
        }
        let id = self.client.next_id();
        let params = serde_json::to_value(&params).expect("protocol params always serialize");
        self.requests.push(Request::new(id, M::NAME, params));
        BatchKey { id, method: PhantomData }
    }

    /// Sends every call at once (no retries); each call's outcome is in the answer.
    pub async fn send(self) -> Result<BatchAnswers, ClientError> {
        if self.requests.is_empty() {
            return Ok(BatchAnswers { responses: Vec::new() });
        }
        let body = serde_json::to_vec(&self.requests).map_err(|error| ClientError::Decode(error.to_string()))?;
        match self.client.post(body).await? {
            Outgoing::Batch(responses) => Ok(BatchAnswers { responses }),
            // The whole batch was refused (bad token, too large): every call failed the same way.
            Outgoing::Single(response) => match response.payload {
                Payload::Error(error) => Err(error.into()),
                Payload::Result(_) => Err(ClientError::Decode("a single answer to a batch".into())),
            },
        }
    }
}

/// The answers to a [`Batch`].
pub struct BatchAnswers {
    responses: Vec<Response>,
}

impl BatchAnswers {
    /// The typed outcome of one call.
    pub fn get<M: Method>(&self, key: &BatchKey<M>) -> Result<M::Result, ClientError> {
        let id = Id::from(key.id);
        let response = self
            .responses
            .iter()
            .find(|response| response.id == id)
            .ok_or_else(|| ClientError::Decode(format!("no answer for call {}", key.id)))?;
        match &response.payload {
            Payload::Result(value) => decode::<M>(value.clone()),
            Payload::Error(error) => Err(ClientError::from(ErrorObject::clone(error))),
        }
    }
}
