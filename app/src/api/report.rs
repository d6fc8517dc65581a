//! Sponsorship duties → "Report migrant activity" (SMS guide 9): the CoS (USED only), the
//! report form, "Check your report" and Submit. The answers wait in the session between the
//! form and Submit (never in an address, as the details may be personal), so Change returns to
//! the form with them kept. Plain form posts throughout.

use crate::domain::activity_report::ReportForm;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/sponsorship-duties/report-activity";

/// The CoS a report is about, and why none can be made (not USED), if so.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCos {
    pub cos_number: String,
    pub rows: Vec<(String, String)>,
    pub refusal: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFormScreen {
    pub cos: ReportCos,
    /// (id, name) of every activity type.
    pub types: Vec<(i16, String)>,
    pub answers: ReportForm,
    pub errors: Vec<(String, String)>,
    /// The sponsor's pre-stored work addresses, for a change of work location.
    pub addresses: Vec<crate::api::create::StoredAddress>,
}

/// "Check your report".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckScreen {
    pub cos_number: String,
    /// (label, answer, the form field Change goes to)
    pub answers: Vec<(String, String, String)>,
    pub event: String,
    pub due: String,
    pub reported: String,
    pub days_late: u32,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::db;
    use crate::domain::{activity_report, dates::uk_date, working_days};

    pub const ANSWERS_KEY: &str = "activity_report";

    #[derive(Serialize, Deserialize)]
    pub struct Answers {
        pub cos_number: String,
        pub form: ReportForm,
        pub errors: Vec<(String, String)>,
    }

    pub fn refusal(status: &str) -> Option<String> {
        (status != "USED").then(|| format!("Only a USED CoS can be reported on. This CoS is {status}."))
    }

    pub async fn cos(cos_number: &str) -> Result<(crate::domain::permissions::Actor, db::PgPool, db::cos::Record, ReportCos), AppError> {
        use crate::api::cos::worker_name;
        let (actor, pool, c) = crate::api::ssr::reachable_cos(cos_number, crate::domain::permissions::can_view).await?;
        let date = |d: Option<time::Date>| d.map(uk_date).unwrap_or_default();
        let rows = vec![
            ("CoS number", c.cos_number.clone()),
            ("Status", c.status.clone()),
            ("Worker", worker_name(c.family_name.as_deref(), c.given_names.as_deref())),
            ("Route", c.route.clone()),
            ("Job title", c.job_title.clone().unwrap_or_default()),
            ("Date assigned", date(c.date_assigned)),
            ("Owner", c.owner_name.clone()),
        ];
        let view = ReportCos {
            cos_number: c.cos_number.clone(),
            rows: rows.into_iter().map(|(l, v)| (l.to_string(), v)).collect(),
            refusal: refusal(&c.status),
        };
        Ok((actor, pool, c, view))
    }

    pub async fn session_answers(cos_number: &str) -> Result<Option<Answers>, AppError> {
        let session = crate::api::ssr::session().await?;
        let a = session.get::<Answers>(ANSWERS_KEY).await?;
        Ok(a.filter(|a| a.cos_number == cos_number))
    }

    pub async fn keep(answers: Answers) -> Result<(), AppError> {
        let session = crate::api::ssr::session().await?;
        session.insert(ANSWERS_KEY, answers).await.map_err(AppError::from)
    }

    /// The answers checked, with the day the report is due and how late it is today.
    pub async fn checked(
        pool: &db::PgPool,
        c: &db::cos::Record,
        form: &ReportForm,
    ) -> Result<Result<(activity_report::Report, time::Date, time::Date, u32), Vec<(String, String)>>, AppError> {
        let types = db::advanced_search::activity_types(pool, &crate::api::ssr::reference_lists()).await?;
        let today = db::status_changes::uk_today(&mut *pool.acquire().await?).await?;
        Ok(match activity_report::check(form, &types, c.date_assigned, today) {
            Err(e) => Err(e),
            Ok(r) => {
                let holidays = db::reports::bank_holidays(pool).await?;
                let due = working_days::deadline(r.event, &holidays);
                let late = working_days::working_days_late(due, today, &holidays);
                Ok((r, due, today, late))
            }
        })
    }
}

#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
fn form_path(cos_number: &str) -> String {
    format!("{PATH}/{cos_number}/report")
}

#[server(endpoint = "report/cos")]
pub async fn load_report_cos(cos_number: String) -> Result<ReportCos, AppError> {
    Ok(ssr::cos(&cos_number).await?.3)
}

#[server(endpoint = "report/form")]
pub async fn load_report_form(cos_number: String) -> Result<ReportFormScreen, AppError> {
    let (actor, pool, c, cos) = ssr::cos(&cos_number).await?;
    let types = crate::db::advanced_search::activity_types(&pool, &crate::api::ssr::reference_lists()).await?;
    let kept = ssr::session_answers(&c.cos_number).await?;
    let (answers, errors) = kept.map(|a| (a.form, a.errors)).unwrap_or_default();
    let addresses = crate::api::create::ssr::addresses(&pool, &actor).await?;
    Ok(ReportFormScreen { cos, types, answers, errors, addresses })
}

/// The form's Continue: the answers are checked and kept; on to "Check your report", or back
/// to the form with what is wrong.
#[server(endpoint = "report/check")]
pub async fn check_report(cos_number: String, report: ReportForm) -> Result<(), AppError> {
    use crate::api::ssr::redirect;
    use crate::domain::activity_report::EXTRAS;

    let (actor, pool, c, cos) = ssr::cos(&cos_number).await?;
    if let Some(why) = cos.refusal {
        return Err(AppError::Forbidden(why));
    }
    let mut form: ReportForm = report
        .into_iter()
        .filter(|(k, _)| ["activity", "event_date", "details", "new_address_id"].contains(&k.as_str()) || EXTRAS.iter().any(|x| x.name == k))
        .collect();
    // A pre-stored address chosen for the new work address: its lines are copied in.
    let mut chosen_wrong = None;
    if let Some(id) = form.remove("new_address_id").filter(|a| !a.trim().is_empty()) {
        match crate::api::create::ssr::addresses(&pool, &actor).await?.into_iter().find(|a| a.id.to_string() == id.trim()) {
            Some(a) => {
                let get = |k: &str| a.fields.iter().find(|f| f.0 == k).map(|f| f.1.clone()).unwrap_or_default();
                let lines: Vec<String> =
                    ["work_address_line1", "work_address_line2", "work_address_line3"].iter().map(|k| get(k)).filter(|l| !l.is_empty()).collect();
                form.insert("new_line1".into(), lines.join(", "));
                form.insert("new_town".into(), get("work_address_town"));
                form.insert("new_postcode".into(), get("work_address_postcode"));
            }
            None => chosen_wrong = Some(("new_address_id".to_string(), "Select one of your pre-stored addresses, or type the address".to_string())),
        }
    }
    let mut errors = match ssr::checked(&pool, &c, &form).await? {
        Ok(_) => vec![],
        Err(e) => e,
    };
    errors.extend(chosen_wrong);
    let next = if errors.is_empty() { format!("{PATH}/{}/check", c.cos_number) } else { form_path(&c.cos_number) };
    ssr::keep(ssr::Answers { cos_number: c.cos_number, form, errors }).await?;
    redirect(&next);
    Ok(())
}

#[server(endpoint = "report/check_screen")]
pub async fn load_check(cos_number: String) -> Result<CheckScreen, AppError> {
    use crate::domain::{activity_report::EXTRAS, dates::uk_date};

    let (_, pool, c, _) = ssr::cos(&cos_number).await?;
    let answers = ssr::session_answers(&c.cos_number)
        .await?
        .ok_or_else(|| AppError::Invalid(vec![("report".into(), "There is no report to check. Start the report again.".into())]))?;
    let (r, due, today, late) = ssr::checked(&pool, &c, &answers.form).await?.map_err(AppError::Invalid)?;
    let mut rows = vec![
        ("Activity".to_string(), r.type_name.clone(), "activity".to_string()),
        ("Date of the event".to_string(), uk_date(r.event), "event_date".to_string()),
        ("Details".to_string(), r.details.clone(), "details".to_string()),
    ];
    for (label, value) in &r.changes {
        let field = EXTRAS.iter().find(|x| x.label == label).map(|x| x.name).unwrap_or("activity");
        rows.push((label.clone(), value.clone(), field.to_string()));
    }
    Ok(CheckScreen { cos_number: c.cos_number, answers: rows, event: uk_date(r.event), due: uk_date(due), reported: uk_date(today), days_late: late })
}

/// Submit: the report is added (once, however many times this is sent) with an audit event.
#[server(endpoint = "report/submit")]
pub async fn submit_report(cos_number: String) -> Result<(), AppError> {
    use crate::api::ssr::{redirect, session};
    use crate::db::{self, audit};
    use crate::domain::permissions;

    let (actor, pool, c, cos) = ssr::cos(&cos_number).await?;
    if let Some(why) = cos.refusal {
        return Err(AppError::Forbidden(why));
    }
    let Some(answers) = ssr::session_answers(&c.cos_number).await? else {
        // Sent twice: the first took the answers and made the report.
        redirect(&format!("{PATH}/{}/reported", c.cos_number));
        return Ok(());
    };
    let (r, due, _, late) = match ssr::checked(&pool, &c, &answers.form).await? {
        Ok(ok) => ok,
        Err(errors) => {
            ssr::keep(ssr::Answers { cos_number: c.cos_number.clone(), form: answers.form, errors }).await?;
            redirect(&form_path(&c.cos_number));
            return Ok(());
        }
    };
    // The answers are taken first: a second Submit arriving meanwhile finds none.
    let session = session().await?;
    session.remove_value(ssr::ANSWERS_KEY).await?;
    session.save().await?;
    let owner_only = permissions::sees_only_own(&actor).then_some(actor.user_id);
    let mut tx = pool.begin().await?;
    db::acting_as(&mut tx, actor.user_id).await?;
    let Some((id, new)) = db::reports::add(&mut tx, c.sponsor_id, c.id, owner_only, actor.user_id, &r, due, late).await? else {
        tx.rollback().await?;
        return Err(AppError::Forbidden("This CoS can no longer be reported on: it is no longer USED, or no longer yours.".into()));
    };
    if !new {
        tx.rollback().await?;
        redirect(&format!("{PATH}/{}/reported?report={id}", c.cos_number));
        return Ok(());
    }
    audit::record(&mut tx, audit::Event {
        sponsor_id: Some(c.sponsor_id),
        actor_kind: "USER",
        actor_user_id: Some(actor.user_id),
        action: "activity_reported",
        entity: Some("cos"),
        entity_id: Some(c.id),
        details: serde_json::json!({ "cos_number": c.cos_number, "report_id": id, "activity": r.type_name, "event_date": r.event.to_string(), "days_late": late }),
    })
    .await?;
    tx.commit().await?;
    redirect(&format!("{PATH}/{}/reported?report={id}", c.cos_number));
    Ok(())
}
