//! Configuration from the environment. cargo-leptos sets the LEPTOS_* variables when it runs
//! the server; the defaults match Cargo.toml's `[[workspace.metadata.leptos]]`.

use crate::startup::Settings;
use anyhow::Context;
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;

pub struct Config {
    pub addr: SocketAddr,
    pub leptos_options: LeptosOptions,
    pub settings: Settings,
}

fn var(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let addr: SocketAddr = var("LEPTOS_SITE_ADDR", "127.0.0.1:3000")
            .parse()
            .context("LEPTOS_SITE_ADDR must be host:port")?;
        let public_origin = std::env::var("SMS_PUBLIC_ORIGIN").ok().filter(|s| !s.is_empty());
        let secure_cookies = public_origin.as_deref().is_some_and(|o| o.starts_with("https://"));
        Ok(Config {
            addr,
            leptos_options: leptos_options(addr),
            settings: Settings {
                secure_cookies,
                public_origin,
                idle_minutes: var("SMS_IDLE_MINUTES", "30").parse().context("SMS_IDLE_MINUTES")?,
                absolute_seconds: var("SMS_SESSION_HOURS", "12").parse::<i64>().context("SMS_SESSION_HOURS")? * 3600,
            },
        })
    }
}

pub fn leptos_options(addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(var("LEPTOS_OUTPUT_NAME", "sms"))
        .site_root(var("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(addr)
        .reload_port(var("LEPTOS_RELOAD_PORT", "3001").parse::<u32>().unwrap_or(3001))
        .hash_files(hashed_bundle())
        .build()
}

/// Whether the bundle beside this server has hashed file names: cargo-leptos then writes
/// `hash.txt` next to the binary, and the pages must name the files by it. Decided by the
/// file itself, not a setting, so any build of the server (a plain `cargo build` as well)
/// names what is there.
fn hashed_bundle() -> bool {
    std::env::current_exe().ok().and_then(|e| e.parent().map(|d| d.join("hash.txt").exists())).unwrap_or(false)
}
