//! The HTTP surface: routes, request ids, the request journal and the 404
//! fallback.
//!
//! The routes are listed once, in [`routes`]: the `/v1` API, the control API
//! under `/_mock/`, and the open routes (health and the OpenAPI documents).

pub mod auth;
pub mod body;
pub mod control;
pub mod error;
pub mod list;
pub mod openapi;
pub mod prints;
pub mod routes;
pub mod schema;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::{Json, Router};
use serde_json::json;

use crate::faults;
use crate::sim::Shared;
use crate::state::log::{request_id, LoggedRequest};
use crate::state::AccountHash;
use error::{ApiFailure, LoggedErrorCode};

/// Builds the router with every route and layer.
pub fn router(shared: Arc<Shared>) -> Router {
    let api = routes::router(routes::API_ROUTES).route_layer(middleware::from_fn_with_state(
        shared.clone(),
        faults::inject,
    ));
    let control = routes::router(routes::CONTROL_ROUTES).route_layer(
        middleware::from_fn_with_state(shared.clone(), control::require_token),
    );

    Router::new()
        .merge(api)
        .merge(control)
        .merge(routes::router(routes::OPEN_ROUTES))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), tag_response))
        .with_state(shared)
}

/// `GET /_mock/health`: 200 once the server accepts requests.
pub async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Any other route: the API's own 404, naming the method and the full path.
async fn not_found(method: Method, uri: Uri) -> ApiFailure {
    ApiFailure::not_found(format!("No such resource exists: {method} {}", uri.path()))
}

static REQUEST_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The account of a request's API key, computed once by [`tag_response`] for
/// the fault layer and the journal.
#[derive(Debug, Clone, Copy)]
pub struct RequestAccount(pub Option<AccountHash>);

/// Gives every response a `request-id` and the mock's version, logs the
/// request at debug level (never its headers, which hold the API key), and
/// records API requests in the journal.
async fn tag_response(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let number = REQUEST_COUNTER.fetch_add(1, Ordering::Relaxed);
    let account = auth::account_of(request.headers());
    request.extensions_mut().insert(RequestAccount(account));

    let mut response = next.run(request).await;

    let status = response.status().as_u16();
    let code = response
        .extensions()
        .get::<LoggedErrorCode>()
        .and_then(|logged| logged.0);
    let request_id = request_id(number);
    match code {
        Some(code) => {
            tracing::debug!(%method, %path, status, %code, %request_id, "request rejected")
        }
        None => tracing::debug!(%method, %path, status, %request_id, "request"),
    }

    if !path.starts_with("/_mock/") {
        let mut state = shared.lock();
        let time_ms = state.clock.now_ms();
        state.journal.push(LoggedRequest {
            method,
            path: path.into_boxed_str(),
            status,
            number,
            account,
            error_code: code,
            time_ms,
        });
    }

    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("request-id", value);
    }
    headers.insert(
        "ip-mock-version",
        HeaderValue::from_static(env!("CARGO_PKG_VERSION")),
    );
    response
}
