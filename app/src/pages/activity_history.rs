//! "View CoS activity history" and "View CoS activity details": what the sponsor reported
//! about the worker. Only a USED CoS has any. As in the manual, the user selects a report
//! and then Next; it is a GET form, so it works without WebAssembly.

use crate::api::cos::CosHistories;
use crate::components::DataTable;
use crate::pages::cos_history::{BackTo, HistoryPage};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn list(h: CosHistories, q: String) -> AnyView {
    if h.status != "USED" {
        return view! { <p>"Activity can only be reported on a CoS with the status USED, so this CoS has none."</p> }.into_any();
    }
    if h.activities.is_empty() {
        return view! { <p>"No activity has been reported for this CoS."</p> }.into_any();
    }
    let action = format!("/view-cos/{}/activity-details", h.cos_number);
    view! {
        <form method="get" action=action>
            <fieldset class="fieldset">
                <legend>"Select the reported activity you want to see, then Next"</legend>
                <DataTable caption="Reported activity, oldest first" headings=&["Select", "Date reported", "Activity"]>
                    {h.activities.into_iter().enumerate().map(|(i, a)| {
                        let id = format!("activity-{}", a.id);
                        view! {
                            <tr>
                                <td><input type="radio" class="radio" name="activity" id=id.clone() value=a.id.to_string() required=true checked=i == 0/></td>
                                <td>{a.reported}</td>
                                <td><label for=id>{a.activity_type}</label></td>
                            </tr>
                        }
                    }).collect_view()}
                </DataTable>
            </fieldset>
            {(!q.is_empty()).then(|| view! { <input type="hidden" name="q" value=q/> })}
            <div class="actions"><button type="submit" class="button">"Next"</button></div>
        </form>
    }
    .into_any()
}

fn details(h: CosHistories, _q: String) -> AnyView {
    let chosen: Option<i64> = use_query_map().read_untracked().get("activity").and_then(|s| s.trim().parse().ok());
    match chosen.and_then(|id| h.activities.into_iter().find(|a| a.id == id)) {
        None => view! {
            <p>"That activity report was not found for this CoS. Go back and select one of its reports."</p>
        }
        .into_any(),
        Some(a) => view! {
            <dl class="summary">
                <div class="summary__row"><dt>"Date reported"</dt><dd>{a.reported}</dd></div>
                <div class="summary__row"><dt>"Reported by"</dt><dd>{a.reported_by}</dd></div>
                <div class="summary__row"><dt>"CoS number"</dt><dd>{h.cos_number}</dd></div>
                <div class="summary__row"><dt>"Activity"</dt><dd>{a.activity_type}</dd></div>
                <div class="summary__row"><dt>"Details"</dt><dd class="pre-line">{a.details}</dd></div>
                {a.event.map(|(event, due, late)| view! {
                    <div class="summary__row"><dt>"Date of the event"</dt><dd>{event}</dd></div>
                    <div class="summary__row"><dt>"Due by"</dt><dd>{due}</dd></div>
                    <div class="summary__row"><dt>"Reported"</dt><dd>{late}</dd></div>
                })}
                {a.changes.into_iter().map(|(label, value)| view! {
                    <div class="summary__row"><dt>{label}</dt><dd>{value}</dd></div>
                }).collect_view()}
            </dl>
        }
        .into_any(),
    }
}

#[component]
pub fn ActivityHistoryPage() -> impl IntoView {
    view! { <HistoryPage title="View CoS activity history" back=BackTo::Cos body=list/> }
}

#[component]
pub fn ActivityDetailsPage() -> impl IntoView {
    view! { <HistoryPage title="View CoS activity details" back=BackTo::ActivityHistory body=details/> }
}
