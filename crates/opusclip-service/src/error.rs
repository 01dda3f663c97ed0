//! Every failure of the service as the specification's `{error, code, details}` body with a
//! fitting HTTP status: the engine's typed errors keep their codes, the service adds its own
//! (authentication, rate limits, sizes, refused URLs, missing jobs).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use opusclip_core::{Error, ErrorCode};
use serde_json::{json, Value};
use std::path::Path;

/// An error answered by the API (and stored on failed jobs).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
    /// Seconds after which a refused request may be retried (`Retry-After`).
    pub retry_after: Option<u64>,
}

/// Result of service operations.
pub type ServiceResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), details: Value::Null, retry_after: None }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidInput.as_str(), message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, "CONFLICT", message)
    }

    pub fn too_large(limit_bytes: u64, what: &str) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("{what} is larger than the limit of {limit_bytes} bytes"),
        )
        .with_details(json!({ "limit_bytes": limit_bytes }))
    }

    pub fn rate_limited(budget: &str, subject: &str, retry_after: u64) -> Self {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            format!("too many {budget} requests for this {subject}: retry after {retry_after} s"),
        )
        .with_details(json!({ "budget": budget, "limited_by": subject, "retry_after_seconds": retry_after }));
        error.retry_after = Some(retry_after);
        error
    }

    /// A URL refused by the ingest rules (scheme, address, redirects).
    pub fn url_refused(message: impl Into<String>, details: Value) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "URL_NOT_ALLOWED", message).with_details(details)
    }

    pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
    }

    pub fn configuration(message: impl Into<String>) -> Self {
        ApiError::from(Error::Configuration { problems: vec![message.into()] })
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::from(Error::Internal(message.into()))
    }

    /// A failed file operation on the server: the path is logged here, the client is told
    /// only the action and the system's reason.
    pub fn server_io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        tracing::error!(action, path = %path.display(), error = %source, "file operation failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "IO_ERROR", format!("{action} failed on the server: {source}"))
            .with_details(json!({ "action": action }))
    }

    /// The error as a client may see it: the server file `path` is called `label` in the
    /// message and details (the original is logged).
    pub fn hiding_file(self, path: &Path, label: &str) -> Self {
        self.replacing(&[(path.display().to_string(), label.to_string())])
    }

    /// The error as a client may see it: names under the server folder `root` are made
    /// relative to it, and the folder itself is "a server folder" (the original is logged).
    pub fn hiding_folder(self, root: &Path) -> Self {
        let root = root.display().to_string().trim_end_matches('/').to_string();
        if matches!(root.as_str(), "" | "." | "..") {
            return self;
        }
        self.replacing(&[(format!("{root}/"), String::new()), (root, "a server folder".to_string())])
    }

    fn replacing(mut self, pairs: &[(String, String)]) -> Self {
        let replace = |text: &str| {
            pairs
                .iter()
                .filter(|(from, _)| !from.is_empty())
                .fold(text.to_string(), |t, (from, to)| t.replace(from, to))
        };
        let message = replace(&self.message);
        let details = replace_strings(&self.details, &replace);
        if message != self.message || details != self.details {
            tracing::warn!(error = %self.message, details = %self.details, "server paths hidden from the client");
            self.message = message;
            self.details = details;
        }
        self
    }

    /// The `{error, code, details}` body.
    pub fn body(&self) -> Value {
        json!({ "error": self.message, "code": self.code, "details": self.details })
    }

    /// The body plus the status, as stored on a failed job.
    pub fn to_stored(&self) -> Value {
        json!({ "error": self.message, "code": self.code, "details": self.details, "status": self.status.as_u16() })
    }

    /// Read back what [`ApiError::to_stored`] wrote.
    pub fn from_stored(value: &Value) -> ApiError {
        let status = value["status"]
            .as_u64()
            .and_then(|s| StatusCode::from_u16(s as u16).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let code = known_code(value["code"].as_str().unwrap_or_default());
        ApiError {
            status,
            code,
            message: value["error"].as_str().unwrap_or("the job failed").to_string(),
            details: value["details"].clone(),
            retry_after: None,
        }
    }

    /// Worth retrying later (I/O, an unreachable store or server), not a fault of the input.
    pub fn is_transient(&self) -> bool {
        matches!(self.code, "IO_ERROR" | "DATABASE_ERROR" | "STORAGE_ERROR" | "FETCH_ERROR")
    }
}

/// `value` with `replace` applied to every string in it.
fn replace_strings(value: &Value, replace: &impl Fn(&str) -> String) -> Value {
    match value {
        Value::String(text) => Value::String(replace(text)),
        Value::Array(items) => Value::Array(items.iter().map(|item| replace_strings(item, replace)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), replace_strings(v, replace))).collect())
        }
        other => other.clone(),
    }
}

/// Codes are `&'static str`; map a stored one back onto the known set.
fn known_code(code: &str) -> &'static str {
    const KNOWN: [&str; 20] = [
        "VIDEO_PROCESSING_ERROR",
        "MODEL_LOADING_ERROR",
        "CONFIGURATION_ERROR",
        "INVALID_INPUT_ERROR",
        "TRANSCRIPT_ERROR",
        "IO_ERROR",
        "INTERNAL_ERROR",
        "BAD_REQUEST",
        "NOT_FOUND",
        "UNAUTHORIZED",
        "CONFLICT",
        "PAYLOAD_TOO_LARGE",
        "RATE_LIMITED",
        "URL_NOT_ALLOWED",
        "DATABASE_ERROR",
        "STORAGE_ERROR",
        "FETCH_ERROR",
        "JOB_FAILED",
        "WORKER_LOST",
        "CANCELED",
    ];
    KNOWN.into_iter().find(|known| *known == code).unwrap_or("INTERNAL_ERROR")
}

/// The status that fits each engine error.
fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidInput | ErrorCode::Transcript | ErrorCode::VideoProcessing => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ErrorCode::ModelLoading => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Configuration | ErrorCode::Io | ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Canceled => StatusCode::CONFLICT,
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        let body = error.to_body();
        ApiError {
            status: status_of(error.code()),
            code: error.code().as_str(),
            message: body["error"].as_str().unwrap_or_default().to_string(),
            details: body["details"].clone(),
            retry_after: None,
        }
    }
}

/// For the command line, which reports engine errors: configuration-like failures (a database or
/// storage that cannot be reached) become `Configuration`, the rest keep message and details.
impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        match error.code {
            "CONFIGURATION_ERROR" => {
                let problems = error.details["problems"]
                    .as_array()
                    .map(|list| list.iter().filter_map(|p| p.as_str().map(str::to_string)).collect())
                    .unwrap_or_else(|| vec![error.message.clone()]);
                Error::Configuration { problems }
            }
            "DATABASE_ERROR" | "STORAGE_ERROR" => Error::Configuration { problems: vec![error.message] },
            "INTERNAL_ERROR" => Error::Internal(error.message),
            _ => Error::invalid_input(error.message).with_details(error.details),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_keep_their_codes_and_get_a_status() {
        let error = ApiError::from(Error::invalid_input("no video stream").with_details(json!({"path": "a"})));
        assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.body()["code"], "INVALID_INPUT_ERROR");
        assert_eq!(error.body()["details"]["path"], "a");
        assert_eq!(ApiError::from(Error::model("missing")).status, StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn server_paths_are_hidden_from_clients() {
        let spooled = Path::new("/srv/oc/spool/upload-00ff");
        let engine = Error::invalid_input(format!("{} is not a media file", spooled.display()))
            .with_details(json!({ "path": spooled.display().to_string(), "reason": "not_media", "n": 1 }));
        let shown = ApiError::from(engine).hiding_file(spooled, "the uploaded file");
        assert_eq!(shown.message, "the uploaded file is not a media file");
        assert_eq!(shown.details, json!({ "path": "the uploaded file", "reason": "not_media", "n": 1 }));

        let work = Path::new("/srv/oc/work/job-1-ab");
        let engine = Error::video("decoding /srv/oc/work/job-1-ab/source failed")
            .with_details(json!({ "in": [work.display().to_string()] }));
        let shown = ApiError::from(engine).hiding_folder(work);
        assert_eq!(shown.message, "video processing failed: decoding source failed");
        assert_eq!(shown.details["in"][0], "a server folder");

        let io = ApiError::server_io("write", spooled, std::io::Error::other("disk full"));
        assert!(!io.body().to_string().contains("/srv"), "{}", io.body());
        assert_eq!((io.code, io.details["action"].as_str()), ("IO_ERROR", Some("write")));
    }

    #[test]
    fn stored_errors_read_back() {
        let error = ApiError::rate_limited("create", "key", 3);
        let back = ApiError::from_stored(&error.to_stored());
        assert_eq!((back.status, back.code, back.message.as_str()), (error.status, error.code, error.message.as_str()));
        assert_eq!(ApiError::from_stored(&json!({"code": "made-up"})).code, "INTERNAL_ERROR");
    }
}
