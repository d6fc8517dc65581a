//! Every SQL statement of the product, as plain async functions taking a pool or a
//! transaction. Nothing else writes SQL. Server only.

pub mod advanced_search;
pub mod attention;
pub mod audit;
pub mod batches;
pub mod cos;
pub mod drafts;
pub mod notes;
pub mod reports;
pub mod status_changes;
pub mod users;
pub mod work_addresses;

pub use sqlx::PgPool;

/// The migrations of the product, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
