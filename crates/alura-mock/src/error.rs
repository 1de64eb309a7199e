//! Errors answered the way NestJS answers them.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An HTTP error with the body NestJS's exception filter writes:
/// `{"statusCode", "message": string | string[], "error"}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: Value::String(message.into()) }
    }

    /// class-validator's answer: every failed rule, as a list.
    pub fn validation(messages: Vec<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, message: json!(messages) }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// Passport's 401, whatever was wrong with the token.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized")
    }

    /// The guard's 403 for someone else's resource.
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden resource")
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    pub fn body(&self) -> Value {
        // NestJS omits `error` for a bare UnauthorizedException; it names the status otherwise.
        let mut body = json!({"statusCode": self.status.as_u16(), "message": self.message});
        if self.message != "Unauthorized" {
            body["error"] = json!(self.status.canonical_reason().unwrap_or("Error"));
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
