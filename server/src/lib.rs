//! The SMS server as a library, so that tests build the same app the binary serves.

pub mod assets;
pub mod batch_upload;
pub mod changes;
pub mod config;
pub mod embedded_pg;
pub mod export;
pub mod home_office;
pub mod jobs;
pub mod live;
pub mod middleware;
pub mod print;
pub mod routes;
pub mod seed;
pub mod sessions;
pub mod startup;
pub mod throttle;
