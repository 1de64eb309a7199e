//! The transport under every generated call: input checks, bearer token, retry, re-login.

use std::sync::Arc;
use std::time::{Duration, Instant};

use alura_api::{BoxFuture, OperationInfo};
use bytes::Bytes;
use rand::Rng;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Method, Request, Response, StatusCode};
use serde_json::Value;
use tracing::Instrument;

use crate::auth::{Auth, Token};
use crate::error::{Carrier, Error, Result, describe, messages_of};
use crate::retry::{self, RetryPolicy, SharedSleeper};
use crate::validate;

#[derive(Clone)]
pub(crate) struct Transport {
    pub(crate) policy: RetryPolicy,
    pub(crate) request_timeout: Duration,
    /// The limit the HTTP client applies to every request it sends; `with_timeout` clients
    /// share that client but not its limit.
    pub(crate) http_timeout: Duration,
    pub(crate) sleeper: SharedSleeper,
    /// `None` in the client logins go through.
    pub(crate) auth: Option<Arc<Auth>>,
}

impl alura_api::Transport for Transport {
    fn send<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: Request,
        operation: &'a OperationInfo,
    ) -> BoxFuture<'a, reqwest::Result<Response>> {
        let span =
            tracing::info_span!("alura.call", operation = operation.operation_id, method = %request.method());
        Box::pin(
            async move {
                match self.call(client, request, operation.operation_id).await {
                    Ok(response) => Ok(response),
                    Err(error) => {
                        tracing::debug!(%error, "call failed");
                        Ok(Carrier::new(error).into_response())
                    }
                }
            }
            .instrument(span),
        )
    }
}

fn idempotency_key() -> HeaderValue {
    let b: [u8; 16] = rand::rng().random();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let key = format!("{}-{}-4{}-a{}-{}", &hex[..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32]);
    HeaderValue::from_str(&key).expect("hex and dashes are a valid header value")
}

impl Transport {
    fn auth(&self) -> Result<&Auth> {
        self.auth.as_deref().ok_or_else(|| Error::auth("this client cannot call authenticated operations"))
    }

    /// Sends `request` until it gets an answer to hand back, or fails for good.
    async fn call(
        &self,
        client: &reqwest::Client,
        mut request: Request,
        operation: &str,
    ) -> Result<Response> {
        let op = alura_api::find(operation);
        if let Some(op) = op {
            validate::request(op, &request).map_err(Error::invalid)?;
        }
        if request.method() == Method::POST {
            // One key per call, the same on every attempt, so a server that honours it can
            // tell a retry from a second order.
            request.headers_mut().insert("idempotency-key", idempotency_key());
        }
        let authenticated = op.is_some_and(|op| op.authenticated);
        let idempotent = retry::idempotent(request.method());
        let started = Instant::now();
        let deadline = started + self.policy.deadline;
        let mut token = if authenticated { Some(self.auth()?.token().await?) } else { None };
        let (mut retries, mut relogged) = (0, false);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Timeout { elapsed: started.elapsed() });
            }
            let attempt = self.attempt(&request, token.as_ref(), left)?;
            let span = tracing::debug_span!("alura.attempt", n = retries + 1, status = tracing::field::Empty);
            let outcome = client.execute(attempt).instrument(span.clone()).await;
            let wait = match outcome {
                Ok(response) => {
                    let status = response.status();
                    span.record("status", status.as_u16());
                    if status == StatusCode::UNAUTHORIZED
                        && !relogged
                        && let Some(rejected) = &token
                    {
                        // The token lapsed or was revoked: log in again and replay this once.
                        match self.auth()?.renew(rejected).await? {
                            Some(fresh) => {
                                token = Some(fresh);
                                relogged = true;
                                continue;
                            }
                            None => return Ok(response),
                        }
                    }
                    if !idempotent && matches!(status.as_u16(), 500 | 502 | 503 | 504) {
                        return Err(outcome_unknown_after(operation, response).await);
                    }
                    let retryable =
                        retry::transient(status) && (idempotent || status == StatusCode::TOO_MANY_REQUESTS);
                    if !retryable || retries >= self.policy.max_retries {
                        return Ok(response);
                    }
                    let asked = matches!(status.as_u16(), 429 | 503)
                        .then(|| retry::retry_after(response.headers()))
                        .flatten();
                    let wait = asked.unwrap_or_else(|| self.policy.backoff(retries));
                    if wait >= deadline.saturating_duration_since(Instant::now()) {
                        // Waiting would overrun the deadline: the answer we have is the answer.
                        return Ok(response);
                    }
                    wait
                }
                Err(e) => {
                    // A connect error means nothing reached the server; anything later may have.
                    if !idempotent && !e.is_connect() {
                        let reason = if e.is_timeout() {
                            "no response before the timeout".into()
                        } else {
                            describe(&e)
                        };
                        return Err(Error::OutcomeUnknown {
                            operation: operation.into(),
                            reason,
                            status: None,
                        });
                    }
                    let wait = self.policy.backoff(retries);
                    let out_of_time = wait >= deadline.saturating_duration_since(Instant::now());
                    if retries >= self.policy.max_retries || out_of_time {
                        return Err(if e.is_timeout() {
                            Error::Timeout { elapsed: started.elapsed() }
                        } else {
                            Error::network(e)
                        });
                    }
                    wait
                }
            };
            tracing::debug!(wait_ms = wait.as_millis() as u64, "retrying");
            self.sleeper.0.sleep(wait).await;
            retries += 1;
        }
    }

    /// One attempt: a copy of the request with the current token and the time left.
    fn attempt(&self, request: &Request, token: Option<&Token>, left: Duration) -> Result<Request> {
        // Copied field by field: `Request::try_clone` also builds two extension maps per copy,
        // which the generated requests never use.
        let mut attempt = Request::new(request.method().clone(), request.url().clone());
        *attempt.headers_mut() = request.headers().clone();
        *attempt.version_mut() = request.version();
        if let Some(body) = request.body() {
            let bytes =
                body.as_bytes().ok_or_else(|| Error::invalid("a streamed request body cannot be retried"))?;
            *attempt.body_mut() = Some(Bytes::copy_from_slice(bytes).into());
        }
        // Setting a per-request limit costs an allocation, so it is set only where it differs
        // from the one the HTTP client applies anyway.
        let limit = self.request_timeout.min(left);
        if limit != self.http_timeout {
            *attempt.timeout_mut() = Some(limit);
        }
        if let Some(token) = token {
            attempt.headers_mut().insert(AUTHORIZATION, token.header.clone());
        }
        Ok(attempt)
    }
}

/// A POST answered 5xx: it may have been carried out before the server failed.
async fn outcome_unknown_after(operation: &str, response: Response) -> Error {
    let status = response.status();
    let body: Option<Value> = response.json().await.ok();
    let said = body.as_ref().map(messages_of).unwrap_or_default().join("; ");
    let reason = if said.is_empty() {
        format!("the server answered {status}")
    } else {
        format!("the server answered {status}: {said}")
    };
    Error::OutcomeUnknown { operation: operation.into(), reason, status: Some(status.as_u16()) }
}
