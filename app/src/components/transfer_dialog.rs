//! The transfer dialogs. Once the WebAssembly has arrived, Transfer on View CoS and on the
//! batch screen, and Transfer selected / Transfer all under a results list, open a modal
//! `<dialog>` on the same page: the drop-down of users, Transfer and Cancel, then the manual's
//! confirmation with OK, while the page behind re-reads its data in place. Before that (and
//! without JavaScript) the same links and forms lead to the transfer screens, which stay.
//!
//! A page makes one `TransferDialog` (`TransferDialog::provide`, with what re-reads its data),
//! renders `<TransferDialogHost/>` outside its `Suspense`/`Transition` (so a re-read never
//! rebuilds the dialog), and its triggers call `open`.

use crate::api::batches::{transfer_batch, view_batch};
use crate::api::transfer::{load_transfer_form, load_transfer_many, transfer_cos, transfer_many, TransferOutcome};
use crate::components::transfer_form::transfer_problem;
use crate::error::AppError;
use leptos::prelude::*;

/// What a dialog transfers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// One CoS; `q` is the search it was opened from (kept for Back).
    Cos { number: String, q: String },
    /// A batch, by id.
    Batch { id: String },
    /// The CoS of a results list: ticked (`cos=…`) or all matching (`all=1&…`); `back` the list.
    Selection { selection: String, back: String },
}

impl Target {
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
    /// page's re-read may have rebuilt it).
    opener: StoredValue<String>,
    /// Re-reads the page's data after a transfer (or a conflict).
    reread: Callback<()>,
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
    /// The page's dialog, given to the page's triggers as context too.
    pub fn provide(reread: Callback<()>) -> Self {
        let dialog = TransferDialog {
            target: RwSignal::new(None),
            stage: RwSignal::new(Stage::Closed),
            busy: RwSignal::new(false),
            opener: StoredValue::new(String::new()),
            reread,
            node: NodeRef::new(),
        };
        provide_context(dialog);
        dialog
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

    /// After the dialog has closed, however it closed (Escape included).
    fn closed(self) {
        self.stage.set(Stage::Closed);
        self.busy.set(false);
        focus_later(self.opener.get_value());
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
                        self.reread.run(());
                    }
                    Stage::Done { text, leave_to: (!visible).then(|| target.leave_to()) }
                }
                Ok(TransferOutcome::Choose) => with_message(loaded, transfer_problem("choose", target.what(), "").unwrap_or_default()),
                Ok(TransferOutcome::Changed { owner }) => {
                    // Someone else got there first: the page and the form show how it is now.
                    self.reread.run(());
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

/// The `<dialog>` itself, empty until opened.
#[component]
pub fn TransferDialogHost(dialog: TransferDialog) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
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
            let navigate = navigate.clone();
            view! {
                <p role="status">{text}</p>
                <div class="actions">
                    <button type="button" id=FIRST_ACTION_ID class="button" on:click=move |_| {
                        dialog.close();
                        if let Some(to) = &leave_to {
                            navigate(to, Default::default());
                        }
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
