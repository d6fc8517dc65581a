//! The seven statuses of a CoS and the only changes allowed between them (domain.md).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    WorkInProgress,
    ReadyToGo,
    Assigned,
    Withdrawn,
    Used,
    Expired,
    Cancelled,
}

/// Who moved a CoS into a status: a sponsor's user, the system (expiry), or the Home Office.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Actor {
    User,
    System,
    HomeOffice,
}

impl Actor {
    pub const ALL: [Actor; 3] = [Actor::User, Actor::System, Actor::HomeOffice];

    /// The word stored in the database.
    pub fn as_db(self) -> &'static str {
        match self {
            Actor::User => "USER",
            Actor::System => "SYSTEM",
            Actor::HomeOffice => "HOME_OFFICE",
        }
    }

    pub fn from_db(s: &str) -> Option<Actor> {
        Actor::ALL.into_iter().find(|a| a.as_db() == s)
    }

    /// How the actor is shown to a sponsor.
    pub fn label(self) -> &'static str {
        match self {
            Actor::User => "User",
            Actor::System => "System",
            Actor::HomeOffice => "Home Office",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("A CoS cannot move from {from} to {to}.")]
    NotAllowed { from: Status, to: Status },
    #[error("Only {allowed} can move a CoS from {from} to {to}.")]
    WrongActor {
        from: Status,
        to: Status,
        allowed: &'static str,
    },
    #[error("A new CoS starts as WORK IN PROGRESS or READY TO GO, not {0}.")]
    NotAStart(Status),
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::WorkInProgress,
        Status::ReadyToGo,
        Status::Assigned,
        Status::Withdrawn,
        Status::Used,
        Status::Expired,
        Status::Cancelled,
    ];

    /// The words SMS shows, which are also what the database stores.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::WorkInProgress => "WORK IN PROGRESS",
            Status::ReadyToGo => "READY TO GO",
            Status::Assigned => "ASSIGNED",
            Status::Withdrawn => "WITHDRAWN",
            Status::Used => "USED",
            Status::Expired => "EXPIRED",
            Status::Cancelled => "CANCELLED",
        }
    }

    /// Parses the SMS words, ignoring case and surrounding spaces.
    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim();
        Status::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s))
    }

    /// A short token for URLs and CSS classes: `work-in-progress`.
    pub fn slug(self) -> &'static str {
        match self {
            Status::WorkInProgress => "work-in-progress",
            Status::ReadyToGo => "ready-to-go",
            Status::Assigned => "assigned",
            Status::Withdrawn => "withdrawn",
            Status::Used => "used",
            Status::Expired => "expired",
            Status::Cancelled => "cancelled",
        }
    }

    /// What the status means, in the manual's words (SMS guide 10, "CoS status").
    pub fn meaning(self) -> &'static str {
        match self {
            Status::WorkInProgress => "Still a draft: one or more mandatory details have yet to be completed.",
            Status::ReadyToGo => "All mandatory details are complete and the CoS is ready to be assigned to a worker.",
            Status::Assigned => "Assigned to a worker and ready to be used in an application for leave to enter or remain.",
            Status::Withdrawn => "Withdrawn by the sponsor with Manage live CoS.",
            Status::Used => "Used in support of the worker's application for leave to enter or remain.",
            Status::Expired => "Not used in an application by its expiry date, or used in time but the application \
                                is not yet considered (it then becomes USED, with nothing for you to do).",
            Status::Cancelled => "Cancelled because the licence was revoked or expired, or the route or licence was \
                                  surrendered, before the CoS was used.",
        }
    }

    /// Statuses a new CoS may be saved in.
    pub fn is_start(self) -> bool {
        matches!(self, Status::WorkInProgress | Status::ReadyToGo)
    }

    /// Whether `actor` may move a CoS from `self` to `to`. The single source of truth for
    /// status changes; the database trigger in the first migration mirrors the same table.
    pub fn check_change(self, to: Status, actor: Actor) -> Result<(), TransitionError> {
        use Actor::*;
        use Status::*;
        let allowed: &[Actor] = match (self, to) {
            (WorkInProgress, ReadyToGo) | (ReadyToGo, WorkInProgress) => &[User],
            (ReadyToGo, Assigned) => &[User],
            (Assigned, Withdrawn) => &[User],
            (Assigned, Used) => &[HomeOffice],
            (Assigned, Expired) => &[System],
            (Expired, Used) => &[HomeOffice],
            (from, Cancelled) if from != Used && from != Cancelled => &[HomeOffice],
            _ => return Err(TransitionError::NotAllowed { from: self, to }),
        };
        if allowed.contains(&actor) {
            Ok(())
        } else {
            Err(TransitionError::WrongActor {
                from: self,
                to,
                allowed: match allowed[0] {
                    User => "a sponsor's user",
                    System => "the system",
                    HomeOffice => "the Home Office",
                },
            })
        }
    }

    /// Whether any actor may move a CoS from `self` to `to`.
    pub fn can_change_to(self, to: Status) -> bool {
        Actor::ALL
            .into_iter()
            .any(|a| self.check_change(to, a).is_ok())
    }

    /// A CoS that holds a place in a visa application's life: it has been assigned.
    pub fn has_been_assigned(self) -> bool {
        matches!(self, Status::Assigned | Status::Withdrawn | Status::Used | Status::Expired)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Actor::*;
    use Status::*;

    #[test]
    fn words_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(Status::parse(&s.as_str().to_lowercase()), Some(s));
        }
        assert_eq!(Status::parse("DRAFT"), None);
    }

    #[test]
    fn exactly_the_allowed_changes() {
        let allowed: &[(Status, Status, Actor)] = &[
            (WorkInProgress, ReadyToGo, User),
            (ReadyToGo, WorkInProgress, User),
            (ReadyToGo, Assigned, User),
            (Assigned, Withdrawn, User),
            (Assigned, Used, HomeOffice),
            (Assigned, Expired, System),
            (Expired, Used, HomeOffice),
            (WorkInProgress, Cancelled, HomeOffice),
            (ReadyToGo, Cancelled, HomeOffice),
            (Assigned, Cancelled, HomeOffice),
            (Withdrawn, Cancelled, HomeOffice),
            (Expired, Cancelled, HomeOffice),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                for actor in Actor::ALL {
                    let expected = allowed.contains(&(from, to, actor));
                    assert_eq!(
                        from.check_change(to, actor).is_ok(),
                        expected,
                        "{from} -> {to} by {actor:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn used_is_final_and_withdrawn_is_not_returned() {
        for to in Status::ALL {
            assert!(!Used.can_change_to(to), "USED -> {to}");
        }
        assert!(!Withdrawn.can_change_to(Assigned));
        assert!(!Withdrawn.can_change_to(ReadyToGo));
        assert!(!Cancelled.can_change_to(Cancelled));
    }

    #[test]
    fn wrong_actor_is_named() {
        let err = Assigned.check_change(Expired, User).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only the system can move a CoS from ASSIGNED to EXPIRED."
        );
        let err = Used.check_change(Withdrawn, User).unwrap_err();
        assert_eq!(err.to_string(), "A CoS cannot move from USED to WITHDRAWN.");
    }

    #[test]
    fn only_drafts_start() {
        let starts: Vec<_> = Status::ALL.into_iter().filter(|s| s.is_start()).collect();
        assert_eq!(starts, vec![WorkInProgress, ReadyToGo]);
    }
}
