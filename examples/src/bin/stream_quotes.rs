//! Streams EURUSD and XAUUSD quotes over `/ws` and stops after `QUOTES` quotes (default 10).

#![forbid(unsafe_code)]

use metaapi_client::protocol::methods::StreamSpec;
use metaapi_client::{Event, StreamItem};

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let client = metaapi_examples::client_from_env()?;
    let wanted: usize = std::env::var("QUOTES").ok().and_then(|count| count.parse().ok()).unwrap_or(10);
    let streams = ["EURUSD", "XAUUSD"].map(|symbol| StreamSpec::Quotes { symbol: symbol.to_owned() }).to_vec();
    let mut stream = client.subscribe(streams).await?;
    let mut received = 0;
    while received < wanted {
        let item = tokio::time::timeout(std::time::Duration::from_secs(30), stream.next())
            .await
            .map_err(|_| anyhow::anyhow!("no quote for 30 s"))?;
        match item {
            Some(StreamItem::Event(event)) => {
                if let Event::Quote(notice) = *event {
                    let quote = notice.data;
                    println!(
                        "#{:<4} {:<7} {:>12} {:>12}  {}",
                        notice.seq, quote.symbol, quote.bid, quote.ask, quote.broker_time
                    );
                    received += 1;
                }
            }
            Some(StreamItem::Gap { expected, received }) => println!("gap: expected seq {expected}, got {received:?}"),
            Some(other) => println!("{other:?}"),
            None => anyhow::bail!("the stream ended"),
        }
    }
    Ok(())
}
