//! "View CoS" → "Search for CoS": a GET form, so the search lives in the URL; a search that
//! matches one CoS opens it, otherwise a list that pages through every match. Manage live CoS
//! starts with the same search (`SearchFor`).

use crate::api::cos::{search_cos, SearchOutcome};
use crate::components::fields::text_field;
use crate::components::{results_table, ErrorSummary, Page, ResultsChangedBanner, TransferDialogHost};
use crate::domain::search::CosSearchForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const FIELDS: [(&str, &str, &str); 6] = [
    ("cos_number", "CoS number", "For example C1A2B3C4D5E"),
    ("family_name", "Family name", "Matches names that start with what you type"),
    ("given_name", "Given name", "Matches names that start with what you type"),
    ("date_of_birth", "Date of birth", "For example 27/03/1990"),
    ("nationality", "Nationality", "As a country, for example India"),
    ("passport_number", "Passport number", ""),
];

fn form_from_query(q: &leptos_router::params::ParamsMap) -> CosSearchForm {
    let get = |k: &str| q.get(k).unwrap_or_default();
    CosSearchForm {
        cos_number: get("cos_number"),
        family_name: get("family_name"),
        given_name: get("given_name"),
        date_of_birth: get("date_of_birth"),
        nationality: get("nationality"),
        passport_number: get("passport_number"),
        page: get("page").parse().unwrap_or(1),
    }
}

fn value_of<'a>(f: &'a CosSearchForm, name: &str) -> &'a str {
    match name {
        "cos_number" => &f.cos_number,
        "family_name" => &f.family_name,
        "given_name" => &f.given_name,
        "date_of_birth" => &f.date_of_birth,
        "nationality" => &f.nationality,
        _ => &f.passport_number,
    }
}

/// Opens a CoS: the page is the server's, so a redirect.
pub fn open(path: String) {
    #[cfg(feature = "ssr")]
    crate::api::ssr::redirect(&path);
    #[cfg(not(feature = "ssr"))]
    let _ = path;
}

/// The two screens that start with the basic search, and where their rows lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchFor {
    /// View CoS → Search for CoS → View CoS (rows can also be ticked for transfer).
    ViewCos,
    /// Sponsorship duties → Manage live CoS → Search for a CoS → Manage live CoS.
    ManageLive,
    /// Sponsorship duties → Report migrant activity → Search for a CoS → the CoS to report on.
    ReportActivity,
}

impl SearchFor {
    /// The search screen's path; its query string is the search.
    pub fn path(self) -> &'static str {
        match self {
            SearchFor::ViewCos => "/view-cos",
            SearchFor::ManageLive => "/sponsorship-duties/manage-live-cos",
            SearchFor::ReportActivity => crate::api::report::PATH,
        }
    }

    /// The screen of one CoS found by the search, keeping the search `q` for Back.
    pub fn cos_href(self, number: &str, q: &str) -> String {
        format!("{}/{number}{}", self.path(), crate::domain::search::keep(q))
    }
}

#[component]
pub fn ViewCosPage() -> impl IntoView {
    view! {
        <Page title="View CoS">
            <p class="breadcrumb"><a href="/">"Workers"</a></p>
            <h1>"View CoS"</h1>
            <p><a href="/view-cos/batches">"Search for batch(es) of CoS"</a></p>
            <BasicSearch purpose=SearchFor::ViewCos/>
        </Page>
    }
}

/// The basic search form and its results: a GET form, so the search lives in the URL.
#[component]
pub fn BasicSearch(purpose: SearchFor) -> impl IntoView {
    let query = use_query_map();
    let form = Memo::new(move |_| form_from_query(&query.read()));
    let outcome = crate::data::load(move || form.get(), search_cos);

    view! {
        <Suspense fallback=|| view! { <p>"Searching…"</p> }>
            {move || Suspend::new(async move {
                let f = form.get_untracked();
                let fields_form = f.clone();
                let result = outcome.await;
                let errors = match &result {
                    Ok(SearchOutcome::Invalid(e)) => e.clone(),
                    _ => vec![],
                };
                view! {
                    <ErrorSummary errors=errors.clone()/>
                    {(purpose == SearchFor::ViewCos).then(|| view! { <h2>"Search for CoS"</h2> })}
                    <form method="get" action=purpose.path() class="form search-form">
                        {FIELDS
                            .iter()
                            .map(|(name, label, hint)| text_field(&errors, name, label, hint, value_of(&fields_form, name).to_string()))
                            .collect_view()}
                        <div class="actions">
                            <button type="submit" class="button">"Next"</button>
                            <a href=purpose.path() class="link-button">"Clear"</a>
                            {(purpose == SearchFor::ViewCos).then(|| view! {
                                <a href="/view-cos/advanced" class="link-button advanced-link">"Advanced"</a>
                            })}
                        </div>
                    </form>
                    <Results result f purpose list=query.with_untracked(|q| q.get("list").is_some())/>
                }
            })}
        </Suspense>
        // Transfer selected / all open a dialog once hydrated.
        <TransferDialogHost/>
    }
}

#[component]
fn Results(
    result: Result<SearchOutcome, crate::error::AppError>,
    f: CosSearchForm,
    purpose: SearchFor,
    list: bool,
) -> impl IntoView {
    match result {
        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        Ok(SearchOutcome::Blank) => {
            view! { <p class="hint">"Enter at least one detail, then select Next."</p> }.into_any()
        }
        Ok(SearchOutcome::Invalid(_)) => ().into_any(),
        Ok(SearchOutcome::Results { hits, total, page, pages }) => {
            let q = f.to_query(page);
            // One match opens it; Back from there shows it as a one-row list (`list`), or
            // Back would open it again.
            // `first()`: the count and the page are read apart, and may disagree.
            if let (1, 1, false, Some(only)) = (total, page, list, hits.first()) {
                open(purpose.cos_href(&only.cos_number, &format!("{q}&list=1")));
            }
            if total == 0 {
                return view! {
                    <h2 id="results">"Search results"</h2>
                    <p role="status">"No CoS match your search. Check the details and try again."</p>
                }
                .into_any();
            }
            let selectable = purpose == SearchFor::ViewCos;
            let pager_link = move |p: u32| format!("{}?{}", purpose.path(), f.to_query(p));
            view! {
                // Rows someone else changes meanwhile are counted here and marked in the list.
                <ResultsChangedBanner/>
                <h2 id="results">"Search results"</h2>
                <p role="status">
                    {if total == 1 { "1 CoS matches your search".to_string() } else { format!("{total} CoS match your search") }}
                    {(pages > 1).then(|| format!(" (page {page} of {pages})"))}
                    "."
                </p>
                {results_table(hits, |n| purpose.cos_href(n, &q), false, selectable)}
                {selectable.then(|| view! { <SelectedTransfer back=q.clone() all_query=q.clone() total/> })}
                {(pages > 1).then(|| view! {
                    <nav class="pager" aria-label="Results pages">
                        {(page > 1).then(|| view! { <a href=pager_link(page - 1) rel="prev">"Previous page"</a> })}
                        <span>{format!("Page {page} of {pages}")}</span>
                        {(page < pages).then(|| view! { <a href=pager_link(page + 1) rel="next">"Next page"</a> })}
                    </nav>
                })}
            }
            .into_any()
        }
    }
}

pub use crate::domain::search::encode_component as encode;

/// Under a results list: transfer the CoS ticked in it, or every CoS the search matches.
/// The checkboxes in the rows belong to this form (`form="transfer-selected"`). Once
/// hydrated, on a page with a `TransferDialogHost`, both open the dialog instead of the
/// transfer screen (it knows the form by its id, and the link by its `data-transfer`).
#[component]
pub fn SelectedTransfer(back: String, all_query: String, total: i64) -> impl IntoView {
    use crate::components::transfer_dialog::Target;
    let all = format!("/view-cos/transfer-many?all=1&{all_query}&back={}", encode(&back));
    let all_selection = Target::Selection { selection: format!("all=1&{all_query}"), back: back.clone() };
    view! {
        <form id="transfer-selected" method="get" action="/view-cos/transfer-many" class="select-actions">
            <input type="hidden" name="back" value=back/>
            <button type="submit" id="transfer-selected-open" class="button button--secondary">"Transfer selected"</button>
            <a href=all id="transfer-all-open" rel="external" data-transfer=all_selection.to_attr()>{format!("Transfer all {total} matching")}</a>
        </form>
    }
}
