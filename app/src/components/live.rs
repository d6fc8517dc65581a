//! Live screens: once hydrated, a screen's live island (a banner, or the Workers panel) listens
//! to the live-change stream (`GET /changes`, server/src/live.rs) and says politely when what
//! the screen shows has changed, with a button that reads the page again. Without JavaScript,
//! or while the stream is down, nothing shows: the page stays as it is, and every change is
//! still checked against the version the user was shown. The browser's EventSource reconnects
//! by itself; whatever happened while it was away (a server restarted, the database's listener
//! reconnected) arrives as one `missed` change, which every screen treats as "anything may have
//! changed".

use leptos::prelude::*;
use std::collections::HashSet;

/// A change as the stream sends it (the parts the screens read).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct LiveChange {
    pub kind: String,
    /// The CoS numbers; absent when over 100 changed at once (only counted then).
    pub cos: Option<Vec<String>>,
    pub count: Option<i64>,
}

impl LiveChange {
    /// Changes may have been made while the stream was down: which ones is not known.
    pub fn missed() -> Self {
        LiveChange { kind: "missed".into(), cos: None, count: None }
    }

    pub fn is_missed(&self) -> bool {
        self.kind == "missed"
    }

    /// Whether it changed (or, missed, may have changed) CoS already made.
    pub fn changes_cos(&self) -> bool {
        matches!(self.kind.as_str(), "cos" | "owner" | "note" | "activity" | "missed")
    }

    /// Whether it may concern the CoS `number`.
    pub fn may_concern(&self, number: &str) -> bool {
        self.is_missed()
            || self.changes_cos()
                && match &self.cos {
                    Some(list) => list.iter().any(|n| n == number),
                    None => self.count.unwrap_or(0) > 0,
                }
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// Set as the user signs out: changes that arrive after are not acted on.
    static SIGNING_OUT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Stops acting on changes once the user signs out (any form posting to `/sign-out`): a
/// re-read then would be refused. Watched once per page, from the first live island.
#[cfg(feature = "hydrate")]
fn stop_at_sign_out() {
    use wasm_bindgen::{closure::Closure, JsCast};
    thread_local! {
        static WATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if WATCHING.with(|w| w.replace(true)) {
        return;
    }
    let on_submit = Closure::<dyn FnMut(web_sys::Event)>::new(|ev: web_sys::Event| {
        let form = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok());
        if form.is_some_and(|f| f.action().ends_with("/sign-out")) {
            SIGNING_OUT.with(|s| s.set(true));
        }
    });
    let _ = document().add_event_listener_with_callback_and_bool("submit", on_submit.as_ref().unchecked_ref(), true);
    on_submit.forget();
}

/// Calls `handle` with each change the live stream carries while the calling view lives: in
/// the browser once hydrated, never on the server.
pub fn on_live_change(handle: impl Fn(LiveChange) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        stop_at_sign_out();
        let stream = std::rc::Rc::new(std::cell::RefCell::new(stream::Stream::default()));
        stream::connect(stream.clone(), std::rc::Rc::new(handle));
        // Closed, and its handlers freed, when the screen goes.
        let stream = StoredValue::new_local(Some(stream));
        on_cleanup(move || {
            if let Some(stream) = stream.try_update_value(|s| s.take()).flatten() {
                stream.borrow_mut().close();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = handle;
}

/// The browser's side of the stream. An EventSource reconnects by itself after a dropped
/// connection, but gives up for good on an HTTP error (a load balancer's 502 while a server
/// restarts); then it is opened again here, waiting 1 s, 2 s, 4 s … up to 30 s between tries.
#[cfg(feature = "hydrate")]
mod stream {
    use super::{LiveChange, SIGNING_OUT};
    use std::{cell::RefCell, rc::Rc};
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{Event, EventSource, MessageEvent};

    type Handler = Closure<dyn FnMut(Event)>;

    #[derive(Default)]
    pub struct Stream {
        source: Option<EventSource>,
        handlers: Vec<Handler>,
        /// The screen went, or the session ended: never open again.
        closed: bool,
        /// The connection dropped since it last opened: changes may have gone unheard.
        dropped: bool,
        retry_ms: i32,
    }

    impl Stream {
        pub fn close(&mut self) {
            self.closed = true;
            if let Some(source) = self.source.take() {
                source.close();
            }
        }
    }

    pub fn connect(stream: Rc<RefCell<Stream>>, handle: Rc<dyn Fn(LiveChange)>) {
        if stream.borrow().closed {
            return;
        }
        let Ok(source) = EventSource::new("/changes") else { return };
        let heard = {
            let handle = handle.clone();
            move |change: LiveChange| {
                if !SIGNING_OUT.with(|s| s.get()) {
                    handle(change);
                }
            }
        };
        let heard = Rc::new(heard);
        let on = |f: Box<dyn FnMut(Event)>| Closure::wrap(f);
        let on_message = on(Box::new({
            let heard = heard.clone();
            move |ev: Event| {
                let data = ev.unchecked_into::<MessageEvent>().data().as_string();
                if let Some(change) = data.and_then(|d| serde_json::from_slice::<LiveChange>(d.as_bytes()).ok()) {
                    heard(change);
                }
            }
        }));
        // The server's listener lost the database for a moment.
        let on_missed = on(Box::new({
            let heard = heard.clone();
            move |_| heard(LiveChange::missed())
        }));
        let on_open = on(Box::new({
            let stream = stream.clone();
            let heard = heard.clone();
            move |_| {
                let dropped = {
                    let mut s = stream.borrow_mut();
                    s.retry_ms = 0;
                    std::mem::take(&mut s.dropped)
                };
                if dropped {
                    heard(LiveChange::missed());
                }
            }
        }));
        let on_error = on(Box::new({
            let stream = stream.clone();
            let source = source.clone();
            move |_| {
                let mut s = stream.borrow_mut();
                s.dropped = true;
                // CONNECTING: the browser is already trying again.
                if s.closed || source.ready_state() != EventSource::CLOSED {
                    return;
                }
                s.retry_ms = (s.retry_ms * 2).clamp(1_000, 30_000);
                let wait = s.retry_ms;
                let (stream, handle) = (stream.clone(), handle.clone());
                let again = Closure::once_into_js(move || connect(stream, handle));
                if let Some(window) = web_sys::window() {
                    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(again.unchecked_ref(), wait);
                }
            }
        }));
        // Signed out (here or elsewhere): the server says so, and the stream stays closed
        // rather than asking again and being refused.
        let on_ended = on(Box::new({
            let stream = stream.clone();
            move |_| stream.borrow_mut().close()
        }));
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let _ = source.add_event_listener_with_callback("missed", on_missed.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("ended", on_ended.as_ref().unchecked_ref());
        // The previous source's handlers are freed here, outside any of them (this runs from
        // a timer), so none is dropped while it runs.
        let mut s = stream.borrow_mut();
        s.source = Some(source);
        s.handlers = vec![on_message, on_missed, on_open, on_error, on_ended];
    }
}

/// Reads the page again from the server: the page is rendered there, and only its islands
/// run in the browser, so "Show the latest" and "Refresh results" load it afresh.
pub fn reload_page() {
    #[cfg(feature = "hydrate")]
    let _ = window().location().reload();
}

/// On a screen about one CoS: "This CoS was just transferred to Jane Smith by Ali Khan", and
/// "Show the latest". An island: it alone runs in the browser.
#[island]
pub fn CosChangedBanner(number: String) -> impl IntoView {
    let message = RwSignal::new(None::<String>);
    on_live_change(move |change| {
        let number = number.clone();
        if !change.may_concern(&number) {
            return;
        }
        if change.is_missed() {
            message.set(Some("The connection to the service was lost for a moment, so this CoS may have changed meanwhile.".into()));
            return;
        }
        leptos::task::spawn_local(async move {
            let moved = change.kind == "owner";
            let text = match crate::api::cos::latest_change(number, change.kind).await {
                Ok(text) => text,
                // Out of reach now: a Level 2 user's CoS moved to someone else.
                Err(_) if moved => Some("This CoS was just transferred to another user.".into()),
                Err(_) => Some("This CoS has just changed.".into()),
            };
            // None: the user's own change (its page is read again as the transfer dialog closes).
            if text.is_some() {
                message.set(text);
            }
        });
    });
    view! {
        // A polite live region, present from the start so screen readers announce what arrives
        // (not role="status": the screens have their own status line).
        <div class="live-banner" aria-live="polite">
            {move || message.get().map(|m| view! {
                <div class="notice">
                    <p>{m}</p>
                    <button type="button" class="button button--secondary" on:click=move |_| reload_page()>"Show the latest"</button>
                </div>
            })}
        </div>
    }
}

/// Which CoS in a results list have changed since it was read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChangedRows {
    pub rows: HashSet<String>,
    /// Over 100 CoS changed at once: some of these may be among them.
    pub uncounted: bool,
}

impl ChangedRows {
    pub fn message(&self) -> Option<String> {
        match (self.rows.len(), self.uncounted) {
            (0, false) => None,
            (0, true) => Some("Some CoS in these results may have changed.".into()),
            (1, false) => Some("1 CoS in these results has changed.".into()),
            (n, false) => Some(format!("{n} CoS in these results have changed.")),
            (n, true) => Some(format!("At least {n} CoS in these results have changed.")),
        }
    }
}

/// The event the advanced search sends on the document when it has put new results in place.
pub const RESULTS_REPLACED: &str = "sms-results-replaced";

/// The rows of CoS the page shows (`tr[data-cos]`, each naming its CoS).
#[cfg(feature = "hydrate")]
fn shown_rows() -> Vec<web_sys::Element> {
    let Ok(rows) = document().query_selector_all("tr[data-cos]") else { return vec![] };
    (0..rows.length()).filter_map(|i| rows.item(i).and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())).collect()
}

/// Marks a row as changed: `row--changed`, and "Changed" beside its CoS number (its first cell
/// with a link). The tables are the server's, not the island's, so they are marked in place.
#[cfg(feature = "hydrate")]
fn mark_row(row: &web_sys::Element) {
    let _ = row.class_list().add_1("row--changed");
    let cell = row.query_selector("td:has(a)").ok().flatten();
    if let Some(cell) = cell.filter(|c| c.query_selector(".changed-tag").ok().flatten().is_none()) {
        if let Ok(tag) = document().create_element("span") {
            tag.set_class_name("changed-tag");
            tag.set_text_content(Some("Changed"));
            let _ = cell.append_with_str_1(" ");
            let _ = cell.append_with_node_1(&tag);
        }
    }
}

/// Above a results list: "3 CoS in these results have changed", and "Refresh results"; the
/// changed rows are marked in the list. An island: it reads which CoS the page lists from the
/// rows themselves (`tr[data-cos]`), so it stays right when the advanced search puts new
/// results in place.
#[island]
pub fn ResultsChangedBanner() -> impl IntoView {
    let changed = RwSignal::new(ChangedRows::default());
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let replaced = Closure::<dyn FnMut()>::new(move || changed.set(ChangedRows::default()));
        let _ = document().add_event_listener_with_callback(RESULTS_REPLACED, replaced.as_ref().unchecked_ref());
        replaced.forget();
    }
    on_live_change(move |change| {
        if !change.changes_cos() {
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            let rows = shown_rows();
            match &change.cos {
                Some(list) => {
                    let mut hit = Vec::new();
                    for row in &rows {
                        let number = row.get_attribute("data-cos").unwrap_or_default();
                        if list.contains(&number) {
                            mark_row(row);
                            hit.push(number);
                        }
                    }
                    if !hit.is_empty() {
                        changed.update(|c| c.rows.extend(hit));
                    }
                }
                None if !rows.is_empty() => changed.update(|c| c.uncounted = true),
                None => {}
            }
        }
    });
    view! {
        // A polite live region, present from the start so screen readers announce what arrives
        // (not role="status": the screens have their own status line).
        <div class="live-banner" aria-live="polite">
            {move || changed.with(ChangedRows::message).map(|m| view! {
                <div class="notice">
                    <p>{m}</p>
                    <button type="button" class="button button--secondary" on:click=move |_| reload_page()>"Refresh results"</button>
                </div>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_results_banner_counts_what_changed() {
        let mut c = ChangedRows::default();
        assert_eq!(c.message(), None);
        c.rows.insert("C1".into());
        assert_eq!(c.message().unwrap(), "1 CoS in these results has changed.");
        c.rows.extend(["C2".to_string(), "C3".to_string()]);
        assert_eq!(c.message().unwrap(), "3 CoS in these results have changed.");
        c.uncounted = true;
        assert_eq!(c.message().unwrap(), "At least 3 CoS in these results have changed.");
    }

    #[test]
    fn a_change_concerns_a_cos_it_lists_or_may_if_it_only_counts() {
        let listed = LiveChange { kind: "owner".into(), cos: Some(vec!["C1".into()]), count: Some(1) };
        assert!(listed.may_concern("C1") && !listed.may_concern("C2"));
        let counted = LiveChange { kind: "owner".into(), cos: None, count: Some(500) };
        assert!(counted.may_concern("C2"));
        let made = LiveChange { kind: "created".into(), cos: Some(vec!["C1".into()]), count: Some(1) };
        assert!(!made.may_concern("C1"));
        assert!(LiveChange::missed().may_concern("C1") && LiveChange::missed().changes_cos());
    }
}
