//! Who is signed in: the open challenges and the bearer tokens, and the extractor that turns a
//! request's token into its user. The login routes that fill them are `api/login.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use alloy_primitives::Address;
use axum::extract::FromRequestParts;

use axum::http::request::Parts;

use crate::Shared;
use crate::error::ApiError;

/// How long a challenge may be answered.
pub const NONCE_TTL_MS: i64 = 5 * 60 * 1000;

pub(crate) struct Challenge {
    pub(crate) message: String,
    pub(crate) expires_at: i64,
}

#[derive(Default)]
pub struct AuthStore {
    /// The one open challenge per address; answering it (rightly or not) uses it up.
    pub(crate) challenges: HashMap<Address, Challenge>,
    /// token -> (user id, expiry in ms)
    pub(crate) tokens: HashMap<String, (String, i64)>,
}

impl AuthStore {
    pub fn revoke(&mut self, token: &str) {
        self.tokens.remove(token);
    }

    fn user_of(&self, token: &str, now: i64) -> Option<String> {
        self.tokens.get(token).filter(|(_, exp)| *exp > now).map(|(user, _)| user.clone())
    }
}

/// The signed-in user of a request; rejects a missing, unknown or expired bearer token with 401.
pub struct AuthUser(pub String);

impl FromRequestParts<Arc<Shared>> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(ApiError::unauthorized)?;
        let user = shared.auth.lock().unwrap().user_of(token, shared.clock.now_ms());
        user.map(AuthUser).ok_or_else(ApiError::unauthorized)
    }
}
