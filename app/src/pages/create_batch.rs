//! "Create a batch of CoS" (the batch reference, the details every CoS of it shares, and a CSV
//! file of the workers, checked whole) and "Assign batch". Both are plain posts: the upload a
//! multipart form served beside the pages (`server/src/batch_upload.rs`).

use crate::api::create::{load_batch_assign, load_batch_form, START};
use crate::components::fields::error_for;
use crate::components::{DataTable, ErrorSummary, Page};
use crate::domain::cos_form::{self, MAX_FILE_BYTES, MAX_ROWS, SECTIONS};
use crate::pages::create_cos::{breadcrumb, datalists, field_view, others_view, prestored, problem};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CreateBatchPage() -> impl IntoView {
    let query = use_query_map();
    let route = Memo::new(move |_| query.read().get("route").unwrap_or_default());
    let screen = crate::data::load(move || route.get(), load_batch_form);
    let lists = crate::data::load(|| (), |_| crate::api::create::load_form_lists());
    view! {
        <Page title="Create a batch of CoS">
            {breadcrumb()}
            <Suspense fallback=|| view! { <h1>"Create a batch of CoS"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let lists = lists.await.unwrap_or_default();
                    let s = match screen.await {
                        Err(e) => return problem(e),
                        Ok(s) => s,
                    };
                    let errors = s.errors.clone();
                    let common: Vec<_> = SECTIONS.iter().filter(|sec| cos_form::COMMON.contains(&sec.title)).collect();
                    let reference_error = error_for(&errors, "reference");
                    let workers_error = error_for(&errors, "workers");
                    let has_problems = !s.problems.is_empty();
                    view! {
                        <ErrorSummary errors=errors.clone()/>
                        <h1>"Create a batch of CoS"</h1>
                        <dl class="summary"><div class="summary__row"><dt>"Route"</dt><dd>{s.route.clone()}</dd></div></dl>
                        <p>"A batch is one job for many workers. Give the details they share, then upload a file of the workers. Each worker becomes a CoS of the batch: READY TO GO when complete, WORK IN PROGRESS otherwise."</p>
                        {has_problems.then(|| view! {
                            <h2 id="problems">"Problems in the file"</h2>
                            <p>{if s.more > 0 {
                                format!("The first {} problems are listed; there are {} more.", s.problems.len(), s.more)
                            } else {
                                "Correct these in the file, then upload it again.".to_string()
                            }}</p>
                            <DataTable caption="Problems in the file, by row" headings=&["Row", "Column", "Problem"]>
                                {s.problems.clone().into_iter().map(|p| {
                                    let column = cos_form::field(&p.column).map(|f| f.label.to_string()).unwrap_or(p.column.clone());
                                    view! { <tr><td>{p.row}</td><td>{column}</td><td>{p.message}</td></tr> }
                                }).collect_view()}
                            </DataTable>
                        })}
                        <form method="post" action=format!("{START}/batch") enctype="multipart/form-data" class="form" novalidate
                            data-max-bytes=MAX_FILE_BYTES.to_string()>
                            <input type="hidden" name="route" value=s.route_id.to_string()/>
                            <input type="hidden" name="token" value=s.token.clone()/>
                            <div class="field" class:field--error=reference_error.is_some()>
                                <label for="reference">"Batch reference"</label>
                                <p class="field__hint" id="reference-hint">"Your name for the batch, unique among your batches, for example Harvest 2027"</p>
                                {reference_error.clone().map(|m| view! { <p class="field__error" id="reference-error"><span class="visually-hidden">"Error: "</span>{m}</p> })}
                                <input id="reference" name="reference" type="text" value=s.reference.clone() autocomplete="off"
                                    aria-describedby=if reference_error.is_some() { "reference-hint reference-error" } else { "reference-hint" }
                                    aria-invalid=reference_error.is_some().then_some("true")/>
                            </div>
                            {common.into_iter().map(|section| {
                                let address = section.title == "Main work address in the UK";
                                view! {
                                    <h2>{section.title}</h2>
                                    {address.then(|| prestored(s.addresses.clone(), error_for(&errors, "address_id"), None))}
                                    {section.fields.iter().map(|f| field_view(f, s.form.get(f.name).cloned().unwrap_or_default(), error_for(&errors, f.name))).collect_view()}
                                    {address.then(|| others_view(&s.form, &errors, &s.addresses))}
                                }
                            }).collect_view()}
                            <h2>"Workers"</h2>
                            <div class="field" class:field--error=workers_error.is_some()>
                                <label for="workers">"File of workers (CSV)"</label>
                                <p class="field__hint" id="workers-hint">
                                    {format!("One row a worker, with the template's header row; dates as 27/03/1990; saved as UTF-8. Up to {MAX_ROWS} workers and 5 MB. ")}
                                    <a href=format!("{START}/batch-template.csv") rel="external" download="">"Download the template (CSV)"</a>
                                </p>
                                {workers_error.clone().map(|m| view! { <p class="field__error" id="workers-error"><span class="visually-hidden">"Error: "</span>{m}</p> })}
                                // Once hydrated, a file over the limit is refused here before minutes of uploading (`enhance`).
                                <div id="workers-too-big"></div>
                                <input id="workers" name="workers" type="file" accept=".csv,text/csv"
                                    aria-describedby=if workers_error.is_some() { "workers-hint workers-error" } else { "workers-hint" }
                                    aria-invalid=workers_error.is_some().then_some("true")/>
                            </div>
                            {datalists(lists)}
                            <div class="actions">
                                <button type="submit" class="button">"Check and save"</button>
                                <a href=START class="link-button">"Cancel"</a>
                            </div>
                            // Once hydrated: a file of thousands of workers takes a few seconds to check and save.
                            <p class="progress" role="status"></p>
                        </form>
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
}

/// "Assign batch": every READY TO GO CoS of the batch, at once, or none.
#[component]
pub fn BatchAssignPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("batch_id").unwrap_or_default());
    let screen = crate::data::load(move || id.get(), load_batch_assign);
    view! {
        <Page title="Assign batch">
            <p class="breadcrumb"><a href="/">"Workers"</a> " › " <a href="/view-cos/batches">"Batches"</a></p>
            <Suspense fallback=|| view! { <h1>"Assign batch"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let code = query.read_untracked().get("problem").unwrap_or_default();
                    let s = match screen.await {
                        Err(e) => return problem(e),
                        Ok(s) => s,
                    };
                    let message = match code.as_str() {
                        "allocation" => Some(format!("There is not enough of your CoS allocation left to assign these {} CoS.", s.ready)),
                        "changed" => Some("The CoS of this batch changed while you were looking at them. Check the count below, then assign again.".to_string()),
                        "not-ready" => s.refusal.clone(),
                        _ => None,
                    };
                    let can = s.refusal.is_none();
                    let back = format!("/view-cos/batches/{}", s.batch_id);
                    view! {
                        {message.map(|m| view! {
                            <div class="error-summary" role="alert" tabindex="-1">
                                <h2>"There is a problem"</h2>
                                <p>{m}</p>
                            </div>
                        })}
                        <h1>"Assign batch"</h1>
                        <dl class="summary">
                            <div class="summary__row"><dt>"Batch reference"</dt><dd>{s.reference.clone()}</dd></div>
                            <div class="summary__row"><dt>"Route"</dt><dd>{s.route.clone()}</dd></div>
                            <div class="summary__row"><dt>"CoS READY TO GO"</dt><dd data-testid="ready">{s.ready}</dd></div>
                            <div class="summary__row"><dt>"Fee"</dt><dd>{format!("£{} each, £{} in all", s.fee_each, s.fee_each as i64 * s.ready)}</dd></div>
                            <div class="summary__row"><dt>"Allocation left this year"</dt><dd>{format!("{} of {}", s.left, s.allocation)}</dd></div>
                        </dl>
                        {s.refusal.clone().map(|r| view! { <p class="inset">{r}</p> })}
                        <p>"Every READY TO GO CoS of the batch is assigned at once, or none if your allocation cannot cover them all. CoS still WORK IN PROGRESS stay as they are."</p>
                        <form method="post" action="/api/create/assign_batch" class="form">
                            <input type="hidden" name="batch_id" value=s.batch_id.to_string()/>
                            <input type="hidden" name="ready" value=s.ready.to_string()/>
                            <div class="actions">
                                {can.then(|| view! { <button type="submit" class="button">"Assign batch"</button> })}
                                <a href=back class="link-button">"Back"</a>
                            </div>
                        </form>
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
}
