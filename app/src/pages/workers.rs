//! The Workers screen: the home page after sign-in, the door to every CoS function.

use crate::components::layout::use_me;
use crate::components::Page;
use crate::domain::Level;
use leptos::prelude::*;

/// A function reached from the Workers screen. `href` is set once its screens exist.
struct Function {
    name: &'static str,
    href: Option<&'static str>,
    text: &'static str,
}

const FUNCTIONS: &[Function] = &[
    Function {
        name: "View CoS",
        href: Some("/view-cos"),
        text: "Search for a CoS, see its details and histories, transfer or print it.",
    },
    Function {
        name: "Sponsorship duties",
        href: Some("/sponsorship-duties"),
        text: "Manage live CoS: withdraw a CoS that will not be used.",
    },
    Function {
        name: "Manage work addresses",
        href: Some("/work-addresses"),
        text: "Add, change or delete the work addresses you use when creating CoS.",
    },
];

#[component]
pub fn WorkersPage() -> impl IntoView {
    let me = use_me();
    view! {
        <Page title="Workers">
            <h1>"Workers"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(me)) => {
                            let roles = [
                                me.is_authorising_officer.then_some("Authorising Officer"),
                                me.is_key_contact.then_some("Key Contact"),
                            ]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(", ");
                            view! {
                                <dl class="summary">
                                    <div class="summary__row">
                                        <dt>"Sponsor"</dt>
                                        <dd data-testid="sponsor-name">{me.sponsor_name}</dd>
                                    </div>
                                    <div class="summary__row">
                                        <dt>"Licence number"</dt>
                                        <dd data-testid="licence-number">{me.licence_number}</dd>
                                    </div>
                                    <div class="summary__row">
                                        <dt>"Signed in as"</dt>
                                        <dd data-testid="user-name">
                                            {me.full_name} " (" {me.user_id} ")"
                                        </dd>
                                    </div>
                                    <div class="summary__row">
                                        <dt>"Access"</dt>
                                        <dd data-testid="user-level">
                                            {me.level.label()}
                                            {(!roles.is_empty()).then(|| format!(", {roles}"))}
                                        </dd>
                                    </div>
                                </dl>
                                <h2>"What do you want to do?"</h2>
                                <ul class="card-list">
                                    {FUNCTIONS
                                        .iter()
                                        .map(|f| {
                                            let text = if f.name == "Manage work addresses" && me.level != Level::One {
                                                "See the work addresses you can use when creating CoS."
                                            } else {
                                                f.text
                                            };
                                            view! {
                                                <li class="card">
                                                    {match f.href {
                                                        Some(href) => view! { <a href=href class="card__link">{f.name}</a> }.into_any(),
                                                        None => view! {
                                                            <span class="card__title">{f.name}</span>
                                                            <span class="tag tag--grey">"Coming soon"</span>
                                                        }.into_any(),
                                                    }}
                                                    <p>{text}</p>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Ok(None) => {
                            view! { <p>"You need to " <a href="/sign-in">"sign in"</a> "."</p> }
                                .into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}
