//! Endpoints the spec does not have (yet): the real server may have more than our spec, and a
//! user must not wait for a release to reach them. Same login, retry, limits and errors.

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::Client;
use crate::errors::{Error, Result};

/// The answer of [`Client::request`], as it came.
#[derive(Clone)]
pub struct RawResponse {
    /// The HTTP status (always 2xx: other statuses are errors).
    pub status: u16,
    /// The answer's headers.
    pub headers: HeaderMap,
    /// The body, read whole within the client's size limit.
    pub body: Bytes,
}

impl RawResponse {
    /// The body as JSON; `null` for an empty body.
    pub fn json(&self) -> Result<Value> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&self.body).map_err(|e| Error::decode(format!("the body is not JSON: {e}")))
    }
}

impl std::fmt::Debug for RawResponse {
    // A body may hold a token: only its size is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse").field("status", &self.status).field("body", &self.body.len()).finish()
    }
}

/// What [`Client::request`] sends.
#[derive(Debug, Clone, Default)]
pub struct RawRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Relative to the base URL, e.g. `/user/rewards`.
    pub path: String,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// A JSON body.
    pub body: Option<Value>,
    /// Send the bearer token (logging in first when needed).
    pub authenticated: bool,
}

impl Client {
    /// Calls `request.path` on the API's host with the client's login, retries, limits and
    /// errors, for an endpoint the spec does not have yet.
    ///
    /// ```no_run
    /// # async fn run(client: alura::Client) -> alura::Result<()> {
    /// let req = alura::RawRequest { method: "GET".into(), path: "/user/rewards".into(), authenticated: true, ..Default::default() };
    /// let rewards = client.request(req).await?.json()?;
    /// # Ok(()) }
    /// ```
    pub async fn request(&self, request: RawRequest) -> Result<RawResponse> {
        let method = Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| Error::invalid(format!("{:?} is not an HTTP method", request.method)))?;
        let path = &request.path;
        let lower = path.to_ascii_lowercase();
        if !path.starts_with('/')
            || path.starts_with("//")
            || path.contains('\\')
            || lower.contains("%2e")
            || lower.contains("%2f")
            || path.split('/').any(|s| s == "." || s == "..")
        {
            return Err(Error::invalid(format!(
                "the path must start with / and have no . or .. segment, not {path:?}"
            )));
        }
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.base_url()))
            .map_err(|e| Error::invalid(format!("{path:?} does not make a URL: {e}")))?;
        let base = reqwest::Url::parse(self.base_url()).map_err(|e| Error::invalid(e.to_string()))?;
        let base_path = base.path().trim_end_matches('/');
        if url.origin() != base.origin() || !url.path().starts_with(&format!("{base_path}/")) {
            return Err(Error::invalid(format!("{path:?} leaves the API's base URL")));
        }
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        let mut built = reqwest::Request::new(method, url);
        built
            .headers_mut()
            .insert(reqwest::header::ACCEPT, "application/json".parse().expect("a valid value"));
        if let Some(body) = &request.body {
            let bytes = serde_json::to_vec(body).map_err(|e| Error::invalid(e.to_string()))?;
            built
                .headers_mut()
                .insert(reqwest::header::CONTENT_TYPE, "application/json".parse().expect("a valid value"));
            *built.body_mut() = Some(bytes.into());
        }
        let response = self.transport().run(built, "request", None, request.authenticated).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(Error::network)?;
        Ok(RawResponse { status, headers, body })
    }
}
