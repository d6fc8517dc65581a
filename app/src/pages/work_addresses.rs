//! Manage work addresses (manual Guide 4): the list by address identifier, "Add work
//! address", "Edit work address" (Save only once something changed) and "Delete work
//! address". Level 2 users see the list and each address, nothing more.

use crate::api::work_addresses::{list_work_addresses, load_work_address, AddressScreen, SavedAddress, LIST};
use crate::components::{summary_list, DataTable, ErrorSummary, Page};
use crate::domain::work_address::{AddressForm, FIELDS};
use crate::error::set_status;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn breadcrumb() -> impl IntoView {
    view! { <p class="breadcrumb"><a href="/">"Workers"</a> " › " <a href=LIST>"Manage work addresses"</a></p> }
}

fn problem(e: crate::error::AppError) -> AnyView {
    let code = match e {
        crate::error::AppError::NotFound(_) => 404,
        crate::error::AppError::Forbidden(_) => 403,
        _ => 500,
    };
    set_status(code);
    view! {
        <h1>{if code == 404 { "Work address not found" } else { "There is a problem" }}</h1>
        <p>{e.to_string()}</p>
        <p><a href=LIST>"Back to Manage work addresses"</a></p>
    }
    .into_any()
}

fn level_one_only(title: &'static str) -> AnyView {
    set_status(403);
    view! {
        <h1>{title}</h1>
        <p>"Only a Level 1 user can add, change or delete work addresses. You can see them in the list."</p>
        <p><a href=LIST>"Back to Manage work addresses"</a></p>
    }
    .into_any()
}

#[component]
pub fn WorkAddressesPage() -> impl IntoView {
    let list = crate::data::load(|| (), |_| list_work_addresses());
    view! {
        <Page title="Manage work addresses">
            <p class="breadcrumb"><a href="/">"Workers"</a></p>
            <h1>"Manage work addresses"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => problem(e),
                        Ok(l) => view! {
                            {l.notice.map(|n| view! { <div class="panel" role="status" data-testid="notice"><p>{n}</p></div> })}
                            <p>{if l.can_manage {
                                "The addresses you use often, ready to pick when you create a CoS. Select an address identifier to change or delete it."
                            } else {
                                "The addresses your sponsor uses often, ready to pick when you create a CoS. Only a Level 1 user can change them."
                            }}</p>
                            {if l.addresses.is_empty() {
                                view! { <p>"There are no pre-stored work addresses yet."</p> }.into_any()
                            } else {
                                view! {
                                    <DataTable caption="Pre-stored work addresses, by address identifier" headings=&["Address identifier", "Address"]>
                                        {l.addresses.into_iter().map(|a| view! {
                                            <tr>
                                                <td><a href=format!("{LIST}/{}", a.id)>{a.form.identifier}</a></td>
                                                <td>{a.one_line}</td>
                                            </tr>
                                        }).collect_view()}
                                    </DataTable>
                                }.into_any()
                            }}
                            {l.can_manage.then(|| view! {
                                <div class="actions"><a href=format!("{LIST}/add") class="button">"Add"</a></div>
                            })}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// The fields, Save and Cancel. `saved` is the address as stored when editing: Save is
/// disabled in the browser until something differs from it (the server refuses an unchanged
/// save too). Without WebAssembly Save is always enabled.
fn address_form(values: AddressForm, errors: Vec<(String, String)>, saved: Option<SavedAddress>, extra: AnyView) -> AnyView {
    let editing = saved.is_some();
    // Once hydrated, Save waits for a change to the address as saved (`enhance`).
    let saved_form = saved.as_ref().map(|s| serde_json::to_string(&s.form).unwrap_or_default());
    let error_for = |name: &str| errors.iter().find(|e| e.0 == name).map(|e| e.1.clone());
    view! {
        <form method="post" action="/api/work_addresses/save" class="form" novalidate data-saved=saved_form>
            <input type="hidden" name="id" value=saved.as_ref().map(|s| s.id.to_string()).unwrap_or_default()/>
            <input type="hidden" name="version" value=saved.as_ref().map(|s| s.version.to_string()).unwrap_or_default()/>
            {FIELDS.iter().map(|(name, label, required, _)| {
                let error = error_for(name);
                let hint = match *name {
                    "identifier" => Some("The name you will pick the address by, for example Head office"),
                    "postcode" => Some("For example M1 3HE"),
                    _ => None,
                };
                let described = [hint.map(|_| format!("{name}-hint")), error.as_ref().map(|_| format!("{name}-error"))]
                    .into_iter().flatten().collect::<Vec<_>>().join(" ");
                view! {
                    <div class="field" class:field--error=error.is_some()>
                        <label for=*name>{*label}{(!required).then_some(" (optional)")}</label>
                        {hint.map(|h| view! { <p class="field__hint" id=format!("{name}-hint")>{h}</p> })}
                        {error.clone().map(|m| view! {
                            <p class="field__error" id=format!("{name}-error")><span class="visually-hidden">"Error: "</span>{m}</p>
                        })}
                        <input id=*name name=*name type="text" value=values.get(name).to_string()
                            autocomplete="off" spellcheck=(*name == "postcode").then_some("false")
                            autocapitalize=(*name == "postcode").then_some("characters")
                            class:input--short=*name == "postcode"
                            aria-describedby=(!described.is_empty()).then_some(described)
                            aria-invalid=error.is_some().then_some("true")/>
                    </div>
                }
            }).collect_view()}
            <div class="actions">
                <button type="submit" class="button"
                    aria-describedby=editing.then_some("save-hint")>"Save"</button>
                {extra}
            </div>
            {editing.then(|| view! { <p class="hint" id="save-hint">"Save becomes available once you change a detail."</p> })}
        </form>
    }
    .into_any()
}

#[component]
pub fn AddWorkAddressPage() -> impl IntoView {
    let screen = crate::data::load(|| (), |_| load_work_address(String::new()));
    view! {
        <Page title="Add work address">
            {breadcrumb()}
            <Suspense fallback=|| view! { <h1>"Add work address"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match screen.await {
                        Err(e) => problem(e),
                        Ok(s) if !s.can_manage => level_one_only("Add work address"),
                        Ok(AddressScreen { typed, errors, .. }) => view! {
                            <ErrorSummary errors=errors.clone()/>
                            <h1>"Add work address"</h1>
                            <p>"Fields marked (optional) can be left empty."</p>
                            {address_form(typed.unwrap_or_default(), errors, None,
                                view! { <a href=LIST class="link-button">"Cancel"</a> }.into_any())}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

fn use_address_id() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").unwrap_or_default())
}

/// "Edit work address" for a Level 1 user; the address, read only, for a Level 2 user.
#[component]
pub fn WorkAddressPage() -> impl IntoView {
    let id = use_address_id();
    let screen = crate::data::load(move || id.get(), load_work_address);
    view! {
        <Page title="Edit work address">
            {breadcrumb()}
            <Suspense fallback=|| view! { <h1>"Edit work address"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match screen.await {
                        Err(e) => problem(e),
                        Ok(AddressScreen { saved: None, .. }) => problem(crate::error::AppError::NotFound("That work address".into())),
                        Ok(AddressScreen { can_manage: false, saved: Some(a), .. }) => view! {
                            // Read only: not "Edit work address" in the tab either.
                            <leptos_meta::Title text="Work address – Sponsorship Management System"/>
                            <h1>"Work address"</h1>
                            {summary(&a.form)}
                            <div class="actions"><a href=LIST class="button button--secondary">"Back"</a></div>
                        }.into_any(),
                        Ok(AddressScreen { saved: Some(a), typed, errors, conflict, .. }) => {
                            let delete = format!("{LIST}/{}/delete", a.id);
                            view! {
                                <ErrorSummary errors=errors.clone()/>
                                <h1>"Edit work address"</h1>
                                {conflict.then(|| view! {
                                    <div class="inset inset--warning" data-testid="current">
                                        <h2>"The address now"</h2>
                                        {summary(&a.form)}
                                    </div>
                                    <h2>"Your changes"</h2>
                                })}
                                {address_form(typed.unwrap_or_else(|| a.form.clone()), errors, Some(a),
                                    view! {
                                        <a href=delete class="button button--warning">"Delete"</a>
                                        <a href=LIST class="link-button">"Cancel"</a>
                                    }.into_any())}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </Page>
    }
}

fn summary(f: &AddressForm) -> AnyView {
    summary_list(FIELDS.iter().map(|(name, label, ..)| (label.to_string(), f.get(name).to_string())))
}

/// "Delete work address": the address and Delete (a plain form post), or Cancel.
#[component]
pub fn DeleteWorkAddressPage() -> impl IntoView {
    let id = use_address_id();
    let query = use_query_map();
    let screen = crate::data::load(move || id.get(), load_work_address);
    view! {
        <Page title="Delete work address">
            {breadcrumb()}
            <Suspense fallback=|| view! { <h1>"Delete work address"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let changed = query.read_untracked().get("problem").is_some_and(|p| p == "changed");
                    match screen.await {
                        Err(e) => problem(e),
                        Ok(AddressScreen { saved: None, .. }) => problem(crate::error::AppError::NotFound("That work address".into())),
                        Ok(s) if !s.can_manage => level_one_only("Delete work address"),
                        Ok(AddressScreen { saved: Some(a), .. }) => {
                            let errors = if changed {
                                vec![("delete".to_string(), "Someone else changed this work address after you opened it. Check its details below, then select Delete again".to_string())]
                            } else {
                                vec![]
                            };
                            view! {
                                <ErrorSummary errors/>
                                <h1>"Delete work address"</h1>
                                <p>"Are you sure you want to delete this work address? CoS that were given it keep their copy of the address."</p>
                                {summary(&a.form)}
                                <form method="post" action="/api/work_addresses/delete">
                                    <input type="hidden" name="id" value=a.id.to_string()/>
                                    <input type="hidden" name="version" value=a.version.to_string()/>
                                    <div class="actions">
                                        <button type="submit" id="delete" class="button button--warning">"Delete"</button>
                                        <a href=format!("{LIST}/{}", a.id) class="link-button">"Cancel"</a>
                                    </div>
                                </form>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </Page>
    }
}
