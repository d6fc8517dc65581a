//! "View CoS activity history" and "View CoS activity details": what the sponsor reported
//! about the worker. Only a USED CoS has any.

use crate::api::cos::CosHistories;
use crate::pages::cos_history::{keep, HistoryPage};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

fn list(h: CosHistories, q: String) -> AnyView {
    if h.status != "USED" {
        return view! { <p>"Activity can only be reported on a CoS with the status USED, so this CoS has none."</p> }.into_any();
    }
    if h.activities.is_empty() {
        return view! { <p>"No activity has been reported for this CoS."</p> }.into_any();
    }
    let number = h.cos_number.clone();
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">"Reported activity, oldest first"</caption>
                <thead><tr><th scope="col">"Date reported"</th><th scope="col">"Activity"</th></tr></thead>
                <tbody>
                    {h.activities.into_iter().map(|a| {
                        let href = format!("/view-cos/{number}/activity-history/{}{}", a.id, keep(&q));
                        view! { <tr><td>{a.reported}</td><td><a href=href>{a.activity_type}</a></td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

fn details(h: CosHistories, _q: String) -> AnyView {
    let id: i64 = use_params_map().read_untracked().get("activity_id").and_then(|s| s.parse().ok()).unwrap_or(-1);
    match h.activities.into_iter().find(|a| a.id == id) {
        None => view! { <p>"That activity report was not found for this CoS."</p> }.into_any(),
        Some(a) => view! {
            <dl class="summary">
                <div class="summary__row"><dt>"Date reported"</dt><dd>{a.reported}</dd></div>
                <div class="summary__row"><dt>"Reported by"</dt><dd>{a.reported_by}</dd></div>
                <div class="summary__row"><dt>"CoS number"</dt><dd>{h.cos_number}</dd></div>
                <div class="summary__row"><dt>"Activity"</dt><dd>{a.activity_type}</dd></div>
                <div class="summary__row"><dt>"Details"</dt><dd class="pre-line">{a.details}</dd></div>
            </dl>
        }
        .into_any(),
    }
}

#[component]
pub fn ActivityHistoryPage() -> impl IntoView {
    view! { <HistoryPage title="Activity history" body=list/> }
}

#[component]
pub fn ActivityDetailsPage() -> impl IntoView {
    view! { <HistoryPage title="Activity details" body=details/> }
}
