//! The error hierarchy of the original specification (`VideoProcessing`, `ModelLoading`,
//! `Configuration`, `InvalidInput`) plus what the code needs; every error maps to a stable code
//! and to the `{error, code, details}` body the HTTP API answers with.

use serde_json::{json, Value};

/// Result with the project's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable, machine-readable error codes (the `code` field of an error response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    VideoProcessing,
    ModelLoading,
    Configuration,
    InvalidInput,
    Transcript,
    Io,
    Internal,
    Canceled,
}

impl ErrorCode {
    /// The code as written in error bodies, e.g. `VIDEO_PROCESSING_ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::VideoProcessing => "VIDEO_PROCESSING_ERROR",
            ErrorCode::ModelLoading => "MODEL_LOADING_ERROR",
            ErrorCode::Configuration => "CONFIGURATION_ERROR",
            ErrorCode::InvalidInput => "INVALID_INPUT_ERROR",
            ErrorCode::Transcript => "TRANSCRIPT_ERROR",
            ErrorCode::Io => "IO_ERROR",
            ErrorCode::Internal => "INTERNAL_ERROR",
            ErrorCode::Canceled => "CANCELED",
        }
    }
}

/// Every failure the engine reports. Messages say what went wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is not something we can work on (missing file, not media, no video, ...).
    #[error("{message}")]
    InvalidInput { message: String, details: Value },
    /// Decoding, filtering or encoding failed on input that looked valid.
    #[error("video processing failed: {message}")]
    VideoProcessing { message: String, details: Value },
    /// A model file is missing, truncated or not a model.
    #[error("model loading failed: {message}")]
    ModelLoading { message: String, details: Value },
    /// Settings are invalid; every problem is listed.
    #[error("invalid configuration: {}", problems.join("; "))]
    Configuration { problems: Vec<String> },
    /// A transcript or subtitle file could not be read.
    #[error("{message}")]
    Transcript { message: String, details: Value },
    /// Reading or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A bug: an invariant of our own code did not hold.
    #[error("internal error: {0}")]
    Internal(String),
    /// The job was canceled by its owner before it finished (see `cancel`).
    #[error("canceled before it finished")]
    Canceled,
}

impl Error {
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput { message: message.into(), details: Value::Null }
    }
    pub fn video(message: impl Into<String>) -> Self {
        Error::VideoProcessing { message: message.into(), details: Value::Null }
    }
    pub fn model(message: impl Into<String>) -> Self {
        Error::ModelLoading { message: message.into(), details: Value::Null }
    }
    pub fn transcript(message: impl Into<String>) -> Self {
        Error::Transcript { message: message.into(), details: Value::Null }
    }
    /// An I/O error with the action and the path it concerned.
    pub fn io(action: &'static str, path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io { action, path: path.as_ref().display().to_string(), source }
    }
    /// Attach structured details (kept for the `details` field of error bodies).
    pub fn with_details(mut self, value: Value) -> Self {
        match &mut self {
            Error::InvalidInput { details, .. }
            | Error::VideoProcessing { details, .. }
            | Error::ModelLoading { details, .. }
            | Error::Transcript { details, .. } => *details = value,
            _ => {}
        }
        self
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidInput { .. } => ErrorCode::InvalidInput,
            Error::VideoProcessing { .. } => ErrorCode::VideoProcessing,
            Error::ModelLoading { .. } => ErrorCode::ModelLoading,
            Error::Configuration { .. } => ErrorCode::Configuration,
            Error::Transcript { .. } => ErrorCode::Transcript,
            Error::Io { .. } => ErrorCode::Io,
            Error::Internal(_) => ErrorCode::Internal,
            Error::Canceled => ErrorCode::Canceled,
        }
    }

    /// The `{error, code, details}` body of the specification.
    pub fn to_body(&self) -> Value {
        let details = match self {
            Error::InvalidInput { details, .. }
            | Error::VideoProcessing { details, .. }
            | Error::ModelLoading { details, .. }
            | Error::Transcript { details, .. } => details.clone(),
            Error::Configuration { problems } => json!({ "problems": problems }),
            Error::Io { path, action, .. } => json!({ "path": path, "action": action }),
            Error::Internal(_) | Error::Canceled => Value::Null,
        };
        json!({ "error": self.to_string(), "code": self.code().as_str(), "details": details })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_error_code_and_details() {
        let err = Error::invalid_input("no video stream in a.mp3").with_details(json!({"path": "a.mp3"}));
        let body = err.to_body();
        assert_eq!(body["code"], "INVALID_INPUT_ERROR");
        assert_eq!(body["error"], "no video stream in a.mp3");
        assert_eq!(body["details"]["path"], "a.mp3");
    }

    #[test]
    fn configuration_lists_every_problem() {
        let err = Error::Configuration { problems: vec!["A bad".into(), "B bad".into()] };
        assert_eq!(err.to_string(), "invalid configuration: A bad; B bad");
        assert_eq!(err.to_body()["details"]["problems"][1], "B bad");
    }
}
