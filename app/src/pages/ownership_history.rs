//! Ownership history: each transfer of the CoS between users of the sponsor.

use crate::api::cos::CosHistories;
use crate::pages::cos_history::HistoryPage;
use leptos::prelude::*;

fn body(h: CosHistories, _q: String) -> AnyView {
    if h.transfers.is_empty() {
        return view! { <p>"This CoS has not been transferred. It is still owned by the user who created it."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">"Transfers, oldest first"</caption>
                <thead><tr>
                    <th scope="col">"From"</th><th scope="col">"To"</th><th scope="col">"Date"</th>
                    <th scope="col">"Transferred by"</th><th scope="col">"With batch"</th>
                </tr></thead>
                <tbody>
                    {h.transfers.into_iter().map(|(from, to, date, by, batch)| view! {
                        <tr><td>{from}</td><td>{to}</td><td>{date}</td><td>{by}</td>
                            <td>{if batch.is_empty() { "No".to_string() } else { batch }}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn OwnershipHistoryPage() -> impl IntoView {
    view! { <HistoryPage title="Ownership history" body/> }
}
