//! "Export CSV" of an advanced search: every match, a row per CoS, read in chunks and streamed
//! as they come, so memory stays flat however many rows there are and a slow download holds
//! no database connection while it waits. Same filters, same reach
//! (a Level 2 user exports only their own CoS) and same order as the results list.

use crate::startup::AppState;
use app::api::ssr::{actor_for, SessionUser, USER_KEY};
use app::db::advanced_search::{for_each_match, ExportRow};
use app::domain::advanced_search::{query_pairs, AdvancedForm};
use app::domain::permissions;
use app::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tower_sessions::Session;

pub const HEADINGS: [&str; 13] = [
    "CoS number",
    "Family name",
    "Given names",
    "Route",
    "Status",
    "Status date",
    "Owner",
    "Date assigned",
    "Expiry date",
    "Activity reports",
    "Latest activity reported",
    "Latest activity reported on",
    "Latest activity date of event",
];

/// At most this many exports run at once in a process: each reads a chunk now and then for as
/// long as its download lasts, and the database's time is mostly for everyone's pages.
pub const MAX_EXPORTS: usize = 4;
/// How long an export waits for a turn before the answer is "busy".
pub const EXPORT_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

pub fn turns() -> &'static std::sync::Arc<tokio::sync::Semaphore> {
    static EXPORTS: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> = std::sync::OnceLock::new();
    EXPORTS.get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_EXPORTS)))
}

pub async fn export_csv(State(state): State<AppState>, session: Session, RawQuery(q): RawQuery) -> Response {
    match start(state, session, q.unwrap_or_default()).await {
        Ok(r) => r,
        Err(AppError::Invalid(errors)) => {
            let text = errors.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join("\n");
            (StatusCode::BAD_REQUEST, text).into_response()
        }
        Err(AppError::SignInRequired) => (StatusCode::UNAUTHORIZED, AppError::SignInRequired.to_string()).into_response(),
        Err(AppError::Busy) => crate::middleware::busy(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn start(state: AppState, session: Session, q: String) -> Result<Response, AppError> {
    let su = session
        .get::<SessionUser>(USER_KEY)
        .await
        ?
        .ok_or(AppError::SignInRequired)?;
    let (actor, _) = actor_for(&state.pool, su).await?;
    let pairs = query_pairs(&q);
    let mut form = AdvancedForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    // The export is of every match: a page cursor in the link means nothing here.
    (form.after, form.before) = (String::new(), String::new());
    let search = app::api::advanced_search::ssr::parse(&state.pool, &state.known_users, &actor, &form).await?.map_err(AppError::Invalid)?;
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);

    // A turn among the exports running now, held until the last chunk is read.
    let turn = tokio::time::timeout(EXPORT_WAIT, turns().clone().acquire_owned())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or(AppError::Busy)?;

    // The chunks are read in a task of their own and handed over a short queue: a slow
    // download holds the next chunk back instead of piling rows up in memory.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<ExportRow, std::io::Error>>(512);
    let pool = state.pool.clone();
    let sponsor_id = actor.sponsor_id;
    tokio::spawn(async move {
        let _turn = turn;
        let result = for_each_match(&pool, sponsor_id, owner_only, &search, |hit| {
            let tx = tx.clone();
            async move { tx.send(Ok(hit)).await.is_ok() }
        })
        .await;
        if let Err(e) = result {
            let reference = AppError::internal("export", e).to_string();
            // Fail the download rather than hand over a silently short file.
            let _ = tx.send(Err(std::io::Error::other(reference))).await;
        }
    });

    let rows = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|r| (r, rx)) })
        .ready_chunks(256)
        .map(|chunk| chunk.into_iter().collect::<Result<Vec<ExportRow>, _>>().map(|hits| Bytes::from(csv_rows(&hits))));
    let header = futures::stream::once(async { Ok::<_, std::io::Error>(Bytes::from(csv_header())) });
    let stamp = time::OffsetDateTime::now_utc().date();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"cos-search-{stamp}.csv\"")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        Body::from_stream(header.chain(rows)),
    )
        .into_response())
}

/// The heading row, after a byte-order mark so that spreadsheet programs read UTF-8 names right.
pub fn csv_header() -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADINGS).expect("writing to memory");
    w.into_inner().expect("writing to memory")
}

/// CSV lines for the rows, quoted where a value needs it (commas, quotes, line breaks).
pub fn csv_rows(rows: &[ExportRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 160));
    let date = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    for row in rows {
        let h = &row.hit;
        w.write_record([
            h.cos_number.as_str(),
            &inert(h.family_name.as_deref().unwrap_or("")),
            &inert(h.given_names.as_deref().unwrap_or("")),
            &inert(&h.route),
            h.status.as_str(),
            &h.status_date.date().to_string(),
            &inert(&h.owner_name),
            &date(h.date_assigned),
            &date(h.expiry_date),
            &row.activity_reports.to_string(),
            row.latest_activity.as_deref().unwrap_or(""),
            &date(row.latest_reported_on),
            &date(row.latest_event_date),
        ])
        .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// A cell a spreadsheet will show as text: one starting with = + - @, a tab or a carriage
/// return would be read as a formula (OWASP's CSV injection), so it gets a leading quote.
fn inert(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use app::db::advanced_search::Hit;

    fn hit(family: &str, given: &str) -> ExportRow {
        let hit = Hit {
            id: 1,
            cos_number: "C2G7K9Q4R8T".into(),
            family_name: Some(family.into()),
            given_names: Some(given.into()),
            route: "Skilled Worker".into(),
            status: "ASSIGNED".into(),
            status_date: time::macros::datetime!(2026-11-29 10:00 UTC),
            owner_name: "Sam O'Neill".into(),
            date_assigned: Some(time::macros::date!(2026 - 11 - 29)),
            expiry_date: None,
            sort_key: String::new(),
        };
        ExportRow { hit, activity_reports: 0, latest_activity: None, latest_reported_on: None, latest_event_date: None }
    }

    #[test]
    fn quotes_what_needs_quoting() {
        let out = String::from_utf8(csv_rows(&[hit("Smith, Jr", "Ann \"Annie\"\nMarie"), hit("Lévesque", "René")])).unwrap();
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(out.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][1], "Smith, Jr");
        assert_eq!(&rows[0][2], "Ann \"Annie\"\nMarie");
        assert_eq!(&rows[1][1], "Lévesque");
        assert_eq!(&rows[0][5], "2026-11-29");
        assert_eq!(&rows[0][8], "");
        assert!(out.starts_with("C2G7K9Q4R8T,\"Smith, Jr\",\"Ann \"\"Annie\"\"\nMarie\","), "{out}");
        // Formulas arrive as text: a worker's name can be anything the sponsor typed.
        let out = String::from_utf8(csv_rows(&[hit("=HYPERLINK(\"http://x\")", "+1"), hit("@SUM(A1)", "-2"), hit("\tx", "\r=y"), hit("O'Neill", "Jo-Ann")])).unwrap();
        let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new().has_headers(false).from_reader(out.as_bytes()).records().map(|r| r.unwrap()).collect();
        let names: Vec<(&str, &str)> = rows.iter().map(|r| (&r[1], &r[2])).collect();
        assert_eq!(names, [("'=HYPERLINK(\"http://x\")", "'+1"), ("'@SUM(A1)", "'-2"), ("'\tx", "'\r=y"), ("O'Neill", "Jo-Ann")]);
        // The latest activity report, when there is one.
        let mut reported = hit("Okafor", "Chidi");
        reported.activity_reports = 2;
        reported.latest_activity = Some("Change of salary".into());
        reported.latest_reported_on = Some(time::macros::date!(2026 - 11 - 30));
        reported.latest_event_date = Some(time::macros::date!(2026 - 11 - 2));
        let out = String::from_utf8(csv_rows(&[reported, hit("Eze", "Ada")])).unwrap();
        let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new().has_headers(false).from_reader(out.as_bytes()).records().map(|r| r.unwrap()).collect();
        assert_eq!(rows[0].iter().skip(9).collect::<Vec<_>>(), ["2", "Change of salary", "2026-11-30", "2026-11-02"]);
        assert_eq!(rows[1].iter().skip(9).collect::<Vec<_>>(), ["0", "", "", ""]);
        assert!(rows.iter().all(|r| r.len() == HEADINGS.len()));
        let head = csv_header();
        assert!(head.starts_with(b"\xEF\xBB\xBFCoS number,Family name,"));
    }
}
