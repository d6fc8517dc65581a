//! The frame of every screen: skip link, header with the signed-in user and their sponsor
//! (and sign-out), the main region, footer.

use crate::api::auth::{current_user, Me};
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in user, loaded once per page and shared by the header and the screen.
#[derive(Clone, Copy)]
pub struct MeData(pub crate::data::Data<Result<Option<Me>, AppError>>);

pub fn provide_me() {
    provide_context(MeData(crate::data::load(|| (), |_| current_user())));
}

pub fn use_me() -> crate::data::Data<Result<Option<Me>, AppError>> {
    expect_context::<MeData>().0
}

/// The frame of a screen; `narrow` for a short form such as sign-in.
#[component]
pub fn Page(title: &'static str, #[prop(optional)] narrow: bool, children: Children) -> impl IntoView {
    let me = use_me();
    view! {
        <leptos_meta::Title text=format!("{title} – Sponsorship Management System")/>
        <a class="skip-link" href="#main-content" rel="external">"Skip to main content"</a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="site-header__service" href="/">"Sponsorship Management System"</a>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match me.await {
                            Ok(Some(me)) => Some(view! { <SignedInAs me/> }),
                            _ => None,
                        }
                    })}
                </Suspense>
            </div>
        </header>
        <main id="main-content" class="main" class:main--narrow=narrow tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <p>"Sponsorship Management System – Certificates of Sponsorship"</p>
        </footer>
        <crate::components::enhance::FormHelpers/>
    }
}

#[component]
fn SignedInAs(me: Me) -> impl IntoView {
    view! {
        <div class="signed-in">
            <p class="signed-in__who">
                <span class="signed-in__name">{me.full_name}</span>
                <span class="signed-in__sponsor">{me.sponsor_name}</span>
            </p>
            <a href="/change-password" class="signed-in__password">"Change password"</a>
            // Live screens stop listening as this is sent (`live::stop_at_sign_out`).
            <form method="post" action="/sign-out" class="signed-in__out">
                <button type="submit" class="button button--secondary">"Sign out"</button>
            </form>
        </div>
    }
}
