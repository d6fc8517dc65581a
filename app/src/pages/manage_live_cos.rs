//! Sponsorship duties → Manage live CoS (manual Guide 3): "Search for a CoS" (the basic
//! search), the "Manage live CoS" screen of one CoS, and the "Withdrawal confirmation".
//! Only an ASSIGNED CoS offers Withdraw CoS; any other says why not.

use crate::api::withdraw::{load_live_cos, LiveCos};
use crate::components::{summary_list, ErrorSummary, Page};
use crate::domain::search::keep;
use crate::domain::withdrawal::CONSEQUENCES;
use crate::pages::cos_history::{not_found, use_cos_path};
use crate::pages::view_cos::{BasicSearch, SearchFor};
use crate::components::CosChangedBanner;
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
    let withdrawn = crate::data::load(
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
    let cos = crate::data::load(move || number.get(), load_live_cos);
    view! {
        <Page title=title>
            {breadcrumb()}
            <CosChangedBanner number=number.get_untracked()/>
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
        let note = format!("{}{}", crate::api::notes::note_path(&c.cos_number), keep(&q));
        let noted = use_query_map().read_untracked().get("noted").is_some();
        view! {
            {noted.then(|| view! { <div class="panel" role="status"><p>"Your sponsor note has been added. It is shown on View CoS and on the printed CoS."</p></div> })}
            <h1>"Manage live CoS"</h1>
            {summary_list(c.rows.clone())}
            {c.refusal.clone().map(|why| refused(why, problem))}
            <div class="actions">
                {(c.status == "ASSIGNED").then(|| view! { <a href=note class="button">"Add a sponsor note"</a> })}
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

/// "Add a sponsor note": only on an ASSIGNED CoS; up to 2,000 characters, with a live count
/// once hydrated. A plain form post.
#[component]
pub fn AddNotePage() -> impl IntoView {
    use crate::api::notes::{load_note_form, MAX_NOTE};
    let (number, q) = use_cos_path();
    let screen = crate::data::load(move || number.get(), load_note_form);
    view! {
        <Page title="Add a sponsor note">
            {breadcrumb()}
            <Suspense fallback=|| view! { <h1>"Add a sponsor note"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let q = q.get_untracked();
                    let s = match screen.await {
                        Ok(s) => s,
                        Err(e) => return not_found(e),
                    };
                    let cancel = format!("{SEARCH}/{}{}", s.cos_number, keep(&q));
                    let errors = s.error.iter().map(|m| ("note".to_string(), m.clone())).collect::<Vec<_>>();
                    let invalid = s.error.is_some();
                    let start = s.typed.chars().count();
                    view! {
                        <ErrorSummary errors/>
                        <h1>"Add a sponsor note"</h1>
                        <p>{format!("CoS {} ({}), {}.", s.cos_number, s.worker, s.status)}</p>
                        {match s.refusal.clone() {
                            Some(why) => view! {
                                <div class="inset inset--warning"><p>{why}</p></div>
                                <div class="actions"><a href=cancel class="button button--secondary">"Back"</a></div>
                            }.into_any(),
                            None => view! {
                                <p>"A note records a minor correction or something the Home Office should know about this CoS. Notes cannot be changed or removed once added."</p>
                                <form method="post" action="/api/cos/add_note" class="form" novalidate>
                                    <input type="hidden" name="cos_number" value=s.cos_number.clone()/>
                                    <input type="hidden" name="q" value=q.clone()/>
                                    <div class="field" class:field--error=invalid>
                                        <label for="note">"Note"</label>
                                        <p class="field__hint" id="note-hint">{format!("Up to {MAX_NOTE} characters.")}</p>
                                        {s.error.clone().map(|m| view! { <p class="field__error" id="note-error"><span class="visually-hidden">"Error: "</span>{m}</p> })}
                                        <textarea id="note" name="note" rows="6"
                                            aria-describedby=if invalid { "note-hint note-count note-error" } else { "note-hint note-count" }
                                            aria-invalid=invalid.then_some("true")
                                            data-max=MAX_NOTE.to_string()>{s.typed.clone()}</textarea>
                                        // Once hydrated, counts down as the note is typed (`enhance`).
                                        <p class="field__hint" id="note-count" aria-live="polite">
                                            {(start > 0).then(|| format!("{start} characters typed"))}
                                        </p>
                                    </div>
                                    <div class="actions">
                                        <button type="submit" class="button">"Add note"</button>
                                        <a href=cancel class="link-button">"Cancel"</a>
                                    </div>
                                </form>
                            }.into_any(),
                        }}
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
}
