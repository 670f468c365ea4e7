//! The console scenario's printed table and its `BENCHMARKS.md` section, kept between marks so that a rewrite of the
//! rest of the file keeps it.

use std::time::Duration;

use super::Outcome;

/// Marks around this scenario's section of `BENCHMARKS.md`.
const SECTION_START: &str = "<!-- console-load:start -->";
const SECTION_END: &str = "<!-- console-load:end -->";

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// The median and the worst of the revocations' times.
fn median_and_worst(mut times: Vec<Duration>) -> String {
    if times.is_empty() {
        return "-".to_owned();
    }
    times.sort();
    format!("{} / {}", ms(times[times.len() / 2]), ms(times[times.len() - 1]))
}

/// The printed table and the markdown section's rows.
fn rows(outcomes: &[Outcome]) -> Vec<[String; 9]> {
    outcomes
        .iter()
        .map(|outcome| match outcome {
            Ok(result) => {
                let plan = result.plan;
                let offered = plan.gateways as f64 / plan.verify_every.as_secs_f64();
                let to_all = median_and_worst(result.fanout.iter().map(|(all, _)| *all).collect());
                let to_b = median_and_worst(result.fanout.iter().filter_map(|(_, b)| *b).collect());
                let memory = result
                    .memory_kb
                    .iter()
                    .map(|(before, after, peak)| {
                        format!("{:.1} / {:.1} / {:.1} MiB", mib(*before), mib(*after), mib(*peak))
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                [
                    format!(
                        "{}, {} replica{}",
                        result.backend,
                        result.replicas,
                        if result.replicas == 1 { "" } else { "s" }
                    ),
                    format!("{} gateways, {} tokens", plan.gateways, plan.tokens),
                    format!("{offered:.0}/s for {:?}", plan.duration),
                    format!("{:.0}/s ({} failed)", result.per_second(), result.failed),
                    format!(
                        "{} / {}",
                        ms(Duration::from_micros(result.latency.value_at_quantile(0.5))),
                        ms(Duration::from_micros(result.latency.value_at_quantile(0.99)))
                    ),
                    format!("{to_all} ({} missed)", result.missed),
                    if result.replicas > 1 { to_b } else { "-".to_owned() },
                    memory,
                    format!("{}", result.fanout.len()),
                ]
            }
            Err(why) => {
                let mut row: [String; 9] = Default::default();
                row[0] = "PostgreSQL, 2 replicas".to_owned();
                row[1] = why.clone();
                row
            }
        })
        .collect()
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

const HEADERS: [&str; 9] = [
    "backend",
    "load",
    "offered verifications",
    "verified",
    "verify p50 / p99",
    "revocation on A to the last gateway (median / worst)",
    "to the last gateway on B",
    "replica RSS attached / after load / peak",
    "revocations",
];

/// The plain table printed after a run.
pub fn table(outcomes: &[Outcome]) -> String {
    let mut out = String::from("console at scale:\n");
    for row in rows(outcomes) {
        for (header, cell) in HEADERS.iter().zip(row.iter()) {
            if !cell.is_empty() {
                out.push_str(&format!("  {header}: {cell}\n"));
            }
        }
        out.push('\n');
    }
    out
}

/// This scenario's section of `BENCHMARKS.md`, between its marks.
pub fn markdown(outcomes: &[Outcome], machine: &str, date: &str, command: &str) -> String {
    let mut out = format!("{SECTION_START}\n## Console at scale\n\n");
    out.push_str(&format!("Measured {date} on {machine} with `{command}`.\n"));
    out.push_str(
        "Simulated gateways (one keep-alive verify connection and one push WebSocket each, not gateway processes) \
         against console replicas in child processes; gateway *i* uses replica *i* mod *replicas*.\n",
    );
    out.push_str(
        "Each gateway verifies its tokens in turn at a steady pace; latency is from sending the request to reading \
         the `allowed` verdict.\n",
    );
    out.push_str(
        "Fan-out is from sending `DELETE /api/v1/tokens/{id}` to replica A until the last gateway's push channel \
         delivered the revocation, one revocation at a time with no verification load.\n",
    );
    out.push_str("PostgreSQL ran as console/tests/with-postgres.sh starts it (local, `fsync=off`).\n\n");
    out.push_str(&format!("| {} |\n", HEADERS.join(" | ")));
    out.push_str(&format!("|{}\n", " --- |".repeat(HEADERS.len())));
    for row in rows(outcomes) {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out.push_str(&format!("\n{SECTION_END}\n"));
    out
}

/// `text` with this scenario's section replaced by `section`, or with `section` appended when it has none.
pub fn with_section(text: &str, section: &str) -> String {
    match (text.find(SECTION_START), text.find(SECTION_END)) {
        (Some(start), Some(end)) if end > start => {
            let end = end + SECTION_END.len();
            let end = if text[end..].starts_with('\n') { end + 1 } else { end };
            format!("{}{section}{}", &text[..start], &text[end..])
        }
        _ => {
            let separator = if text.is_empty() || text.ends_with("\n\n") {
                ""
            } else if text.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            format!("{text}{separator}{section}")
        }
    }
}

/// This scenario's section of `text`, if it has one (so a rewrite of the rest of the file can keep it).
pub fn section_of(text: &str) -> Option<&str> {
    let start = text.find(SECTION_START)?;
    let end = text[start..].find(SECTION_END)? + start + SECTION_END.len();
    let end = if text[end..].starts_with('\n') { end + 1 } else { end };
    Some(&text[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_replaced_in_place_and_appended_when_missing() {
        let section = format!("{SECTION_START}\nnew\n{SECTION_END}\n");
        let appended = with_section("# Benchmarks\n\nrows\n", &section);
        assert_eq!(appended, format!("# Benchmarks\n\nrows\n\n{section}"));
        let old = format!("# Benchmarks\n\n{SECTION_START}\nold\n{SECTION_END}\n\n## Later\n");
        assert_eq!(with_section(&old, &section), format!("# Benchmarks\n\n{section}\n## Later\n"));
        assert_eq!(section_of(&old), Some(format!("{SECTION_START}\nold\n{SECTION_END}\n").as_str()));
        assert_eq!(section_of("# Benchmarks\n"), None);
    }
}
