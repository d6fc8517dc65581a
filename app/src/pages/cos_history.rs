//! What the three history screens of a CoS share: loading, "not found", and Back.

use crate::api::cos::{load_cos_histories, CosHistories};
use crate::components::Page;
use crate::error::AppError;
use crate::components::CosChangedBanner;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The CoS number in the path and the kept search (`q`) in the query.
pub fn use_cos_path() -> (Memo<String>, Memo<String>) {
    let params = use_params_map();
    let query = use_query_map();
    (
        Memo::new(move |_| params.read().get("cos_number").unwrap_or_default()),
        Memo::new(move |_| query.read().get("q").unwrap_or_default()),
    )
}

pub use crate::domain::search::keep;

/// Where a history screen's Back goes: the manual returns to the previous screen.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum BackTo {
    Cos,
    ActivityHistory,
}

/// A history screen: `title` for the heading, `body` renders the loaded histories.
#[component]
pub fn HistoryPage(
    title: &'static str,
    back: BackTo,
    body: fn(CosHistories, String) -> AnyView,
) -> impl IntoView {
    let (number, q) = use_cos_path();
    let histories = crate::data::load(move || number.get(), load_cos_histories);
    view! {
        <Page title=title>
            <p class="breadcrumb"><a href="/">"Workers"</a></p>
            <CosChangedBanner number=number.get_untracked()/>
            <Suspense fallback=move || view! { <h1>{title}</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let q = q.get_untracked();
                    match histories.await {
                        Ok(h) => {
                            let back = match back {
                                BackTo::Cos => format!("/view-cos/{}{}", h.cos_number, keep(&q)),
                                BackTo::ActivityHistory => format!("/view-cos/{}/activity-history{}", h.cos_number, keep(&q)),
                            };
                            view! {
                                <h1>{title}</h1>
                                <p>"CoS " <strong>{h.cos_number.clone()}</strong> " " <span class="status">{h.status.clone()}</span></p>
                                {body(h, q)}
                                <div class="actions"><a href=back class="button button--secondary">"Back"</a></div>
                            }.into_any()
                        }
                        Err(e) => not_found(e),
                    }
                })}
            </Suspense>
        </Page>
    }
}

pub fn not_found(e: AppError) -> AnyView {
    if matches!(e, AppError::Busy) {
        return crate::components::error_summary::busy();
    }
    if matches!(e, AppError::NotFound(_)) {
        crate::error::set_status(404);
    }
    view! {
        <h1>"CoS not found"</h1>
        <p>{e.to_string()}</p>
        <p><a href="/view-cos">"Search for CoS"</a></p>
    }
    .into_any()
}
