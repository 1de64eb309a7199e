//! The invariants, checked against the simulator's own log, and the table.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::time::Duration;

use crate::chaos::{DEADLINE, Run};

/// How far past its deadline a call may end: the last attempt's own timeout is cut to the
/// deadline, so only scheduling is left.
const MARGIN: Duration = Duration::from_millis(1500);

pub struct Report {
    pub checks: Vec<(String, bool, String)>,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|(_, ok, _)| !ok)
    }

    pub fn table(&self, run: &Run) -> String {
        let mut out = String::new();
        let ok = run.calls.iter().filter(|c| c.error.is_none()).count();
        let _ = writeln!(
            out,
            "soak: {} clients for {} s, {} calls ({ok} answered), {} requests served",
            run.clients,
            run.duration.as_secs(),
            run.calls.len(),
            run.served.len()
        );
        let mut by_outcome: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for c in &run.calls {
            *by_outcome.entry((c.operation, c.error.unwrap_or("ok"))).or_default() += 1;
        }
        let _ = writeln!(out, "\n| operation | outcome | calls |\n| --- | --- | --- |");
        for ((op, outcome), n) in &by_outcome {
            let _ = writeln!(out, "| {op} | {outcome} | {n} |");
        }
        let _ = writeln!(out, "\n| fault | injected |\n| --- | --- |");
        for (kind, n) in &run.faults {
            let _ = writeln!(out, "| {kind} | {n} |");
        }
        let _ = writeln!(out, "\n| invariant | holds | detail |\n| --- | --- | --- |");
        for (name, holds, detail) in &self.checks {
            let _ = writeln!(out, "| {name} | {} | {detail} |", if *holds { "yes" } else { "NO" });
        }
        let (first, last) = (run.usage.first(), run.usage.last());
        if let (Some(a), Some(b)) = (first, last) {
            let _ = writeln!(out, "\nRSS {} KiB -> {} KiB, FDs {} -> {}", a.rss_kib, b.rss_kib, a.fds, b.fds);
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
    let posts: Vec<_> = run.calls.iter().filter(|c| c.idempotency_key.is_some()).collect();
    let times = |c: &&crate::trader::Call| {
        acted.get(c.idempotency_key.as_deref().unwrap_or_default()).copied().unwrap_or(0)
    };
    // Answered 2xx: done, whether or not its body could be read (a DecodeError says so).
    let done: Vec<_> = posts.iter().filter(|c| matches!(c.error, None | Some("DecodeError"))).collect();
    let wrong_done = done.iter().filter(|c| times(c) != 1).count();
    checks.push((
        "every POST reported done was acted on exactly once".into(),
        wrong_done == 0,
        format!("{} done, {wrong_done} not once", done.len()),
    ));
    let unknown: Vec<_> = posts.iter().filter(|c| c.error == Some("OutcomeUnknownError")).collect();
    let twice = unknown.iter().filter(|c| times(c) > 1).count();
    checks.push((
        "every POST reported OutcomeUnknown was acted on at most once".into(),
        twice == 0,
        format!("{} unknown, {twice} acted on twice", unknown.len()),
    ));
    let refused: Vec<_> = posts
        .iter()
        .filter(|c| !matches!(c.error, None | Some("DecodeError") | Some("OutcomeUnknownError")))
        .collect();
    let acted_refused = refused.iter().filter(|c| times(c) > 0).count();
    checks.push((
        "no POST reported refused or unsent was acted on".into(),
        acted_refused == 0,
        format!("{} refused or unsent, {acted_refused} acted on", refused.len()),
    ));
    let slowest = run.calls.iter().map(|c| c.elapsed).max().unwrap_or_default();
    checks.push((
        format!(
            "no call outlived its deadline ({} s) by more than {} ms",
            DEADLINE.as_secs(),
            MARGIN.as_millis()
        ),
        slowest <= DEADLINE + MARGIN,
        format!("slowest {} ms", slowest.as_millis()),
    ));
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
        "logins stay bounded".into(),
        logins <= allowed,
        format!("{logins} logins, at most {allowed}"),
    ));
    let internal = run.calls.iter().filter(|c| c.error == Some("InternalError")).count();
    checks.push(("no panic and no InternalError".into(), internal == 0, format!("{internal}")));
    // From a little after half time: the restart at half time reads the simulator's log, and
    // what that allocates is the soak's, not the clients'.
    let from = run.duration * 3 / 5;
    let second: Vec<_> = run.usage.iter().filter(|s| s.at >= from).collect();
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
    Report { checks }
}
