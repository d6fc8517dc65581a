//! Workers → "Create and assign CoS" (SMS guide 8): the route, "Create a CoS" (and "Edit
//! CoS"), "CoS saved", "Delete CoS", "Confirm CoS details before assigning" and "CoS
//! assigned". Every form is a plain post, so each step works before the WebAssembly arrives.

use crate::api::create::{
    create_routes, load_assign, load_form_lists, load_cos_form, load_saved, FormLists, FormScreen, StoredAddress, START,
};
use crate::components::fields::error_for;
use crate::components::{summary_list, ErrorSummary, Page};
use crate::domain::cos_form::{Field, Kind, SECTIONS};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

pub fn breadcrumb() -> impl IntoView {
    view! { <p class="breadcrumb"><a href="/">"Workers"</a> " › " <a href=START>"Create and assign CoS"</a></p> }
}

pub fn problem(e: crate::error::AppError) -> AnyView {
    match e {
        crate::error::AppError::NotFound(_) => crate::error::set_status(404),
        crate::error::AppError::Forbidden(_) => crate::error::set_status(403),
        _ => {}
    }
    let text = match e {
        crate::error::AppError::Invalid(m) => m.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" "),
        e => e.to_string(),
    };
    view! {
        <h1>"Create and assign CoS"</h1>
        <p class="error" role="alert">{text}</p>
        <div class="actions"><a href=START class="button button--secondary">"Back"</a></div>
    }
    .into_any()
}

fn use_number() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("cos_number").unwrap_or_default())
}

/// Workers → "Create and assign CoS": choose the route, then a single CoS.
#[component]
pub fn CreateStartPage() -> impl IntoView {
    let routes = crate::data::load(|| (), |_| create_routes());
    view! {
        <Page title="Create and assign CoS">
            <p class="breadcrumb"><a href="/">"Workers"</a></p>
            <h1>"Create and assign CoS"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match routes.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(routes) => view! {
                            <form method="get" action=format!("{START}/new") class="form">
                                <fieldset class="fieldset">
                                    <legend>"Which route is the CoS for?"</legend>
                                    {["Worker", "Temporary Worker"].into_iter().map(|category| view! {
                                        <h2 class="fieldset__group">{format!("{category} routes")}</h2>
                                        <div class="radios">
                                            {routes.iter().filter(|r| r.2 == category).map(|(id, name, _)| {
                                                let input = format!("route-{id}");
                                                view! {
                                                    <div class="radio-item">
                                                        <input type="radio" class="radio" name="route" id=input.clone() value=id.to_string() required/>
                                                        <label for=input>{name.clone()}</label>
                                                    </div>
                                                }
                                            }).collect_view()}
                                        </div>
                                    }).collect_view()}
                                </fieldset>
                                <div class="actions">
                                    <button type="submit" class="button">"Create a single CoS"</button>
                                    <button type="submit" class="button button--secondary" formaction=format!("{START}/batch")>"Create a batch of CoS"</button>
                                    <a href="/" class="link-button">"Cancel"</a>
                                </div>
                            </form>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// One field of the form, as its kind asks.
pub fn field_view(f: &'static Field, value: String, error: Option<String>) -> AnyView {
    let name = format!("cos[{}]", f.name);
    let id = f.name;
    let described = [(!f.hint.is_empty()).then(|| format!("{id}-hint")), error.as_ref().map(|_| format!("{id}-error"))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let described = (!described.is_empty()).then_some(described);
    let invalid = error.is_some();
    let label = view! { {f.label}{(!f.required).then_some(" (optional)")} };
    let hint = (!f.hint.is_empty()).then(|| view! { <p class="field__hint" id=format!("{id}-hint")>{f.hint}</p> });
    let error = error.map(|m| view! { <p class="field__error" id=format!("{id}-error")><span class="visually-hidden">"Error: "</span>{m}</p> });
    let control = match f.kind {
        Kind::Long => view! {
            <textarea id=id name=name rows="4" class="textarea" aria-describedby=described aria-invalid=invalid.then_some("true")>{value}</textarea>
        }
        .into_any(),
        Kind::Gender => view! {
            <select id=id name=name aria-describedby=described aria-invalid=invalid.then_some("true")>
                <option value="">"Select"</option>
                {["Female", "Male", "Unspecified"].into_iter().map(|g| view! { <option value=g selected=value == g>{g}</option> }).collect_view()}
            </select>
        }
        .into_any(),
        Kind::YesNo => {
            return view! {
                <div class="field" class:field--error=invalid>
                    <fieldset class="fieldset" id=id aria-describedby=described>
                        <legend>{label}</legend>
                        {hint}
                        {error}
                        <div class="radios radios--inline">
                            {[("yes", "Yes"), ("no", "No")].into_iter().map(|(v, l)| {
                                let input = format!("{id}-{v}");
                                view! {
                                    <div class="radio-item">
                                        <input type="radio" class="radio" name=name.clone() id=input.clone() value=v checked=value == v/>
                                        <label for=input>{l}</label>
                                    </div>
                                }
                            }).collect_view()}
                        </div>
                    </fieldset>
                </div>
            }
            .into_any();
        }
        kind => {
            let short = matches!(kind, Kind::Date | Kind::Hours | Kind::Money | Kind::Soc | Kind::Postcode);
            let numeric = matches!(kind, Kind::Hours | Kind::Money).then_some("decimal");
            view! {
                <input id=id name=name type="text" value=value autocomplete="off" class:input--short=short inputmode=numeric
                    list=match kind { Kind::Soc => Some("soc-groups"), Kind::Country => Some("countries"), _ => None }
                    spellcheck=matches!(kind, Kind::Postcode | Kind::Soc | Kind::Date).then_some("false")
                    aria-describedby=described aria-invalid=invalid.then_some("true")/>
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:field--error=invalid>
            <label for=id>{label}</label>
            {hint}
            {error}
            {control}
        </div>
    }
    .into_any()
}

/// The drop-down of pre-stored addresses, for the main work address (`other` None) or for
/// other regular work address n. Once hydrated, choosing one fills that address's fields at
/// once; without JavaScript, Save copies it into them.
pub fn prestored(addresses: Vec<StoredAddress>, error: Option<String>, other: Option<usize>) -> AnyView {
    use crate::domain::cos_form::other_key;
    if addresses.is_empty() {
        return match other {
            None => view! { <p class="hint">"You have no pre-stored work addresses. Type the address below, or add one in Manage work addresses."</p> }.into_any(),
            Some(_) => ().into_any(),
        };
    }
    let id = other.map_or("address_id".to_string(), |n| other_key(n, "address_id"));
    let invalid = error.is_some();
    // Once hydrated, choosing one fills its fields at once (`enhance`): each option names
    // the fields it fills, by id.
    let fills = move |a: &StoredAddress| {
        let fields: Vec<(String, String)> = a
            .fields
            .iter()
            .map(|(name, value)| (other.map_or(name.clone(), |n| other_key(n, name.trim_start_matches("work_address_"))), value.clone()))
            .collect();
        crate::components::enhance::fill_attr(&fields)
    };
    let hint = format!("{id}-hint");
    view! {
        <div class="field" class:field--error=invalid>
            <label for=id.clone()>"Pre-stored address (optional)"
                {other.map(|n| view! { <span class="visually-hidden">{format!(" for other address {n}")}</span> })}</label>
            <p class="field__hint" id=hint.clone()>"Choose one to fill in the address below: the CoS keeps a copy of it. Or type the address."</p>
            {error.map(|m| view! { <p class="field__error" id=format!("{id}-error")><span class="visually-hidden">"Error: "</span>{m}</p> })}
            <select id=id.clone() name=format!("cos[{id}]") aria-describedby=hint data-fill="">
                <option value="">"Type the address"</option>
                {addresses.into_iter().map(|a| { let fields = fills(&a); view! { <option value=a.id.to_string() data-fields=fields>{a.identifier}</option> } }).collect_view()}
            </select>
        </div>
    }
    .into_any()
}

/// The other regular work addresses: each one filled in (with "Remove this address"), and one
/// empty to add another, up to ten. Without JavaScript, Save adds it; the form then offers
/// the next.
pub fn others_view(form: &crate::domain::cos_form::CosForm, errors: &[(String, String)], addresses: &[StoredAddress]) -> AnyView {
    use crate::domain::cos_form::{other_key, MAX_OTHER, OTHER_PARTS};
    let filled: Vec<usize> = (1..=MAX_OTHER)
        .filter(|&n| {
            OTHER_PARTS.iter().any(|(p, _, _)| form.get(&other_key(n, p)).is_some_and(|v| !v.trim().is_empty()))
                || errors.iter().any(|(k, _)| k.starts_with(&other_key(n, "")))
        })
        .collect();
    let spare = (1..=MAX_OTHER).find(|n| !filled.contains(n)).filter(|_| filled.len() < MAX_OTHER);
    let block = |n: usize, is_new: bool| {
        let legend = if is_new { "Add another regular work address (optional)".to_string() } else { format!("Other regular work address {n}") };
        view! {
            <fieldset class="fieldset other-address">
                <legend>{legend}</legend>
                {prestored(addresses.to_vec(), error_for(errors, &other_key(n, "address_id")), Some(n))}
                {OTHER_PARTS.iter().map(|(p, label, required)| {
                    let key = other_key(n, p);
                    let e = error_for(errors, &key);
                    let invalid = e.is_some();
                    view! {
                        <div class="field" class:field--error=invalid>
                            <label for=key.clone()>{*label}{(!required).then_some(" (optional)")}
                                <span class="visually-hidden">{format!(" of other address {n}")}</span></label>
                            {e.map(|m| view! { <p class="field__error" id=format!("{key}-error")><span class="visually-hidden">"Error: "</span>{m}</p> })}
                            <input id=key.clone() name=format!("cos[{key}]") type="text" autocomplete="off"
                                class:input--short=*p == "postcode"
                                value=form.get(&key).cloned().unwrap_or_default()
                                aria-describedby=invalid.then(|| format!("{key}-error")) aria-invalid=invalid.then_some("true")/>
                        </div>
                    }
                }).collect_view()}
                {(!is_new).then(|| {
                    let id = other_key(n, "remove");
                    view! {
                        <div class="checkbox">
                            <input type="checkbox" id=id.clone() name=format!("cos[{id}]") value="yes"/>
                            <label for=id>{format!("Remove other address {n} when I save")}</label>
                        </div>
                    }
                })}
            </fieldset>
        }
    };
    view! {
        <h3>"Other regular work addresses"</h3>
        <p class="hint">{format!("Where else the worker will regularly work, up to {MAX_OTHER}. Save to add another.")}</p>
        {filled.iter().map(|&n| block(n, false)).collect_view()}
        {spare.map(|n| block(n, true))}
    }
    .into_any()
}

/// The type-ahead lists: native `<datalist>`s, which work with and without JavaScript.
pub fn datalists(lists: FormLists) -> AnyView {
    view! {
        <datalist id="soc-groups">
            {lists.soc.into_iter().map(|(code, title)| view! { <option value=code>{title}</option> }).collect_view()}
        </datalist>
        <datalist id="countries">
            {lists.countries.into_iter().map(|c| view! { <option value=c></option> }).collect_view()}
        </datalist>
    }
    .into_any()
}

fn cos_form(s: FormScreen, lists: FormLists) -> AnyView {
    let editing = s.cos_number.is_some();
    let title = if editing { "Edit CoS" } else { "Create a CoS" };
    let cancel = match (&s.cos_number, &s.batch) {
        (Some(n), _) => format!("/view-cos/{n}"),
        (None, Some((b, _))) => format!("/view-cos/batches/{b}"),
        (None, None) => START.to_string(),
    };
    let errors = s.errors.clone();
    view! {
        <ErrorSummary errors=errors.clone()/>
        <h1>{title}{s.cos_number.clone().map(|n| view! { " " <span class="nowrap">{n}</span> })}</h1>
        {s.conflict.then(|| view! {
            <div class="inset inset--warning" role="alert">
                <p>"This CoS changed while you were editing it. What you typed is below; the CoS as it is now is on its View CoS screen. Check, then save again."</p>
            </div>
        })}
        <dl class="summary">
            <div class="summary__row"><dt>"Route"</dt><dd>{s.route.clone()}</dd></div>
            {s.batch.clone().map(|(_, reference)| view! { <div class="summary__row"><dt>"Batch"</dt><dd>{reference}</dd></div> })}
            {s.status.clone().map(|st| view! { <div class="summary__row"><dt>"Status"</dt><dd><span class="status">{st}</span></dd></div> })}
        </dl>
        <p>"Save at any time: the CoS stays WORK IN PROGRESS until every field not marked (optional) is filled in, then it is READY TO GO and can be assigned."</p>
        <form method="post" action="/api/create/save" class="form" novalidate>
            <input type="hidden" name="cos_number" value=s.cos_number.clone().unwrap_or_default()/>
            <input type="hidden" name="version" value=s.version.to_string()/>
            <input type="hidden" name="route" value=s.route_id.to_string()/>
            <input type="hidden" name="batch" value=s.batch.as_ref().map(|b| b.0.to_string()).unwrap_or_default()/>
            <input type="hidden" name="token" value=s.token.clone()/>
            {SECTIONS.iter().map(|section| {
                let address = section.title == "Main work address in the UK";
                view! {
                    <h2>{section.title}</h2>
                    {address.then(|| prestored(s.addresses.clone(), error_for(&errors, "address_id"), None))}
                    {section.fields.iter().map(|f| field_view(f, s.form.get(f.name).cloned().unwrap_or_default(), error_for(&errors, f.name))).collect_view()}
                    {address.then(|| others_view(&s.form, &errors, &s.addresses))}
                }
            }).collect_view()}
            {datalists(lists)}
            <div class="actions">
                <button type="submit" class="button">"Save"</button>
                <a href=cancel class="link-button">"Cancel"</a>
            </div>
        </form>
    }
    .into_any()
}

/// "Create a CoS" (`/create-cos/new?route=…`, or `&copy=…`) and "Edit CoS" (`/view-cos/…/edit`).
#[component]
pub fn CosFormPage() -> impl IntoView {
    let number = use_number();
    let query = use_query_map();
    let key = Memo::new(move |_| {
        let q = query.read();
        (number.get(), q.get("route").unwrap_or_default(), q.get("copy").unwrap_or_default(), q.get("batch").unwrap_or_default())
    });
    let screen = crate::data::load(move || key.get(), |(n, r, c, b)| load_cos_form(n, r, c, b));
    let lists = crate::data::load(|| (), |_| load_form_lists());
    let title = move || if number.get().is_empty() { "Create a CoS" } else { "Edit CoS" };
    view! {
        <Page title=if number.get_untracked().is_empty() { "Create a CoS" } else { "Edit CoS" }>
            {breadcrumb()}
            <Suspense fallback=move || view! { <h1>{title()}</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let lists = lists.await.unwrap_or_default();
                    match screen.await {
                        Err(e) => problem(e),
                        Ok(s) => cos_form(s, lists),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// "CoS saved": the number, the status, and what is still missing.
#[component]
pub fn CosSavedPage() -> impl IntoView {
    let number = use_number();
    let saved = crate::data::load(move || number.get(), load_saved);
    view! {
        <Page title="CoS saved">
            {breadcrumb()}
            <Suspense fallback=|| view! { <h1>"CoS saved"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match saved.await {
                        Err(e) => problem(e),
                        Ok(s) => {
                            let base = format!("/view-cos/{}", s.cos_number);
                            let ready = s.status == "READY TO GO";
                            let draft = ready || s.status == "WORK IN PROGRESS";
                            view! {
                                <div class="panel" role="status">
                                    <h1>"CoS saved"</h1>
                                    <p>"CoS number " <strong class="nowrap">{s.cos_number.clone()}</strong></p>
                                    <p>"Status " <span class="status">{s.status.clone()}</span></p>
                                </div>
                                {(!s.missing.is_empty()).then(|| view! {
                                    <h2>"Still to complete before you can assign it"</h2>
                                    <ul class="list">{s.missing.iter().map(|m| view! { <li>{m.clone()}</li> }).collect_view()}</ul>
                                })}
                                {ready.then(|| view! { <p>"It is complete and can be assigned."</p> })}
                                <div class="actions">
                                    {ready.then(|| view! { <a href=format!("{base}/assign") class="button">"Assign"</a> })}
                                    {draft.then(|| view! { <a href=format!("{base}/edit") class="button button--secondary">"Edit"</a> })}
                                    <a href=base.clone() class="button button--secondary">"View CoS"</a>
                                    <a href="/" class="link-button">"Back"</a>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// "Delete CoS": a confirmation, then the plain post.
#[component]
pub fn DeleteCosPage() -> impl IntoView {
    let number = use_number();
    let query = use_query_map();
    let screen = crate::data::load(move || number.get(), |n| load_cos_form(n, String::new(), String::new(), String::new()));
    view! {
        <Page title="Delete CoS">
            {breadcrumb()}
            <Suspense fallback=|| view! { <h1>"Delete CoS"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let changed = query.read_untracked().get("problem").as_deref() == Some("changed");
                    match screen.await {
                        Err(e) => problem(e),
                        Ok(s) => {
                            let n = s.cos_number.clone().unwrap_or_default();
                            view! {
                                <h1>"Delete CoS " <span class="nowrap">{n.clone()}</span></h1>
                                {changed.then(|| view! {
                                    <p class="error" role="alert">"This CoS changed while you were looking at it. Check it, then delete it again if you still want to."</p>
                                })}
                                <p>{format!("CoS {n} is {}. Deleting it removes it and its details; this cannot be undone.", s.status.clone().unwrap_or_default())}</p>
                                <form method="post" action="/api/create/delete" class="form">
                                    <input type="hidden" name="cos_number" value=n.clone()/>
                                    <input type="hidden" name="version" value=s.version.to_string()/>
                                    <div class="actions">
                                        <button type="submit" class="button button--warning">"Delete CoS"</button>
                                        <a href=format!("/view-cos/{n}") class="link-button">"Cancel"</a>
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

#[component]
pub fn CosDeletedPage() -> impl IntoView {
    let query = use_query_map();
    view! {
        <Page title="CoS deleted">
            {move || {
                // Only a CoS number is repeated back, never other text from the address bar.
                let n = query.read().get("cos").and_then(|n| crate::domain::CosNumber::parse(&n).ok());
                view! {
                    <div class="panel" role="status">
                        <h1>"CoS deleted"</h1>
                        <p>{match n { Some(n) => format!("CoS {} has been deleted.", n.as_str()), None => "The CoS has been deleted.".into() }}</p>
                    </div>
                    <div class="actions"><a href="/" class="button">"OK"</a></div>
                }
            }}
        </Page>
    }
}

/// "Confirm CoS details before assigning": every detail, the fee, the allocation left.
#[component]
pub fn AssignCosPage() -> impl IntoView {
    let number = use_number();
    let query = use_query_map();
    let screen = crate::data::load(move || number.get(), load_assign);
    view! {
        <Page title="Confirm CoS details before assigning">
            {breadcrumb()}
            <Suspense fallback=|| view! { <h1>"Confirm CoS details before assigning"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let problem_code = query.read_untracked().get("problem").unwrap_or_default();
                    match screen.await {
                        Err(e) => problem(e),
                        Ok(s) => {
                            let n = s.details.cos_number.clone();
                            let message = match problem_code.as_str() {
                                "allocation" => Some("There is not enough of your CoS allocation left to assign this CoS.".to_string()),
                                "changed" => Some("This CoS changed while you were looking at it. Check the details below, then assign it again.".to_string()),
                                "not-ready" => s.refusal.clone(),
                                _ => None,
                            };
                            let can = s.refusal.is_none();
                            view! {
                                {message.map(|m| view! {
                                    <div class="error-summary" role="alert" tabindex="-1">
                                        <h2>"There is a problem"</h2>
                                        <p>{m}</p>
                                    </div>
                                })}
                                <h1>"Confirm CoS details before assigning"</h1>
                                <dl class="summary">
                                    <div class="summary__row"><dt>"CoS number"</dt><dd>{n.clone()}</dd></div>
                                    <div class="summary__row"><dt>"Route"</dt><dd>{s.route.clone()}</dd></div>
                                    <div class="summary__row"><dt>"Fee"</dt><dd>{format!("£{}", s.fee)}<span class="hint">" (paid to the Home Office)"</span></dd></div>
                                    <div class="summary__row"><dt>"Allocation left this year"</dt><dd data-testid="allocation-left">{format!("{} of {}", s.left, s.allocation)}</dd></div>
                                </dl>
                                {(!can).then(|| view! { <p class="inset">{s.refusal.clone()}</p> })}
                                {s.details.sections.into_iter().map(|sec| view! { <h2>{sec.title}</h2>{summary_list(sec.rows)} }).collect_view()}
                                <form method="post" action="/api/create/assign" class="form">
                                    <input type="hidden" name="cos_number" value=n.clone()/>
                                    <input type="hidden" name="version" value=s.version.to_string()/>
                                    <div class="actions">
                                        {can.then(|| view! { <button type="submit" class="button">"Assign CoS"</button> })}
                                        <a href=format!("/view-cos/{n}") class="link-button">"Back"</a>
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

/// "CoS assigned": the number to give the worker, and when it expires.
#[component]
pub fn CosAssignedPage() -> impl IntoView {
    let number = use_number();
    let cos = crate::data::load(move || number.get(), crate::api::withdraw::load_live_cos);
    view! {
        <Page title="CoS assigned">
            <Suspense fallback=|| view! { <h1>"CoS assigned"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match cos.await {
                        Err(e) => problem(e),
                        // Only an assigned CoS is announced as one (this address can be typed).
                        Ok(c) if c.status != "ASSIGNED" => view! {
                            <h1>"CoS " <span class="nowrap">{c.cos_number.clone()}</span></h1>
                            <p>{format!("This CoS is {}, not ASSIGNED.", c.status)}</p>
                            <div class="actions"><a href=format!("/view-cos/{}", c.cos_number) class="button">"View CoS"</a></div>
                        }.into_any(),
                        Ok(c) => {
                            let row = |l: &str| c.rows.iter().find(|r| r.0 == l).map(|r| r.1.clone()).unwrap_or_default();
                            view! {
                                <div class="panel" role="status">
                                    <h1>"CoS assigned"</h1>
                                    <p>"CoS number " <strong class="nowrap">{c.cos_number.clone()}</strong></p>
                                    <p>{format!("Assigned on {}. Give this number to the worker: they need it to apply. It can be used until {}.", row("Date assigned"), row("Expiry date"))}</p>
                                </div>
                                <div class="actions">
                                    <a href=format!("/view-cos/{}", c.cos_number) class="button">"View CoS"</a>
                                    <a href=START class="button button--secondary">"Create another CoS"</a>
                                    <a href="/" class="link-button">"Workers"</a>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </Page>
    }
}
