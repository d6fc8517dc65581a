//! "Change your password" (from the header; first of all after signing in with a temporary
//! password). A plain form post: passwords are never kept or typed back.

use crate::api::account::load_password_form;
use crate::components::fields::error_for;
use crate::components::{ErrorSummary, Page};
use crate::domain::account::MIN_PASSWORD;
use leptos::prelude::*;

fn password_field(errors: &[(String, String)], name: &'static str, label: &'static str, hint: String, autocomplete: &'static str) -> AnyView {
    let e = error_for(errors, name);
    let invalid = e.is_some();
    let described = [(!hint.is_empty()).then(|| format!("{name}-hint")), e.as_ref().map(|_| format!("{name}-error"))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <div class="field" class:field--error=invalid>
            <label for=name>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="field__hint" id=format!("{name}-hint")>{hint.clone()}</p> })}
            {e.map(|m| view! { <p class="field__error" id=format!("{name}-error")><span class="visually-hidden">"Error: "</span>{m}</p> })}
            <input id=name name=name type="password" autocomplete=autocomplete spellcheck="false"
                aria-describedby=(!described.is_empty()).then_some(described) aria-invalid=invalid.then_some("true")/>
        </div>
    }
    .into_any()
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let form = crate::data::load(|| (), |_| load_password_form());
    view! {
        <Page title="Change your password" narrow=true>
            <Suspense fallback=|| view! { <h1>"Change your password"</h1><p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let s = match form.await {
                        Ok(s) => s,
                        Err(e) => return view! { <h1>"Change your password"</h1><p>{e.to_string()}</p> }.into_any(),
                    };
                    if s.changed {
                        return view! {
                            <div class="panel" role="status">
                                <h1>"Your password has been changed"</h1>
                                <p>"Use it the next time you sign in. Anywhere else you were signed in, you have been signed out."</p>
                            </div>
                            <div class="actions"><a href="/" class="button">"Continue to Workers"</a></div>
                        }
                        .into_any();
                    }
                    let errors = s.errors.clone();
                    view! {
                        <ErrorSummary errors=errors.clone()/>
                        <h1>"Change your password"</h1>
                        {s.must_change.then(|| view! {
                            <div class="inset inset--warning"><p>"You signed in with a temporary password. Choose your own password before you continue."</p></div>
                        })}
                        <form method="post" action="/api/account/change_password" class="form" novalidate>
                            {password_field(&errors, "current_password", if s.must_change { "Temporary password" } else { "Current password" }, String::new(), "current-password")}
                            {password_field(&errors, "new_password", "New password",
                                format!("At least {MIN_PASSWORD} characters, not containing your user ID ({}), and not a common password. Three or four unrelated words work well.", s.user_id),
                                "new-password")}
                            {password_field(&errors, "confirm_password", "Confirm new password", String::new(), "new-password")}
                            <div class="actions">
                                <button type="submit" class="button">"Change password"</button>
                                {(!s.must_change).then(|| view! { <a href="/" class="link-button">"Cancel"</a> })}
                            </div>
                        </form>
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
}

