//! "View CoS status history": each status with the date it moved into it and who moved it.

use crate::api::cos::CosHistories;
use crate::pages::cos_history::HistoryPage;
use leptos::prelude::*;

fn body(h: CosHistories, _q: String) -> AnyView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">"Status history, oldest first"</caption>
                <thead><tr><th scope="col">"Status"</th><th scope="col">"Date"</th><th scope="col">"Changed by"</th></tr></thead>
                <tbody>
                    {h.statuses.into_iter().map(|(status, date, by)| view! {
                        <tr><td><span class="status">{status}</span></td><td>{date}</td><td>{by}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn StatusHistoryPage() -> impl IntoView {
    view! { <HistoryPage title="Status history" body/> }
}
