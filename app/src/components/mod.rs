//! Pieces used by several screens.

pub mod error_summary;
pub mod layout;
pub mod table;

pub use error_summary::ErrorSummary;
pub use layout::Page;
pub use table::DataTable;
