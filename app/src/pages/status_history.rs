//! "View CoS status history": each status with the date it moved into it and who moved it.

use crate::api::cos::CosHistories;
use crate::components::DataTable;
use crate::pages::cos_history::{BackTo, HistoryPage};
use leptos::prelude::*;

fn body(h: CosHistories, _q: String) -> AnyView {
    view! {
        <DataTable caption="Status history, oldest first" headings=&["Status", "Date", "Changed by"]>
            {h.statuses.into_iter().map(|(status, date, by)| view! {
                <tr><td><span class="status">{status}</span></td><td>{date}</td><td>{by}</td></tr>
            }).collect_view()}
        </DataTable>
    }
    .into_any()
}

#[component]
pub fn StatusHistoryPage() -> impl IntoView {
    view! { <HistoryPage title="View CoS status history" back=BackTo::Cos body/> }
}
