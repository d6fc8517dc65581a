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
///
/// Written as one escaped HTML string rather than a view per row: View CoS has some forty
/// rows, and building, erasing and rendering 160 small views was a tenth of the page's
/// server time. The rows hold no links or handlers, so nothing is lost in the browser.
pub fn summary_list(rows: impl IntoIterator<Item = (String, String)>) -> AnyView {
    let mut html = String::new();
    for (label, value) in rows {
        let value = if value.is_empty() { "Not given" } else { value.as_str() };
        html.push_str("<div class=\"summary__row\"><dt>");
        html.push_str(&html_escape::encode_text(&label));
        html.push_str("</dt><dd>");
        html.push_str(&html_escape::encode_text(value));
        html.push_str("</dd></div>");
    }
    view! { <dl class="summary" inner_html=html></dl> }.into_any()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn a_summary_list_escapes_what_it_shows_and_names_what_is_missing() {
        let html = summary_list(vec![
            ("Job title".to_string(), "R&D <lead>".to_string()),
            ("Employee number".to_string(), String::new()),
        ])
        .to_html();
        assert!(html.contains("<dt>Job title</dt><dd>R&amp;D &lt;lead&gt;</dd>"), "{html}");
        assert!(html.contains("<dt>Employee number</dt><dd>Not given</dd>"), "{html}");
        assert!(html.starts_with("<dl class=\"summary\">"), "{html}");
    }
}
