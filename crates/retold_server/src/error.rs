//! Errors: [`ServerError`] for starting the server, [`ApiError`] for one request, and the
//! one table of error codes ([`ErrorCode`]) with their HTTP statuses.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The address is not a loopback address and remote access was not allowed.
    #[error("refusing to listen on {addr}: not a loopback address (pass --allow-remote to serve beyond this machine, and --token-file to protect writes)")]
    Remote {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Binding the address failed.
    #[error("cannot listen on {addr}: {error}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        error: std::io::Error,
    },
    /// The index could not be opened.
    #[error(transparent)]
    Index(#[from] retold::Error),
    /// The token file could not be read or is empty.
    #[error("{}: {message}", path.display())]
    Token {
        /// The token file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The server failed while running (runtime or socket).
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
}

impl ServerError {
    /// True when the error is the user's (a flag, the index directory, the token file).
    pub fn is_user_error(&self) -> bool {
        match self {
            ServerError::Remote { .. } | ServerError::Bind { .. } | ServerError::Token { .. } => {
                true
            }
            ServerError::Index(e) => e.is_user_error(),
            ServerError::Io(_) => false,
        }
    }
}

/// The stable error codes of the API, each with one HTTP status. Every error response is
/// `{"error": {"code": CODE, "message": TEXT}}`.
///
/// | code | status | when |
/// |---|---|---|
/// | `bad_request` | 400 | malformed JSON, a missing or mistyped field, an empty batch or id, a bad query parameter |
/// | `unauthorized` | 401 | a write without `Authorization: Bearer <token>` when the server has a token |
/// | `not_found` | 404 | unknown document id or path |
/// | `no_cluster` | 404 | the document is stored but in no cluster |
/// | `method_not_allowed` | 405 | the path exists, the method does not |
/// | `duplicate_id` | 409 | a document id already stored, or twice in one batch |
/// | `payload_too_large` | 413 | the request body is over `--max-body-bytes` |
/// | `batch_too_large` | 413 | a batch has more documents than `--max-batch` |
/// | `internal` | 500 | a failure of the server or the index store |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 400.
    BadRequest,
    /// 401.
    Unauthorized,
    /// 404: no such document or path.
    NotFound,
    /// 404: the document is in no cluster.
    NoCluster,
    /// 405.
    MethodNotAllowed,
    /// 409.
    DuplicateId,
    /// 413: the body is too large.
    PayloadTooLarge,
    /// 413: the batch has too many documents.
    BatchTooLarge,
    /// 500.
    Internal,
}

impl ErrorCode {
    /// Every code, in the order of the table.
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::NotFound,
        ErrorCode::NoCluster,
        ErrorCode::MethodNotAllowed,
        ErrorCode::DuplicateId,
        ErrorCode::PayloadTooLarge,
        ErrorCode::BatchTooLarge,
        ErrorCode::Internal,
    ];

    /// The code as it appears in responses.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::NotFound => "not_found",
            ErrorCode::NoCluster => "no_cluster",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::DuplicateId => "duplicate_id",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::BatchTooLarge => "batch_too_large",
            ErrorCode::Internal => "internal",
        }
    }

    /// Its HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::NotFound | ErrorCode::NoCluster => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::DuplicateId => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge | ErrorCode::BatchTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error answer to one request.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The code.
    pub code: ErrorCode,
    /// A message for people.
    pub message: String,
}

impl ApiError {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::BadRequest, message)
    }

    /// `not_found`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::NotFound, message)
    }

    /// `internal`.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Internal, message)
    }
}

impl From<retold::Error> for ApiError {
    fn from(e: retold::Error) -> Self {
        match &e {
            retold::Error::Index(retold_index::IndexError::DuplicateId { .. }) => {
                ApiError::new(ErrorCode::DuplicateId, e.to_string())
            }
            retold::Error::Ingest(_)
            | retold::Error::Index(retold_index::IndexError::Settings { .. }) => {
                ApiError::bad_request(e.to_string())
            }
            _ => ApiError::internal(e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": {"code": self.code.as_str(), "message": self.message}
        });
        (self.code.status(), axum::Json(body)).into_response()
    }
}
