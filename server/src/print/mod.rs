//! Print: `GET /view-cos/{cos_number}/print` answers with the CoS as a PDF, inline, for the
//! browser (or a phone's viewer) to show in a new tab. Reached by the same rule as View CoS.

mod pdf;

pub use pdf::{render, Printing};

use crate::startup::AppState;
use app::api::ssr::{actor_for, find_reachable_cos, SessionUser, USER_KEY};
use app::domain::{dates::uk_date, permissions};
use app::error::AppError;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

pub async fn print_cos(State(state): State<AppState>, session: Session, Path(number): Path<String>) -> Response {
    match make(&state, &session, &number).await {
        Ok((cos_number, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (header::CONTENT_DISPOSITION, format!("inline; filename=\"CoS-{cos_number}.pdf\"")),
                // Personal data: never kept in a shared cache.
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(AppError::SignInRequired) => {
            let next = format!("/view-cos/{}/print", crate::middleware::urlencode(&number));
            Redirect::to(&format!("/sign-in?next={}", crate::middleware::urlencode(&next))).into_response()
        }
        Err(e @ AppError::NotFound(_)) => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
        Err(AppError::Busy) => crate::middleware::busy(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn make(state: &AppState, session: &Session, number: &str) -> Result<(String, Vec<u8>), AppError> {
    let su = session
        .get::<SessionUser>(USER_KEY)
        .await
        ?
        .ok_or(AppError::SignInRequired)?;
    let (actor, user) = actor_for(&state.pool, su).await?;
    let record = find_reachable_cos(&state.pool, &actor, number, permissions::can_view).await?;
    let (cos_id, cos_number) = (record.id, record.cos_number.clone());
    let sponsor_id = record.sponsor_id;
    let view = app::api::cos::ssr::cos_view(record);
    let activities: Vec<(String, String, Vec<String>)> = app::db::cos::activity_history(&state.pool, sponsor_id, cos_id)
        .await?
        .into_iter()
        .map(|a| {
            let mut more = Vec::new();
            if let (Some(event), Some(due)) = (a.event_date, a.due_date) {
                let late = app::domain::working_days::lateness(a.days_late.max(0) as u32);
                more.push(format!("Event on {}; due by {}; reported {late}", uk_date(event), uk_date(due)));
            }
            if let Some(changes) = a.changes.as_object() {
                more.extend(changes.iter().map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default())));
            }
            (format!("{}, reported {} by {}", a.activity_type, uk_date(a.reported_at.date()), a.reported_by), a.details, more)
        })
        .collect();
    let at = app::db::cos::record_print(&state.pool, actor.sponsor_id, actor.user_id, cos_id, &cos_number).await?;
    let printed = format!(
        "{} at {:02}:{:02} (UK time) by {} ({})",
        uk_date(at.date()),
        at.hour(),
        at.minute(),
        user.full_name,
        user.user_id
    );
    // Laying out and compressing a PDF is CPU work: keep it off the async workers.
    let bytes = tokio::task::spawn_blocking(move || {
        render(&view, &Printing {
            sponsor_name: &user.sponsor_name,
            licence_number: &user.licence_number,
            printed: &printed,
            activities: &activities,
        })
    })
    .await
    .map_err(|e| AppError::internal("print", e))?
    .map_err(|e| AppError::internal("print", e))?;
    Ok((cos_number, bytes))
}
