//! "Create a batch of CoS" with a CSV file of workers: a multipart form post (so it works
//! without WebAssembly). The file is checked whole against the same rules as a single CoS;
//! every problem is listed by row and column and nothing is saved until none is left. A clean
//! file makes the batch and all its CoS in one transaction. Also the file's template.

use crate::startup::AppState;
use app::api::create::ssr::{batch_form_path, BatchFlash, BATCH_FLASH_KEY};
use app::api::ssr::{actor_for, SessionUser, USER_KEY};
use app::db::{self, audit, status_changes::uk_today};
use app::domain::cos_form::{self, CosForm, Problem, MAX_ROWS, PROBLEMS_SHOWN};
use app::domain::search::{has_control, CONTROL_MESSAGE};
use app::error::AppError;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// The largest file of workers (10,000 rows fit in well under this).
pub use app::domain::cos_form::MAX_FILE_BYTES;
/// The whole form: the file and the common details.
pub const MAX_UPLOAD_BYTES: usize = MAX_FILE_BYTES + 256 * 1024;

/// The template: the header row of the workers' columns, and one example row.
pub async fn template() -> Response {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = cos_form::worker_fields().map(|f| f.name).collect();
    let example: Vec<&str> = cos_form::worker_fields()
        .map(|f| match f.name {
            "family_name" => "Okafor",
            "given_names" => "Chidi",
            "nationality" => "Nigeria",
            "place_of_birth" => "Lagos",
            "country_of_birth" => "Nigeria",
            "date_of_birth" => "27/03/1990",
            "gender" => "Male",
            "country_of_residence" => "Nigeria",
            "passport_number" => "A12345678",
            "passport_issue_date" => "14/02/2022",
            "passport_expiry_date" => "13/02/2032",
            "passport_place_of_issue" => "Abuja",
            "home_address" => "12 Marina Road, Lagos, Nigeria",
            _ => "",
        })
        .collect();
    let _ = w.write_record(&header);
    let _ = w.write_record(&example);
    let body = w.into_inner().unwrap_or_default();
    (
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"workers-template.csv\"")],
        body,
    )
        .into_response()
}

pub async fn create_batch(State(state): State<AppState>, session: Session, multipart: Multipart) -> Response {
    match run(&state, &session, multipart).await {
        Ok(r) => r,
        Err(AppError::SignInRequired) => Redirect::to("/sign-in").into_response(),
        Err(e @ AppError::BadRequest(_)) | Err(e @ AppError::Invalid(_)) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        Err(AppError::Busy) => crate::middleware::busy(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// What the form sent: its fields by name, and the file's bytes (None: no file chosen).
struct Sent {
    fields: Vec<(String, String)>,
    file: Option<Vec<u8>>,
    too_big: bool,
}

async fn read(mut multipart: Multipart) -> Result<Sent, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| AppError::BadRequest(format!("The form could not be read: {e}"));
    let mut sent = Sent { fields: vec![], file: None, too_big: false };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "workers" {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                    sent.too_big = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            // A file input left empty still sends a part, with no name and no bytes.
            if !bytes.is_empty() || sent.too_big {
                sent.file = Some(bytes);
            }
        } else if sent.fields.len() < 200 {
            let text = field.text().await.map_err(bad)?;
            sent.fields.push((name, text));
        }
    }
    Ok(sent)
}

/// The rows of a CSV file: the header and every row, or what is wrong with the file itself.
fn parse_csv(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|_| "The file must be a CSV file saved as UTF-8, with the template's header row".to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|_| format!("Row {} cannot be read: save the file as UTF-8 CSV", i + 2))?;
        rows.push(record.iter().map(str::to_string).collect());
        if rows.len() > MAX_ROWS {
            break;
        }
    }
    Ok((header, rows))
}

/// Back to the form with what was typed (never the file) and every problem.
async fn refuse(
    session: &Session,
    path: &str,
    reference: &str,
    form: CosForm,
    errors: Vec<(String, String)>,
    mut problems: Vec<Problem>,
) -> Result<Response, AppError> {
    let more = problems.len().saturating_sub(PROBLEMS_SHOWN);
    problems.truncate(PROBLEMS_SHOWN);
    let flash = BatchFlash { path: path.to_string(), reference: reference.to_string(), form, errors, problems, more };
    session.insert(BATCH_FLASH_KEY, flash).await?;
    Ok(Redirect::to(path).into_response())
}

async fn run(state: &AppState, session: &Session, multipart: Multipart) -> Result<Response, AppError> {
    let su = session.get::<SessionUser>(USER_KEY).await?.ok_or(AppError::SignInRequired)?;
    let (actor, _) = actor_for(&state.pool, su).await?;
    let pool = &state.pool;
    let sent = read(multipart).await?;
    let get = |k: &str| sent.fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let (route_id, _, _) = app::api::create::ssr::route(pool, &get("route")).await?;
    let path = batch_form_path(route_id);
    let mut errors: Vec<(String, String)> = Vec::new();

    // The common details, as the single form reads them.
    let common_names: Vec<&str> = cos_form::common_fields().map(|f| f.name).collect();
    let mut form: CosForm = sent
        .fields
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("cos[").and_then(|k| k.strip_suffix(']')).map(|k| (k.to_string(), v.clone())))
        .filter(|(k, _)| common_names.contains(&k.as_str()) || k == "address_id" || cos_form::is_other_key(k))
        .collect();
    let addresses = app::api::create::ssr::addresses(pool, &actor).await?;
    errors.extend(app::api::create::ssr::use_prestored(&mut form, &addresses));
    let reference = get("reference").trim().to_string();
    if reference.is_empty() {
        errors.push(("reference".into(), "Enter a batch reference".into()));
    } else if reference.chars().count() > 50 {
        errors.push(("reference".into(), "The batch reference must be 50 characters or fewer".into()));
    } else if has_control(&reference) {
        errors.push(("reference".into(), CONTROL_MESSAGE.into()));
    }
    let today = uk_today(&mut *pool.acquire().await?).await?;
    let lists = app::api::create::ssr::lists(pool).await?;
    let common_check = cos_form::check(&form, today, &lists);
    errors.extend(common_check.errors.into_iter().filter(|(k, _)| common_names.contains(&k.as_str()) || cos_form::is_other_key(k)));

    let mut problems: Vec<Problem> = Vec::new();
    let mut checked = Vec::new();
    match (&sent.file, sent.too_big) {
        (_, true) => errors.push(("workers".into(), cos_form::FILE_TOO_BIG.into())),
        (None, _) => errors.push(("workers".into(), "Select a CSV file of the workers".into())),
        (Some(bytes), _) => match parse_csv(bytes) {
            Err(m) => errors.push(("workers".into(), m)),
            Ok((header, rows)) => match cos_form::check_upload(&header, &rows, &form, today, &lists) {
                Ok(c) => checked = c,
                Err(p) => problems = p,
            },
        },
    }
    if !problems.is_empty() {
        errors.push(("workers".into(), format!(
            "The file has {} {}. Nothing has been saved: correct the file, then upload it again",
            problems.len(),
            if problems.len() == 1 { "problem" } else { "problems" }
        )));
    }

    if !errors.is_empty() {
        return refuse(session, &path, &reference, form, errors, problems).await;
    }

    let token = uuid::Uuid::parse_str(get("token").trim()).map_err(|_| AppError::BadRequest("This form cannot be read. Open it again.".into()))?;
    let common_json = serde_json::to_value(&form).map_err(|e| AppError::internal("batch common", e))?;
    let rows: Vec<(&'static str, cos_form::Checked)> =
        checked.into_iter().map(|c| (if c.complete() { "READY TO GO" } else { "WORK IN PROGRESS" }, c)).collect();
    let ready = rows.iter().filter(|r| r.0 == "READY TO GO").count();
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    let batch_id = match db::drafts::insert_batch(&mut tx, actor.sponsor_id, route_id, actor.user_id, &reference, &common_json, token).await? {
        Ok(id) => id,
        Err(Some(made)) => {
            // The same form sent twice: its batch is there already.
            tx.rollback().await?;
            return Ok(Redirect::to(&format!("/view-cos/batches/{made}")).into_response());
        }
        Err(None) => {
            tx.rollback().await?;
            let e = vec![("reference".to_string(), format!("You already have a batch called \u{201c}{reference}\u{201d}. Choose a different batch reference"))];
            return refuse(session, &path, &reference, form, e, vec![]).await;
        }
    };
    let made = db::drafts::insert_many(&mut tx, actor.sponsor_id, route_id, actor.user_id, batch_id, &rows).await?;
    audit::record(&mut tx, audit::Event {
        sponsor_id: Some(actor.sponsor_id),
        actor_kind: "USER",
        actor_user_id: Some(actor.user_id),
        action: "batch_created",
        entity: Some("batch"),
        entity_id: Some(batch_id),
        details: serde_json::json!({ "reference": reference, "cos": made, "ready_to_go": ready }),
    })
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/view-cos/batches/{batch_id}?created={made}&ready={ready}")).into_response())
}
