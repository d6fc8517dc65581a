//! One module per screen of the manual.

pub mod activity_history;
pub mod advanced_search;
pub mod batch;
pub mod batch_search;
pub mod change_password;
pub mod cos_details;
pub mod cos_history;
pub mod create_batch;
pub mod create_cos;
pub mod manage_live_cos;
pub mod manage_users;
pub mod not_found;
pub mod ownership_history;
pub mod report_activity;
pub mod sign_in;
pub mod sponsorship_duties;
pub mod status_history;
pub mod transfer;
pub mod transfer_many;
pub mod view_cos;
pub mod work_addresses;
pub mod workers;
