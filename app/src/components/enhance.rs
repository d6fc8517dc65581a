//! Helpers for the server's forms once the WebAssembly has arrived. The forms are rendered on
//! the server and work the same without it; `FormHelpers`, one island on every page (`Page`),
//! listens on the whole document and acts on what the forms mark:
//! - `select[data-fill]`: choosing an option fills the fields its `data-fields` names (the
//!   pre-stored work addresses); typing over such an address makes it a typed one again;
//! - `textarea[data-max]`: "You have N characters remaining" in `#<id>-count`;
//! - `#activity` (report activity): the fields marked `data-for-type` for other activities hide;
//! - `form[data-saved]` (edit a work address): Save is enabled once something differs;
//! - `form[data-max-bytes]` (a batch upload): a file over the limit is refused before it is
//!   sent, and a progress line shows while it is.

use leptos::prelude::*;

/// "You have 12 characters remaining" (or too many), for a text of `n` characters of `max`.
pub fn count_message(n: usize, max: usize) -> String {
    if n <= max {
        format!("You have {} characters remaining", max - n)
    } else {
        format!("You have {} characters too many", n - max)
    }
}

/// The `data-fields` of a pre-stored address's option: the ids of the fields it fills, and
/// their values.
pub fn fill_attr(fields: &[(String, String)]) -> String {
    serde_json::to_string(fields).unwrap_or_default()
}

/// The island. It draws nothing; it only listens.
#[island]
pub fn FormHelpers() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::listen();
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::count_message;
    use crate::domain::work_address::AddressForm;
    use leptos::prelude::document;
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{Element, Event, HtmlFormElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

    fn by_id<T: JsCast>(id: &str) -> Option<T> {
        document().get_element_by_id(id).and_then(|e| e.dyn_into::<T>().ok())
    }

    fn on(kind: &str, handler: impl FnMut(Event) + 'static) {
        let handler = Closure::<dyn FnMut(Event)>::new(handler);
        let _ = document().add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
        // The page lives as long as the document: nothing to remove.
        handler.forget();
    }

    pub fn listen() {
        for form in forms("form[data-saved]") {
            save_when_changed(&form);
        }
        on("input", |ev| {
            let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
                typed_over_prestored(&input.id());
            }
            if let Some(text) = target.dyn_ref::<HtmlTextAreaElement>() {
                count(text);
            }
            if let Some(form) = target.closest("form[data-saved]").ok().flatten().and_then(|f| f.dyn_into::<HtmlFormElement>().ok()) {
                save_when_changed(&form);
            }
        });
        on("change", |ev| {
            let Some(select) = ev.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) else { return };
            if select.has_attribute("data-fill") {
                fill(&select);
            }
            if select.id() == "activity" {
                show_for_activity(&select);
            }
        });
        on("submit", |ev| {
            let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else { return };
            if let Some(max) = form.get_attribute("data-max-bytes").and_then(|m| m.parse::<f64>().ok()) {
                check_upload(&form, max, &ev);
            }
        });
    }

    fn forms(selector: &str) -> Vec<HtmlFormElement> {
        let Ok(list) = document().query_selector_all(selector) else { return vec![] };
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlFormElement>().ok()).collect()
    }

    /// Choosing a pre-stored address fills its fields at once (without JavaScript, Save copies
    /// it into them).
    fn fill(select: &HtmlSelectElement) {
        let chosen = select.selected_options().item(0);
        let Some(fields) = chosen.and_then(|o| o.get_attribute("data-fields")) else { return };
        let Ok(fields) = serde_json::from_slice::<Vec<(String, String)>>(fields.as_bytes()) else { return };
        for (id, value) in fields {
            if let Some(input) = by_id::<HtmlInputElement>(&id) {
                input.set_value(&value);
            }
        }
    }

    /// Typing into an address that a pre-stored one filled makes it a typed address: its
    /// drop-down goes back to "Type the address", so Save keeps what was typed.
    fn typed_over_prestored(id: &str) {
        let select = if id.starts_with("work_address_") {
            "address_id".to_string()
        } else if ["new_line1", "new_town", "new_postcode"].contains(&id) {
            "new_address_id".to_string()
        } else if let Some((block, _)) = id.strip_prefix("other").and_then(|r| r.split_once('_')).filter(|(n, _)| n.parse::<usize>().is_ok()) {
            format!("other{block}_address_id")
        } else {
            return;
        };
        if let Some(s) = by_id::<HtmlSelectElement>(&select) {
            s.set_value("");
        }
    }

    fn count(text: &HtmlTextAreaElement) {
        let Some(max) = text.get_attribute("data-max").and_then(|m| m.parse::<usize>().ok()) else { return };
        if let Some(line) = document().get_element_by_id(&format!("{}-count", text.id())) {
            line.set_text_content(Some(&count_message(text.value().chars().count(), max)));
        }
    }

    /// The extra answers belong to one activity each: those of another activity hide once one
    /// is chosen (all show while none is).
    fn show_for_activity(select: &HtmlSelectElement) {
        let chosen = (!select.value().is_empty())
            .then(|| select.selected_options().item(0).and_then(|o| o.text_content()))
            .flatten();
        let Ok(fields) = document().query_selector_all("[data-for-type]") else { return };
        for i in 0..fields.length() {
            let Some(field) = fields.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) else { continue };
            let kind = field.get_attribute("data-for-type").unwrap_or_default();
            field.set_hidden(chosen.as_ref().is_some_and(|c| c.trim() != kind));
        }
    }

    /// Edit work address: Save only once something differs from the address as saved (the
    /// server refuses an unchanged save too).
    fn save_when_changed(form: &HtmlFormElement) {
        let Some(saved) = form.get_attribute("data-saved").and_then(|s| serde_json::from_slice::<AddressForm>(s.as_bytes()).ok()) else { return };
        let Ok(data) = web_sys::FormData::new_with_form(form) else { return };
        let mut typed = AddressForm::default();
        for (name, ..) in crate::domain::work_address::FIELDS {
            typed.set(name, data.get(name).as_string().unwrap_or_default());
        }
        if let Ok(Some(save)) = form.query_selector("button[type=submit]") {
            if let Ok(save) = save.dyn_into::<web_sys::HtmlButtonElement>() {
                save.set_disabled(!typed.changes(&saved));
            }
        }
    }

    /// A batch file over the limit is refused before minutes of uploading; otherwise a progress
    /// line shows while it is checked and saved.
    fn check_upload(form: &HtmlFormElement, max: f64, ev: &Event) {
        let size = by_id::<HtmlInputElement>("workers").and_then(|i| i.files()).and_then(|f| f.get(0)).map(|f| f.size()).unwrap_or(0.0);
        let too_big = document().get_element_by_id("workers-too-big");
        if size > max {
            ev.prevent_default();
            if let Some(place) = too_big {
                place.set_inner_html(&format!(
                    "<p class=\"field__error\" role=\"alert\"><span class=\"visually-hidden\">Error: </span>{}</p>",
                    crate::domain::cos_form::FILE_TOO_BIG
                ));
            }
            return;
        }
        if let Some(place) = too_big {
            place.set_inner_html("");
        }
        if let Ok(Some(progress)) = form.query_selector(".progress") {
            progress.set_inner_html(
                "<progress class=\"progress__bar\" aria-label=\"Checking and saving the file\"></progress> Checking and saving the file…",
            );
        }
    }
}
