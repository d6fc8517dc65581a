//! Beyond SMS: "Transfer CoS" for several at once — the CoS ticked in a results list, or
//! every CoS a search matches — and "The CoS have been transferred", naming how many moved.

use crate::api::transfer::load_transfer_many;
use crate::components::transfer_form::transfer_problem;
use crate::components::{ErrorSummary, Page, TransferToForm};
use crate::domain::search::back_to_results;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The selection is the query string itself, less what belongs to this screen.
fn selection_of(q: &leptos_router::params::ParamsMap) -> String {
    let mut q = q.clone();
    q.remove("back");
    q.remove("problem");
    q.to_query_string().trim_start_matches('?').to_string()
}

#[component]
pub fn TransferManyPage() -> impl IntoView {
    let query = use_query_map();
    let selection = Memo::new(move |_| selection_of(&query.read()));
    let form = crate::data::load(move || selection.get(), load_transfer_many);
    view! {
        <Page title="Transfer CoS">
            <p class="breadcrumb"><a href="/">"Workers"</a> " › " <a href="/view-cos">"View CoS"</a></p>
            <Suspense fallback=|| view! { <h1>"Transfer CoS"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (back, problem) = query.with_untracked(|q| (q.get("back").unwrap_or_default(), q.get("problem").unwrap_or_default()));
                    let cancel = back_to_results(&back);
                    match form.await {
                        Err(e) => view! {
                            <h1>"Transfer CoS"</h1>
                            <p class="error" role="alert">{match e {
                                crate::error::AppError::Invalid(m) => m.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" "),
                                e => e.to_string(),
                            }}</p>
                            <div class="actions"><a href=cancel class="button button--secondary">"Back"</a></div>
                        }.into_any(),
                        Ok(f) => {
                            let message = match problem.as_str() {
                                "changed" => Some("Some of these CoS changed while you were looking at them. Check the list below and try again.".to_string()),
                                p => transfer_problem(p, "CoS", ""),
                            };
                            let errors = message.iter().map(|m| ("to_user".to_string(), m.clone())).collect::<Vec<_>>();
                            let count = f.count;
                            view! {
                                <ErrorSummary errors/>
                                <h1>"Transfer CoS"</h1>
                                <p class="lead">{match count {
                                    0 => "None of the CoS you selected can be transferred by you now.".to_string(),
                                    1 => "You have selected 1 CoS. It moves to the user you select.".to_string(),
                                    n => format!("You have selected {n} CoS. They all move to the user you select."),
                                }}</p>
                                {(count > 0).then(|| view! {
                                    <TransferToForm
                                        what="CoS"
                                        action="/api/cos/transfer_many"
                                        hidden=vec![("selection", selection.get_untracked()), ("state", f.state.clone()), ("back", back.clone())]
                                        users=f.users.clone()
                                        message=message.clone()
                                        cancel=cancel.clone()
                                    />
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
pub fn TransferredManyPage() -> impl IntoView {
    let query = use_query_map();
    view! {
        <Page title="The CoS have been transferred">
            {move || {
                let q = query.read();
                let moved: u64 = q.get("moved").and_then(|m| m.parse().ok()).unwrap_or(0);
                let to = q.get("to").unwrap_or_default();
                let ok = back_to_results(&q.get("back").unwrap_or_default());
                view! {
                    <div class="panel" role="status">
                        <h1>"The CoS have been transferred"</h1>
                        <p>{match moved { 1 => format!("1 CoS is now owned by {to}."), n => format!("{n} CoS are now owned by {to}.") }}</p>
                    </div>
                    <div class="actions"><a href=ok class="button">"OK"</a></div>
                }
            }}
        </Page>
    }
}
