//! The View CoS screen: every field of one CoS, grouped as the printed certificate is.

use crate::api::cos::view_cos;
use crate::components::transfer_dialog::Target;
use crate::components::{summary_list, CosChangedBanner, Page, TransferDialogHost};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CosDetailsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let number = move || params.read().get("cos_number").unwrap_or_default();
    let cos = crate::data::load(number, view_cos);
    // Back returns to the results, with the search as it was.
    let back = move || crate::domain::search::back_to_results(&query.read().get("q").unwrap_or_default());
    // Transfer opens a dialog once hydrated (`TransferDialogHost`); the page is read again after.

    view! {
        <Page title="View CoS">
            <p class="breadcrumb"><a href="/">"Workers"</a></p>
            // Says so when someone else changes this CoS meanwhile.
            <CosChangedBanner number=number()/>
            <Suspense fallback=|| view! { <h1>"View CoS"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match cos.await {
                        Ok(c) => view! {
                            <h1>"View CoS " <span class="nowrap">{c.cos_number.clone()}</span></h1>
                            <p><span class="status status--large">{c.status.clone()}</span></p>
                            {crate::domain::Status::parse(&c.status).map(|s| view! {
                                <details class="status-meaning">
                                    <summary>{format!("What {} means", s.as_str())}</summary>
                                    <p>{s.meaning()}</p>
                                </details>
                            })}
                            {c.sections.into_iter().map(|s| view! {
                                <h2>{s.title}</h2>
                                {summary_list(s.rows)}
                            }).collect_view()}
                            <h2>"Sponsor notes"</h2>
                            {if c.notes.is_empty() {
                                view! { <p>"There are no sponsor notes."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="notes">
                                        {c.notes.into_iter().map(|(when, by, note)| view! {
                                            <li><p>{note}</p><p class="hint">{format!("Added {when} by {by}")}</p></li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <div class="actions">
                                <a href=back class="button button--secondary">"Back"</a>
                                {
                                    let q = query.read_untracked().get("q").unwrap_or_default();
                                    let base = format!("/view-cos/{}", c.cos_number);
                                    let keep = crate::pages::cos_history::keep(&q);
                                    view! {
                                        <a href=format!("{base}/status-history{keep}") class="button button--secondary">"Status history"</a>
                                        <a href=format!("{base}/activity-history{keep}") class="button button--secondary">"Activity history"</a>
                                        <a href=format!("{base}/ownership-history{keep}") class="button button--secondary">"Ownership history"</a>
                                        <a href=format!("{base}/transfer{keep}") id="transfer-open" class="button button--secondary"
                                            data-transfer=Target::Cos { number: c.cos_number.clone(), q: q.clone() }.to_attr()>"Transfer"</a>
                                        {matches!(c.status.as_str(), "WORK IN PROGRESS" | "READY TO GO").then(|| view! {
                                            {(c.status == "READY TO GO").then(|| view! { <a href=format!("{base}/assign") class="button">"Assign"</a> })}
                                            <a href=format!("{base}/edit") class="button button--secondary">"Edit CoS"</a>
                                            <a href=format!("/create-cos/new?copy={}", c.cos_number) class="button button--secondary">"Copy"</a>
                                            <a href=format!("{base}/delete") class="button button--warning">"Delete CoS"</a>
                                        })}
                                        // A PDF made on the server, opened in a new tab (rel="external": not the router's).
                                        <a href=format!("{base}/print") class="button" target="_blank" rel="external">
                                            "Print"<span class="visually-hidden">" (PDF, opens in a new tab)"</span>
                                        </a>
                                    }
                                }
                            </div>
                        }.into_any(),
                        Err(crate::error::AppError::Busy) => crate::components::error_summary::busy(),
                        Err(e) => {
                            if matches!(e, crate::error::AppError::NotFound(_)) {
                                crate::error::set_status(404);
                            }
                            view! {
                                <h1>"CoS not found"</h1>
                                <p>{e.to_string()}</p>
                                <p>"Check the CoS number, or search again."</p>
                                <div class="actions">
                                    <a href=back class="button button--secondary">"Back"</a>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
            <TransferDialogHost/>
        </Page>
    }
}
