//! "Transfer a single CoS", and its confirmation "The CoS has been transferred".

use crate::api::transfer::load_transfer_form;
use crate::components::transfer_form::transfer_problem;
use crate::components::{ErrorSummary, Page, TransferToForm};
use crate::domain::search::keep;
use crate::pages::cos_history::{not_found, use_cos_path};
use crate::components::CosChangedBanner;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn TransferPage() -> impl IntoView {
    let (number, q) = use_cos_path();
    let query = use_query_map();
    let form = crate::data::load(move || number.get(), load_transfer_form);
    view! {
        <Page title="Transfer a single CoS">
            <p class="breadcrumb"><a href="/">"Workers"</a></p>
            // Told before submitting when someone else changes this CoS meanwhile.
            <CosChangedBanner number=number.get_untracked()/>
            <Suspense fallback=|| view! { <h1>"Transfer a single CoS"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let q = q.get_untracked();
                    let problem = query.read_untracked().get("problem").unwrap_or_default();
                    match form.await {
                        Err(e) => not_found(e),
                        Ok(f) => {
                            let message = transfer_problem(&problem, "CoS", &f.owner);
                            let errors = message.iter().map(|m| ("to_user".to_string(), m.clone())).collect::<Vec<_>>();
                            let cancel = format!("/view-cos/{}{}", f.cos_number, keep(&q));
                            view! {
                                <ErrorSummary errors/>
                                <h1>"Transfer a single CoS"</h1>
                                <dl class="summary">
                                    <div class="summary__row"><dt>"CoS number"</dt><dd>{f.cos_number.clone()}</dd></div>
                                    <div class="summary__row"><dt>"Status"</dt><dd>{f.status.clone()}</dd></div>
                                    <div class="summary__row"><dt>"Owner now"</dt><dd data-testid="owner">{f.owner.clone()}</dd></div>
                                </dl>
                                <TransferToForm
                                    what="CoS"
                                    action="/api/cos/transfer"
                                    hidden=vec![("cos_number", f.cos_number.clone()), ("version", f.version.to_string()), ("q", q.clone())]
                                    users=f.users
                                    message=message.clone()
                                    cancel=cancel.clone()
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
pub fn TransferredPage() -> impl IntoView {
    let (number, q) = use_cos_path();
    let after = crate::data::load(move || number.get(), load_transfer_form);
    view! {
        <Page title="The CoS has been transferred">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let q = q.get_untracked();
                    let number = number.get_untracked();
                    // A Level 2 user who gave their CoS away can no longer open it: OK goes
                    // back to the search instead.
                    let (text, ok) = match after.await {
                        Ok(f) => (
                            format!("CoS {} is now owned by {}.", f.cos_number, f.owner),
                            format!("/view-cos/{}{}", f.cos_number, keep(&q)),
                        ),
                        Err(_) => (
                            format!("CoS {number} has been transferred. You no longer own it, so it is not in your searches."),
                            crate::domain::search::back_to_results(&q),
                        ),
                    };
                    view! {
                        <div class="panel" role="status">
                            <h1>"The CoS has been transferred"</h1>
                            <p>{text}</p>
                        </div>
                        <div class="actions"><a href=ok class="button">"OK"</a></div>
                    }
                })}
            </Suspense>
        </Page>
    }
}
