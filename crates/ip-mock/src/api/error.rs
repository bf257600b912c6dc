//! The one place where failures become the API's error JSON.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ip_status::{ApiError, ErrorCode};

/// A failed request, answered with `{"error": {...}}` and the status that
/// belongs to its code.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub body: ApiError,
    /// An HTTP status other than the code's own (503 for an injected outage).
    pub status: Option<StatusCode>,
    /// Seconds for the `Retry-After` header.
    pub retry_after: Option<u64>,
}

impl ApiFailure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiFailure {
            body: ApiError::new(code, message),
            status: None,
            retry_after: None,
        }
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.body = self.body.with_param(param);
        self
    }

    /// 429 `rate_limited`, telling the client when to try again.
    pub fn rate_limited(message: impl Into<String>, retry_after: u64) -> Self {
        ApiFailure {
            retry_after: Some(retry_after),
            ..ApiFailure::new(ErrorCode::RateLimited, message)
        }
    }

    /// 503 with an `internal_error` body: the API is briefly unavailable.
    pub fn unavailable() -> Self {
        ApiFailure {
            status: Some(StatusCode::SERVICE_UNAVAILABLE),
            ..ApiFailure::new(
                ErrorCode::InternalError,
                "The service is temporarily unavailable; retry the request",
            )
        }
    }

    pub fn invalid(param: &str, message: impl Into<String>) -> Self {
        ApiFailure::new(ErrorCode::ParameterInvalid, message).with_param(param)
    }

    pub fn missing(param: &str, message: impl Into<String>) -> Self {
        ApiFailure::new(ErrorCode::ParameterMissing, message).with_param(param)
    }

    pub fn bad_format(message: impl Into<String>) -> Self {
        ApiFailure::new(ErrorCode::BodyIncorrectFormat, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiFailure::new(ErrorCode::NotFound, message)
    }

    pub fn code(&self) -> Option<ErrorCode> {
        self.body.error.code.known()
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let code = self.code();
        let status = self.status.unwrap_or_else(|| {
            code.map(ErrorCode::http_status)
                .and_then(|status| StatusCode::from_u16(status).ok())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        });
        let mut response = (status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        // Kept for the logging middleware, which reports the error code.
        response.extensions_mut().insert(LoggedErrorCode(code));
        response
    }
}

/// The error code of a failed response, read by the request logger.
#[derive(Debug, Clone, Copy)]
pub struct LoggedErrorCode(pub Option<ErrorCode>);
