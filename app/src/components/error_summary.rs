//! The error summary at the top of a form: each problem links to its field.

use leptos::prelude::*;

/// `errors`: (field id, message). Renders nothing when there are none.
#[component]
pub fn ErrorSummary(errors: Vec<(String, String)>) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
                <h2 id="error-summary-title">"There is a problem"</h2>
                <ul>
                    {errors
                        .into_iter()
                        .map(|(field, message)| {
                            view! {
                                <li>
                                    // rel="external": the browser, not the router, follows an in-page link (and moves focus).
                                    <a href=format!("#{field}") rel="external">{message}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

/// What a screen shows when the database could not answer in time (`AppError::Busy`; the
/// response is a 503 with Retry-After): nothing was changed, and the same again soon works.
pub fn busy() -> AnyView {
    crate::error::set_status(503);
    view! {
        <h1>"The service is busy"</h1>
        <p role="alert">"The service is busy. Try again in a moment."</p>
        <p>"Nothing has been changed."</p>
    }
    .into_any()
}
