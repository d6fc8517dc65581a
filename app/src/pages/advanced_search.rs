//! View CoS → "Advanced": every filter of the manual's guide 5 beside the basic fields.
//! A GET form, so the whole search (filters, sort, page size, page) lives in the URL and
//! works without WebAssembly; once hydrated, results follow the filters as they change
//! (`FollowFilters`, an island that reads the server's page for the new search).

use crate::api::advanced_search::{advanced_choices, advanced_search, AdvancedOutcome, Choices};
use crate::components::fields::{error_for, select_field, text_field};
use crate::components::{results_table, ErrorSummary, Page, ResultsChangedBanner, TransferDialogHost};
use crate::pages::view_cos::SelectedTransfer;
use crate::domain::advanced_search::{AdvancedForm, Sort, PAGE_SIZES};
use crate::domain::search::encode_component;
use crate::domain::Status;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub const PATH: &str = "/view-cos/advanced";
/// Where Radio and Next send the chosen CoS: a plain redirect served beside the pages.
pub const OPEN_PATH: &str = "/view-cos/advanced/open";

/// Where Radio and Next lead: the chosen CoS, keeping `back` (only ever a page of these
/// results) for its Back link; with no CoS chosen, `back` itself.
pub fn chosen_target(open: Option<&str>, back: Option<&str>) -> String {
    let back = back.filter(|b| b.strip_prefix(PATH).is_some_and(|q| q.is_empty() || q.starts_with('?'))).unwrap_or(PATH);
    match open.and_then(|n| crate::domain::CosNumber::parse(n).ok()) {
        Some(n) => format!("/view-cos/{}?q={}", n.as_str(), encode_component(back)),
        None => back.to_string(),
    }
}

fn form_from_query(q: &leptos_router::params::ParamsMap) -> AdvancedForm {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for key in [
        "cos_number", "family_name", "given_name", "date_of_birth", "nationality", "passport_number", "activity",
        "route", "status", "changed_from", "changed_to", "owner", "sort", "per_page", "after", "before", "page",
    ] {
        for v in q.get_all(key).unwrap_or_default() {
            pairs.push((key.to_string(), v));
        }
    }
    AdvancedForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

#[component]
pub fn AdvancedSearchPage() -> impl IntoView {
    let query = use_query_map();
    let form = Memo::new(move |_| form_from_query(&query.read()));
    let choices = crate::data::load(|| (), |_| advanced_choices());
    let outcome = crate::data::load(move || form.get(), advanced_search);
    view! {
        <Page title="Advanced search">
            <p class="breadcrumb"><a href="/">"Workers"</a> " › " <a href="/view-cos">"View CoS"</a></p>
            <h1>"Advanced search"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let choices = choices.await.unwrap_or_default();
                    let f = form.get_untracked();
                    // Messages beside the fields they are about.
                    let errors = match outcome.await {
                        Ok(AdvancedOutcome::Invalid(e)) => e,
                        _ => vec![],
                    };
                    view! {
                        <ErrorSummary errors=errors.clone()/>
                        // Open as it arrives (wide screens, and without JavaScript); on a phone
                        // a page opened with a search folds it away so the results come first.
                        <details class="filters" open>
                            <summary class="filters__toggle">"Filters"</summary>
                            <Filters f choices errors/>
                        </details>
                    }
                })}
            </Suspense>
            // Once hydrated, results follow the filters as they change (`FollowFilters`); while
            // newer ones are on their way the old ones stay, marked as out of date.
            <p class="progress" aria-live="polite"></p>
            // Rows someone else changes meanwhile are counted here and marked in the list.
            <ResultsChangedBanner/>
            <div class="results">
                <Suspense fallback=|| view! { <p>"Searching…"</p> }>
                    {move || Suspend::new(async move {
                        let result = outcome.await;
                        view! { <Results result f=form.get_untracked()/> }
                    })}
                </Suspense>
            </div>
            <FollowFilters/>
            // Transfer selected / all open a dialog once hydrated.
            <TransferDialogHost/>
        </Page>
    }
}


#[component]
fn Filters(
    f: AdvancedForm,
    choices: Choices,
    errors: Vec<(String, String)>,
) -> impl IntoView {
    // Moved into the form's children, so each owns its copy of the messages.
    let errs = errors.clone();
    let select = move |name, label, any, options, current| select_field(&errs, name, label, any, options, current);
    let errs = errors.clone();
    let text = move |name, label, hint, value| text_field(&errs, name, label, hint, value);
    let status_error = error_for(&errors, "statuses");
    let status_invalid = status_error.is_some();
    let b = f.basic.clone();
    view! {
        <form method="get" action=PATH class="form search-form">
            {select("activity", "Reported activity", "Any activity",
                choices.activities.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(), f.activity.clone())}
            {select("route", "Route", "Any route",
                choices.routes.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(), f.route.clone())}
            <fieldset class="fieldset field" class:field--error=status_invalid id="statuses">
                <legend>"CoS status"</legend>
                {status_error.map(|e| view! { <p class="field__error"><span class="visually-hidden">"Error: "</span>{e}</p> })}
                <div class="checkboxes">
                    {Status::ALL.into_iter().map(|s| {
                        let id = format!("status-{}", s.slug());
                        let hint = format!("{id}-hint");
                        let checked = f.statuses.iter().any(|x| x == s.slug() || x == s.as_str());
                        view! {
                            <div class="checkbox">
                                <input type="checkbox" id=id.clone() name="status" value=s.slug() checked=checked aria-describedby=hint.clone()/>
                                <div>
                                    <label for=id>{s.as_str()}</label>
                                    <p class="checkbox__hint" id=hint>{s.meaning()}</p>
                                </div>
                            </div>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            {text("changed_from", "Last changed status from", "For example 01/10/2026", f.changed_from.clone())}
            {text("changed_to", "Last changed status to", "For example 29/11/2026", f.changed_to.clone())}
            {select("owner", "Owner", "Any owner",
                choices.owners.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(), f.owner.clone())}
            {text("cos_number", "CoS number", "", b.cos_number)}
            {text("family_name", "Family name", "Matches names that start with what you type", b.family_name)}
            {text("given_name", "Given name", "", b.given_name)}
            {text("date_of_birth", "Date of birth", "For example 27/03/1990", b.date_of_birth)}
            {text("nationality", "Nationality", "As a country, for example India", b.nationality)}
            {text("passport_number", "Passport number", "", b.passport_number)}
            {select("sort", "Sort by", Sort::StatusDate.label(),
                Sort::ALL[1..].iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect(), f.sort.clone())}
            {select("per_page", "Results a page", "25",
                PAGE_SIZES[1..].iter().map(|n| (n.to_string(), n.to_string())).collect(), f.per_page.clone())}
            <div class="actions">
                <button type="submit" class="button">"Search"</button>
                <a href=PATH class="link-button">"Clear"</a>
            </div>
        </form>
    }
}

#[component]
fn Results(result: Result<AdvancedOutcome, crate::error::AppError>, f: AdvancedForm) -> impl IntoView {
    let (hits, total, next, previous) = match result {
        Err(e) => return view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        Ok(AdvancedOutcome::Invalid(_)) => {
            return view! { <p role="status">"Correct the search above to see results."</p> }.into_any()
        }
        Ok(AdvancedOutcome::Results { hits, total, next, previous }) => (hits, total, next, previous),
    };
    let here = f.to_query(None, 1);
    let current = {
        let mut q = here.clone();
        for (k, v) in [("after", &f.after), ("before", &f.before)] {
            if !v.is_empty() {
                q.push_str(&format!("&{k}={}", encode_component(v)));
            }
        }
        if f.page > 1 {
            q.push_str(&format!("&page={}", f.page));
        }
        q
    };
    let this_page = format!("{PATH}?{current}");
    let back_field = this_page.clone();
    // Back from a CoS returns to exactly this page of results.
    let back = encode_component(&format!("{PATH}?{current}"));
    let export = format!("{PATH}/export.csv?{here}");
    let page_link = |cursor: String, page: u32| {
        let sep = if here.is_empty() { "" } else { "&" };
        format!("{PATH}?{here}{sep}{cursor}&page={page}")
    };
    let page = f.page;
    view! {
        <h2 id="results">"Search results"</h2>
        <p role="status">
            {match total { 0 => "No CoS match your search.".to_string(), 1 => "1 CoS matches your search.".to_string(),
                n => format!("{n} CoS match your search.") }}
            {(total > hits.len() as i64).then(|| format!(" Page {page}."))}
        </p>
        {(total > 0).then(|| view! {
            <p><a href=export.clone() rel="external" download="">"Export CSV"</a>
               <span class="hint">{format!(" (all {total}, one row per CoS)")}</span></p>
            // Radio and Next, as in the manual. The server answers with a redirect to the
            // chosen CoS (`chosen_target`), so nothing is searched again on the way.
            <form method="get" action=OPEN_PATH>
                <input type="hidden" name="back" value=back_field/>
                <fieldset class="fieldset">
                    <legend class="visually-hidden">"Select a CoS, then Next"</legend>
                    {results_table(hits, |n| format!("/view-cos/{n}?q={back}"), true, true)}
                </fieldset>
                <div class="actions"><button type="submit" class="button">"Next"</button></div>
            </form>
            <SelectedTransfer back=this_page.clone() all_query=here.clone() total/>
            <nav class="pager" aria-label="Results pages">
                {previous.clone().map(|c| view! { <a href=page_link(c, page.saturating_sub(1).max(1)) rel="prev">"Previous page"</a> })}
                {(page > 1).then(|| view! { <a href=format!("{PATH}?{here}")>"First page"</a> })}
                {next.clone().map(|c| view! { <a href=page_link(c, page + 1) rel="next">"Next page"</a> })}
            </nav>
        })}
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_opens_the_chosen_cos_and_keeps_only_these_results_for_back() {
        let back = "/view-cos/advanced?status=used&page=2";
        assert_eq!(
            chosen_target(Some("CCYDC3XKBCF"), Some(back)),
            format!("/view-cos/CCYDC3XKBCF?q={}", encode_component(back))
        );
        // Back never leads off these results (a hand-made link), and nothing chosen stays put.
        assert_eq!(chosen_target(Some("CCYDC3XKBCF"), Some("https://evil.example/")), "/view-cos/CCYDC3XKBCF?q=%2Fview-cos%2Fadvanced");
        assert_eq!(chosen_target(None, Some(back)), back);
        assert_eq!(chosen_target(Some("not a number"), Some(back)), back);
        assert_eq!(chosen_target(None, Some("//evil.example")), PATH);
        assert_eq!(chosen_target(None, Some("/view-cos/advanced/export.csv")), PATH);
    }
}

/// Once hydrated: the results follow the filters, a moment after the last change. The island
/// reads the page of the new search from the server, puts its results in place of these, and
/// puts the search in the URL; the form, and where the user is in it, stay as they are. On a
/// phone, a page opened with a search folds the filters away so the results come first.
#[island]
fn FollowFilters() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    follow::start();
}

#[cfg(feature = "hydrate")]
mod follow {
    use super::PATH;
    use crate::domain::advanced_search::{query_pairs, AdvancedForm};
    use leptos::prelude::*;
    use std::cell::Cell;
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{HtmlDetailsElement, HtmlElement, HtmlFormElement};

    thread_local! {
        /// Each change supersedes the ones before it.
        static GENERATION: Cell<u32> = const { Cell::new(0) };
    }

    fn element<T: JsCast>(selector: &str) -> Option<T> {
        document().query_selector(selector).ok().flatten().and_then(|e| e.dyn_into::<T>().ok())
    }

    pub fn start() {
        fold_on_a_phone();
        let Some(form) = element::<HtmlFormElement>(".filters form") else { return };
        let changed = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            if let Some(form) = ev.current_target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) {
                schedule(&form);
            }
        });
        let _ = form.add_event_listener_with_callback("input", changed.as_ref().unchecked_ref());
        let _ = form.add_event_listener_with_callback("change", changed.as_ref().unchecked_ref());
        changed.forget();
    }

    fn fold_on_a_phone() {
        let narrow = window().inner_width().ok().and_then(|w| w.as_f64()).is_some_and(|w| w < 768.0);
        let searched = window().location().search().is_ok_and(|q| q.len() > 1);
        let fine = document().query_selector(".error-summary").ok().flatten().is_none();
        if let (true, true, true, Some(details)) = (narrow, searched, fine, element::<HtmlDetailsElement>("details.filters")) {
            details.set_open(false);
        }
    }

    /// The form's current values as a search URL, read a moment after the last change.
    fn schedule(form: &HtmlFormElement) {
        let Ok(data) = web_sys::FormData::new_with_form(form) else { return };
        let Ok(params) = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data) else { return };
        let pairs = query_pairs(&String::from(params.to_string()));
        let f = AdvancedForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let url = format!("{PATH}?{}", f.to_query(None, 1));
        let mine = GENERATION.with(|g| {
            g.set(g.get() + 1);
            g.get()
        });
        set_timeout(
            move || {
                if GENERATION.with(|g| g.get()) == mine {
                    leptos::task::spawn_local(show(url, mine));
                }
            },
            std::time::Duration::from_millis(350),
        );
    }

    fn searching(on: bool) {
        if let Some(progress) = element::<HtmlElement>(".progress") {
            progress.set_text_content(on.then_some("Searching…"));
        }
        if let Some(results) = element::<HtmlElement>(".results") {
            let _ = results.class_list().toggle_with_force("results--stale", on);
            let _ = if on { results.set_attribute("aria-busy", "true") } else { results.remove_attribute("aria-busy") };
        }
    }

    async fn page(url: &str) -> Option<web_sys::Document> {
        use wasm_bindgen_futures::JsFuture;
        let response: web_sys::Response = JsFuture::from(window().fetch_with_str(url)).await.ok()?.dyn_into().ok()?;
        if !response.ok() || response.redirected() {
            return None;
        }
        let text = JsFuture::from(response.text().ok()?).await.ok()?.as_string()?;
        web_sys::DomParser::new().ok()?.parse_from_string(&text, web_sys::SupportedType::TextHtml).ok()
    }

    /// Puts the results of the search `url` in place, unless a newer change came meanwhile.
    async fn show(url: String, mine: u32) {
        searching(true);
        let fresh = page(&url).await;
        if GENERATION.with(|g| g.get()) != mine {
            return;
        }
        let fresh_results = fresh.as_ref().and_then(|d| d.query_selector(".results").ok().flatten());
        match (fresh_results, element::<HtmlElement>(".results")) {
            (Some(fresh), Some(here)) => {
                here.set_inner_html(&fresh.inner_html());
                if let Ok(history) = window().history() {
                    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
                }
                // The live banner counts the changed rows of these results afresh.
                if let Ok(ev) = web_sys::Event::new(crate::components::live::RESULTS_REPLACED) {
                    let _ = document().dispatch_event(&ev);
                }
                searching(false);
            }
            // Signed out meanwhile, or the service is busy: the page itself says so.
            _ => {
                let _ = window().location().assign(&url);
            }
        }
    }
}
