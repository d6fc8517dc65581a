//! The Sponsorship duties screen: the door to Report migrant activity and Manage live CoS.

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
                    <a href="/sponsorship-duties/report-activity" class="card__link">"Report migrant activity"</a>
                    <p>"Tell the Home Office within 10 working days when a sponsored worker does not start, leaves, or their job, pay, hours or place of work change."</p>
                </li>
                <li class="card">
                    <a href="/sponsorship-duties/manage-live-cos" class="card__link">"Manage live CoS"</a>
                    <p>"Withdraw an ASSIGNED CoS that you will no longer use to sponsor the worker."</p>
                </li>
            </ul>
        </Page>
    }
}
