//! Sign in with a user ID and password. A plain form post: it works before the WebAssembly
//! arrives, and the server answers with a redirect either way.

use crate::api::auth::take_sign_in_notice;
use crate::components::{ErrorSummary, Page};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    // Only a path on this site may be a destination after sign-in.
    let next = move || crate::domain::paths::safe_next(query.read().get("next").as_deref());
    let notice = crate::data::load(|| (), |_| take_sign_in_notice());
    view! {
        <Page title="Sign in" narrow=true>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let notice = notice.await.unwrap_or_default();
                    let errors: Vec<(String, String)> = notice
                        .error
                        .iter()
                        .map(|e| ("user_id".to_string(), e.clone()))
                        .collect();
                    let has_error = notice.error.is_some();
                    view! {
                        <ErrorSummary errors/>
                        {notice.info.map(|i| view! { <div class="notice" role="status">{i}</div> })}
                        <h1>"Sign in"</h1>
                        <p>"Sign in with the user ID and password of your SMS account."</p>
                        <form method="post" action="/sign-in" class="form" novalidate>
                            <input type="hidden" name="next" value=next/>
                            <div class="field" class:field--error=has_error>
                                <label for="user_id">"User ID"</label>
                                {notice
                                    .error
                                    .clone()
                                    .map(|e| {
                                        view! {
                                            <p class="field__error" id="user_id-error">
                                                <span class="visually-hidden">"Error: "</span>
                                                {e}
                                            </p>
                                        }
                                    })}
                                <input
                                    id="user_id"
                                    name="user_id"
                                    type="text"
                                    autocomplete="username"
                                    spellcheck="false"
                                    autocapitalize="none"
                                    required
                                    value=notice.user_id.clone()
                                    aria-describedby=has_error.then_some("user_id-error")
                                    aria-invalid=has_error.then_some("true")
                                />
                            </div>
                            <div class="field">
                                <label for="password">"Password"</label>
                                <input
                                    id="password"
                                    name="password"
                                    type="password"
                                    autocomplete="current-password"
                                    required
                                />
                            </div>
                            <button type="submit" class="button">"Sign in"</button>
                        </form>
                    }
                })}
            </Suspense>
        </Page>
    }
}
