//! Everything the server and the browser share: rules, server functions, screens.
//!
//! Arrows point one way: `pages → api → (db, domain)`, `pages → components → domain`.
//! `domain` imports nothing else of the product.

pub mod api;
pub mod components;
pub mod data;
pub mod domain;
pub mod error;
pub mod pages;
mod shell;

#[cfg(feature = "ssr")]
pub mod db;

pub use shell::{shell, App};
