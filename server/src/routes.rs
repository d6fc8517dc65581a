//! Plain HTTP routes beside the Leptos screens: sign-in and sign-out form posts, the
//! advanced search's Radio and Next, health.

use crate::startup::AppState;
use app::api::auth::{self, ssr::Outcome, SignInNotice};
use app::api::ssr::USER_KEY;
use app::db::audit;
use app::domain::paths::safe_next;
use axum::extract::{ConnectInfo, FromRequest, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::net::SocketAddr;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// What a client that tries too often gets: a plain page, before any password is checked.
fn too_many_attempts() -> Response {
    let page = "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
        <title>Too many attempts to sign in - SMS</title></head><body><main>\
        <h1>Too many attempts to sign in</h1>\
        <p>Wait a minute, then <a href=\"/sign-in\">try to sign in again</a>.</p></main></body></html>";
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "60"), (header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

pub async fn sign_in(State(state): State<AppState>, session: Session, req: Request) -> Response {
    let address = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let Ok(Form(f)) = Form::<SignInForm>::from_request(req, &state).await else {
        return (StatusCode::BAD_REQUEST, "The sign-in form could not be read. Go back and try again.").into_response();
    };
    let typed = f.user_id.chars().take(100).collect::<String>();
    if !state.sign_in_throttle.allow(address, &typed) {
        tracing::warn!(?address, "sign-in throttled");
        return too_many_attempts();
    }
    let next = safe_next(f.next.as_deref());
    let back = |notice: SignInNotice| async {
        let _ = session.insert(auth::ssr::NOTICE_KEY, notice).await;
        let to = if next == "/" {
            "/sign-in".to_string()
        } else {
            format!("/sign-in?next={}", crate::middleware::urlencode(&next))
        };
        Redirect::to(&to).into_response()
    };
    if f.user_id.trim().is_empty() || f.password.is_empty() {
        let error = match (f.user_id.trim().is_empty(), f.password.is_empty()) {
            (true, true) => "Enter your user ID and password.",
            (true, false) => "Enter your user ID.",
            _ => "Enter your password.",
        };
        return back(SignInNotice { user_id: typed, error: Some(error.into()), info: None }).await;
    }
    if f.user_id.len() > 100 || f.password.len() > 1024 {
        return back(SignInNotice { user_id: typed, error: Some(auth::INVALID_CREDENTIALS.into()), info: None }).await;
    }
    match auth::ssr::sign_in(&state.pool, &f.user_id, &f.password).await {
        Ok(Outcome::SignedIn(user)) => {
            // A new session id at sign-in: a session fixed before sign-in is worth nothing.
            // (Both fail only when the session store, the database, cannot be reached.)
            if session.cycle_id().await.is_err() || session.insert(USER_KEY, user).await.is_err() {
                return crate::middleware::busy();
            }
            // A temporary password: its change comes before anything else.
            Redirect::to(if user.must_change_password { "/change-password" } else { &next }).into_response()
        }
        Ok(Outcome::Invalid) => {
            back(SignInNotice { user_id: typed, error: Some(auth::INVALID_CREDENTIALS.into()), info: None }).await
        }
        Ok(Outcome::Locked { minutes_left }) => {
            back(SignInNotice { user_id: typed, error: Some(auth::locked_message(minutes_left)), info: None }).await
        }
        // The database down or overloaded: the busy page, without touching the session
        // (whose store is that database, so saving it would fail too).
        Err(app::error::AppError::Busy) => crate::middleware::busy(),
        Err(e) => back(SignInNotice { user_id: typed, error: Some(e.to_string()), info: None }).await,
    }
}

pub async fn sign_out(State(state): State<AppState>, session: Session) -> Response {
    if let Ok(Some(user)) = session.get::<app::api::ssr::SessionUser>(USER_KEY).await {
        if let Ok(mut conn) = state.pool.acquire().await {
            let _ = audit::record(&mut conn, audit::Event {
                sponsor_id: Some(user.sponsor_id),
                actor_kind: "USER",
                actor_user_id: Some(user.id),
                action: "sign_out",
                entity: Some("user"),
                entity_id: Some(user.id),
                details: serde_json::json!({}),
            })
            .await;
        }
    }
    let _ = session.flush().await;
    let _ = session
        .insert(auth::ssr::NOTICE_KEY, SignInNotice { info: Some("You have signed out.".into()), ..Default::default() })
        .await;
    Redirect::to("/sign-in").into_response()
}

pub async fn health(State(state): State<AppState>) -> Response {
    match sqlx::query("SELECT 1").execute(&state.pool).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!("health check: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct Chosen {
    open: Option<String>,
    back: Option<String>,
}

/// Radio and Next under the advanced search's results: straight on to the chosen CoS.
/// A redirect rather than a page, so the search is not run again on the way.
pub async fn open_chosen(Query(c): Query<Chosen>) -> Redirect {
    let target = app::pages::advanced_search::chosen_target(c.open.as_deref(), c.back.as_deref());
    Redirect::to(&app::domain::paths::header_safe(&target))
}
