//! The form of both transfers (a single CoS, a batch): the sponsor's other active users in a
//! drop-down, Transfer and Cancel. A plain form post, so it works before the WebAssembly.

use leptos::prelude::*;

/// What went wrong with the last attempt, from the `problem` the server sent the user back
/// with: none chosen, or someone else changed the `what` ("CoS", "batch") first.
pub fn transfer_problem(problem: &str, what: &str, owner_now: &str) -> Option<String> {
    match problem {
        "choose" => Some(format!("Select the user to transfer the {what} to.")),
        "changed" => Some(format!(
            "This {what} changed while you were looking at it: it is now owned by {owner_now}. Check the owner below and try again."
        )),
        _ => None,
    }
}

/// `hidden`: the form's other fields; `message`: what was wrong last time, shown by the field;
/// `what`: "CoS" or "batch", for the words.
#[component]
pub fn TransferToForm(
    what: &'static str,
    action: &'static str,
    hidden: Vec<(&'static str, String)>,
    users: Vec<(i64, String)>,
    message: Option<String>,
    cancel: String,
) -> impl IntoView {
    if users.is_empty() {
        return view! { <p>{format!("There is no other active user to transfer this {what} to.")}</p> }.into_any();
    }
    let has_error = message.is_some();
    view! {
        <form method="post" action=action class="form">
            {hidden.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <div class="field" class:field--error=has_error>
                <label for="to_user">"Transfer to"</label>
                {message.map(|m| view! {
                    <p class="field__error" id="to_user-error"><span class="visually-hidden">"Error: "</span>{m}</p>
                })}
                <select id="to_user" name="to_user" required
                    aria-describedby=has_error.then_some("to_user-error")
                    aria-invalid=has_error.then_some("true")>
                    <option value="">"Select a user"</option>
                    {users.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                </select>
            </div>
            <div class="actions">
                <button type="submit" class="button">"Transfer"</button>
                <a href=cancel class="link-button">"Cancel"</a>
            </div>
        </form>
    }
    .into_any()
}
