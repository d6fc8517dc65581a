//! The table of a CoS results list, shared by the basic and the advanced search.

use crate::api::cos::SearchHit;
use leptos::prelude::*;

/// `href` gives the link of each CoS number. `pick`: the manual's radio button per row (the
/// advanced search opens the chosen CoS with Next). `tick`: the checkbox that selects a row for
/// "Transfer selected" (it belongs to the form `transfer-selected`). The table scrolls inside
/// its region on a narrow screen, labelled by the heading `results`. Each row names its CoS in
/// `data-cos`, so `ResultsChangedBanner` can mark the rows someone changes meanwhile.
pub fn results_table(
    hits: Vec<SearchHit>,
    href: impl Fn(&str) -> String,
    pick: bool,
    tick: bool,
) -> AnyView {
    view! {
        <div class="table-wrap" role="region" aria-labelledby="results" tabindex="0">
            <table class="table">
                <thead>
                    <tr>
                        {pick.then(|| view! { <th scope="col"><span class="visually-hidden">"Select to open"</span></th> })}
                        {tick.then(|| view! { <th scope="col"><span class="visually-hidden">"Select for transfer"</span></th> })}
                        <th scope="col">"CoS number"</th>
                        <th scope="col">"Worker"</th>
                        <th scope="col">"Route"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Status date"</th>
                        <th scope="col">"Owner"</th>
                    </tr>
                </thead>
                <tbody>
                    {hits
                        .into_iter()
                        .map(|h| {
                            let link = href(&h.cos_number);
                            let number = h.cos_number.clone();
                            view! {
                                <tr data-cos=number>
                                    {pick.then(|| view! {
                                        <td><input type="radio" class="radio" name="open" id=format!("pick-{}", h.cos_number)
                                            value=h.cos_number.clone() required=true aria-label=format!("Select {}", h.cos_number)/></td>
                                    })}
                                    {tick.then(|| view! {
                                        <td><input type="checkbox" class="radio" form="transfer-selected" name="cos" value=h.cos_number.clone()
                                            aria-label=format!("Select {} for transfer", h.cos_number)/></td>
                                    })}
                                    <td>
                                        <a href=link>{h.cos_number}</a>
                                    </td>
                                    <td>{h.worker_name}</td>
                                    <td>{h.route}</td>
                                    <td><span class="status">{h.status}</span></td>
                                    <td>{h.status_date}</td>
                                    <td>{h.owner}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
