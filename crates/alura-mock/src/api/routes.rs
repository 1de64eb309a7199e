//! Routes by operation id. The path and method of each come from the generated operation
//! table; its answer from a hand-written handler where the simulator keeps state, or else
//! from the generated example, so an operation added to the spec is served at once.

use std::collections::BTreeMap;
use std::sync::Arc;

use alura_api::Operation;
use alura_api::operations::OPERATIONS;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodFilter, MethodRouter};

use crate::Shared;
use crate::auth::AuthUser;
use crate::generated::examples;

/// A hand-written handler for one operation.
pub(crate) struct Handler {
    id: &'static str,
    route: MethodRouter<Arc<Shared>>,
}

/// `handler` answers the operation `id` (a typo panics when the router is built, in every test).
pub(crate) fn op<H, T>(id: &'static str, handler: H) -> Handler
where
    H: axum::handler::Handler<T, Arc<Shared>>,
    T: 'static,
{
    let operation = alura_api::find(id).unwrap_or_else(|| panic!("a handler for {id}, which the spec lacks"));
    Handler { id, route: routing::on(filter(operation), handler) }
}

/// The operations that keep their handlers when `examples_only`: without a real login, no
/// authenticated example could be reached.
const LOGIN: [&str; 2] = ["request_challenge", "verify_signature"];

/// Every operation of the table, each by its handler, or by its example where it has none or
/// when `examples_only`.
pub(crate) fn api(handlers: Vec<Handler>, examples_only: bool) -> Router<Arc<Shared>> {
    let mut by_id = BTreeMap::new();
    for h in handlers {
        assert!(by_id.insert(h.id, h.route).is_none(), "two handlers for {}", h.id);
    }
    let mut router = Router::new();
    for operation in OPERATIONS {
        let hand = by_id.remove(operation.id).filter(|_| !examples_only || LOGIN.contains(&operation.id));
        router = router.route(operation.path, hand.unwrap_or_else(|| example(operation)));
    }
    assert!(by_id.is_empty(), "handlers for operations the table lacks: {:?}", by_id.keys());
    router
}

/// The generated answer of `operation`, behind the same login check as its handler would be.
fn example(operation: &'static Operation) -> MethodRouter<Arc<Shared>> {
    let (status, body) = examples::example(operation.id)
        .unwrap_or_else(|| panic!("no generated example for {}; run `cargo xtask gen`", operation.id));
    let status = StatusCode::from_u16(status).expect("the table holds 2xx statuses");
    let answer = move || async move {
        let response: Response = if body.is_empty() {
            status.into_response()
        } else {
            (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response()
        };
        response
    };
    if operation.authenticated {
        routing::on(filter(operation), move |_: AuthUser| answer())
    } else {
        routing::on(filter(operation), answer)
    }
}

fn filter(operation: &Operation) -> MethodFilter {
    match operation.method {
        "GET" => MethodFilter::GET,
        "POST" => MethodFilter::POST,
        "PUT" => MethodFilter::PUT,
        "PATCH" => MethodFilter::PATCH,
        "DELETE" => MethodFilter::DELETE,
        other => panic!("{}: the simulator cannot serve method {other}", operation.id),
    }
}
