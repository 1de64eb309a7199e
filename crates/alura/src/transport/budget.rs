//! The server's rate limit, kept by the client. A NestJS backend's throttler says where a caller
//! stands on every answer (`X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` in
//! seconds) and answers 429 with `Retry-After` once the window is spent. A client that only learns
//! of the limit when refused sends each refused call again into the same wall; this one spends its
//! budget before each request, so calls wait their turn instead.
//!
//! `@nestjs/throttler` counts per route and per client address, so there is one budget per process
//! for each base URL and operation, drawn from by every client, thread and event loop (whatever
//! wallet it calls as: they share the address). Until an answer says whether there is a limit, one
//! request goes alone and the others wait for its answer, or for as long as one request may take;
//! a server that sends no such headers is not paced at all (but a 429's `Retry-After` still holds
//! that operation's calls back). Values no throttler sends (a reset an hour or more away, a limit
//! of 0) are not believed: a budget never holds calls back for longer than [`MAX_HOLD`].

// Numbers here come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderMap;

use crate::errors::Error;
use crate::forks::PerProcess;

/// Past a window's end as the server counts it: its `X-RateLimit-Reset` is rounded up to whole
/// seconds, so this only covers the time an answer takes to arrive.
const SLACK: Duration = Duration::from_millis(50);
/// A spent window whose end no header gave.
const UNSAID_WINDOW: Duration = Duration::from_secs(1);
/// The longest wait a budget believes: past it (`Retry-After: 1e300`, a misconfigured proxy) an
/// answer is not a throttler's window, and a budget that held calls back for it would send
/// nothing again, so nothing could correct it. Such a call gets its own answer instead.
const MAX_HOLD: Duration = Duration::from_secs(3600);

/// Where the caller stands with the server's rate limit ([`crate::Client::rate_limit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// The operation it is for: the throttler counts each route on its own.
    pub operation: String,
    /// Requests a window allows.
    pub limit: u32,
    /// Requests left in this window, counting those this process sent since the last answer.
    pub remaining: u32,
    /// When the window ends, as this clock tells it.
    pub resets_at: SystemTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    /// No answer yet.
    Unseen,
    /// Answers say nothing of a limit.
    Unlimited,
    Limited {
        limit: u32,
    },
}

/// What a call waits for.
enum Waiting {
    /// The window's end, or a 429's pause.
    Sleep(Duration),
    /// The first request's answer, at most this long.
    Probe(Duration),
}

#[derive(Debug)]
struct State {
    known: Known,
    remaining: u32,
    window_ends: Option<Instant>,
    /// A request is out while nothing is known, until then at the latest: the others wait for its
    /// answer, or take its place when it has taken too long (its caller gone, its runtime stopped).
    probing: Option<Instant>,
    /// A 429 without the throttler's headers: nothing is sent before this.
    paused_until: Option<Instant>,
}

pub(crate) struct Budget {
    operation: String,
    state: Mutex<State>,
    /// Told when the probe's answer is in.
    answered: tokio::sync::Notify,
}

impl std::fmt::Debug for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget").field("state", &*self.lock()).finish()
    }
}

/// A request's turn, taken before it is sent and given back once its answer (or its failure) is
/// in: a probe that ends lets the waiting calls go on.
pub(crate) struct Turn<'a> {
    budget: &'a Budget,
    probe: bool,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if self.probe {
            self.budget.lock().probing = None;
            self.budget.answered.notify_waiters();
        }
    }
}

/// This process's budgets, by base URL and operation.
static BUDGETS: PerProcess<Mutex<HashMap<String, Arc<Budget>>>> = PerProcess::new();

impl Budget {
    /// The budget of this process for `operation` at `base_url`, shared by every client that
    /// calls it.
    pub(crate) fn of(base_url: &str, operation: &str) -> Arc<Budget> {
        let budgets = BUDGETS.get(|_| Ok::<_, std::convert::Infallible>(Mutex::default()), drop);
        let Ok(budgets) = budgets;
        let mut budgets = budgets.lock().unwrap_or_else(PoisonError::into_inner);
        let key = format!("{base_url} {operation}");
        if let Some(found) = budgets.get(&key) {
            return found.clone();
        }
        let budget = Arc::new(Budget { operation: operation.to_owned(), ..Budget::default() });
        budgets.insert(key, budget.clone());
        budget
    }

    /// Where the caller stands with the tightest of `base_url`'s budgets.
    pub(crate) fn tightest(base_url: &str) -> Option<RateLimit> {
        let budgets = BUDGETS.get(|_| Ok::<_, std::convert::Infallible>(Mutex::default()), drop);
        let Ok(budgets) = budgets;
        let prefix = format!("{base_url} ");
        let budgets = budgets.lock().unwrap_or_else(PoisonError::into_inner);
        budgets
            .iter()
            .filter(|(key, _)| key.starts_with(&prefix))
            .filter_map(|(_, b)| b.snapshot())
            .min_by_key(|r| {
                (u64::from(r.remaining).saturating_mul(1000).checked_div(u64::from(r.limit)), r.remaining)
            })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a turn to send a request, at most `patience`; `Err` with how long the turn is
    /// still away when that is longer (zero: it waited all its patience for a first answer).
    /// `lease`: how long a first request may take before another takes its place.
    pub(crate) async fn take(&self, patience: Duration, lease: Duration) -> Result<Turn<'_>, Duration> {
        let until = Instant::now().checked_add(patience);
        loop {
            let answered = self.answered.notified();
            tokio::pin!(answered);
            answered.as_mut().enable();
            let now = Instant::now();
            let wait = {
                let mut s = self.lock();
                match s.paused_until {
                    Some(at) if at > now => Waiting::Sleep(at.saturating_duration_since(now)),
                    _ => {
                        s.paused_until = None;
                        if s.window_ends.is_some_and(|end| end <= now) {
                            s.window_ends = None;
                            if let Known::Limited { limit } = s.known {
                                s.remaining = limit;
                            }
                        }
                        match s.known {
                            Known::Unlimited => return Ok(Turn { budget: self, probe: false }),
                            Known::Unseen if s.probing.is_none_or(|until| until <= now) => {
                                s.probing = Some(now.checked_add(lease).unwrap_or(now));
                                return Ok(Turn { budget: self, probe: true });
                            }
                            Known::Unseen => Waiting::Probe(
                                s.probing.map_or(lease, |until| until.saturating_duration_since(now)),
                            ),
                            Known::Limited { .. } if s.remaining > 0 => {
                                s.remaining = s.remaining.saturating_sub(1);
                                return Ok(Turn { budget: self, probe: false });
                            }
                            Known::Limited { .. } => {
                                let end = *s
                                    .window_ends
                                    .get_or_insert(now.checked_add(UNSAID_WINDOW).unwrap_or(now));
                                Waiting::Sleep(end.saturating_duration_since(now))
                            }
                        }
                    }
                }
            };
            let left = until.map_or(Duration::MAX, |u| u.saturating_duration_since(now));
            match wait {
                Waiting::Sleep(wait) if wait > left => return Err(wait),
                Waiting::Sleep(wait) => tokio::time::sleep(wait).await,
                // The first request's answer, the end of its lease, or of this call's patience.
                Waiting::Probe(_) if left.is_zero() => return Err(Duration::ZERO),
                Waiting::Probe(lease_left) => {
                    let _ = tokio::time::timeout(left.min(lease_left), answered).await;
                }
            }
        }
    }

    /// What an answer says of the limit.
    pub(crate) fn observe(&self, status: u16, headers: &HeaderMap) {
        let number = |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        let (limit, reset) = (number("x-ratelimit-limit"), number("x-ratelimit-reset"));
        // Unreadable (`-1`, words): nothing left, rather than everything.
        let remaining =
            headers.get("x-ratelimit-remaining").map(|_| number("x-ratelimit-remaining").unwrap_or(0));
        let now = Instant::now();
        let later = |d: Duration| now.checked_add(d).and_then(|t| t.checked_add(SLACK));
        // Seconds until the window ends; as epoch seconds (as some APIs send it), made so.
        let epoch = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let reset = reset
            .map(|r| if r > 1_000_000_000 { r.saturating_sub(epoch) } else { r })
            .map(Duration::from_secs)
            .filter(|r| *r <= MAX_HOLD);
        let mut s = self.lock();
        match limit.map(|l| u32::try_from(l).unwrap_or(u32::MAX)) {
            // A limit of nothing would hold every call back for ever: not a throttler's.
            Some(limit) if limit > 0 => {
                s.known = Known::Limited { limit };
                let remaining = remaining.map_or(limit, |r| u32::try_from(r).unwrap_or(u32::MAX)).min(limit);
                let ends = later(reset.unwrap_or(UNSAID_WINDOW));
                match s.window_ends {
                    // The same window: requests sent since this answer's are not in its count.
                    Some(current) if current > now => {
                        s.remaining = s.remaining.min(remaining);
                        s.window_ends = ends.map_or(Some(current), |e| Some(e.max(current)));
                    }
                    _ => {
                        s.remaining = remaining;
                        s.window_ends = ends;
                    }
                }
            }
            _ if s.known == Known::Unseen && status != 429 => s.known = Known::Unlimited,
            _ => {}
        }
        if status == 429 {
            let wait = match crate::headers::retry_after(headers) {
                Some(wait) if wait > MAX_HOLD => return,
                Some(wait) => wait,
                None => reset.unwrap_or(UNSAID_WINDOW),
            };
            match s.known {
                Known::Limited { .. } => {
                    s.remaining = 0;
                    s.window_ends = later(wait).max(s.window_ends);
                }
                _ => s.paused_until = later(wait).max(s.paused_until),
            }
        }
    }

    /// Where the caller stands, once an answer has said.
    pub(crate) fn snapshot(&self) -> Option<RateLimit> {
        let s = self.lock();
        let Known::Limited { limit } = s.known else { return None };
        let now = Instant::now();
        let (remaining, left) = match s.window_ends {
            Some(end) if end > now => (s.remaining, end.saturating_duration_since(now)),
            _ => (limit, Duration::ZERO),
        };
        Some(RateLimit {
            operation: self.operation.clone(),
            limit,
            remaining,
            resets_at: SystemTime::now().checked_add(left)?,
        })
    }
}

impl crate::Client {
    /// Where this process stands with the server's rate limit at this client's base URL: of the
    /// operations whose answers said, the one with the least left (the throttler counts each
    /// route on its own). `None` until an answer says, and with a server that sends no limit.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        Budget::tightest(self.base_url())
    }
}

/// A ceiling of the user's own (`max_rate`): at most `limit` requests in any `window`, counted
/// over the last `limit` sends (a sliding window, so no burst at a window's edge doubles it).
/// Shared by every client of the process with the same ceiling at the same base URL.
pub(crate) struct Ceiling {
    rate: alura_api::Rate,
    sent: Mutex<std::collections::VecDeque<Instant>>,
}

impl Ceiling {
    pub(crate) fn of(base_url: &str, rate: alura_api::Rate) -> Arc<Ceiling> {
        static CEILINGS: PerProcess<Mutex<HashMap<String, Arc<Ceiling>>>> = PerProcess::new();
        let ceilings = CEILINGS.get(|_| Ok::<_, std::convert::Infallible>(Mutex::default()), drop);
        let Ok(ceilings) = ceilings;
        let key = format!("{base_url} {}/{}ms", rate.limit, rate.window.as_millis());
        let mut ceilings = ceilings.lock().unwrap_or_else(PoisonError::into_inner);
        ceilings.entry(key).or_insert_with(|| Arc::new(Ceiling { rate, sent: Mutex::default() })).clone()
    }

    /// Waits until a request may go, at most `patience`; `Err` with how long that still is.
    pub(crate) async fn take(&self, patience: Duration) -> Result<(), Duration> {
        let until = Instant::now().checked_add(patience);
        loop {
            let now = Instant::now();
            let wait = {
                let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
                // Past the window by a little: requests reach the server a few ms apart from how
                // they left, and the server counts arrivals.
                let window = self.rate.window.saturating_add(SLACK);
                while sent.front().is_some_and(|t| now.saturating_duration_since(*t) >= window) {
                    sent.pop_front();
                }
                if sent.len() < usize::try_from(self.rate.limit).unwrap_or(usize::MAX) {
                    sent.push_back(now);
                    return Ok(());
                }
                let oldest = sent.front().copied().unwrap_or(now);
                window.saturating_sub(now.saturating_duration_since(oldest))
            };
            let left = until.map_or(Duration::MAX, |u| u.saturating_duration_since(now));
            if wait > left {
                return Err(wait);
            }
            tokio::time::sleep(wait).await;
        }
    }
}

/// The error of a call whose turn is further away than its deadline: refused before it is sent.
/// One that waited all its time for a first answer ran out of time.
pub(crate) fn spent(wait: Duration, elapsed: Duration) -> Error {
    if wait.is_zero() {
        return Error::Timeout { elapsed, call: Box::default() };
    }
    Error::RateLimited {
        retry_after: Some(wait),
        messages: vec![format!(
            "not sent: the server's rate limit is spent, and this call's turn ({} ms away) comes after its deadline",
            wait.as_millis()
        )],
        call: Box::default(),
    }
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            operation: String::new(),
            state: Mutex::new(State {
                known: Known::Unseen,
                remaining: 0,
                window_ends: None,
                probing: None,
                paused_until: None,
            }),
            answered: tokio::sync::Notify::new(),
        }
    }
}
