//! Subscriptions over `/ws` as a `Stream`, with reconnect, resubscribe and gap detection by `seq`.
//!
//! One background task owns the WebSocket. It checks that `seq` counts up by one; when it jumps, or the gateway sends
//! `stream_gap`, or the connection had to be re-established, the stream yields [`StreamItem::Gap`] and then
//! [`StreamItem::Resynced`] with a fresh snapshot, so a client can rebuild its state instead of trusting a hole.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{SinkExt, Stream, StreamExt};
use metaapi_protocol::jsonrpc::{Request, Response};
use metaapi_protocol::methods::{Snapshot, StreamSpec, SubscribeParams, SubscribeResult, Subscription};
use metaapi_protocol::notifications::*;
use metaapi_protocol::{ErrorObject, NoParams};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::{Client, ClientError};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A notification from the gateway, typed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Event {
    Quote(QuoteNotice),
    Tick(TickNotice),
    Candle(CandleNotice),
    Book(BookNotice),
    Account(AccountNotice),
    PositionUpdated(PositionUpdatedNotice),
    PositionRemoved(PositionRemovedNotice),
    OrderUpdated(OrderUpdatedNotice),
    OrderCompleted(OrderCompletedNotice),
    DealAdded(DealAddedNotice),
    TerminalStatus(TerminalStatusNotice),
    TokenRevoked(TokenRevokedNotice),
    StreamGap(StreamGapNotice),
    Heartbeat(HeartbeatNotice),
}

impl Event {
    /// Decodes a notification by its wire name.
    pub fn decode(name: &str, params: Value) -> Result<Event, ClientError> {
        fn typed<T: serde::de::DeserializeOwned>(params: Value) -> Result<T, ClientError> {
            serde_json::from_value(params).map_err(|error| ClientError::Decode(error.to_string()))
        }
        Ok(match name {
            "quote" => Event::Quote(typed(params)?),
            "tick" => Event::Tick(typed(params)?),
            "candle" => Event::Candle(typed(params)?),
            "book" => Event::Book(typed(params)?),
            "account" => Event::Account(typed(params)?),
            "position_updated" => Event::PositionUpdated(typed(params)?),
            "position_removed" => Event::PositionRemoved(typed(params)?),
            "order_updated" => Event::OrderUpdated(typed(params)?),
            "order_completed" => Event::OrderCompleted(typed(params)?),
            "deal_added" => Event::DealAdded(typed(params)?),
            "terminal_status" => Event::TerminalStatus(typed(params)?),
            "token_revoked" => Event::TokenRevoked(typed(params)?),
            "stream_gap" => Event::StreamGap(typed(params)?),
            "heartbeat" => Event::Heartbeat(typed(params)?),
            other => return Err(ClientError::Decode(format!("unknown notification {other}"))),
        })
    }

    /// The per-connection sequence number.
    pub fn seq(&self) -> u64 {
        match self {
            Event::Quote(notice) => notice.seq,
            Event::Tick(notice) => notice.seq,
            Event::Candle(notice) => notice.seq,
            Event::Book(notice) => notice.seq,
            Event::Account(notice) => notice.seq,
            Event::PositionUpdated(notice) => notice.seq,
            Event::PositionRemoved(notice) => notice.seq,
            Event::OrderUpdated(notice) => notice.seq,
            Event::OrderCompleted(notice) => notice.seq,
            Event::DealAdded(notice) => notice.seq,
            Event::TerminalStatus(notice) => notice.seq,
            Event::TokenRevoked(notice) => notice.seq,
            Event::StreamGap(notice) => notice.seq,
            Event::Heartbeat(notice) => notice.seq,
        }
    }
}

/// What an [`EventStream`] yields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StreamItem {
    /// A notification, in order.
    Event(Box<Event>),
    /// Notifications were lost: `seq` jumped, the gateway reported a gap, or the connection was re-established.
    /// A [`StreamItem::Resynced`] follows.
    Gap {
        /// The `seq` that was due (on a new connection: 1).
        expected: u64,
        /// The `seq` that came instead, if one did.
        received: Option<u64>,
    },
    /// The account, positions and orders as of the snapshot's `seq`, after a gap.
    Resynced(Box<Snapshot>),
    /// The connection broke; the stream reconnects and resubscribes by itself.
    Disconnected(String),
    /// Connected again with the same streams (subscription ids may differ).
    Reconnected(Vec<Subscription>),
}

/// Events of the streams given to [`Client::subscribe`]; ends when access is revoked or the stream is dropped.
///
/// ```no_run
/// # async fn example(client: metaapi_client::Client) -> Result<(), metaapi_client::ClientError> {
/// use metaapi_client::{Event, StreamItem, protocol::methods::StreamSpec};
/// let mut stream = client.subscribe(vec![StreamSpec::Quotes { symbol: "EURUSD".into() }]).await?;
/// while let Some(item) = stream.next().await {
///     if let StreamItem::Event(event) = item
///         && let Event::Quote(quote) = *event
///     {
///         println!("{} {}", quote.data.bid, quote.data.ask);
///     }
/// }
/// # Ok(()) }
/// ```
pub struct EventStream {
    receiver: mpsc::Receiver<StreamItem>,
    subscriptions: Vec<Subscription>,
    task: tokio::task::JoinHandle<()>,
}

impl EventStream {
    /// The next item, or `None` once the stream has ended.
    pub async fn next(&mut self) -> Option<StreamItem> {
        self.receiver.recv().await
    }

    /// The subscriptions made when the stream started.
    pub fn subscriptions(&self) -> &[Subscription] {
        &self.subscriptions
    }
}

impl Stream for EventStream {
    type Item = StreamItem;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<StreamItem>> {
        self.receiver.poll_recv(context)
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Request ids on the stream's socket.
const SUBSCRIBE_ID: u64 = 1;

impl Client {
    /// Subscribes to `streams` over `/ws`. Fails at once when the token is refused or the streams are invalid;
    /// afterwards, connection trouble is reported in the stream and repaired by reconnecting.
    pub async fn subscribe(&self, streams: Vec<StreamSpec>) -> Result<EventStream, ClientError> {
        let (socket, result, early) = connect_and_subscribe(self, &streams).await?;
        let (sender, receiver) = mpsc::channel(1024);
        let subscriptions = result.subscriptions.clone();
        let pump = Pump {
            client: self.clone(),
            streams,
            sender,
            next_id: SUBSCRIBE_ID + 1,
            expected_seq: 1,
            resync_pending: false,
        };
        let task = tokio::spawn(pump.run(socket, early));
        Ok(EventStream { receiver, subscriptions, task })
    }

    fn ws_url(&self) -> String {
        let base = &self.inner.base_url;
        let rest = base.strip_prefix("https://").map(|rest| format!("wss://{rest}"));
        let url = rest.unwrap_or_else(|| format!("ws://{}", base.strip_prefix("http://").unwrap_or(base)));
        format!("{url}/ws")
    }
}

async fn connect_and_subscribe(
    client: &Client,
    streams: &[StreamSpec],
) -> Result<(Socket, SubscribeResult, Vec<Value>), ClientError> {
    let mut request =
        client.ws_url().into_client_request().map_err(|error| ClientError::Transport(error.to_string()))?;
    let bearer = format!("Bearer {}", client.inner.token)
        .parse()
        .map_err(|_| ClientError::Transport("the token is not a valid header value".into()))?;
    request.headers_mut().insert("authorization", bearer);
    // tungstenite zero-fills its whole read buffer before every read; its 128 KiB default made that a 128 KiB memset
    // per notification read. 16 KiB holds a burst of notifications.
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(16 * 1024);
    let (mut socket, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(config), true).await.map_err(refusal)?;
    let subscribe = Request::new(
        SUBSCRIBE_ID,
        "subscribe",
        serde_json::to_value(SubscribeParams { streams: streams.to_vec() }).expect("params serialize"),
    );
    send(&mut socket, &subscribe).await?;
    // Notifications can overtake the answer; keep them for the pump.
    let mut early = Vec::new();
    loop {
        let frame = socket.next().await.ok_or_else(|| ClientError::Transport("closed while subscribing".into()))?;
        let text = match frame.map_err(|error| ClientError::Transport(error.to_string()))? {
            Message::Text(text) => text,
            Message::Close(frame) => {
                return Err(ClientError::Transport(format!("closed while subscribing: {frame:?}")));
            }
            _ => continue,
        };
        let value: Value = serde_json::from_str(&text).map_err(|error| ClientError::Decode(error.to_string()))?;
        if value.get("method").is_some() {
            early.push(value);
            continue;
        }
        let response: Response =
            serde_json::from_value(value).map_err(|error| ClientError::Decode(error.to_string()))?;
        let result = response.into_result().map_err(ClientError::from)?;
        let result = serde_json::from_value(result).map_err(|error| ClientError::Decode(error.to_string()))?;
        return Ok((socket, result, early));
    }
}

/// Turns a failed upgrade into the gateway's reason when it sent one.
fn refusal(error: tokio_tungstenite::tungstenite::Error) -> ClientError {
    if let tokio_tungstenite::tungstenite::Error::Http(response) = &error
        && let Some(body) = response.body()
        && let Ok(answer) = serde_json::from_slice::<Response>(body)
        && let Err(error) = answer.into_result()
    {
        return ClientError::from(error);
    }
    ClientError::Transport(error.to_string())
}

async fn send(socket: &mut Socket, request: &Request) -> Result<(), ClientError> {
    let text = serde_json::to_string(request).expect("requests serialize");
    socket.send(Message::text(text)).await.map_err(|error| ClientError::Transport(error.to_string()))
}

struct Pump {
    client: Client,
    streams: Vec<StreamSpec>,
    sender: mpsc::Sender<StreamItem>,
    next_id: u64,
    expected_seq: u64,
    /// A snapshot was asked for and failed (typically `terminal_offline` right after a reconnect): ask again with
    /// the next event, which shows the terminal is back.
    resync_pending: bool,
}

/// Why a connection ended.
enum End {
    /// Access was revoked or nobody listens any more: the stream ends.
    Final,
    /// The connection broke: reconnect.
    Broken(String),
}

impl Pump {
    async fn run(mut self, socket: Socket, early: Vec<Value>) {
        let mut socket = socket;
        let mut early = early;
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.pump(&mut socket, std::mem::take(&mut early)).await {
                End::Final => return,
                End::Broken(reason) => {
                    if self.sender.send(StreamItem::Disconnected(reason)).await.is_err() {
                        return;
                    }
                }
            }
            // Reconnect with capped exponential backoff and jitter, so many clients do not retry in lockstep.
            loop {
                let jitter = Duration::from_millis(u64::from(uuid::Uuid::new_v4().as_bytes()[0]) % 100);
                tokio::time::sleep(backoff + jitter).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                match connect_and_subscribe(&self.client, &self.streams).await {
                    Ok((new_socket, result, new_early)) => {
                        socket = new_socket;
                        early = new_early;
                        backoff = Duration::from_millis(100);
                        self.expected_seq = 1;
                        if self.sender.send(StreamItem::Reconnected(result.subscriptions)).await.is_err() {
                            return;
                        }
                        // Whatever happened while disconnected is lost: say so, then resynchronize.
                        let gap = StreamItem::Gap { expected: 1, received: None };
                        if self.sender.send(gap).await.is_err() {
                            return;
                        }
                        if let Err(error) = self.request_snapshot(&mut socket).await {
                            tracing::debug!(%error, "snapshot request failed; the next read will notice");
                        }
                        break;
                    }
                    Err(error @ ClientError::Unauthorized { .. }) => {
                        let _ = self.sender.send(StreamItem::Disconnected(error.to_string())).await;
                        return;
                    }
                    Err(error) => {
                        if self.sender.send(StreamItem::Disconnected(error.to_string())).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    }

    async fn request_snapshot(&mut self, socket: &mut Socket) -> Result<(), ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        send(socket, &Request::new(id, "get_snapshot", serde_json::to_value(NoParams {}).expect("serializes"))).await
    }

    async fn pump(&mut self, socket: &mut Socket, early: Vec<Value>) -> End {
        for value in early {
            if let Some(end) = self.handle(socket, value).await {
                return end;
            }
        }
        while let Some(frame) = socket.next().await {
            let text = match frame {
                Ok(Message::Text(text)) => text,
                Ok(Message::Close(frame)) => {
                    let code = frame.as_ref().map(|frame| u16::from(frame.code));
                    // 4401 and 4403 mean the token lost access: reconnecting cannot help.
                    return match code {
                        Some(4401 | 4403) => End::Final,
                        _ => End::Broken(format!("closed by the gateway: {frame:?}")),
                    };
                }
                Ok(_) => continue,
                Err(error) => return End::Broken(error.to_string()),
            };
            let Ok(value) = serde_json::from_str::<Value>(&text) else {
                return End::Broken("the gateway sent something that is not JSON".into());
            };
            if let Some(end) = self.handle(socket, value).await {
                return end;
            }
        }
        End::Broken("connection closed".into())
    }

    async fn handle(&mut self, socket: &mut Socket, value: Value) -> Option<End> {
        let Some(name) = value.get("method").and_then(Value::as_str).map(str::to_owned) else {
            return self.handle_answer(value).await;
        };
        let params = value.get("params").cloned().unwrap_or(Value::Null);
        let event = match Event::decode(&name, params) {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(%error, name, "skipping a notification this client cannot read");
                return None;
            }
        };
        let seq = event.seq();
        let mut resync = matches!(event, Event::StreamGap(_)) || std::mem::take(&mut self.resync_pending);
        if seq > self.expected_seq {
            let gap = StreamItem::Gap { expected: self.expected_seq, received: Some(seq) };
            if self.sender.send(gap).await.is_err() {
                return Some(End::Final);
            }
            resync = true;
        }
        self.expected_seq = self.expected_seq.max(seq + 1);
        let revoked = matches!(event, Event::TokenRevoked(_));
        if self.sender.send(StreamItem::Event(Box::new(event))).await.is_err() {
            return Some(End::Final);
        }
        if revoked {
            return Some(End::Final);
        }
        if resync && let Err(error) = self.request_snapshot(socket).await {
            return Some(End::Broken(error.to_string()));
        }
        None
    }

    async fn handle_answer(&mut self, value: Value) -> Option<End> {
        let response: Response = serde_json::from_value(value).ok()?;
        match response.into_result() {
            Ok(result) => {
                let snapshot: Snapshot = serde_json::from_value(result).ok()?;
                self.expected_seq = self.expected_seq.max(snapshot.seq + 1);
                if self.sender.send(StreamItem::Resynced(Box::new(snapshot))).await.is_err() {
                    return Some(End::Final);
                }
                None
            }
            Err(error) => {
                let error: ErrorObject = error;
                tracing::debug!(%error, "snapshot failed; asking again with the next event");
                self.resync_pending = true;
                None
            }
        }
    }
}
