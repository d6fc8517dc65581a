//! Form fields with their label, hint and error, as every search form lays them out.

use leptos::prelude::*;

/// The message for field `name`, if it has one.
pub fn error_for(errors: &[(String, String)], name: &str) -> Option<String> {
    errors.iter().find(|e| e.0 == name).map(|e| e.1.clone())
}

/// A text input; `hint` may be empty.
pub fn text_field(errors: &[(String, String)], name: &'static str, label: &'static str, hint: &'static str, value: String) -> AnyView {
    let e = error_for(errors, name);
    let described = [(!hint.is_empty()).then(|| format!("{name}-hint")), e.as_ref().map(|_| format!("{name}-error"))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let invalid = e.is_some();
    view! {
        <div class="field" class:field--error=invalid>
            <label for=name>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="field__hint" id=format!("{name}-hint")>{hint}</p> })}
            {e.map(|m| view! { <p class="field__error" id=format!("{name}-error")><span class="visually-hidden">"Error: "</span>{m}</p> })}
            <input id=name name=name type="text" value=value autocomplete="off"
                aria-describedby=(!described.is_empty()).then_some(described)
                aria-invalid=invalid.then_some("true")/>
        </div>
    }
    .into_any()
}

/// A drop-down whose first option, `any`, means "any".
pub fn select_field(
    errors: &[(String, String)],
    name: &'static str,
    label: &'static str,
    any: &'static str,
    options: Vec<(String, String)>,
    current: String,
) -> AnyView {
    let e = error_for(errors, name);
    let invalid = e.is_some();
    view! {
        <div class="field" class:field--error=invalid>
            <label for=name>{label}</label>
            {e.map(|m| view! { <p class="field__error" id=format!("{name}-error")><span class="visually-hidden">"Error: "</span>{m}</p> })}
            <select id=name name=name aria-describedby=invalid.then(|| format!("{name}-error"))>
                <option value="">{any}</option>
                {options.into_iter().map(|(v, l)| {
                    let selected = v == current;
                    view! { <option value=v selected=selected>{l}</option> }
                }).collect_view()}
            </select>
        </div>
    }
    .into_any()
}
