//! The `/v1/prints` handlers.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

use super::auth::Account;
use super::body::{self, DecodedBody};
use super::error::ApiFailure;
use super::list::ListQuery;
use super::schema::{self, CREATE_PRINT, UPDATE_PRINT};
use crate::jobs::PrintRequest;
use crate::sim::Shared;

/// `POST /v1/prints`
pub async fn create(
    State(shared): State<Arc<Shared>>,
    Account(account): Account,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    let decoded = read_params(&shared, &headers, body).await?;
    let params = schema::check_object(decoded.params, CREATE_PRINT, "")?;
    let request: PrintRequest = from_checked(params)?;

    let job = shared
        .lock()
        .create(account, request, decoded.file.as_ref())?;
    shared.wake.notify_one();
    Ok(Json(job).into_response())
}

/// `GET /v1/prints/{id}`
pub async fn retrieve(
    State(shared): State<Arc<Shared>>,
    Account(account): Account,
    Path(id): Path<String>,
) -> Result<Response, ApiFailure> {
    check_id(&id)?;
    let json = {
        let mut state = shared.lock();
        let key = state.find(account, &id)?;
        state.job_json(key)
    };
    let Some(json) = json else {
        return Err(ApiFailure::not_found(format!("No such print job: {id}")).with_param("id"));
    };
    Ok(([(CONTENT_TYPE, "application/json")], json).into_response())
}

/// `POST /v1/prints/{id}`
pub async fn update(
    State(shared): State<Arc<Shared>>,
    Account(account): Account,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    check_id(&id)?;
    let decoded = read_params(&shared, &headers, body).await?;
    let params = schema::check_object(decoded.params, UPDATE_PRINT, "")?;
    if decoded.file.is_some() {
        return Err(schema::unknown_parameter(
            "file",
            "file",
            std::iter::empty(),
        ));
    }

    let job = {
        let mut state = shared.lock();
        let key = state.find(account, &id)?;
        state.update(key, params)?
    };
    shared.wake.notify_one();
    Ok(Json(job).into_response())
}

/// `DELETE /v1/prints/{id}`
pub async fn delete(
    State(shared): State<Arc<Shared>>,
    Account(account): Account,
    Path(id): Path<String>,
) -> Result<Response, ApiFailure> {
    check_id(&id)?;
    let outcome = {
        let mut state = shared.lock();
        let key = state.find(account, &id)?;
        state.delete(key)?
    };
    Ok(match outcome {
        Ok(job) => Json(job).into_response(),
        Err(deleted) => Json(deleted).into_response(),
    })
}

/// `GET /v1/prints`
pub async fn list(
    State(shared): State<Arc<Shared>>,
    Account(account): Account,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiFailure> {
    let query = ListQuery::parse(query.as_deref().unwrap_or_default())?;
    let mut state = shared.lock();
    let page = query.run(&mut state.accounts[account]);
    Ok(Json(page).into_response())
}

/// Print job ids are `print_` followed by letters and digits.
fn check_id(id: &str) -> Result<(), ApiFailure> {
    let valid = id
        .strip_prefix("print_")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
    if valid {
        Ok(())
    } else {
        Err(ApiFailure::invalid(
            "id",
            format!("Invalid print job id: {id:?}; print job ids start with print_"),
        ))
    }
}

async fn read_params(
    shared: &Shared,
    headers: &HeaderMap,
    body: Body,
) -> Result<DecodedBody, ApiFailure> {
    let limit = shared.config.body_limit;

    // A declared length over the limit is rejected before reading anything.
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(body::body_too_large(limit));
    }

    let bytes = body::read_body(body, limit).await?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    body::decode(content_type, bytes).await
}

/// Deserialises parameters that passed the schema check; a failure here means
/// the schema and the request type disagree.
fn from_checked<T: serde::de::DeserializeOwned>(
    params: Map<String, Value>,
) -> Result<T, ApiFailure> {
    serde_json::from_value(Value::Object(params))
        .map_err(|err| ApiFailure::bad_format(format!("Invalid request parameters: {err}")))
}
