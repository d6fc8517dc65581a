//! The Workers screen: the home page after sign-in, the door to every CoS function.

use crate::api::attention::{load_attention, Attention, EXPIRING_WITHIN_DAYS};
use crate::error::AppError;
use crate::components::layout::use_me;
use crate::components::{DataTable, Page};
use crate::domain::Level;
use leptos::prelude::*;

/// A function reached from the Workers screen.
struct Function {
    name: &'static str,
    href: &'static str,
    text: &'static str,
}

const FUNCTIONS: &[Function] = &[
    Function {
        name: "Create and assign CoS",
        href: "/create-cos",
        text: "Create a CoS for a worker, save it as you go, and assign it from your allocation.",
    },
    Function {
        name: "View CoS",
        href: "/view-cos",
        text: "Search for a CoS, see its details and histories, transfer or print it.",
    },
    Function {
        name: "Sponsorship duties",
        href: "/sponsorship-duties",
        text: "Manage live CoS: withdraw a CoS that will not be used.",
    },
    Function {
        name: "Manage work addresses",
        href: "/work-addresses",
        text: "Add, change or delete the work addresses you use when creating CoS.",
    },
];

#[component]
pub fn WorkersPage() -> impl IntoView {
    let me = use_me();
    // Made here, not in the panel: the panel is drawn inside the Suspense above, which may draw
    // it more than once, and a resource owned by a discarded draw loses its context mid-load.
    let attention = crate::data::load(|| (), |_| load_attention());
    view! {
        <Page title="Workers">
            <h1>"Workers"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let attention = attention.await;
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
                                <h2>"What do you want to do?"</h2>
                                <ul class="card-list">
                                    // What the user came for first, then what needs attention, then who they are.
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
                                                    <a href=f.href class="card__link">{f.name}</a>
                                                    <p>{text}</p>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                    {(me.level == Level::One).then(|| view! {
                                        <li class="card">
                                            <a href="/manage-users" class="card__link">"Manage users"</a>
                                            <p>"Create Level 2 users, deactivate those who leave, and see who owns which CoS."</p>
                                        </li>
                                    })}
                                </ul>
                                <AttentionPanel attention/>
                                <h2>"Your sponsor and access"</h2>
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
                                <p><a href="/change-password">"Change your password"</a></p>
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

/// "What needs attention": ASSIGNED CoS about to expire, the year's allocation, and the CoS by
/// status (each a link to the advanced search for that status). A Level 2 user's own CoS.
/// An island: the figures follow changes as they happen (read again through `load_attention`).
#[island]
fn AttentionPanel(attention: Result<Attention, AppError>) -> impl IntoView {
    let attention = RwSignal::new(attention);
    crate::components::live::on_live_change(move |change| {
        if change.changes_cos() || change.kind == "created" {
            leptos::task::spawn_local(async move { attention.set(load_attention().await) });
        }
    });
    view! {
        <section class="attention" aria-labelledby="attention-title">
            <h2 id="attention-title">"What needs attention"</h2>
            {move || {
                match attention.get() {
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(a) => {
                        let remaining = a.remaining();
                        view! {
                            {a.own_only.then(|| view! { <p class="hint">"The CoS you own."</p> })}
                            <h3>{format!("Expiring in the next {EXPIRING_WITHIN_DAYS} days")}</h3>
                            {if a.expiring.is_empty() {
                                view! { <p data-testid="expiring-none">{format!("No ASSIGNED CoS expire in the next {EXPIRING_WITHIN_DAYS} days.")}</p> }.into_any()
                            } else {
                                let shown = a.expiring.len() as i64;
                                view! {
                                    <p data-testid="expiring-total">{
                                        if a.expiring_total > shown {
                                            format!("{} ASSIGNED CoS expire soon; these {shown} soonest first.", a.expiring_total)
                                        } else if a.expiring_total == 1 {
                                            "1 ASSIGNED CoS expires soon.".to_string()
                                        } else {
                                            format!("{} ASSIGNED CoS expire soon, soonest first.", a.expiring_total)
                                        }
                                    }</p>
                                    <DataTable caption="ASSIGNED CoS that expire soon, soonest first" headings=&["CoS number", "Worker", "Expiry date", "Expires"]>
                                        {a.expiring.into_iter().map(|c| view! {
                                            <tr>
                                                <td><a href=format!("/view-cos/{}?q=%2F", c.cos_number)>{c.cos_number.clone()}</a></td>
                                                <td>{c.worker}</td>
                                                <td>{c.expiry_date}</td>
                                                <td>{c.when}</td>
                                            </tr>
                                        }).collect_view()}
                                    </DataTable>
                                }.into_any()
                            }}
                            <h3>"Reports made late in the last 30 days"</h3>
                            {if a.late_reports.is_empty() {
                                view! { <p data-testid="late-none">"None: every report of migrant activity in the last 30 days was on time."</p> }.into_any()
                            } else {
                                view! {
                                    <DataTable caption="Reports of migrant activity made late in the last 30 days, newest first" headings=&["CoS number", "Activity", "Reported", "Late by"]>
                                        {a.late_reports.clone().into_iter().map(|(n, activity, at, days)| view! {
                                            <tr>
                                                <td><a href=format!("/view-cos/{n}/activity-history?q=%2F")>{n.clone()}</a></td>
                                                <td>{activity}</td>
                                                <td>{at}</td>
                                                <td>{if days == 1 { "1 working day".to_string() } else { format!("{days} working days") }}</td>
                                            </tr>
                                        }).collect_view()}
                                    </DataTable>
                                }.into_any()
                            }}
                            <h3>{format!("Allocation for {}", a.year)}</h3>
                            <dl class="summary" data-testid="allocation">
                                <div class="summary__row"><dt>"CoS allocated for the year"</dt><dd>{a.allocation}</dd></div>
                                <div class="summary__row"><dt>"Assigned so far"</dt><dd>{a.used}</dd></div>
                                <div class="summary__row"><dt>"Remaining"</dt><dd>{remaining}</dd></div>
                            </dl>
                            <h3>"CoS by status"</h3>
                            <ul class="counts" data-testid="by-status">
                                {a.by_status.into_iter().map(|(status, slug, n)| view! {
                                    <li>
                                        <a href=format!("/view-cos/advanced?status={slug}")>
                                            <span class="status">{status}</span>
                                            <span class="counts__n">{n}</span>
                                        </a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }
            }}
        </section>
    }
}
