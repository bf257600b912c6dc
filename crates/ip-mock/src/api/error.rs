//! The one place where failures become the API's error JSON.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ip_status::{ApiError, ErrorCode};

/// A failed request, answered with `{"error": {...}}` and the status that
/// belongs to its code.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure(pub ApiError);

impl ApiFailure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiFailure(ApiError::new(code, message))
    }

    pub fn with_param(self, param: impl Into<String>) -> Self {
        ApiFailure(self.0.with_param(param))
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
        self.0.error.code.known()
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let code = self.code();
        let status = code
            .map(ErrorCode::http_status)
            .and_then(|status| StatusCode::from_u16(status).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.0)).into_response();
        // Kept for the logging middleware, which reports the error code.
        response.extensions_mut().insert(LoggedErrorCode(code));
        response
    }
}

/// The error code of a failed response, read by the request logger.
#[derive(Debug, Clone, Copy)]
pub struct LoggedErrorCode(pub Option<ErrorCode>);
