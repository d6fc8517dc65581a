//! The Sponsorship duties screen: the door to Manage live CoS (manual Guide 3, step 2).

use crate::components::Page;
use leptos::prelude::*;

#[component]
pub fn SponsorshipDutiesPage() -> impl IntoView {
    view! {
        <Page title="Sponsorship duties">
            <p class="breadcrumb"><a href="/">"Workers"</a></p>
            <h1>"Sponsorship duties"</h1>
            <ul class="card-list">
                <li class="card">
                    <a href="/sponsorship-duties/manage-live-cos" class="card__link">"Manage live CoS"</a>
                    <p>"Withdraw an ASSIGNED CoS that you will no longer use to sponsor the worker."</p>
                </li>
            </ul>
        </Page>
    }
}
