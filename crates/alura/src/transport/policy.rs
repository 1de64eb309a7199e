//! What to do after each attempt, as a pure function: the transport's loop only carries it out.
//!
//! The rules, in the order they apply:
//! - a 2xx is the answer;
//! - a 401 with a token we have not yet renewed for this call: log in again and replay, once;
//! - a redirect is never followed;
//! - a POST that may have run (a 5xx, a body that broke after the status, a failure after the
//!   request left) is an unknown outcome, never sent again;
//! - a transient failure is retried (idempotent methods on 429/5xx and transport failures, a POST
//!   only on 429 or when the server cannot have acted on it) while retries and time remain, waiting what
//!   `Retry-After` asks on 429/503, else the backoff;
//! - anything else fails with what the answer or the failure says.

use std::time::Duration;

/// What one attempt came to, as far as the next step goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// A whole answer with this status and, on 429/503, the wait it asked for.
    Answer { status: u16, retry_after: Option<Duration> },
    /// The answer's body passed the size limit.
    TooLarge,
    /// The status came, then reading the body failed.
    BodyFailed,
    /// No answer; `unsent` when the server cannot have acted on it (no connection, or an HTTP/2
    /// refusal).
    SendFailed { unsent: bool },
}

/// Where the call stands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    pub(crate) idempotent: bool,
    /// The attempt carried a bearer token.
    pub(crate) has_token: bool,
    /// The token was already renewed once for this call.
    pub(crate) relogged: bool,
    pub(crate) retries: u32,
    pub(crate) max_retries: u32,
    /// Time left before the call's deadline.
    pub(crate) left: Duration,
    /// The backoff this retry would wait (drawn by the caller, so this stays pure).
    pub(crate) backoff: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The answer is the call's result.
    Return,
    /// Log in again and replay the request.
    Relogin,
    /// Wait this long, then try again.
    Retry(Duration),
    /// The call fails, for this reason.
    Fail(Why),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    /// The answer's status decides the error (and its body is kept).
    Status,
    Redirect,
    /// A POST may have run: not sent again.
    OutcomeUnknown,
    TooLarge,
    /// No usable answer: a network error, or a timeout.
    Transport,
}

pub(crate) fn decide(seen: Seen, cx: Context) -> Step {
    let room = |wait: Duration| cx.retries < cx.max_retries && wait < cx.left;
    match seen {
        Seen::Answer { status: 200..=299, .. } => Step::Return,
        Seen::Answer { status: 401, .. } if cx.has_token && !cx.relogged => Step::Relogin,
        Seen::Answer { status: 300..=399, .. } => Step::Fail(Why::Redirect),
        Seen::Answer { status: 500..=599, .. } if !cx.idempotent => Step::Fail(Why::OutcomeUnknown),
        Seen::Answer { status, retry_after } => {
            let transient = matches!(status, 429 | 500 | 502 | 503 | 504);
            if !transient || !(cx.idempotent || status == 429) {
                return Step::Fail(Why::Status);
            }
            let wait = retry_after.filter(|_| matches!(status, 429 | 503)).unwrap_or(cx.backoff);
            // Waiting past the deadline is no use: the answer we have is the answer.
            if room(wait) { Step::Retry(wait) } else { Step::Fail(Why::Status) }
        }
        // The answer came: a POST may have run, whatever its body says.
        Seen::TooLarge if !cx.idempotent => Step::Fail(Why::OutcomeUnknown),
        Seen::TooLarge => Step::Fail(Why::TooLarge),
        Seen::BodyFailed if !cx.idempotent => Step::Fail(Why::OutcomeUnknown),
        Seen::SendFailed { unsent: false } if !cx.idempotent => Step::Fail(Why::OutcomeUnknown),
        Seen::BodyFailed | Seen::SendFailed { .. } => {
            if room(cx.backoff) {
                Step::Retry(cx.backoff)
            } else {
                Step::Fail(Why::Transport)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn get() -> Context {
        Context {
            idempotent: true,
            has_token: true,
            relogged: false,
            retries: 0,
            max_retries: 2,
            left: Duration::from_secs(120),
            backoff: Duration::from_millis(300),
        }
    }

    fn post() -> Context {
        Context { idempotent: false, ..get() }
    }

    fn answer(status: u16) -> Seen {
        Seen::Answer { status, retry_after: None }
    }

    fn asked(status: u16, wait: Duration) -> Seen {
        Seen::Answer { status, retry_after: Some(wait) }
    }

    #[test]
    fn every_outcome_has_one_step() {
        let backoff = Step::Retry(Duration::from_millis(300));
        let spent = Context { retries: 2, ..get() };
        let late = Context { left: Duration::from_millis(100), ..get() };
        let table: &[(&str, Seen, Context, Step)] = &[
            ("a 200 is the answer", answer(200), get(), Step::Return),
            ("a 204 too", answer(204), post(), Step::Return),
            ("a 401 renews the token once", answer(401), get(), Step::Relogin),
            ("a second 401 fails", answer(401), Context { relogged: true, ..get() }, Step::Fail(Why::Status)),
            (
                "a 401 without a token fails",
                answer(401),
                Context { has_token: false, ..get() },
                Step::Fail(Why::Status),
            ),
            ("a redirect is not followed", answer(307), get(), Step::Fail(Why::Redirect)),
            ("a redirect of a POST neither", answer(308), post(), Step::Fail(Why::Redirect)),
            ("a 502 on a GET is retried", answer(502), get(), backoff),
            ("a 502 on a POST may have run", answer(502), post(), Step::Fail(Why::OutcomeUnknown)),
            ("a 503 on a POST too", asked(503, S), post(), Step::Fail(Why::OutcomeUnknown)),
            ("a 503 waits what it asks", asked(503, 2 * S), get(), Step::Retry(2 * S)),
            ("a 502's Retry-After is not a 503's", asked(502, 9 * S), get(), backoff),
            ("a 429 on a POST is retried", asked(429, S), post(), Step::Retry(S)),
            (
                "a 429 asking past the deadline fails",
                asked(429, Duration::MAX),
                get(),
                Step::Fail(Why::Status),
            ),
            ("a backoff past the deadline fails", answer(503), late, Step::Fail(Why::Status)),
            ("no retries left", answer(503), spent, Step::Fail(Why::Status)),
            ("a 400 is final", answer(400), get(), Step::Fail(Why::Status)),
            ("a 404 is final", answer(404), get(), Step::Fail(Why::Status)),
            ("a 501 is not transient", answer(501), get(), Step::Fail(Why::Status)),
            ("an oversized body fails", Seen::TooLarge, get(), Step::Fail(Why::TooLarge)),
            (
                "an oversized answer to a POST may have run",
                Seen::TooLarge,
                post(),
                Step::Fail(Why::OutcomeUnknown),
            ),
            ("a broken body on a GET is retried", Seen::BodyFailed, get(), backoff),
            (
                "a broken body on a POST may have run",
                Seen::BodyFailed,
                post(),
                Step::Fail(Why::OutcomeUnknown),
            ),
            ("no connection: a POST is safe to retry", Seen::SendFailed { unsent: true }, post(), backoff),
            (
                "a POST that left may have run",
                Seen::SendFailed { unsent: false },
                post(),
                Step::Fail(Why::OutcomeUnknown),
            ),
            ("a GET that failed is retried", Seen::SendFailed { unsent: false }, get(), backoff),
            (
                "until the retries run out",
                Seen::SendFailed { unsent: false },
                spent,
                Step::Fail(Why::Transport),
            ),
        ];
        for (case, seen, cx, step) in table {
            assert_eq!(decide(*seen, *cx), *step, "{case}");
        }
    }
}
