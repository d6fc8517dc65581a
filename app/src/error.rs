//! The one error type shared by the server and the browser. It carries only words a sponsor
//! can read: internal failures are logged on the server with a request id, and the user is
//! shown that id, never SQL or a stack.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("You need to sign in to see this page.")]
    SignInRequired,
    /// Also what a user gets for something they may not see: no hint that it exists.
    #[error("{0} was not found.")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    /// Someone else changed the thing first.
    #[error("{0}")]
    Conflict(String),
    /// Bad input: a message per field, keyed by the field's name.
    #[error("There is a problem with what you entered.")]
    Invalid(Vec<(String, String)>),
    /// A request the server could not read (a forged or damaged call): the client's fault.
    #[error("{0}")]
    BadRequest(String),
    #[error("Something went wrong on our side. If it happens again, quote reference {0}.")]
    Internal(String),
    /// The database could not answer in time (every connection in use, a query over its time
    /// limit, or the database restarting): nothing was changed, and trying again soon works.
    #[error("The service is busy. Try again in a moment.")]
    Busy,
    /// The request never reached the server or its answer was not understood.
    #[error("The service could not be reached. Check your connection and try again.")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server these mean the call's arguments could not be read: the client's fault.
        match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::Request(_)
                if cfg!(feature = "ssr") =>
            {
                #[cfg(feature = "ssr")]
                tracing::warn!("unreadable server function call: {value}");
                AppError::BadRequest(BAD_REQUEST.into())
            }
            other => AppError::Transport(other.to_string()),
        }
    }

    /// The error as a server function answers it, with the HTTP status its kind calls for:
    /// the one place that decides it (without it every error would be a 500).
    fn ser(&self) -> leptos::server_fn::Bytes {
        set_status(self.status());
        <Self::Encoder as leptos::server_fn::Encodes<Self>>::encode(self).unwrap_or_default()
    }
}

impl AppError {
    /// The HTTP status of an answer carrying this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::SignInRequired => 401,
            AppError::NotFound(_) => 404,
            AppError::Forbidden(_) => 403,
            AppError::Conflict(_) => 409,
            AppError::Invalid(_) | AppError::BadRequest(_) => 400,
            AppError::Internal(_) | AppError::Transport(_) => 500,
            AppError::Busy => 503,
        }
    }
}

pub const BAD_REQUEST: &str = "The request could not be read. Go back to the page and try again.";

#[cfg(feature = "ssr")]
impl AppError {
    /// Logs an internal failure with a fresh reference and returns what the user is shown.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> AppError {
        let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_uppercase();
        tracing::error!(reference = %reference, "{context}: {err}");
        AppError::Internal(reference)
    }
}

/// Sets the HTTP status of the response being rendered on the server (a page or a server
/// function answering "not found", say); in the browser there is none, and it does nothing.
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(r), Ok(code)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(code),
    ) {
        r.set_status(code);
        if code == axum::http::StatusCode::SERVICE_UNAVAILABLE {
            r.insert_header(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static(RETRY_AFTER_SECONDS));
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// What a busy answer (503) tells the browser to wait before trying again.
pub const RETRY_AFTER_SECONDS: &str = "5";

/// "Busy", with its 503, for this request: the rest of its page then says so at once
/// (`api::ssr::RequestBusy`).
#[cfg(feature = "ssr")]
pub fn busy() -> AppError {
    set_status(503);
    crate::api::ssr::found_busy();
    AppError::Busy
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        if is_busy(&err) {
            tracing::warn!("database busy: {err}");
            return busy();
        }
        if is_contention(&err) {
            // A statement that crossed another change outside `db::retry_once`: the user is
            // told what happened, as for any change made meanwhile, never "something went wrong".
            tracing::warn!("database contention: {err}");
            set_status(409);
            return AppError::Conflict(CHANGED_MEANWHILE.to_string());
        }
        AppError::internal("database", err)
    }
}

/// The session store is the database behind a cache: a store that cannot be reached is the
/// database down or overloaded, answered "busy" like any other such wait, never "something
/// went wrong". A value that cannot be read back is a fault of the program.
#[cfg(feature = "ssr")]
impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        use tower_sessions::{session::Error, session_store::Error as Store};
        if let Error::Store(Store::Backend(e)) = &err {
            tracing::warn!("session store unavailable: {e}");
            return busy();
        }
        AppError::internal("session", err)
    }
}

/// What a change that crossed another one is told when trying again did not help.
pub const CHANGED_MEANWHILE: &str = "This changed while you were looking at it. Check it and try again.";

/// Two changes that crossed: a deadlock (SQLSTATE 40P01) or a serialization failure (40001).
/// Neither changed anything; the transaction may simply be run again.
#[cfg(feature = "ssr")]
pub fn is_contention(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if matches!(e.code().as_deref(), Some("40P01" | "40001")))
}

/// A failure of capacity or availability rather than of the request: no connection free in
/// time, the connection lost or refused (the database restarting), a query cancelled by its
/// `statement_timeout`, or the server shutting down (SQLSTATE 57014, 57P01-57P03).
#[cfg(feature = "ssr")]
pub fn is_busy(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(e) => matches!(e.code().as_deref(), Some("57014" | "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}
