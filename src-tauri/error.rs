//! The error every command returns: `{ code, message, details }`, built from the core's `Error`.
//!
//! The UI branches and translates on `code` (the core's `ErrorCode`, which also lists the few the shell adds);
//! `message` is the core's Chinese sentence, shown as is when the UI has no translation;
//! `details` carries what the message refers to (e.g. `path`) so the UI can offer "打开所在文件夹".

use std::collections::BTreeMap;

use serde::Serialize;
use tierbook_core::ErrorCode;

/// An error as the UI sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ApiError {
    /// Stable machine-readable code, e.g. `empty_file`, `no_customers`, `customer_not_found`: one of
    /// the closed [`ErrorCode`] set, whose words the UI takes from the catalogue.
    pub code: ErrorCode,
    /// What happened and what to do, in Chinese.
    pub message: String,
    /// Extra facts, e.g. `path` of the file concerned.
    pub details: BTreeMap<String, String>,
}

impl ApiError {
    /// An error the shell itself raises (not the core).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), details: BTreeMap::new() }
    }

    /// Adds one detail.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.details.insert(key.to_string(), value.into());
        self
    }

    /// The worker thread died (a bug, never user data): say so instead of hanging the UI.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        ApiError::new(ErrorCode::Internal, format!("程序内部错误：{detail}。请重启 TierBook 后重试。"))
    }
}

impl From<tierbook_core::Error> for ApiError {
    fn from(err: tierbook_core::Error) -> Self {
        let mut api = ApiError::new(err.code(), err.to_string());
        if let Some(path) = err.path() {
            api.details.insert("path".into(), path.display().to_string());
        }
        if let Some(cause) = err.cause() {
            api.details.insert("cause".into(), cause);
        }
        api
    }
}

impl From<tauri::Error> for ApiError {
    fn from(err: tauri::Error) -> Self {
        ApiError::internal(err)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ApiError {}
