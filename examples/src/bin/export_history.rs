//! Writes the last day of deals to CSV (stdout, or the file named by `OUT`), one page at a time.

#![forbid(unsafe_code)]

use std::io::Write;

use metaapi_client::protocol::methods::HistoryQuery;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let client = metaapi_examples::client_from_env()?;
    let now = client.get_server_time().await?.time;
    let mut out: Box<dyn Write> = match std::env::var("OUT") {
        Ok(path) => Box::new(std::fs::File::create(path)?),
        Err(_) => Box::new(std::io::stdout().lock()),
    };
    writeln!(out, "ticket,time,symbol,type,entry,volume,price,profit,commission,swap,position_id")?;
    let mut offset = 0;
    loop {
        let query =
            HistoryQuery { from: Some(now - 86_400_000), to: Some(now), offset, limit: 500, ..HistoryQuery::default() };
        let page = client.get_history_deals(query).await?;
        for deal in &page.deals {
            writeln!(
                out,
                "{},{},{},{:?},{:?},{},{},{},{},{},{}",
                deal.ticket,
                deal.time,
                deal.symbol,
                deal.deal_type,
                deal.entry,
                deal.volume,
                deal.price,
                deal.profit,
                deal.commission,
                deal.swap,
                deal.position_id.as_deref().unwrap_or("")
            )?;
        }
        offset += page.deals.len() as u32;
        if !page.has_more || page.deals.is_empty() {
            break;
        }
    }
    out.flush()?;
    eprintln!("exported {offset} deals");
    Ok(())
}
