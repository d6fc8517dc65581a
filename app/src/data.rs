//! Page data: loaded on the server as the page renders (`SsrMode::Async`, so each page
//! arrives whole). Only islands run in the browser, so this data is never sent with the page
//! for hydrating (`shell::Bundle` turns that off); an island that needs data is given it as
//! its props, or reads it again through a server function.

use futures::future::{BoxFuture, FutureExt, Shared};
use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;
use std::future::IntoFuture;

/// A page's data, as `load` makes it: awaited where the page shows it (`data.await` in a
/// `Suspend`), read once however often it is awaited.
pub struct Data<T: 'static>(StoredValue<Shared<BoxFuture<'static, T>>>);

impl<T> Clone for Data<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Data<T> {}

/// The data `fetcher` reads for `source` (the page's parameters). Unlike a `Resource`, which
/// runs its fetcher as a task of its own and wakes the page when it is done, this runs it in
/// the page's own render when it is awaited: no task to spawn and no thread to wake (under
/// wrk, View CoS took 333-360 rather than 425-460 µs of the server's CPU a page). A page is
/// rendered once, so the data never needs reading again as `source` changes.
#[track_caller]
pub fn load<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Data<T>
where
    T: Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    // Run with this page's owner, whose context (the request, the pool) it reads.
    let read = ScopedFuture::new_untracked(fetcher(untrack(source)));
    Data(StoredValue::new(read.boxed().shared()))
}

impl<T: Clone + Send + Sync + 'static> IntoFuture for Data<T> {
    type Output = T;
    type IntoFuture = WaitsItsTurn<T>;

    fn into_future(self) -> Self::IntoFuture {
        WaitsItsTurn { read: self.0.get_value(), polled: false }
    }
}

/// An await of page data, which reads nothing on its first poll. Leptos polls each
/// `Suspense` once as it meets it, to see whether it is ready, and only then awaits them one
/// by one in page order. Data started on that first look could take the pool's last
/// connection and then sit, not polled, while an earlier part of the page waited for a
/// connection: a deadlock until the acquire timeout. Read only when the page is waiting on
/// it, each part's data is read to the end before the next part's begins.
pub struct WaitsItsTurn<T> {
    read: Shared<BoxFuture<'static, T>>,
    polled: bool,
}

impl<T: Clone> std::future::Future for WaitsItsTurn<T> {
    type Output = T;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<T> {
        if !std::mem::replace(&mut self.polled, true) {
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        self.read.poll_unpin(cx)
    }
}
