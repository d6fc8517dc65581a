use crate::components::Page;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    crate::error::set_status(404);
    view! {
        <Page title="Page not found">
            <h1>"Page not found"</h1>
            <p>"If you typed the web address, check it is correct."</p>
            <p><a href="/">"Go to the Workers screen"</a></p>
        </Page>
    }
}
