//! Pieces used by several screens.

pub mod error_summary;
pub mod layout;

pub use error_summary::ErrorSummary;
pub use layout::Page;
