//! A plain data table (a caption for screen readers, column headings, and rows), and a
//! summary list of labelled values.

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

/// A summary list of (label, value) rows; an empty value reads "Not given".
pub fn summary_list(rows: impl IntoIterator<Item = (String, String)>) -> AnyView {
    view! {
        <dl class="summary">
            {rows.into_iter().map(|(label, value)| view! {
                <div class="summary__row">
                    <dt>{label}</dt>
                    <dd>{if value.is_empty() { "Not given".to_string() } else { value }}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
    .into_any()
}
