//! The HTTP surface: routes, request ids, the request journal and the 404
//! fallback.
//!
//! | route | handler |
//! |---|---|
//! | `POST /v1/prints` | [`prints::create`] |
//! | `GET /v1/prints` | [`prints::list`] |
//! | `GET /v1/prints/{id}` | [`prints::retrieve`] |
//! | `POST /v1/prints/{id}` | [`prints::update`] |
//! | `DELETE /v1/prints/{id}` | [`prints::delete`] |
//! | `GET /_mock/health` | [`health`] |
//! | `/_mock/…` | the control API, in [`control`] |

pub mod auth;
pub mod body;
pub mod control;
pub mod error;
pub mod list;
pub mod prints;
pub mod schema;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::faults;
use crate::sim::Shared;
use crate::state::JournalEntry;
use error::{ApiFailure, LoggedErrorCode};

/// Builds the router with every route and layer.
pub fn router(shared: Arc<Shared>) -> Router {
    // The API routes, behind the fault layer.
    let api = Router::new()
        .route("/v1/prints", post(prints::create).get(prints::list))
        .route(
            "/v1/prints/{id}",
            get(prints::retrieve)
                .post(prints::update)
                .delete(prints::delete),
        )
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            faults::inject,
        ));

    // The control API, behind the optional control token.
    let control = Router::new()
        .route("/_mock/clock", get(control::clock))
        .route("/_mock/clock/advance", post(control::advance_clock))
        .route("/_mock/clock/pause", post(control::pause_clock))
        .route("/_mock/clock/resume", post(control::resume_clock))
        .route("/_mock/clock/speed", post(control::set_speed))
        .route("/_mock/letters/{id}/advance", post(control::advance_letter))
        .route("/_mock/letters/{id}/status", post(control::move_letter))
        .route("/_mock/prints/{id}/advance", post(control::advance_job))
        .route("/_mock/prints/{id}/status", post(control::move_job))
        .route("/_mock/events", get(control::events))
        .route("/_mock/requests", get(control::requests))
        .route("/_mock/reset", post(control::reset))
        .route(
            "/_mock/faults",
            get(control::faults).post(control::set_faults),
        )
        .route(
            "/_mock/webhooks",
            get(control::webhooks).post(control::add_webhook),
        )
        .route(
            "/_mock/webhooks/{id}",
            axum::routing::delete(control::remove_webhook),
        )
        .route("/_mock/webhooks/deliveries", get(control::deliveries))
        .route(
            "/_mock/webhooks/deliveries/{event}/replay",
            post(control::replay),
        )
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            control::require_token,
        ));

    Router::new()
        .merge(api)
        .merge(control)
        .route("/_mock/health", get(health))
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

/// Gives every response a `request-id` and the mock's version, logs the
/// request at debug level (never its headers, which hold the API key), and
/// records API requests in the journal.
async fn tag_response(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let request_id = next_request_id();
    let account = auth::account_of(request.headers());

    let mut response = next.run(request).await;

    let status = response.status().as_u16();
    let code = response
        .extensions()
        .get::<LoggedErrorCode>()
        .and_then(|logged| logged.0);
    match code {
        Some(code) => {
            tracing::debug!(%method, %path, status, %code, %request_id, "request rejected")
        }
        None => tracing::debug!(%method, %path, status, %request_id, "request"),
    }

    if !path.starts_with("/_mock/") {
        let mut state = shared.lock();
        let time_ms = state.clock.now_ms();
        state.journal.push(JournalEntry {
            method: method.to_string(),
            path,
            status,
            request_id: request_id.clone(),
            account,
            error_code: code.map(|code| code.to_string()),
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

/// `req_` and 16 hex digits: a counter scrambled by a SplitMix64 step so ids
/// look unrelated but never repeat within a process.
fn next_request_id() -> String {
    let mut z = REQUEST_COUNTER
        .fetch_add(1, Ordering::Relaxed)
        .wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    format!("req_{z:016x}")
}
