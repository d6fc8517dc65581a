//! Manage live CoS: which CoS can be withdrawn, and in words why not (the manual's Guide 3).

use super::{Actor, Status};

/// What withdrawing means, as the Withdrawal confirmation screen says it.
pub const CONSEQUENCES: [&str; 3] = [
    "The CoS can no longer be used in an application for leave to enter or remain.",
    "It is not returned to your allocation.",
    "The fee you paid when you assigned it is not refunded.",
];

/// Why a CoS in `status` cannot be withdrawn, or `None` when it can (only an ASSIGNED CoS).
/// The screen shows these words instead of the button, and the server refuses with them.
pub fn refusal(status: Status) -> Option<&'static str> {
    let why = match status {
        Status::Assigned => {
            debug_assert!(status.check_change(Status::Withdrawn, Actor::User).is_ok());
            return None;
        }
        Status::WorkInProgress => {
            "This CoS cannot be withdrawn: it is WORK IN PROGRESS, a draft that has not been assigned to a worker. Only an ASSIGNED CoS can be withdrawn."
        }
        Status::ReadyToGo => {
            "This CoS cannot be withdrawn: it is READY TO GO and has not been assigned to a worker yet. Only an ASSIGNED CoS can be withdrawn."
        }
        Status::Used => "This CoS cannot be withdrawn: it is USED, because it has already supported an application for leave to enter or remain.",
        Status::Expired => "This CoS cannot be withdrawn: it is EXPIRED, because it passed its expiry date without being used.",
        Status::Withdrawn => "This CoS cannot be withdrawn: it has already been withdrawn.",
        Status::Cancelled => "This CoS cannot be withdrawn: it is CANCELLED, because the licence or the route it belongs to has ended.",
    };
    Some(why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_assigned_cos_can_be_withdrawn_and_the_rule_matches_the_status_table() {
        for s in Status::ALL {
            assert_eq!(refusal(s).is_none(), s.check_change(Status::Withdrawn, Actor::User).is_ok(), "{s}");
        }
    }

    #[test]
    fn every_refusal_names_the_status_or_says_already_withdrawn() {
        for s in Status::ALL.into_iter().filter(|s| *s != Status::Assigned) {
            let why = refusal(s).unwrap();
            assert!(why.contains(s.as_str()) || why.contains("already been withdrawn"), "{why}");
            assert!(why.starts_with("This CoS cannot be withdrawn"));
        }
    }
}
