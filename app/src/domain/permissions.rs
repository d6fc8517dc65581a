//! Who may do what (domain.md, "Who uses it"). Every server function asks here, once per
//! action; a `false` for something the user may not even see is reported as "not found".

use super::Level;

/// The facts about the signed-in user that permissions depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub sponsor_id: i64,
    pub level: Level,
}

/// The facts about a CoS (or batch) that permissions depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owned {
    pub sponsor_id: i64,
    pub owner_id: i64,
}

/// Search, view and print a CoS and its histories: Level 1 every CoS of the sponsor,
/// Level 2 only the CoS they own.
pub fn can_view(actor: &Actor, thing: &Owned) -> bool {
    actor.sponsor_id == thing.sponsor_id
        && (actor.level == Level::One || actor.user_id == thing.owner_id)
}

/// Transfer a CoS or a batch: the same reach as viewing.
pub fn can_transfer(actor: &Actor, thing: &Owned) -> bool {
    can_view(actor, thing)
}

/// Withdraw an ASSIGNED CoS: the same reach as viewing (the status rule is separate).
pub fn can_withdraw(actor: &Actor, thing: &Owned) -> bool {
    can_view(actor, thing)
}

/// Add, edit and delete pre-stored work addresses.
pub fn can_manage_addresses(actor: &Actor) -> bool {
    actor.level == Level::One
}

/// Manage the sponsor's SMS users.
pub fn can_manage_users(actor: &Actor) -> bool {
    actor.level == Level::One
}

/// Whether searches are limited to the actor's own CoS.
pub fn sees_only_own(actor: &Actor) -> bool {
    actor.level == Level::Two
}

#[cfg(test)]
mod tests {
    use super::*;

    const L1: Actor = Actor { user_id: 1, sponsor_id: 10, level: Level::One };
    const L2: Actor = Actor { user_id: 2, sponsor_id: 10, level: Level::Two };

    #[test]
    fn level_one_reaches_every_cos_of_its_sponsor_only() {
        assert!(can_view(&L1, &Owned { sponsor_id: 10, owner_id: 99 }));
        assert!(can_transfer(&L1, &Owned { sponsor_id: 10, owner_id: 99 }));
        assert!(!can_view(&L1, &Owned { sponsor_id: 11, owner_id: 1 }));
    }

    #[test]
    fn level_two_reaches_only_its_own() {
        assert!(can_view(&L2, &Owned { sponsor_id: 10, owner_id: 2 }));
        assert!(can_withdraw(&L2, &Owned { sponsor_id: 10, owner_id: 2 }));
        assert!(!can_view(&L2, &Owned { sponsor_id: 10, owner_id: 1 }));
        assert!(!can_transfer(&L2, &Owned { sponsor_id: 10, owner_id: 1 }));
        assert!(!can_view(&L2, &Owned { sponsor_id: 11, owner_id: 2 }));
    }

    #[test]
    fn only_level_one_manages() {
        assert!(can_manage_addresses(&L1) && can_manage_users(&L1));
        assert!(!can_manage_addresses(&L2) && !can_manage_users(&L2));
        assert!(sees_only_own(&L2) && !sees_only_own(&L1));
    }
}
