//! One module per screen of the manual.

pub mod not_found;
pub mod sign_in;
pub mod workers;
