//! Pure rules and types of the CoS domain. No I/O: compiled for the browser and the server
//! alike, so the browser runs the same validation the server enforces.

pub mod account;
pub mod activity_report;
pub mod advanced_search;
pub mod batch_search;
pub mod cos_form;
pub mod cos_number;
pub mod dates;
pub mod licence;
pub mod paths;
pub mod permissions;
pub mod search;
pub mod selection;
pub mod status;
pub mod user;
pub mod withdrawal;
pub mod working_days;
pub mod work_address;

pub use cos_number::CosNumber;
pub use licence::LicenceNumber;
pub use status::{Actor, Status, TransitionError};
pub use user::Level;
