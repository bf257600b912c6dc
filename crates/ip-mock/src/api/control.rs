//! The control API under `/_mock/`: the clock, moving letters and jobs, the
//! event log, the request journal, reset and faults. It is the mock's own
//! surface, never part of `/v1`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ip_status::{ErrorCode, Status};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use super::body;
use super::error::ApiFailure;
use crate::sim::Shared;
use crate::state::{EventFilter, ReturnDetails};
use crate::{ControlError, Faults};

/// The header that carries the control token, as an alternative to
/// `Authorization: Bearer <token>`.
pub const CONTROL_TOKEN_HEADER: &str = "x-control-token";

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let (status, code, reachable) = match &self {
            ControlError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
            ControlError::Conflict { reachable, .. } => (
                StatusCode::CONFLICT,
                "transition_not_allowed",
                Some(reachable.clone()),
            ),
        };
        let mut error = json!({"message": self.to_string(), "type": "invalid_request_error", "code": code, "param": null});
        if let Some(reachable) = reachable {
            error["reachable"] = json!(reachable);
        }
        (status, Json(json!({ "error": error }))).into_response()
    }
}

/// Requires the control token when one is configured.
pub async fn require_token(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(expected) = shared.config.control_token.as_deref() else {
        return next.run(request).await;
    };
    let headers = request.headers();
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    let header = headers
        .get(CONTROL_TOKEN_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::trim);
    if bearer == Some(expected) || header == Some(expected) {
        return next.run(request).await;
    }
    ApiFailure::new(
        ErrorCode::InvalidApiKey,
        format!("The control API needs the control token, sent as 'Authorization: Bearer <token>' or in the {CONTROL_TOKEN_HEADER} header"),
    )
    .into_response()
}

/// Reads an optional JSON body; an empty body gives the type's default.
async fn json_body<T: DeserializeOwned + Default>(
    shared: &Shared,
    body: Body,
) -> Result<T, ApiFailure> {
    let bytes = body::read_body(body, shared.config.body_limit).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(&bytes)
        .map_err(|err| ApiFailure::bad_format(format!("Invalid control request body: {err}")))
}

/// `GET /_mock/clock`
pub async fn clock(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.lock().clock.status()).into_response()
}

/// The body of `POST /_mock/clock/advance`: `{"by": "2h30m"}` or `{"seconds": 9000}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AdvanceBody {
    by: Option<String>,
    seconds: Option<f64>,
}

/// `POST /_mock/clock/advance`: returns once every change that fell due is applied.
pub async fn advance_clock(
    State(shared): State<Arc<Shared>>,
    body: Body,
) -> Result<Response, ApiFailure> {
    let request: AdvanceBody = json_body(&shared, body).await?;
    let span = match (request.by, request.seconds) {
        (Some(text), None) => humantime::parse_duration(&text)
            .map_err(|err| ApiFailure::invalid("by", format!("Invalid duration for by: {text:?} ({err}); use a form such as 90s, 2h or 3days")))?,
        (None, Some(seconds)) if seconds.is_finite() && seconds >= 0.0 => Duration::from_secs_f64(seconds),
        (None, Some(seconds)) => return Err(ApiFailure::invalid("seconds", format!("Invalid value for seconds: {seconds}; expected 0 or more"))),
        (Some(_), Some(_)) => return Err(ApiFailure::invalid("by", "Give either by or seconds, not both")),
        (None, None) => return Err(ApiFailure::missing("by", "Missing required parameter: by (a duration such as 2h) or seconds")),
    };

    let applied = crate::server::advance(&shared, span);
    let clock = shared.lock().clock.status();
    Ok(Json(json!({"clock": clock, "applied": applied})).into_response())
}

/// `POST /_mock/clock/pause`
pub async fn pause_clock(State(shared): State<Arc<Shared>>) -> Response {
    crate::server::set_paused(&shared, true);
    clock(State(shared)).await
}

/// `POST /_mock/clock/resume`
pub async fn resume_clock(State(shared): State<Arc<Shared>>) -> Response {
    crate::server::set_paused(&shared, false);
    clock(State(shared)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SpeedBody {
    speed: Option<f64>,
}

/// `POST /_mock/clock/speed` with `{"speed": N}`, virtual seconds per wall second.
pub async fn set_speed(
    State(shared): State<Arc<Shared>>,
    body: Body,
) -> Result<Response, ApiFailure> {
    let request: SpeedBody = json_body(&shared, body).await?;
    match request.speed {
        Some(speed) if speed.is_finite() && speed > 0.0 => {
            crate::server::set_speed(&shared, speed);
            Ok(clock(State(shared)).await)
        }
        Some(speed) => Err(ApiFailure::invalid(
            "speed",
            format!("Invalid value for speed: {speed}; expected a positive number"),
        )),
        None => Err(ApiFailure::missing(
            "speed",
            "Missing required parameter: speed",
        )),
    }
}

/// The body of a move: `{"status": "returned", "reason": "...", "date": 1700000000}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct MoveBody {
    status: Option<String>,
    reason: Option<String>,
    date: Option<i64>,
}

impl MoveBody {
    fn target(&self) -> Result<(Status, ReturnDetails), ApiFailure> {
        let Some(name) = self.status.as_deref() else {
            return Err(ApiFailure::missing(
                "status",
                "Missing required parameter: status",
            ));
        };
        let status =
            Status::parse(name).map_err(|err| ApiFailure::invalid("status", err.to_string()))?;
        Ok((
            status,
            ReturnDetails {
                reason: self.reason.clone(),
                date: self.date,
            },
        ))
    }
}

fn changes(result: Result<Vec<crate::StatusChange>, ControlError>) -> Response {
    match result {
        Ok(changes) => Json(json!({"object": "list", "data": changes})).into_response(),
        Err(err) => err.into_response(),
    }
}

/// `POST /_mock/letters/{id}/advance`
pub async fn advance_letter(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    changes(crate::server::control(&shared, |state| {
        state.advance_letter(&id)
    }))
}

/// `POST /_mock/letters/{id}/status`
pub async fn move_letter(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiFailure> {
    let (status, details) = json_body::<MoveBody>(&shared, body).await?.target()?;
    Ok(changes(crate::server::control(&shared, |state| {
        state.move_letter(&id, status, &details)
    })))
}

/// `POST /_mock/prints/{id}/advance`
pub async fn advance_job(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    changes(crate::server::control(&shared, |state| {
        state.advance_job(&id)
    }))
}

/// `POST /_mock/prints/{id}/status`
pub async fn move_job(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiFailure> {
    let (status, details) = json_body::<MoveBody>(&shared, body).await?.target()?;
    Ok(changes(crate::server::control(&shared, |state| {
        state.move_job(&id, status, &details)
    })))
}

/// `GET /_mock/events?print_id=&letter=&since=&until=` (times in unix seconds).
pub async fn events(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiFailure> {
    let mut filter = EventFilter::default();
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let seconds = || {
            value.trim().parse::<i64>().map_err(|_| {
                ApiFailure::invalid(
                    &key,
                    format!("Invalid value for {key}: {value:?}; expected unix seconds"),
                )
            })
        };
        match key.as_ref() {
            "print_id" => filter.print_id = Some(value.to_string()),
            "letter" => filter.letter = Some(value.to_string()),
            "since" => filter.since_ms = Some(seconds()?.saturating_mul(1000)),
            "until" => filter.until_ms = Some(seconds()?.saturating_mul(1000).saturating_add(999)),
            _ => {
                return Err(super::schema::unknown_parameter(
                    &key,
                    &key,
                    ["print_id", "letter", "since", "until"].into_iter(),
                ))
            }
        }
    }
    let changes = shared.lock().status_changes(&filter);
    Ok(Json(json!({"object": "list", "data": changes})).into_response())
}

/// `GET /_mock/requests?api_key=` or `?account=acc_…`
pub async fn requests(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiFailure> {
    let mut account = None;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "account" => account = Some(value.to_string()),
            "api_key" => account = Some(crate::state::account_id(&value)),
            _ => {
                return Err(super::schema::unknown_parameter(
                    &key,
                    &key,
                    ["account", "api_key"].into_iter(),
                ))
            }
        }
    }
    let entries = shared.lock().journal_entries(account.as_deref());
    Ok(Json(json!({"object": "list", "data": entries})).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ResetBody {
    api_key: Option<String>,
    account: Option<String>,
}

/// `POST /_mock/reset`: everything, or one account's jobs and logs.
pub async fn reset(State(shared): State<Arc<Shared>>, body: Body) -> Result<Response, ApiFailure> {
    let request: ResetBody = json_body(&shared, body).await?;
    let account = match (request.api_key, request.account) {
        (Some(key), None) => Some(crate::state::account_id(&key)),
        (None, Some(account)) => Some(account),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(ApiFailure::invalid(
                "account",
                "Give either api_key or account, not both",
            ))
        }
    };

    let mut state = shared.lock();
    match account {
        None => {
            state.reset();
            Ok(Json(json!({"reset": "all"})).into_response())
        }
        Some(account) if state.reset_account(&account) => {
            Ok(Json(json!({"reset": account})).into_response())
        }
        Some(account) => {
            Err(ApiFailure::not_found(format!("No such account: {account}")).with_param("account"))
        }
    }
}

/// `GET /_mock/faults`
pub async fn faults(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.lock().faults.clone()).into_response()
}

/// `POST /_mock/faults`: replaces the faults in force; fields left out are off.
pub async fn set_faults(
    State(shared): State<Arc<Shared>>,
    body: Body,
) -> Result<Response, ApiFailure> {
    let faults: Faults = json_body(&shared, body).await?;
    faults
        .validate()
        .map_err(|message| ApiFailure::invalid("faults", message))?;
    shared.set_faults(faults.clone());
    Ok(Json(faults).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct WebhookBody {
    url: Option<String>,
    secret: Option<String>,
}

/// `GET /_mock/webhooks`: the endpoints, secrets included, and the counters.
pub async fn webhooks(State(shared): State<Arc<Shared>>) -> Response {
    let state = shared.lock();
    Json(json!({"object": "list", "data": state.webhooks.endpoints(), "stats": state.webhooks.stats})).into_response()
}

/// `POST /_mock/webhooks` with `{"url": "http://…", "secret": "whsec_…"}`; the
/// secret is generated when left out.
pub async fn add_webhook(
    State(shared): State<Arc<Shared>>,
    body: Body,
) -> Result<Response, ApiFailure> {
    let request: WebhookBody = json_body(&shared, body).await?;
    let Some(url) = request.url else {
        return Err(ApiFailure::missing(
            "url",
            "Missing required parameter: url",
        ));
    };
    let endpoint = crate::webhook::add_endpoint(&shared, &url, request.secret.as_deref()).map_err(
        |message| {
            let param = if message.contains("secret") {
                "secret"
            } else {
                "url"
            };
            ApiFailure::invalid(param, message)
        },
    )?;
    Ok(Json(endpoint).into_response())
}

/// `DELETE /_mock/webhooks/{id}`
pub async fn remove_webhook(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Result<Response, ApiFailure> {
    if shared.lock().webhooks.remove(&id) {
        Ok(Json(json!({"id": id, "deleted": true})).into_response())
    } else {
        Err(ApiFailure::not_found(format!("No such webhook endpoint: {id}")).with_param("id"))
    }
}

/// `GET /_mock/webhooks/deliveries?endpoint=&event=&letter=`: every attempt.
pub async fn deliveries(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiFailure> {
    let (mut endpoint, mut event, mut letter) = (None, None, None);
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "endpoint" => endpoint = Some(value.to_string()),
            "event" => event = Some(value.to_string()),
            "letter" => letter = Some(value.to_string()),
            _ => {
                return Err(super::schema::unknown_parameter(
                    &key,
                    &key,
                    ["endpoint", "event", "letter"].into_iter(),
                ))
            }
        }
    }
    let state = shared.lock();
    let attempts: Vec<_> = state
        .webhooks
        .attempts
        .iter()
        .filter(|a| endpoint.as_ref().is_none_or(|e| *e == a.endpoint))
        .filter(|a| event.as_ref().is_none_or(|e| *e == a.event))
        .filter(|a| letter.as_ref().is_none_or(|l| *l == a.letter))
        .cloned()
        .collect();
    Ok(Json(json!({"object": "list", "data": attempts})).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ReplayBody {
    endpoint: Option<String>,
}

/// `POST /_mock/webhooks/deliveries/{event}/replay`: sends a stored event again,
/// with its original `svix-id`, to every endpoint or to `{"endpoint": "ep_…"}`.
pub async fn replay(
    State(shared): State<Arc<Shared>>,
    Path(event): Path<String>,
    body: Body,
) -> Result<Response, ApiFailure> {
    let request: ReplayBody = json_body(&shared, body).await?;
    let mut state = shared.lock();
    let Some(message) = state.webhooks.message(&event) else {
        return Err(
            ApiFailure::not_found(format!("No such webhook event: {event}")).with_param("event"),
        );
    };
    if let Some(endpoint) = request.endpoint.as_deref() {
        if !state.webhooks.has_endpoint(endpoint) {
            return Err(
                ApiFailure::not_found(format!("No such webhook endpoint: {endpoint}"))
                    .with_param("endpoint"),
            );
        }
    }
    let queued = state.webhooks.publish(message, request.endpoint.as_deref());
    Ok(Json(json!({"event": event, "queued": queued})).into_response())
}
