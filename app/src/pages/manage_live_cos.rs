//! Sponsorship duties → Manage live CoS (manual Guide 3): "Search for a CoS" (the basic
//! search), the "Manage live CoS" screen of one CoS, and the "Withdrawal confirmation".
//! Only an ASSIGNED CoS offers Withdraw CoS; any other says why not.

use crate::api::withdraw::{load_live_cos, LiveCos};
use crate::components::{summary_list, ErrorSummary, Page};
use crate::domain::search::keep;
use crate::domain::withdrawal::CONSEQUENCES;
use crate::pages::cos_history::{not_found, use_cos_path};
use crate::pages::view_cos::{BasicSearch, SearchFor};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const SEARCH: &str = "/sponsorship-duties/manage-live-cos";

fn breadcrumb() -> impl IntoView {
    view! {
        <p class="breadcrumb"><a href="/">"Workers"</a> " › " <a href="/sponsorship-duties">"Sponsorship duties"</a></p>
    }
}

/// "Search for a CoS". After a withdrawal it names the CoS withdrawn (checked against the
/// database, so a hand-made link cannot claim it).
#[component]
pub fn ManageLiveSearchPage() -> impl IntoView {
    let query = use_query_map();
    let withdrawn = Resource::new(
        move || query.read().get("withdrawn").unwrap_or_default(),
        |n| async move {
            if n.is_empty() {
                return None;
            }
            load_live_cos(n).await.ok().filter(|c| c.status == "WITHDRAWN").map(|c| c.cos_number)
        },
    );
    view! {
        <Page title="Search for a CoS">
            {breadcrumb()}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    withdrawn.await.map(|n| view! {
                        <div class="panel" role="status" data-testid="withdrawn">
                            <p>{format!("CoS {n} has been withdrawn.")}</p>
                        </div>
                    })
                })}
            </Suspense>
            <h1>"Search for a CoS"</h1>
            <p>"Find the CoS you want to withdraw. Only an ASSIGNED CoS can be withdrawn."</p>
            <BasicSearch purpose=SearchFor::ManageLive/>
        </Page>
    }
}

/// Back from a CoS to the search it was found by (`q` is that search's query string).
fn back_to_search(q: &str) -> String {
    crate::domain::search::with_search(SEARCH, q)
}

/// Loads the CoS of the path for one of the two screens below; "not found" when out of reach.
fn with_live_cos(title: &'static str, body: fn(LiveCos, String, bool) -> AnyView) -> impl IntoView {
    let (number, q) = use_cos_path();
    let query = use_query_map();
    let cos = Resource::new(move || number.get(), load_live_cos);
    view! {
        <Page title=title>
            {breadcrumb()}
            <Suspense fallback=move || view! { <h1>{title}</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let q = q.get_untracked();
                    let problem = query.read_untracked().get("problem").is_some_and(|p| p == "status");
                    match cos.await {
                        Ok(c) => body(c, q, problem),
                        Err(e) => not_found(e),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// Why the CoS cannot be withdrawn; after a refused attempt also in the error summary.
fn refused(why: String, problem: bool) -> AnyView {
    let errors = if problem { vec![("refusal".to_string(), why.clone())] } else { vec![] };
    view! {
        <ErrorSummary errors/>
        <div class="inset inset--warning" id="refusal" tabindex="-1"><p>{why}</p></div>
    }
    .into_any()
}

/// The "Manage live CoS" screen: the CoS, with Withdraw CoS and Back.
#[component]
pub fn ManageLiveCosPage() -> impl IntoView {
    with_live_cos("Manage live CoS", |c, q, problem| {
        let back = back_to_search(&q);
        let withdraw = format!("{SEARCH}/{}/withdraw{}", c.cos_number, keep(&q));
        view! {
            <h1>"Manage live CoS"</h1>
            {summary_list(c.rows.clone())}
            {c.refusal.clone().map(|why| refused(why, problem))}
            <div class="actions">
                {c.refusal.is_none().then(|| view! { <a href=withdraw class="button button--warning">"Withdraw CoS"</a> })}
                <a href=back class="button button--secondary">"Back"</a>
            </div>
        }
        .into_any()
    })
}

/// "Withdrawal confirmation": what withdrawing means, then Withdraw CoS (a plain form post)
/// or Cancel (back to the Manage live CoS screen, nothing changed).
#[component]
pub fn WithdrawalConfirmationPage() -> impl IntoView {
    with_live_cos("Withdrawal confirmation", |c, q, problem| {
        let cancel = format!("{SEARCH}/{}{}", c.cos_number, keep(&q));
        let worker = c.rows.iter().find(|r| r.0 == "Worker").map(|r| r.1.clone()).unwrap_or_default();
        view! {
            <h1>"Withdrawal confirmation"</h1>
            {match c.refusal.clone() {
                Some(why) => view! {
                    {refused(why, problem)}
                    <div class="actions"><a href=cancel class="button button--secondary">"Back"</a></div>
                }.into_any(),
                None => view! {
                    <p>"You are about to withdraw CoS " <strong>{c.cos_number.clone()}</strong> {format!(", assigned to {worker}.")}</p>
                    <div class="inset inset--warning">
                        <p><strong>"Withdrawing a CoS cannot be undone."</strong></p>
                        <ul>{CONSEQUENCES.iter().map(|line| view! { <li>{*line}</li> }).collect_view()}</ul>
                    </div>
                    <p>"You should read the Sponsorship policy guidance before withdrawing an unused CoS."</p>
                    <form method="post" action="/api/cos/withdraw">
                        <input type="hidden" name="cos_number" value=c.cos_number.clone()/>
                        <input type="hidden" name="q" value=q.clone()/>
                        <div class="actions">
                            <button type="submit" class="button button--warning">"Withdraw CoS"</button>
                            <a href=cancel class="link-button">"Cancel"</a>
                        </div>
                    </form>
                }.into_any(),
            }}
        }
        .into_any()
    })
}
