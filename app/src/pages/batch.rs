//! A batch: the "CoS search result" screen (its CoS, and Transfer), "Transfer batch of CoS",
//! and "The batch has been transferred".

use crate::api::batches::{view_batch, BatchView};
use crate::components::transfer_form::transfer_problem;
use crate::components::transfer_dialog::Target;
use crate::components::{DataTable, ErrorSummary, Page, ResultsChangedBanner, TransferDialogHost, TransferToForm};
use crate::domain::search::{keep, with_search};
use crate::error::AppError;
use crate::pages::batch_search::PATH;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn not_found(e: AppError) -> AnyView {
    if matches!(e, AppError::Busy) {
        return crate::components::error_summary::busy();
    }
    if matches!(e, AppError::NotFound(_)) {
        crate::error::set_status(404);
    }
    view! {
        <h1>"Batch not found"</h1>
        <p>{e.to_string()}</p>
        <p><a href=PATH>"Search for batches of CoS"</a></p>
    }
    .into_any()
}

/// The batch of the path, loaded for one of its screens.
fn use_batch() -> (Memo<String>, crate::data::Data<Result<BatchView, AppError>>) {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("batch_id").unwrap_or_default());
    (id, crate::data::load(move || id.get(), view_batch))
}

fn summary(b: &BatchView) -> impl IntoView {
    view! {
        <dl class="summary">
            <div class="summary__row"><dt>"Batch reference"</dt><dd>{b.reference.clone()}</dd></div>
            <div class="summary__row"><dt>"Route"</dt><dd>{b.route.clone()}</dd></div>
            <div class="summary__row"><dt>"Owner"</dt><dd data-testid="batch-owner">{b.owner.clone()}</dd></div>
            <div class="summary__row"><dt>"Created"</dt><dd>{b.created.clone()}</dd></div>
            <div class="summary__row">
                <dt>{if b.only_own { "Your CoS in the batch" } else { "CoS in the batch" }}</dt>
                <dd>{b.cos.len()}</dd>
            </div>
        </dl>
    }
}

#[component]
pub fn BatchPage() -> impl IntoView {
    let (_, batch) = use_batch();
    let query = use_query_map();
    // Transfer opens a dialog once hydrated (`TransferDialogHost`); the page is read again after.
    view! {
        <Page title="CoS search result">
            <p class="breadcrumb"><a href="/">"Workers"</a> " › " <a href="/view-cos">"View CoS"</a> " › " <a href=PATH>"Batches"</a></p>
            <Suspense fallback=|| view! { <h1>"CoS search result"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match batch.await {
                        Err(e) => not_found(e),
                        Ok(b) => {
                            let q = query.read_untracked().get("q").unwrap_or_default();
                            // A CoS opened from here comes Back to this batch, and on to the search.
                            let here = keep(&format!("{PATH}/{}{}", b.id, keep(&q)));
                            // What was just done to the batch: made from an upload, or assigned.
                            let notice = query.with_untracked(|q| {
                                let n = |k: &str| q.get(k).and_then(|v| v.parse::<u64>().ok());
                                match (n("created"), n("ready"), n("assigned")) {
                                    (Some(made), Some(ready), _) => Some(format!(
                                        "The batch has been created with {made} CoS: {ready} READY TO GO, {} WORK IN PROGRESS.",
                                        made.saturating_sub(ready)
                                    )),
                                    (_, _, Some(1)) => Some("1 CoS has been assigned.".to_string()),
                                    (_, _, Some(n)) => Some(format!("{n} CoS have been assigned.")),
                                    _ => None,
                                }
                            });
                            let ready = b.cos.iter().any(|c| c.2 == "READY TO GO");
                            view! {
                                <ResultsChangedBanner/>
                                {notice.map(|t| view! { <div class="panel" role="status"><p>{t}</p></div> })}
                                <h1>"CoS search result"</h1>
                                {summary(&b)}
                                <div class="actions">
                                    {ready.then(|| view! { <a href=format!("{PATH}/{}/assign", b.id) class="button">"Assign batch"</a> })}
                                    <a href=format!("/create-cos/new?batch={}", b.id) class="button button--secondary">"Add a worker"</a>
                                    <a href=format!("{PATH}/{}/transfer", b.id) id="transfer-open" class="button"
                                        data-transfer=Target::Batch { id: b.id.to_string() }.to_attr()>"Transfer"</a>
                                    // Back to the batch search it was opened from (`q`, its query).
                                    <a href=with_search(PATH, &q) class="button button--secondary">"Back"</a>
                                </div>
                                <h2>"CoS in this batch"</h2>
                                <DataTable caption="CoS in this batch, by CoS number" headings=&["CoS number", "Worker", "Status", "Owner"]>
                                    {b.cos.into_iter().map(|(number, worker, status, owner)| {
                                        view! {
                                        <tr data-cos=number.clone()>
                                            <td><a href=format!("/view-cos/{number}{here}")>{number.clone()}</a></td>
                                            <td>{worker}</td>
                                            <td><span class="status">{status}</span></td>
                                            <td>{owner}</td>
                                        </tr>
                                    }}).collect_view()}
                                </DataTable>
                            }
                            .into_any()
                        }
                    }
                })}
            </Suspense>
            <TransferDialogHost/>
        </Page>
    }
}


#[component]
pub fn BatchTransferPage() -> impl IntoView {
    let (_, batch) = use_batch();
    let query = use_query_map();
    view! {
        <Page title="Transfer batch of CoS">
            <p class="breadcrumb"><a href="/">"Workers"</a> " › " <a href=PATH>"Batches"</a></p>
            <Suspense fallback=|| view! { <h1>"Transfer batch of CoS"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let problem = query.read_untracked().get("problem").unwrap_or_default();
                    match batch.await {
                        Err(e) => not_found(e),
                        Ok(b) => {
                            let message = transfer_problem(&problem, "batch", &b.owner);
                            let errors = message.iter().map(|m| ("to_user".to_string(), m.clone())).collect::<Vec<_>>();
                            let cancel = format!("{PATH}/{}", b.id);
                            view! {
                                // Told before submitting when someone else changes this batch's CoS meanwhile.
                                <ResultsChangedBanner/>
                                <ErrorSummary errors/>
                                <h1>"Transfer batch of CoS"</h1>
                                {summary(&b)}
                                <p>{if b.only_own {
                                    "The batch and your CoS in it move to the user you select. CoS of the batch owned by other users stay with them."
                                } else {
                                    "The batch and every CoS in it move to the user you select."
                                }}</p>
                                <TransferToForm
                                    what="batch"
                                    action="/api/batches/transfer"
                                    hidden=vec![("batch_id", b.id.to_string()), ("version", b.version.to_string())]
                                    users=b.users
                                    message
                                    cancel
                                />
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
pub fn BatchTransferredPage() -> impl IntoView {
    let (_, batch) = use_batch();
    let query = use_query_map();
    view! {
        <Page title="The batch has been transferred">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    // How many CoS moved with the batch, as the transfer counted them (absent
                    // when the same transfer was sent twice and found nothing left to move).
                    let moved = query.read_untracked().get("moved").and_then(|m| m.parse::<u64>().ok());
                    let moved_text = |n: u64| format!(" {n} CoS {} moved with it.", if n == 1 { "was" } else { "were" });
                    let (text, ok) = match batch.await {
                        Ok(b) => (
                            format!("Batch {} is now owned by {}.{}", b.reference, b.owner, moved.map(moved_text).unwrap_or_default()),
                            format!("{PATH}/{}", b.id),
                        ),
                        // A Level 2 user who gave their batch away can no longer open it.
                        Err(_) => (
                            format!(
                                "The batch has been transferred.{} You no longer own it, so it is not in your searches.",
                                moved.map(moved_text).unwrap_or_default()
                            ),
                            PATH.to_string(),
                        ),
                    };
                    view! {
                        <div class="panel" role="status">
                            <h1>"The batch has been transferred"</h1>
                            <p>{text}</p>
                        </div>
                        <div class="actions"><a href=ok class="button">"OK"</a></div>
                    }
                })}
            </Suspense>
        </Page>
    }
}
