//! View CoS → "Search for batch(es) of CoS": a GET form, so the search lives in the URL. One
//! matching batch opens its "CoS search result" screen; otherwise a list that pages.

use crate::api::advanced_search::advanced_choices;
use crate::api::batches::{search_batches, BatchOutcome};
use crate::components::fields::{select_field, text_field};
use crate::components::{ErrorSummary, Page};
use crate::domain::batch_search::BatchSearchForm;
use crate::domain::search::keep;
use crate::pages::view_cos::open;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub const PATH: &str = "/view-cos/batches";

#[component]
pub fn BatchSearchPage() -> impl IntoView {
    let query = use_query_map();
    let form = Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        BatchSearchForm {
            reference: get("reference"),
            owner: get("owner"),
            route: get("route"),
            created_from: get("created_from"),
            created_to: get("created_to"),
            page: get("page").parse().unwrap_or(1),
        }
    });
    // Nothing is listed until the form is sent; sent blank, it lists every batch.
    let searched = Memo::new(move |_| !query.read().to_query_string().trim_start_matches('?').is_empty());
    let outcome = crate::data::load(move || (form.get(), searched.get()), |(f, searched)| async move {
        if searched { search_batches(f).await.map(Some) } else { Ok(None) }
    });
    let choices = crate::data::load(|| (), |_| advanced_choices());

    view! {
        <Page title="Search for batches of CoS">
            <p class="breadcrumb"><a href="/">"Workers"</a> " › " <a href="/view-cos">"View CoS"</a></p>
            <h1>"Search for batches of CoS"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let f = form.get_untracked();
                    let choices = choices.await.unwrap_or_default();
                    let result = outcome.await;
                    let errors = match &result {
                        Ok(Some(BatchOutcome::Invalid(e))) => e.clone(),
                        _ => vec![],
                    };
                    let field = |name, label, hint, value| text_field(&errors, name, label, hint, value);
                    let select = |name, label, any, options, current| select_field(&errors, name, label, any, options, current);
                    let (reference, owner, route, from, to) = (
                        field("reference", "Batch reference", "Matches references that start with what you type", f.reference.clone()),
                        select("owner", "Owner", "Any owner", choices.owners.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(), f.owner.clone()),
                        select("route", "Route", "Any route", choices.routes.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(), f.route.clone()),
                        field("created_from", "Created from", "For example 01/10/2026", f.created_from.clone()),
                        field("created_to", "Created to", "For example 29/11/2026", f.created_to.clone()),
                    );
                    view! {
                        <ErrorSummary errors=errors.clone()/>
                        <form method="get" action=PATH class="form search-form">
                            {reference}{owner}{route}{from}{to}
                            <div class="actions">
                                <button type="submit" class="button">"Next"</button>
                                <a href=PATH class="link-button">"Clear"</a>
                            </div>
                        </form>
                        <BatchResults result f/>
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn BatchResults(result: Result<Option<BatchOutcome>, crate::error::AppError>, f: BatchSearchForm) -> impl IntoView {
    let (hits, total, page, pages) = match result {
        Err(e) => return view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        Ok(None) => return view! { <p class="hint">"Enter any details of the batch, or none to list them all, then select Next."</p> }.into_any(),
        Ok(Some(BatchOutcome::Invalid(_))) => return ().into_any(),
        Ok(Some(BatchOutcome::Results { hits, total, page, pages })) => (hits, total, page, pages),
    };
    // `first()`: the count and the page are read apart, and may disagree.
    if let (1, 1, Some(only)) = (total, page, hits.first()) {
        open(format!("{PATH}/{}", only.id));
    }
    if total == 0 {
        return view! {
            <h2 id="results">"Batches"</h2>
            <p role="status">"No batches match your search. Check the details and try again."</p>
        }
        .into_any();
    }
    // A batch opened from here comes Back to this page of these results.
    // (A blank search, every batch, is still a search: `reference=` says it was sent.)
    let here = match f.to_query(page) {
        q if q.is_empty() => keep("reference="),
        q => keep(&q),
    };
    let link = move |p: u32| format!("{PATH}?{}", f.to_query(p));
    view! {
        <h2 id="results">"Batches"</h2>
        <p role="status">{if total == 1 { "1 batch matches your search.".to_string() } else { format!("{total} batches match your search.") }}
            {(pages > 1).then(|| format!(" Page {page} of {pages}."))}</p>
        <div class="table-wrap" role="region" aria-labelledby="results" tabindex="0">
            <table class="table">
                <thead><tr>
                    <th scope="col">"Batch reference"</th><th scope="col">"Route"</th><th scope="col">"Owner"</th>
                    <th scope="col">"Created"</th><th scope="col">"CoS"</th><th scope="col">"By status"</th>
                </tr></thead>
                <tbody>
                    {hits.into_iter().map(|b| view! {
                        <tr>
                            <td><a href=format!("{PATH}/{}{here}", b.id)>{b.reference}</a></td>
                            <td>{b.route}</td>
                            <td>{b.owner}</td>
                            <td>{b.created}</td>
                            <td>{b.cos_count}</td>
                            <td>{b.statuses.into_iter().map(|(s, n)| format!("{s}: {n}")).collect::<Vec<_>>().join(", ")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label="Results pages">
                {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">"Previous page"</a> })}
                <span>{format!("Page {page} of {pages}")}</span>
                {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">"Next page"</a> })}
            </nav>
        })}
    }
    .into_any()
}
