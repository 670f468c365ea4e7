//! What a WebSocket client may subscribe to: caps per connection and per token, and the terminal's symbol list that
//! `subscribe` checks symbols against.
//!
//! Each subscription costs memory in its session and work in every event's delivery (102,400 of them took the
//! gateway from 58 to 260 MB), so a client cannot add them without end; and a stream for a symbol the terminal does
//! not have would never deliver anything, so it is refused at once instead of staying silent.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use metaapi_protocol::{ErrorKind, ErrorObject};
use serde_json::Value;
use tokio::sync::OnceCell;

/// Beyond this many tracked tokens, those without connections are swept when a connection opens.
const SWEEP_TOKENS_AT: usize = 1024;

/// The subscription caps, and how many subscriptions the connections of each token hold together.
pub struct SubscriptionCaps {
    per_connection: usize,
    per_token: usize,
    tokens: Mutex<HashMap<String, Weak<AtomicUsize>>>,
}

impl SubscriptionCaps {
    /// At most `per_connection` subscriptions per connection and `per_token` for all connections of a token.
    pub fn new(per_connection: usize, per_token: usize) -> SubscriptionCaps {
        SubscriptionCaps { per_connection, per_token, tokens: Mutex::new(HashMap::new()) }
    }

    /// The budget a new connection of `token_id` draws on.
    pub fn budget(&self, token_id: &str) -> Budget {
        let mut tokens = self.tokens.lock().unwrap_or_else(|poison| poison.into_inner());
        if tokens.len() >= SWEEP_TOKENS_AT {
            tokens.retain(|_, held| held.strong_count() > 0);
        }
        let held = match tokens.get(token_id).and_then(Weak::upgrade) {
            Some(held) => held,
            None => {
                let held = Arc::new(AtomicUsize::new(0));
                tokens.insert(token_id.to_owned(), Arc::downgrade(&held));
                held
            }
        };
        Budget { held, per_connection: self.per_connection, per_token: self.per_token }
    }
}

/// One connection's share of its token's subscription cap.
pub struct Budget {
    held: Arc<AtomicUsize>,
    per_connection: usize,
    per_token: usize,
}

impl Budget {
    /// Takes `adding` more subscriptions for a connection holding `connection_holds`, or refuses all of them with
    /// `payload_too_large` naming the cap.
    pub fn reserve(&self, connection_holds: usize, adding: usize) -> Result<(), ErrorObject> {
        if connection_holds + adding > self.per_connection {
            return Err(ErrorObject::new(
                ErrorKind::PayloadTooLarge,
                format!(
                    "a connection holds at most {} subscriptions; this one has {connection_holds} and asked for \
                     {adding} more (unsubscribe first)",
                    self.per_connection
                ),
            ));
        }
        let reserved = self.held.fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
            held.checked_add(adding).filter(|total| *total <= self.per_token)
        });
        match reserved {
            Ok(_) => Ok(()),
            Err(held) => Err(ErrorObject::new(
                ErrorKind::PayloadTooLarge,
                format!(
                    "the connections of one token hold at most {} subscriptions together; they have {held} and \
                     this call asked for {adding} more (unsubscribe first)",
                    self.per_token
                ),
            )),
        }
    }

    /// Gives back `count` subscriptions (unsubscribed, or their connection closed).
    pub fn release(&self, count: usize) {
        self.held.fetch_sub(count, Ordering::AcqRel);
    }
}

/// How long a terminal's symbol list is trusted: brokers add symbols rarely, and a new link fetches it again.
const SYMBOLS_TTL: Duration = Duration::from_secs(300);

/// Pages of `get_symbols` read at most; far more than any broker's symbol count needs.
const MAX_SYMBOL_PAGES: usize = 100;

struct Symbols {
    generation: u64,
    fetched_at: Instant,
    names: OnceCell<Arc<HashSet<String>>>,
}

/// The symbol names of each linked terminal, fetched once per link (shared by concurrent `subscribe` calls) and
/// kept for a few minutes.
#[derive(Default)]
pub struct SymbolCache {
    terminals: Mutex<HashMap<String, Arc<Symbols>>>,
}

impl SymbolCache {
    /// The symbol names of the terminal linked for `token_id` as link `generation`; `fetch` reads one page of
    /// `get_symbols` (the first for `None`, else from that offset).
    pub async fn names<F, Fut>(
        &self,
        token_id: &str,
        generation: u64,
        fetch: F,
    ) -> Result<Arc<HashSet<String>>, ErrorObject>
    where
        F: FnMut(Option<u64>) -> Fut,
        Fut: Future<Output = Result<Value, ErrorObject>>,
    {
        let entry = {
            let mut terminals = self.terminals.lock().unwrap_or_else(|poison| poison.into_inner());
            terminals.retain(|_, symbols| symbols.fetched_at.elapsed() < SYMBOLS_TTL);
            let current = terminals.get(token_id).filter(|symbols| symbols.generation == generation).cloned();
            current.unwrap_or_else(|| {
                let symbols = Arc::new(Symbols { generation, fetched_at: Instant::now(), names: OnceCell::new() });
                terminals.insert(token_id.to_owned(), symbols.clone());
                symbols
            })
        };
        // A failed fetch leaves the cell empty, so the next call tries again.
        entry.names.get_or_try_init(|| read_all(fetch)).await.cloned()
    }
}

async fn read_all<F, Fut>(mut fetch: F) -> Result<Arc<HashSet<String>>, ErrorObject>
where
    F: FnMut(Option<u64>) -> Fut,
    Fut: Future<Output = Result<Value, ErrorObject>>,
{
    let mut names = HashSet::new();
    let mut offset = None;
    for _ in 0..MAX_SYMBOL_PAGES {
        let page = fetch(offset).await?;
        let symbols = page.get("symbols").and_then(Value::as_array).ok_or_else(|| {
            ErrorObject::new(ErrorKind::InvalidTerminalReply, "the terminal's symbol list has no symbols array")
        })?;
        names.extend(symbols.iter().filter_map(|symbol| symbol.get("name")?.as_str().map(str::to_owned)));
        // A long list comes in pages; a terminal that does not page says nothing more.
        match (page.get("has_more").and_then(Value::as_bool), page.get("next_offset").and_then(Value::as_u64)) {
            (Some(true), Some(next)) => offset = Some(next),
            _ => break,
        }
    }
    Ok(Arc::new(names))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn caps_hold_per_connection_and_per_token() {
        let caps = SubscriptionCaps::new(3, 4);
        let first = caps.budget("token");
        let second = caps.budget("token");
        let other = caps.budget("other");
        assert_eq!(first.reserve(0, 4).unwrap_err().kind(), ErrorKind::PayloadTooLarge);
        first.reserve(0, 3).unwrap();
        assert_eq!(second.reserve(0, 2).unwrap_err().kind(), ErrorKind::PayloadTooLarge, "over the token's cap");
        second.reserve(0, 1).unwrap();
        other.reserve(0, 3).unwrap();
        first.release(2);
        second.reserve(1, 2).unwrap();
        assert_eq!(caps.budget("token").held.load(Ordering::Acquire), 4, "a new connection shares the token's count");
        drop((first, second));
        assert_eq!(caps.budget("token").held.load(Ordering::Acquire), 0, "a token without connections starts afresh");
    }

    #[tokio::test]
    async fn symbol_lists_are_read_page_by_page_once_per_link() {
        let cache = SymbolCache::default();
        let mut fetched = Vec::new();
        let names = cache
            .names("token", 1, |offset| {
                fetched.push(offset);
                let page = match offset {
                    None => json!({ "symbols": [{ "name": "EURUSD" }], "has_more": true, "next_offset": 1 }),
                    Some(_) => json!({ "symbols": [{ "name": "XAUUSD" }], "has_more": false }),
                };
                async move { Ok(page) }
            })
            .await
            .unwrap();
        assert_eq!(fetched, [None, Some(1)]);
        assert!(names.contains("EURUSD") && names.contains("XAUUSD"));
        let again = cache.names("token", 1, |_| async { Ok(json!({ "symbols": [] })) }).await.unwrap();
        assert!(again.contains("EURUSD"), "fetched again for the same link");
        let relinked = cache.names("token", 2, |_| async { Ok(json!({ "symbols": [] })) }).await.unwrap();
        assert!(relinked.is_empty(), "a new link is asked again");
        let broken = cache.names("broken", 1, |_| async { Ok(json!({ "nothing": true })) }).await.unwrap_err();
        assert_eq!(broken.kind(), ErrorKind::InvalidTerminalReply);
    }
}
