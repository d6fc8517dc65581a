//! Page data: loaded on the server as the page renders (`SsrMode::Async`, so each page
//! arrives whole). Only islands run in the browser, so this data is never sent with the page
//! for hydrating (`shell::Bundle` turns that off); an island that needs data is given it as
//! its props, or reads it again through a server function.

use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

/// A page's data, as `load` makes it.
pub type Data<T> = Resource<T>;

/// `Resource::new`, not blocking the page's stream (the routes are async anyway).
#[track_caller]
pub fn load<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Data<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
