//! The transfer dialogs. Once the WebAssembly has arrived, Transfer on View CoS and on the
//! batch screen, and Transfer selected / Transfer all under a results list, open a modal
//! `<dialog>` on the same page: the drop-down of users, Transfer and Cancel, then the manual's
//! confirmation with OK; as it closes, the page is read again (focus returns to what opened
//! it). Before that (and without JavaScript) the same links and forms lead to the transfer
//! screens, which stay.
//!
//! A page renders `<TransferDialogHost/>`, an island, once; its triggers are the server's
//! plain links and forms, marked `data-transfer` with the `Target` they transfer (`to_attr`),
//! or the form `transfer-selected`. The island listens for them on the whole document.

use crate::api::batches::{transfer_batch, view_batch};
use crate::api::transfer::{load_transfer_form, load_transfer_many, transfer_cos, transfer_many, TransferOutcome};
use crate::components::transfer_form::transfer_problem;
use crate::error::AppError;
use leptos::prelude::*;

/// What a dialog transfers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Target {
    /// One CoS; `q` is the search it was opened from (kept for Back).
    Cos { number: String, q: String },
    /// A batch, by id.
    Batch { id: String },
    /// The CoS of a results list: ticked (`cos=…`) or all matching (`all=1&…`); `back` the list.
    Selection { selection: String, back: String },
}

impl Target {
    /// The trigger's `data-transfer` attribute: the target as JSON.
    pub fn to_attr(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn what(&self) -> &'static str {
        if matches!(self, Target::Batch { .. }) { "batch" } else { "CoS" }
    }
    /// The manual's screen names, as the dialog's title.
    fn heading(&self) -> &'static str {
        match self {
            Target::Cos { .. } => "Transfer a single CoS",
            Target::Batch { .. } => "Transfer batch of CoS",
            Target::Selection { .. } => "Transfer CoS",
        }
    }
    fn done_heading(&self) -> &'static str {
        match self {
            Target::Cos { .. } => "The CoS has been transferred",
            Target::Batch { .. } => "The batch has been transferred",
            Target::Selection { .. } => "The CoS have been transferred",
        }
    }
    /// Where OK goes when the user can no longer open what they gave away.
    fn leave_to(&self) -> String {
        match self {
            Target::Cos { q, .. } => crate::domain::search::back_to_results(q),
            Target::Batch { .. } => crate::pages::batch_search::PATH.to_string(),
            Target::Selection { back, .. } => crate::domain::search::back_to_results(back),
        }
    }
}

/// What the form shows: a summary, a sentence, the users, and the version or state the
/// transfer checks again.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Loaded {
    lines: Vec<(&'static str, String)>,
    lead: Option<String>,
    users: Vec<(i64, String)>,
    token: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Stage {
    Closed,
    Loading,
    Form { loaded: Loaded, message: Option<String> },
    /// Nothing to transfer (a message and Close).
    Problem(String),
    /// Transferred: the confirmation; `leave_to` when what moved is out of the user's reach.
    Done { text: String, leave_to: Option<String> },
}

/// The dialog of one page. Copy: triggers anywhere on the page hold it.
#[derive(Clone, Copy)]
pub struct TransferDialog {
    target: RwSignal<Option<Target>>,
    stage: RwSignal<Stage>,
    busy: RwSignal<bool>,
    /// The id of the element that opened the dialog: focus returns to it (by id, because the
    /// page may have been read again).
    opener: StoredValue<String>,
    /// Something was transferred (or changed meanwhile): the page is read again as it closes.
    stale: StoredValue<bool>,
    node: NodeRef<leptos::html::Dialog>,
}

const TITLE_ID: &str = "transfer-dialog-title";
const SELECT_ID: &str = "transfer-dialog-user";
const FIRST_ACTION_ID: &str = "transfer-dialog-first";

/// A plain click (not one meant to open the link in a new tab or window).
pub fn plain_click(ev: &web_sys::MouseEvent) -> bool {
    ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key())
}

fn focus_by_id(id: &'static str) {
    focus_later(id.to_string());
}

fn focus_later(id: String) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = document().get_element_by_id(&id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

/// Unticks the rows of a results list once their transfer is done (the ticks belong to the
/// form `transfer-selected`; a reset clears them, as none is ticked by default).
fn clear_ticks() {
    use wasm_bindgen::JsCast;
    if let Some(form) = document().get_element_by_id("transfer-selected").and_then(|e| e.dyn_into::<web_sys::HtmlFormElement>().ok()) {
        form.reset();
    }
}

fn message_of(e: AppError) -> String {
    match e {
        AppError::Invalid(m) => m.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" "),
        e => e.to_string(),
    }
}

async fn load(target: &Target) -> Result<Loaded, String> {
    match target {
        Target::Cos { number, .. } => {
            let f = load_transfer_form(number.clone()).await.map_err(message_of)?;
            Ok(Loaded {
                lines: vec![("CoS number", f.cos_number), ("Status", f.status), ("Owner now", f.owner)],
                lead: None,
                users: f.users,
                token: f.version.to_string(),
            })
        }
        Target::Batch { id } => {
            let b = view_batch(id.clone()).await.map_err(message_of)?;
            let lead = if b.only_own {
                "The batch and your CoS in it move to the user you select. CoS of the batch owned by other users stay with them."
            } else {
                "The batch and every CoS in it move to the user you select."
            };
            Ok(Loaded {
                lines: vec![
                    ("Batch reference", b.reference),
                    ("Owner now", b.owner),
                    (if b.only_own { "Your CoS in the batch" } else { "CoS in the batch" }, b.cos.len().to_string()),
                ],
                lead: Some(lead.into()),
                users: b.users,
                token: b.version.to_string(),
            })
        }
        Target::Selection { selection, .. } => {
            let f = load_transfer_many(selection.clone()).await.map_err(message_of)?;
            let lead = match f.count {
                0 => return Err("None of the CoS you selected can be transferred by you now.".into()),
                1 => "You have selected 1 CoS. It moves to the user you select.".to_string(),
                n => format!("You have selected {n} CoS. They all move to the user you select."),
            };
            Ok(Loaded { lines: vec![], lead: Some(lead), users: f.users, token: f.state })
        }
    }
}

async fn send(target: &Target, to_user: String, token: &str) -> Result<TransferOutcome, AppError> {
    match target {
        Target::Cos { number, q } => {
            let version = token.parse().unwrap_or_default();
            transfer_cos(number.clone(), to_user, version, q.clone()).await
        }
        Target::Batch { id } => transfer_batch(id.clone(), to_user, token.parse().unwrap_or_default()).await,
        Target::Selection { selection, back } => transfer_many(selection.clone(), to_user, token.to_string(), back.clone()).await,
    }
}

impl TransferDialog {
    fn new() -> Self {
        TransferDialog {
            target: RwSignal::new(None),
            stage: RwSignal::new(Stage::Closed),
            busy: RwSignal::new(false),
            opener: StoredValue::new(String::new()),
            stale: StoredValue::new(false),
            node: NodeRef::new(),
        }
    }

    /// Opens the dialog for `target`; `opener`: the id of the element that opened it.
    pub fn open(self, target: Target, opener: &str) {
        self.opener.set_value(opener.to_string());
        self.target.set(Some(target.clone()));
        self.busy.set(false);
        self.stage.set(Stage::Loading);
        if let Some(d) = self.node.get_untracked() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
        leptos::task::spawn_local(async move {
            let stage = match load(&target).await {
                Ok(loaded) => Stage::Form { loaded, message: None },
                Err(m) => Stage::Problem(m),
            };
            self.show(stage);
        });
    }

    fn show(self, stage: Stage) {
        let focus = match &stage {
            Stage::Form { .. } => SELECT_ID,
            _ => FIRST_ACTION_ID,
        };
        self.stage.set(stage);
        focus_by_id(focus);
    }

    fn close(self) {
        if let Some(d) = self.node.get_untracked() {
            d.close();
        }
    }

    /// After the dialog has closed, however it closed (Escape included): the page is read
    /// again if anything moved, and focus goes back to what opened the dialog.
    fn closed(self) {
        self.stage.set(Stage::Closed);
        self.busy.set(false);
        if self.stale.get_value() {
            focus_after_reload(&self.opener.get_value());
            crate::components::live::reload_page();
        } else {
            focus_later(self.opener.get_value());
        }
    }

    /// Leaves for `to` (what moved is out of the user's reach now).
    fn leave(self, to: &str) {
        self.stale.set_value(false);
        #[cfg(feature = "hydrate")]
        let _ = window().location().set_href(to);
        #[cfg(not(feature = "hydrate"))]
        let _ = to;
    }

    fn submit(self, to_user: String) {
        let (Some(target), Stage::Form { loaded, .. }) = (self.target.get_untracked(), self.stage.get_untracked()) else { return };
        if self.busy.get_untracked() {
            return;
        }
        let with_message = |loaded: Loaded, m: String| Stage::Form { loaded, message: Some(m) };
        if to_user.is_empty() {
            self.show(with_message(loaded, transfer_problem("choose", target.what(), "").unwrap_or_default()));
            return;
        }
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome = send(&target, to_user, &loaded.token).await;
            // Closed meanwhile (Escape): whatever happened, the page shows it.
            let still_open = self.stage.get_untracked() != Stage::Closed;
            let stage = match outcome {
                Ok(TransferOutcome::Done { text, visible }) => {
                    if matches!(target, Target::Selection { .. }) {
                        clear_ticks();
                    }
                    if visible {
                        self.stale.set_value(true);
                    }
                    Stage::Done { text, leave_to: (!visible).then(|| target.leave_to()) }
                }
                Ok(TransferOutcome::Choose) => with_message(loaded, transfer_problem("choose", target.what(), "").unwrap_or_default()),
                Ok(TransferOutcome::Changed { owner }) => {
                    // Someone else got there first: the form shows how it is now, and the
                    // page will as the dialog closes.
                    self.stale.set_value(true);
                    let message = match &target {
                        Target::Selection { .. } => {
                            "Some of these CoS changed while you were looking at them. Check the count below and try again.".to_string()
                        }
                        t => transfer_problem("changed", t.what(), &owner).unwrap_or_default().replace("below", "above"),
                    };
                    match load(&target).await {
                        Ok(fresh) => with_message(fresh, message),
                        Err(_) => Stage::Problem(message),
                    }
                }
                Err(e) => Stage::Problem(message_of(e)),
            };
            self.busy.set(false);
            if still_open && self.stage.get_untracked() != Stage::Closed {
                self.show(stage);
            }
        });
    }
}

/// Focus to put back on element `id` once the page has been read again (the dialog's island
/// does it as it hydrates: `refocus`).
#[cfg(feature = "hydrate")]
const REFOCUS_KEY: &str = "sms-refocus";

fn focus_after_reload(id: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(Some(store)) = window().session_storage() {
        let _ = store.set_item(REFOCUS_KEY, id);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

#[cfg(feature = "hydrate")]
fn refocus() {
    if let Ok(Some(store)) = window().session_storage() {
        if let Ok(Some(id)) = store.get_item(REFOCUS_KEY) {
            let _ = store.remove_item(REFOCUS_KEY);
            focus_later(id);
        }
    }
}

/// Opens the dialog from the page's triggers: a plain click on an element marked
/// `data-transfer`, and a submit of the form `transfer-selected` (the rows ticked in a list).
#[cfg(feature = "hydrate")]
fn listen(dialog: TransferDialog) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let on_click = Closure::<dyn FnMut(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if !plain_click(&ev) {
            return;
        }
        let trigger = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.closest("[data-transfer]").ok().flatten());
        let Some(trigger) = trigger else { return };
        let Some(target) = trigger.get_attribute("data-transfer").and_then(|j| serde_json::from_slice::<Target>(j.as_bytes()).ok()) else { return };
        ev.prevent_default();
        dialog.open(target, &trigger.id());
    });
    let on_submit = Closure::<dyn FnMut(web_sys::SubmitEvent)>::new(move |ev: web_sys::SubmitEvent| {
        let Some(form) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else { return };
        if form.id() != "transfer-selected" {
            return;
        }
        // The ticked rows, as the transfer screen would have had them: `cos=…&cos=…`.
        let Some(params) = web_sys::FormData::new_with_form(&form)
            .and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data))
            .ok()
        else {
            return;
        };
        ev.prevent_default();
        let back = params.get("back").unwrap_or_default();
        params.delete("back");
        let selection = String::from(params.to_string());
        dialog.open(Target::Selection { selection, back }, "transfer-selected-open");
    });
    let _ = document().add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    let _ = document().add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
    // The page lives as long as the document: nothing to remove.
    on_click.forget();
    on_submit.forget();
}

/// The `<dialog>` itself, empty until opened. An island: with the live banners, what runs in
/// the browser.
#[island]
pub fn TransferDialogHost() -> impl IntoView {
    let dialog = TransferDialog::new();
    #[cfg(feature = "hydrate")]
    {
        listen(dialog);
        refocus();
    }
    let heading = move || {
        let target = dialog.target.get();
        match (dialog.stage.get(), target) {
            (Stage::Done { .. }, Some(t)) => t.done_heading(),
            (_, Some(t)) => t.heading(),
            (_, None) => "Transfer",
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        use wasm_bindgen::JsCast;
        let chosen = document()
            .get_element_by_id(SELECT_ID)
            .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
            .map(|s| s.value())
            .unwrap_or_default();
        dialog.submit(chosen);
    };
    let body = move || match dialog.stage.get() {
        Stage::Closed => ().into_any(),
        Stage::Loading => view! { <p role="status">"Loading…"</p> }.into_any(),
        Stage::Problem(m) => view! {
            <p class="error" role="alert">{m}</p>
            <div class="actions">
                <button type="button" id=FIRST_ACTION_ID class="button button--secondary" on:click=move |_| dialog.close()>"Close"</button>
            </div>
        }
        .into_any(),
        Stage::Done { text, leave_to } => {
            view! {
                <p role="status">{text}</p>
                <div class="actions">
                    <button type="button" id=FIRST_ACTION_ID class="button" on:click=move |_| {
                        if let Some(to) = &leave_to {
                            dialog.leave(to);
                        }
                        dialog.close();
                    }>"OK"</button>
                </div>
            }
            .into_any()
        }
        Stage::Form { loaded, message } => {
            let has_error = message.is_some();
            let what = dialog.target.get_untracked().map(|t| t.what()).unwrap_or("CoS");
            if loaded.users.is_empty() {
                return view! {
                    <p>{format!("There is no other active user to transfer this {what} to.")}</p>
                    <div class="actions">
                        <button type="button" id=FIRST_ACTION_ID class="button button--secondary" on:click=move |_| dialog.close()>"Close"</button>
                    </div>
                }
                .into_any();
            }
            view! {
                {(!loaded.lines.is_empty()).then(|| view! {
                    <dl class="summary">
                        {loaded.lines.into_iter().map(|(k, v)| view! {
                            <div class="summary__row"><dt>{k}</dt><dd>{v}</dd></div>
                        }).collect_view()}
                    </dl>
                })}
                {loaded.lead.map(|l| view! { <p>{l}</p> })}
                <form class="form" on:submit=on_submit>
                    <div class="field" class:field--error=has_error>
                        <label for=SELECT_ID>"Transfer to"</label>
                        {message.map(|m| view! {
                            <p class="field__error" id="transfer-dialog-error" role="alert">
                                <span class="visually-hidden">"Error: "</span>{m}
                            </p>
                        })}
                        <select id=SELECT_ID name="to_user" required
                            aria-describedby=has_error.then_some("transfer-dialog-error")
                            aria-invalid=has_error.then_some("true")>
                            <option value="">"Select a user"</option>
                            {loaded.users.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="actions">
                        <button type="submit" class="button" disabled=move || dialog.busy.get()>"Transfer"</button>
                        <button type="button" class="button button--secondary" on:click=move |_| dialog.close()>"Cancel"</button>
                    </div>
                </form>
            }
            .into_any()
        }
    };
    view! {
        <dialog class="dialog" aria-labelledby=TITLE_ID node_ref=dialog.node on:close=move |_| dialog.closed()>
            <h2 id=TITLE_ID class="dialog__title">{heading}</h2>
            {body}
        </dialog>
    }
}
