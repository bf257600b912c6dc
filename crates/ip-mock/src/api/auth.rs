//! Reading the API key and choosing the account it belongs to.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use std::borrow::Cow;

use crate::state::AccountHash;
use base64::Engine;
use ip_status::ErrorCode;

use super::error::ApiFailure;
use crate::sim::Shared;

/// The account of the request's API key.
///
/// The key may come as `Bearer <key>`, as the raw key, or as HTTP Basic with
/// the key as the user name and an empty password.
#[derive(Debug, Clone, Copy)]
pub struct Account(pub usize);

impl FromRequestParts<Arc<Shared>> for Account {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        let key = api_key(&parts.headers)?;
        let allowed = &shared.config.api_keys;
        if !allowed.is_empty() && !allowed.iter().any(|k| *k == key) {
            return Err(ApiFailure::new(
                ErrorCode::InvalidApiKey,
                "Invalid API key provided",
            ));
        }
        let account = shared.lock().account_for_key(&key);
        Ok(Account(account))
    }
}

/// The account of the request's API key, as the hash its id is made from,
/// without creating the account.
pub fn account_of(headers: &HeaderMap) -> Option<AccountHash> {
    api_key(headers).ok().map(|key| AccountHash::of_key(&key))
}

/// Reads the API key; it is borrowed from the header except for HTTP Basic.
fn api_key(headers: &HeaderMap) -> Result<Cow<'_, str>, ApiFailure> {
    let missing = || {
        ApiFailure::new(
            ErrorCode::NoApiKey,
            "No API key provided. Send it in the Authorization header as 'Bearer <key>'",
        )
    };
    let Some(header) = headers.get(AUTHORIZATION) else {
        return Err(missing());
    };
    let header = header
        .to_str()
        .map_err(|_| {
            ApiFailure::new(
                ErrorCode::InvalidApiKey,
                "The Authorization header is not valid ASCII",
            )
        })?
        .trim();

    // A header with no space is a raw key, unless it is a bare scheme name.
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let key = if scheme.eq_ignore_ascii_case("bearer") {
        Cow::Borrowed(rest.trim())
    } else if scheme.eq_ignore_ascii_case("basic") {
        if rest.trim().is_empty() {
            return Err(missing());
        }
        Cow::Owned(basic_user(rest.trim())?)
    } else {
        Cow::Borrowed(header)
    };

    if key.is_empty() {
        return Err(missing());
    }
    if key.chars().any(char::is_whitespace) {
        return Err(ApiFailure::new(
            ErrorCode::InvalidApiKey,
            "Invalid API key provided: it contains whitespace",
        ));
    }
    Ok(key)
}

/// The user name of HTTP Basic credentials.
fn basic_user(encoded: &str) -> Result<String, ApiFailure> {
    let invalid = || {
        ApiFailure::new(
            ErrorCode::InvalidApiKey,
            "Invalid HTTP Basic credentials: expected base64 of '<key>:'",
        )
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| invalid())?;
    let text = String::from_utf8(decoded).map_err(|_| invalid())?;
    let user = text.split_once(':').map_or(text.as_str(), |(user, _)| user);
    Ok(user.to_owned())
}
