//! The server's rate limit, kept by the client. A NestJS backend's throttler says where a caller
//! stands on every answer (`X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` in
//! seconds) and answers 429 with `Retry-After` once the window is spent. A client that only learns
//! of the limit when refused sends each refused call again into the same wall; this one spends its
//! budget before each request, so calls wait their turn instead.
//!
//! One budget per process for each API host and credentials, so every client, thread and event
//! loop calling as the same user draws from it. Until an answer says whether there is a limit, one
//! request goes alone and the others wait for its answer; a server that sends no such headers is
//! not paced at all (but a 429's `Retry-After` still holds every call back).

// Numbers here come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderMap;

use crate::errors::Error;

/// Past a window's end as the server counts it: its `X-RateLimit-Reset` is rounded up to whole
/// seconds, so this only covers the time an answer takes to arrive.
const SLACK: Duration = Duration::from_millis(50);
/// A spent window whose end no header gave.
const UNSAID_WINDOW: Duration = Duration::from_secs(1);

/// Where the caller stands with the server's rate limit ([`crate::Client::rate_limit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
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

#[derive(Debug)]
struct State {
    known: Known,
    remaining: u32,
    window_ends: Option<Instant>,
    /// A request is out while nothing is known; the others wait for its answer.
    probing: bool,
    /// A 429 without the throttler's headers: nothing is sent before this.
    paused_until: Option<Instant>,
}

pub(crate) struct Budget {
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
            self.budget.lock().probing = false;
            self.budget.answered.notify_waiters();
        }
    }
}

impl Budget {
    /// The budget of this process for `host` and `credentials`, shared by every client that
    /// calls it as them.
    pub(crate) fn shared(host: &str, credentials: &str) -> Arc<Budget> {
        static BUDGETS: Mutex<Option<HashMap<String, Weak<Budget>>>> = Mutex::new(None);
        let key = format!("{host} {credentials}");
        let mut budgets = BUDGETS.lock().unwrap_or_else(PoisonError::into_inner);
        let budgets = budgets.get_or_insert_with(HashMap::new);
        if let Some(found) = budgets.get(&key).and_then(Weak::upgrade) {
            return found;
        }
        budgets.retain(|_, b| b.strong_count() > 0);
        let budget = Arc::new(Budget::default());
        budgets.insert(key, Arc::downgrade(&budget));
        budget
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a turn to send a request, at most `patience`; `Err` with how long the turn is
    /// still away when that is longer.
    pub(crate) async fn take(&self, patience: Duration) -> Result<Turn<'_>, Duration> {
        let until = Instant::now().checked_add(patience);
        loop {
            let answered = self.answered.notified();
            tokio::pin!(answered);
            answered.as_mut().enable();
            let now = Instant::now();
            let wait = {
                let mut s = self.lock();
                match s.paused_until {
                    Some(at) if at > now => Some(at.saturating_duration_since(now)),
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
                            Known::Unseen if !s.probing => {
                                s.probing = true;
                                return Ok(Turn { budget: self, probe: true });
                            }
                            Known::Unseen => None,
                            Known::Limited { .. } if s.remaining > 0 => {
                                s.remaining = s.remaining.saturating_sub(1);
                                return Ok(Turn { budget: self, probe: false });
                            }
                            Known::Limited { .. } => {
                                let end = *s
                                    .window_ends
                                    .get_or_insert(now.checked_add(UNSAID_WINDOW).unwrap_or(now));
                                Some(end.saturating_duration_since(now))
                            }
                        }
                    }
                }
            };
            let left = until.map_or(Duration::MAX, |u| u.saturating_duration_since(now));
            match wait {
                Some(wait) if wait > left => return Err(wait),
                Some(wait) => tokio::time::sleep(wait).await,
                // The probe's answer, or the end of this call's patience.
                None if left.is_zero() => return Err(Duration::ZERO),
                None => {
                    let _ = tokio::time::timeout(left, answered).await;
                }
            }
        }
    }

    /// What an answer says of the limit.
    pub(crate) fn observe(&self, status: u16, headers: &HeaderMap) {
        let number = |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        let (limit, remaining, reset) =
            (number("x-ratelimit-limit"), number("x-ratelimit-remaining"), number("x-ratelimit-reset"));
        let now = Instant::now();
        let later = |d: Duration| now.checked_add(d).and_then(|t| t.checked_add(SLACK));
        let mut s = self.lock();
        if let Some(limit) = limit {
            let limit = u32::try_from(limit).unwrap_or(u32::MAX);
            s.known = Known::Limited { limit };
            let remaining = remaining.map_or(limit, |r| u32::try_from(r).unwrap_or(u32::MAX));
            let ends = reset.map(Duration::from_secs).unwrap_or(UNSAID_WINDOW);
            let ends = later(ends);
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
        } else if s.known == Known::Unseen && status != 429 {
            s.known = Known::Unlimited;
        }
        if status == 429 {
            let wait = crate::headers::retry_after(headers)
                .or(reset.map(Duration::from_secs))
                .unwrap_or(UNSAID_WINDOW);
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
        Some(RateLimit { limit, remaining, resets_at: SystemTime::now().checked_add(left)? })
    }
}

impl crate::Client {
    /// Where this client's user stands with the server's rate limit, shared by every client of
    /// this process calling as them: `None` until an answer says, and with a server that sends
    /// no limit.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.transport().budget.snapshot()
    }
}

/// The error of a call whose turn is further away than its deadline: refused before it is sent.
pub(crate) fn spent(wait: Duration) -> Error {
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
            state: Mutex::new(State {
                known: Known::Unseen,
                remaining: 0,
                window_ends: None,
                probing: false,
                paused_until: None,
            }),
            answered: tokio::sync::Notify::new(),
        }
    }
}
