//! A plain data table: a caption for screen readers, column headings, and rows.

use leptos::prelude::*;

/// `children` are the `<tr>` rows. The wrapper scrolls sideways on a narrow phone instead
/// of the page.
#[component]
pub fn DataTable(caption: &'static str, headings: &'static [&'static str], children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>{headings.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
