//! Pieces used by several screens.

pub mod enhance;
pub mod error_summary;
pub mod fields;
pub mod layout;
pub mod live;
pub mod results_table;
pub mod table;
pub mod transfer_dialog;
pub mod transfer_form;

pub use error_summary::ErrorSummary;
pub use layout::Page;
pub use live::{ChangedRows, CosChangedBanner, ResultsChangedBanner};
pub use results_table::results_table;
pub use table::{summary_list, DataTable};
pub use transfer_dialog::{TransferDialog, TransferDialogHost};
pub use transfer_form::TransferToForm;
