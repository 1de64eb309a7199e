//! The invariants, checked against the simulator's request log, and the table.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::time::Duration;

use crate::chaos::{Run, Traded};
use crate::protocol::DEADLINE;

/// How far past its deadline a call may end: the last attempt's own timeout is cut to the
/// deadline, so only scheduling is left.
const MARGIN: Duration = Duration::from_millis(1500);

pub struct Report {
    /// (who: a language or `all`, invariant, holds, detail)
    pub checks: Vec<(String, String, bool, String)>,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|(_, _, ok, _)| !ok)
    }

    pub fn table(&self, run: &Run) -> String {
        let mut out = String::new();
        let calls: usize = run.languages.values().map(|t| t.calls.len()).sum();
        let ok: usize =
            run.languages.values().map(|t| t.calls.iter().filter(|c| c.error.is_none()).count()).sum();
        let languages: Vec<_> = run.languages.keys().map(|l| l.name()).collect();
        let _ = writeln!(
            out,
            "soak: {} clients ({}) for {} s, {calls} calls ({ok} answered), {} requests served",
            run.clients,
            languages.join(", "),
            run.duration.as_secs(),
            run.served.len()
        );
        let mut by_outcome: BTreeMap<(&str, &str), BTreeMap<&str, usize>> = BTreeMap::new();
        for (language, traded) in &run.languages {
            for c in &traded.calls {
                let key = (c.op.as_str(), c.error.as_deref().unwrap_or("ok"));
                *by_outcome.entry(key).or_default().entry(language.name()).or_default() += 1;
            }
        }
        let _ = writeln!(
            out,
            "\n| operation | outcome | {} |\n| --- | --- |{}",
            languages.join(" | "),
            " --- |".repeat(languages.len())
        );
        for ((op, outcome), counts) in &by_outcome {
            let counts: Vec<_> =
                languages.iter().map(|l| counts.get(l).copied().unwrap_or(0).to_string()).collect();
            let _ = writeln!(out, "| {op} | {outcome} | {} |", counts.join(" | "));
        }
        let _ = writeln!(out, "\n| fault | injected |\n| --- | --- |");
        for (kind, n) in &run.faults {
            let _ = writeln!(out, "| {kind} | {n} |");
        }
        let _ = writeln!(out, "\n| clients | invariant | holds | detail |\n| --- | --- | --- | --- |");
        for (who, name, holds, detail) in &self.checks {
            let _ = writeln!(out, "| {who} | {name} | {} | {detail} |", if *holds { "yes" } else { "NO" });
        }
        let _ = writeln!(
            out,
            "\n| clients | RSS at start | RSS at end | FDs at start | FDs at end |\n| --- | --- | --- | --- | --- |"
        );
        for (language, traded) in &run.languages {
            if let (Some(a), Some(b)) = (traded.usage.first(), traded.usage.last()) {
                let _ = writeln!(
                    out,
                    "| {} | {} KiB | {} KiB | {} | {} |",
                    language.name(),
                    a.rss_kib,
                    b.rss_kib,
                    a.fds,
                    b.fds
                );
            }
        }
        out
    }
}

pub fn check(run: &Run) -> Report {
    let mut checks = Vec::new();
    // How often each POST's key was acted on: answered 2xx (a handler ran and said so).
    let mut acted: HashMap<&str, usize> = HashMap::new();
    for s in &run.served {
        if let Some(key) = &s.idempotency_key
            && s.status.is_some_and(|st| (200..300).contains(&st))
        {
            *acted.entry(key.as_str()).or_default() += 1;
        }
    }
    for (language, traded) in &run.languages {
        for (name, holds, detail) in check_language(traded, &acted, run.duration) {
            checks.push((language.name().to_owned(), name, holds, detail));
        }
    }
    let logins = run
        .served
        .iter()
        .filter(|s| s.operation == "verify_signature" && s.status.is_some_and(|st| st < 300))
        .count();
    let revoked = run.faults.get("token revoked (401)").copied().unwrap_or(0);
    // One per client, again after the restart (the new simulator knows no token), one per
    // token revoked, and one more for each login the server made but whose answer was lost;
    // the simulator's tokens last a day.
    let allowed = run.clients * (1 + run.restarts) + revoked + run.logins_lost + run.clients;
    checks.push((
        "all".into(),
        "logins stay bounded".into(),
        logins <= allowed,
        format!("{logins} logins, at most {allowed}"),
    ));
    Report { checks }
}

fn check_language(
    traded: &Traded,
    acted: &HashMap<&str, usize>,
    duration: Duration,
) -> Vec<(String, bool, String)> {
    let mut checks = Vec::new();
    let posts: Vec<_> = traded.calls.iter().filter(|c| c.key.is_some()).collect();
    let times =
        |c: &&crate::protocol::Call| acted.get(c.key.as_deref().unwrap_or_default()).copied().unwrap_or(0);
    // Answered 2xx: done, whether or not its body could be read (a DecodeError says so).
    let done = |c: &&&crate::protocol::Call| matches!(c.error.as_deref(), None | Some("DecodeError"));
    let done: Vec<_> = posts.iter().filter(done).collect();
    let wrong_done = done.iter().filter(|c| times(c) != 1).count();
    checks.push((
        "every POST reported done was acted on exactly once".into(),
        wrong_done == 0,
        format!("{} done, {wrong_done} not once", done.len()),
    ));
    let unknown: Vec<_> =
        posts.iter().filter(|c| c.error.as_deref() == Some("OutcomeUnknownError")).collect();
    let twice = unknown.iter().filter(|c| times(c) > 1).count();
    checks.push((
        "every POST reported OutcomeUnknown was acted on at most once".into(),
        twice == 0,
        format!("{} unknown, {twice} acted on twice", unknown.len()),
    ));
    let refused: Vec<_> = posts
        .iter()
        .filter(|c| !matches!(c.error.as_deref(), None | Some("DecodeError") | Some("OutcomeUnknownError")))
        .collect();
    let acted_refused = refused.iter().filter(|c| times(c) > 0).count();
    checks.push((
        "no POST reported refused or unsent was acted on".into(),
        acted_refused == 0,
        format!("{} refused or unsent, {acted_refused} acted on", refused.len()),
    ));
    let slowest = traded.calls.iter().map(|c| c.ms).fold(0.0, f64::max);
    let limit = (DEADLINE + MARGIN).as_secs_f64() * 1000.0;
    checks.push((
        format!(
            "no call outlived its deadline ({} s) by more than {} ms",
            DEADLINE.as_secs(),
            MARGIN.as_millis()
        ),
        slowest <= limit,
        format!("slowest {slowest:.0} ms"),
    ));
    // A trader that did nothing would pass everything else.
    let done_posts = done.len();
    checks.push((
        "it traded: 100 calls or more, and a POST done".into(),
        traded.calls.len() >= 100 && done_posts > 0,
        format!("{} calls, {done_posts} POSTs done", traded.calls.len()),
    ));
    let bugs: Vec<_> = traded.calls.iter().filter(|c| c.is_bug()).collect();
    let first =
        bugs.first().and_then(|c| c.error.clone()).map(|e| format!(" (first: {e})")).unwrap_or_default();
    checks.push((
        "no panic, no InternalError, no error not the SDK's".into(),
        bugs.is_empty(),
        format!("{}{first}", bugs.len()),
    ));
    // The first half warms pools, caches and the runtimes' own heaps, and the restart at half
    // time drops every connection: flat means flat from a little after it.
    let from = duration * 3 / 5;
    let second: Vec<_> = traded.usage.iter().filter(|s| s.at >= from).collect();
    if let (Some(mid), Some(rss), Some(fds)) =
        (second.first(), second.iter().map(|s| s.rss_kib).max(), second.iter().map(|s| s.fds).max())
    {
        let rss_cap = mid.rss_kib + mid.rss_kib / 4 + 8 * 1024;
        checks.push((
            "resident memory flat over the last 40%".into(),
            rss <= rss_cap,
            format!("{} KiB at 60%, at most {rss} KiB after (cap {rss_cap})", mid.rss_kib),
        ));
        checks.push((
            "open file descriptors flat over the last 40%".into(),
            fds <= mid.fds + 16,
            format!("{} at 60%, at most {fds} after", mid.fds),
        ));
    }
    checks
}
