//! Workers → "Manage users" (Level 1 only): the sponsor's users, "Create a Level 2 user",
//! "User created" (the temporary password, once), a user's screen with Deactivate /
//! Reactivate and "Transfer all their CoS", and the deactivation's confirmation.

use crate::api::users::{load_new_user_form, load_user, load_users, take_created, UserRow, START};
use crate::components::fields::text_field;
use crate::components::{summary_list, DataTable, ErrorSummary, Page};
use crate::domain::search::encode_component;
use crate::error::{set_status, AppError};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn breadcrumb(more: bool) -> impl IntoView {
    view! {
        <p class="breadcrumb"><a href="/">"Workers"</a>{more.then(|| view! { " › " <a href=START>"Manage users"</a> })}</p>
    }
}

fn problem(e: AppError) -> AnyView {
    let code = e.status();
    set_status(code);
    view! {
        <h1>{if code == 404 { "Page not found" } else { "There is a problem" }}</h1>
        <p>{e.to_string()}</p>
        <p><a href="/">"Back to Workers"</a></p>
    }
    .into_any()
}

fn user_path(user_id: &str) -> String {
    format!("{START}/user/{user_id}")
}

/// The advanced search of a user's CoS.
fn their_cos(u: &UserRow) -> String {
    format!("/view-cos/advanced?owner={}", u.id)
}

#[component]
pub fn ManageUsersPage() -> impl IntoView {
    let list = crate::data::load(|| (), |_| load_users());
    view! {
        <Page title="Manage users">
            {breadcrumb(false)}
            <Suspense fallback=|| view! { <h1>"Manage users"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => problem(e),
                        Ok(l) => view! {
                            <h1>"Manage users"</h1>
                            <p>"Everyone of your organisation who can sign in to the Sponsorship Management System, and those who could. A deactivated user's CoS stay theirs until you transfer them."</p>
                            <div class="actions"><a href=format!("{START}/new") class="button">"Create a Level 2 user"</a></div>
                            <DataTable caption="Your users, active first, by name" headings=&["User", "Level", "Status", "Last signed in", "CoS owned"]>
                                {l.users.into_iter().map(|u| view! {
                                    <tr>
                                        <td>
                                            <a href=user_path(&u.user_id)>{u.full_name.clone()}</a>
                                            <br/><span class="muted">{u.user_id.clone()}</span>
                                            {(!u.roles.is_empty()).then(|| view! { <br/><span class="muted">{u.roles.clone()}</span> })}
                                        </td>
                                        <td>{u.level.clone()}</td>
                                        <td>{if u.active { "Active" } else { "Deactivated" }}</td>
                                        <td>{u.last_signed_in.clone()}</td>
                                        <td><a href=their_cos(&u) aria-label=format!("{} CoS owned by {}", u.cos_owned, u.full_name)>{u.cos_owned}</a></td>
                                    </tr>
                                }).collect_view()}
                            </DataTable>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
pub fn NewUserPage() -> impl IntoView {
    let form = crate::data::load(|| (), |_| load_new_user_form());
    view! {
        <Page title="Create a Level 2 user">
            {breadcrumb(true)}
            <Suspense fallback=|| view! { <h1>"Create a Level 2 user"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let s = match form.await {
                        Ok(s) => s,
                        Err(e) => return problem(e),
                    };
                    let errors = s.errors.clone();
                    view! {
                        <ErrorSummary errors=errors.clone()/>
                        <h1>"Create a Level 2 user"</h1>
                        <p>"A Level 2 user can create, assign and manage the CoS they own. They get a temporary password, shown to you once, which they must change when they first sign in."</p>
                        <form method="post" action="/api/users/create" class="form" novalidate>
                            {text_field(&errors, "full_name", "Full name", "", s.typed.full_name.clone())}
                            {text_field(&errors, "email", "Email address", "For example jane.smith@example.com", s.typed.email.clone())}
                            {text_field(&errors, "user_id", "User ID", "What they type to sign in: 3 to 64 lower-case letters, digits, dots or hyphens, for example jane.smith", s.typed.user_id.clone())}
                            <div class="actions">
                                <button type="submit" class="button">"Create user"</button>
                                <a href=START class="link-button">"Cancel"</a>
                            </div>
                        </form>
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
}

#[component]
pub fn UserCreatedPage() -> impl IntoView {
    let created = crate::data::load(|| (), |_| take_created());
    view! {
        <Page title="User created">
            {breadcrumb(true)}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match created.await {
                        Err(e) => problem(e),
                        Ok(None) => view! {
                            <h1>"Temporary password already shown"</h1>
                            <p>"A temporary password is shown once only. If it was lost, deactivate the user and reactivate them to make a new one."</p>
                            <div class="actions"><a href=START class="button button--secondary">"Back to Manage users"</a></div>
                        }
                        .into_any(),
                        Ok(Some(c)) => view! {
                            <div class="panel" role="status">
                                <h1>{if c.reactivated { "User reactivated" } else { "User created" }}</h1>
                                <p>{format!("{} can now sign in with user ID ", c.full_name)}<strong>{c.user_id.clone()}</strong></p>
                            </div>
                            <h2>"Temporary password"</h2>
                            <p class="password-once"><code data-testid="temporary-password">{c.password}</code></p>
                            <div class="inset inset--warning">
                                <p>"This password will not be shown again. Give it to the user privately; they must choose their own when they first sign in."</p>
                            </div>
                            <div class="actions">
                                <a href=user_path(&c.user_id) class="button">"View the user"</a>
                                <a href=START class="button button--secondary">"Back to Manage users"</a>
                            </div>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

fn use_user_id() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("user_id").unwrap_or_default())
}

#[component]
pub fn UserPage() -> impl IntoView {
    let user_id = use_user_id();
    let query = use_query_map();
    let screen = crate::data::load(move || user_id.get(), load_user);
    view! {
        <Page title="User">
            {breadcrumb(true)}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let s = match screen.await {
                        Ok(s) => s,
                        Err(e) => return problem(e),
                    };
                    let done = query.with_untracked(|q| q.get("done")).filter(|d| d == "deactivated");
                    let u = s.user.clone();
                    let transfer_all = format!(
                        "/view-cos/transfer-many?all=1&owner={}&back={}",
                        u.id,
                        encode_component(&user_path(&u.user_id))
                    );
                    view! {
                        {done.map(|_| view! {
                            <div class="panel" role="status"><p>{format!("{} has been deactivated. Their sessions have ended and they cannot sign in.", u.full_name)}</p></div>
                        })}
                        <h1>{u.full_name.clone()}</h1>
                        {summary_list([
                            ("User ID".to_string(), u.user_id.clone()),
                            ("Email address".to_string(), u.email.clone()),
                            ("Level".to_string(), u.level.clone()),
                            ("Roles".to_string(), u.roles.clone()),
                            ("Status".to_string(), if u.active { "Active".into() } else { "Deactivated".into() }),
                            ("Last signed in".to_string(), u.last_signed_in.clone()),
                            ("CoS owned".to_string(), u.cos_owned.to_string()),
                        ])}
                        <p><a href=their_cos(&u)>{format!("See the {} CoS {} owns", u.cos_owned, u.full_name)}</a></p>
                        {match (u.active, s.refusal.clone()) {
                            (true, Some(why)) => view! { <div class="inset"><p>{why}</p></div> }.into_any(),
                            (true, None) => view! {
                                <div class="actions"><a href=format!("{}/deactivate", user_path(&u.user_id)) class="button button--warning">"Deactivate"</a></div>
                            }.into_any(),
                            (false, _) => view! {
                                {(u.cos_owned > 0).then(|| view! {
                                    <h2>"Their CoS"</h2>
                                    <p>{format!("{} still owns {} CoS. Transfer them all to one active user, at once.", u.full_name, u.cos_owned)}</p>
                                    <div class="actions"><a href=transfer_all.clone() class="button">"Transfer all their CoS"</a></div>
                                })}
                                <h2>"Reactivate"</h2>
                                <p>"They will get a new temporary password, shown to you once."</p>
                                <form method="post" action="/api/users/reactivate" class="form">
                                    <input type="hidden" name="user_id" value=u.user_id.clone()/>
                                    <div class="actions"><button type="submit" class="button button--secondary">"Reactivate"</button></div>
                                </form>
                            }.into_any(),
                        }}
                        <div class="actions"><a href=START class="link-button">"Back to Manage users"</a></div>
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
}

#[component]
pub fn DeactivateUserPage() -> impl IntoView {
    let user_id = use_user_id();
    let screen = crate::data::load(move || user_id.get(), load_user);
    view! {
        <Page title="Deactivate user">
            {breadcrumb(true)}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let s = match screen.await {
                        Ok(s) => s,
                        Err(e) => return problem(e),
                    };
                    let u = s.user.clone();
                    let back = user_path(&u.user_id);
                    let body = match (u.active, s.refusal.clone()) {
                        (false, _) => view! { <p>{format!("{} is already deactivated.", u.full_name)}</p> }.into_any(),
                        (true, Some(why)) => view! { <div class="inset inset--warning"><p>{why}</p></div> }.into_any(),
                        (true, None) => view! {
                            <p>{format!("{} ({}) will be signed out at once and will not be able to sign in. ", u.full_name, u.user_id)}
                               {format!("The {} CoS they own stay theirs until you transfer them.", u.cos_owned)}</p>
                            <form method="post" action="/api/users/deactivate" class="form">
                                <input type="hidden" name="user_id" value=u.user_id.clone()/>
                                <div class="actions">
                                    <button type="submit" class="button button--warning">"Yes, deactivate"</button>
                                    <a href=back.clone() class="link-button">"No, go back"</a>
                                </div>
                            </form>
                        }.into_any(),
                    };
                    view! {
                        <h1>{format!("Deactivate {}?", u.full_name)}</h1>
                        {body}
                        {(!u.active || s.refusal.is_some()).then(|| view! {
                            <div class="actions"><a href=back.clone() class="button button--secondary">"Back"</a></div>
                        })}
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
}
