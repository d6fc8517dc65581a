//! Sponsorship duties → "Report migrant activity" (SMS guide 9): "Search for a CoS", the CoS
//! with Report activity (USED only), the report form, "Check your report" and "Activity
//! reported". Plain form posts; once hydrated the form shows only the answers the chosen
//! activity asks for, and counts the details' characters.

use crate::api::report::{load_check, load_report_cos, load_report_form, PATH};
use crate::components::{summary_list, ErrorSummary, Page};
use crate::domain::activity_report::{EXTRAS, MAX_DETAILS};
use crate::domain::search::{keep, with_search};
use crate::pages::cos_history::{not_found, use_cos_path};
use crate::pages::view_cos::{BasicSearch, SearchFor};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn breadcrumb() -> impl IntoView {
    view! {
        <p class="breadcrumb"><a href="/">"Workers"</a> " › " <a href="/sponsorship-duties">"Sponsorship duties"</a></p>
    }
}

fn problem(e: crate::error::AppError) -> AnyView {
    match e {
        crate::error::AppError::Invalid(m) => view! {
            <h1>"Report migrant activity"</h1>
            <p class="error" role="alert">{m.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" ")}</p>
            <p><a href=PATH>"Search for a CoS"</a></p>
        }
        .into_any(),
        crate::error::AppError::Forbidden(m) => {
            crate::error::set_status(403);
            view! { <h1>"Report migrant activity"</h1><p class="error" role="alert">{m}</p> }.into_any()
        }
        e => not_found(e),
    }
}

#[component]
pub fn ReportSearchPage() -> impl IntoView {
    view! {
        <Page title="Report migrant activity">
            {breadcrumb()}
            <h1>"Report migrant activity"</h1>
            <p>"Find the CoS of the worker you are reporting on. Only a USED CoS can be reported on."</p>
            <h2>"Search for a CoS"</h2>
            <BasicSearch purpose=SearchFor::ReportActivity/>
        </Page>
    }
}

/// The CoS, with Report activity and Back (or why it cannot be reported on).
#[component]
pub fn ReportCosPage() -> impl IntoView {
    let (number, q) = use_cos_path();
    let cos = crate::data::load(move || number.get(), load_report_cos);
    view! {
        <Page title="Report migrant activity">
            {breadcrumb()}
            <Suspense fallback=|| view! { <h1>"Report migrant activity"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let q = q.get_untracked();
                    match cos.await {
                        Err(e) => problem(e),
                        Ok(c) => view! {
                            <h1>"Report migrant activity"</h1>
                            {summary_list(c.rows.clone())}
                            {c.refusal.clone().map(|why| view! { <div class="inset inset--warning"><p>{why}</p></div> })}
                            <div class="actions">
                                {c.refusal.is_none().then(|| view! {
                                    <a href=format!("{PATH}/{}/report{}", c.cos_number, keep(&q)) class="button">"Report activity"</a>
                                })}
                                <a href=with_search(PATH, &q) class="button button--secondary">"Back"</a>
                            </div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// The report form: activity, date of the event, details, and what changed.
#[component]
pub fn ReportFormPage() -> impl IntoView {
    let (number, q) = use_cos_path();
    let screen = crate::data::load(move || number.get(), load_report_form);
    view! {
        <Page title="Report activity">
            {breadcrumb()}
            <Suspense fallback=|| view! { <h1>"Report activity"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let q = q.get_untracked();
                    let s = match screen.await {
                        Err(e) => return problem(e),
                        Ok(s) => s,
                    };
                    if let Some(why) = s.cos.refusal.clone() {
                        return view! { <h1>"Report activity"</h1><div class="inset inset--warning"><p>{why}</p></div> }.into_any();
                    }
                    let errors = s.errors.clone();
                    let error = |name: &str| errors.iter().find(|e| e.0 == name).map(|e| e.1.clone());
                    let answer = |name: &str| s.answers.get(name).cloned().unwrap_or_default();
                    let initial = answer("activity");
                    let field_error = |name: &'static str| error(name).map(|m| view! {
                        <p class="field__error" id=format!("{name}-error")><span class="visually-hidden">"Error: "</span>{m}</p>
                    });
                    view! {
                        <ErrorSummary errors=errors.clone()/>
                        <h1>"Report activity"</h1>
                        <p>{format!("CoS {}", s.cos.cos_number)}</p>
                        // Once hydrated, choosing an activity hides the answers of the others, and the
                        // details count their characters (`enhance`).
                        <form method="post" action="/api/report/check" class="form" novalidate>
                            <input type="hidden" name="cos_number" value=s.cos.cos_number.clone()/>
                            <div class="field" class:field--error=error("activity").is_some()>
                                <label for="activity">"Activity"</label>
                                {field_error("activity")}
                                <select id="activity" name="report[activity]" aria-invalid=error("activity").is_some().then_some("true")>
                                    <option value="">"Select the activity"</option>
                                    {s.types.iter().map(|(id, name)| view! {
                                        <option value=id.to_string() selected=initial == id.to_string()>{name.clone()}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <div class="field" class:field--error=error("event_date").is_some()>
                                <label for="event_date">"Date of the event"</label>
                                <p class="field__hint" id="event_date-hint">"For example 14/11/2026. Not in the future."</p>
                                {field_error("event_date")}
                                <input id="event_date" name="report[event_date]" type="text" class="input--short" value=answer("event_date")
                                    aria-describedby="event_date-hint" aria-invalid=error("event_date").is_some().then_some("true")/>
                            </div>
                            <div class="field" class:field--error=error("details").is_some()>
                                <label for="details">"Details"</label>
                                <p class="field__hint" id="details-hint">{format!("What happened, up to {MAX_DETAILS} characters.")}</p>
                                {field_error("details")}
                                <textarea id="details" name="report[details]" rows="6" aria-describedby="details-hint details-count"
                                    aria-invalid=error("details").is_some().then_some("true")
                                    data-max=MAX_DETAILS.to_string()>{answer("details")}</textarea>
                                <p class="field__hint" id="details-count" aria-live="polite"></p>
                            </div>
                            <h2>"What changed"</h2>
                            <p class="hint">"Only for the activities named by each answer; the others leave these empty."</p>
                            {(!s.addresses.is_empty()).then(|| {
                                // Each option names the fields it fills, by id (`enhance`).
                                let fills = |a: &crate::api::create::StoredAddress| {
                                    let get = |k: &str| a.fields.iter().find(|f| f.0 == k).map(|f| f.1.clone()).unwrap_or_default();
                                    let line1 = ["work_address_line1", "work_address_line2", "work_address_line3"].iter().map(|k| get(k)).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(", ");
                                    crate::components::enhance::fill_attr(&[
                                        ("new_line1".into(), line1),
                                        ("new_town".into(), get("work_address_town")),
                                        ("new_postcode".into(), get("work_address_postcode")),
                                    ])
                                };
                                view! {
                                    <div class="field" class:field--error=error("new_address_id").is_some() data-for-type="Change of work location">
                                        <label for="new_address_id">"New work address: pre-stored address (optional)"</label>
                                        <p class="field__hint" id="new_address_id-hint">"For \u{201c}Change of work location\u{201d}. Choose one to fill in the address below, or type it."</p>
                                        {field_error("new_address_id")}
                                        <select id="new_address_id" name="report[new_address_id]" aria-describedby="new_address_id-hint" data-fill="">
                                            <option value="">"Type the address"</option>
                                            {s.addresses.iter().map(|a| view! { <option value=a.id.to_string() data-fields=fills(a)>{a.identifier.clone()}</option> }).collect_view()}
                                        </select>
                                    </div>
                                }
                            })}
                            {EXTRAS.iter().map(|x| {
                                view! {
                                    <div class="field" class:field--error=error(x.name).is_some() data-for-type=x.for_type>
                                        <label for=x.name>{x.label}</label>
                                        <p class="field__hint" id=format!("{}-hint", x.name)>
                                            {format!("For \u{201c}{}\u{201d}. {}", x.for_type, x.hint)}
                                        </p>
                                        {field_error(x.name)}
                                        <input id=x.name name=format!("report[{}]", x.name) type="text" value=answer(x.name)
                                            aria-describedby=format!("{}-hint", x.name) aria-invalid=error(x.name).is_some().then_some("true")/>
                                    </div>
                                }
                            }).collect_view()}
                            <div class="actions">
                                <button type="submit" class="button">"Continue"</button>
                                <a href=format!("{PATH}/{}{}", s.cos.cos_number, keep(&q)) class="link-button">"Cancel"</a>
                            </div>
                        </form>
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
}

/// "Check your report": every answer with Change, the deadline and any lateness, Submit.
#[component]
pub fn CheckReportPage() -> impl IntoView {
    let (number, _) = use_cos_path();
    let screen = crate::data::load(move || number.get(), load_check);
    view! {
        <Page title="Check your report">
            {breadcrumb()}
            <Suspense fallback=|| view! { <h1>"Check your report"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let s = match screen.await {
                        Err(e) => return problem(e),
                        Ok(s) => s,
                    };
                    let form = format!("{PATH}/{}/report", s.cos_number);
                    view! {
                        <h1>"Check your report"</h1>
                        <dl class="summary">
                            {s.answers.iter().map(|(label, value, field)| view! {
                                <div class="summary__row">
                                    <dt>{label.clone()}</dt>
                                    <dd class="pre-line">{value.clone()}</dd>
                                    <dd><a href=format!("{form}#{field}")>"Change"<span class="visually-hidden">{format!(" {}", label.to_lowercase())}</span></a></dd>
                                </div>
                            }).collect_view()}
                        </dl>
                        <div class="inset" class:inset--warning={s.days_late > 0} data-testid="deadline">
                            <p>{format!("A report of an event on {} is due by {}. Reported today, {}, it is ", s.event, s.due, s.reported)}
                               <strong>{crate::domain::working_days::lateness(s.days_late)}</strong>"."</p>
                        </div>
                        <form method="post" action="/api/report/submit" class="form">
                            <input type="hidden" name="cos_number" value=s.cos_number.clone()/>
                            <div class="actions">
                                <button type="submit" class="button">"Submit"</button>
                                <a href=form.clone() class="link-button">"Change your answers"</a>
                            </div>
                        </form>
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
}

/// "Activity reported": the date, and the way on.
#[component]
pub fn ActivityReportedPage() -> impl IntoView {
    let (number, _) = use_cos_path();
    let query = use_query_map();
    let histories = crate::data::load(move || number.get(), crate::api::cos::load_cos_histories);
    view! {
        <Page title="Activity reported">
            <Suspense fallback=|| view! { <h1>"Activity reported"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let id: Option<i64> = query.read_untracked().get("report").and_then(|r| r.parse().ok());
                    let h = match histories.await {
                        Err(e) => return problem(e),
                        Ok(h) => h,
                    };
                    let base = format!("/view-cos/{}", h.cos_number);
                    let report = id.and_then(|id| h.activities.iter().find(|a| a.id == id).cloned())
                        .or_else(|| h.activities.last().cloned());
                    view! {
                        <div class="panel" role="status">
                            <h1>"Activity reported"</h1>
                            {report.map(|a| view! { <p>{format!("Your report of \u{201c}{}\u{201d} on CoS {} was made on {}.", a.activity_type, h.cos_number, a.reported)}</p> })}
                        </div>
                        <div class="actions">
                            <a href=format!("{base}/activity-history") class="button">"Activity history"</a>
                            <a href=PATH class="button button--secondary">"Report another"</a>
                        </div>
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
}
