//! One module per screen of the manual.

pub mod cos_details;
pub mod not_found;
pub mod sign_in;
pub mod view_cos;
pub mod workers;
