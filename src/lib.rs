//! The browser entry. Pages are rendered on the server and stay as they are; only their
//! islands (`#[island]` components: the dialogs, live banners and form helpers) are hydrated.
//! `hydrate` sets up the reactive root; the loader script (app/src/shell.rs) then hydrates
//! each `<leptos-island>` by the function wasm-bindgen exports under its name.

// The app crate holds the islands' exported functions: used here, it is linked into the bundle.
pub use app::*;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
