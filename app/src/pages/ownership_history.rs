//! "View CoS ownership history": each transfer of the CoS between users of the sponsor.

use crate::api::cos::CosHistories;
use crate::components::DataTable;
use crate::pages::cos_history::{BackTo, HistoryPage};
use leptos::prelude::*;

fn body(h: CosHistories, _q: String) -> AnyView {
    if h.transfers.is_empty() {
        return view! { <p>"This CoS has not been transferred. It is still owned by the user who created it."</p> }.into_any();
    }
    view! {
        <DataTable caption="Transfers, oldest first" headings=&["From", "To", "Date", "Transferred by", "With batch"]>
            {h.transfers.into_iter().map(|(from, to, date, by, batch)| view! {
                <tr><td>{from}</td><td>{to}</td><td>{date}</td><td>{by}</td>
                    <td>{if batch.is_empty() { "No".to_string() } else { batch }}</td></tr>
            }).collect_view()}
        </DataTable>
    }
    .into_any()
}

#[component]
pub fn OwnershipHistoryPage() -> impl IntoView {
    view! { <HistoryPage title="View CoS ownership history" back=BackTo::Cos body/> }
}
