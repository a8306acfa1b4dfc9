//! What the referring officer reads of their own referrals beyond its status: the procedure
//! reference they typed, so that they can tell one referral from another. The reference is
//! personal data (it names a procedure about a person): it stays theirs only while they still
//! act at the unit that referred and while the case is inside its retention period.

use super::{Actor, Scope};
use crate::identity::role::Role;
use crate::referral::case::{RETENTION_YEARS, is_past_retention};
use time::Date;

/// What the store knows of one referral when its officer lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnReferralFacts<'a> {
    /// The account that referred.
    pub referred_by: Option<&'a str>,
    /// The unit it was referred from (none: a case the social worker opened directly).
    pub unit: Option<&'a str>,
    /// Its personal data were purged at the end of retention.
    pub purged: bool,
    /// The day retention counts from (the last contact, or the receipt).
    pub last_contact: Date,
    pub today: Date,
}

/// Whether the actor reads the procedure reference of a referral: the officer who referred,
/// acting at that very unit, inside retention. Nobody else, not even a colleague of the unit.
pub fn officer_reads_own_referral(actor: &Actor, facts: &OwnReferralFacts<'_>) -> bool {
    let same_person = facts.referred_by == Some(actor.account_id.as_str());
    let inside_retention =
        !facts.purged && !is_past_retention(facts.last_contact, facts.today, RETENTION_YEARS);
    match actor.grant.role {
        Role::Officer => match &actor.grant.scope {
            Scope::Unit(own) => same_person && inside_retention && facts.unit == Some(own.as_str()),
            Scope::Post(_) | Scope::Employer(_) | Scope::Departement(_) | Scope::Nation => false,
        },
        Role::SocialWorker | Role::Employer | Role::Prevention | Role::National | Role::Admin => {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Grant;
    use time::macros::date;

    fn actor(role: Role, scope: Scope) -> Actor {
        Actor {
            account_id: "officer".into(),
            grant: Grant { role, scope },
        }
    }

    fn facts() -> OwnReferralFacts<'static> {
        OwnReferralFacts {
            referred_by: Some("officer"),
            unit: Some("u1"),
            purged: false,
            last_contact: date!(2026 - 01 - 10),
            today: date!(2026 - 06 - 01),
        }
    }

    #[test]
    fn the_officer_who_referred_reads_the_reference_at_that_unit_inside_retention() {
        let officer = actor(Role::Officer, Scope::Unit("u1".into()));
        assert!(officer_reads_own_referral(&officer, &facts()));
        let moved = actor(Role::Officer, Scope::Unit("u2".into()));
        assert!(!officer_reads_own_referral(&moved, &facts()));
        let colleague = OwnReferralFacts {
            referred_by: Some("colleague"),
            ..facts()
        };
        assert!(!officer_reads_own_referral(&officer, &colleague));
        let purged = OwnReferralFacts {
            purged: true,
            ..facts()
        };
        assert!(!officer_reads_own_referral(&officer, &purged));
        let old = OwnReferralFacts {
            today: date!(2028 - 01 - 11),
            ..facts()
        };
        assert!(!officer_reads_own_referral(&officer, &old));
        let direct = OwnReferralFacts {
            unit: None,
            ..facts()
        };
        assert!(!officer_reads_own_referral(&officer, &direct));
    }

    #[test]
    fn no_other_role_reads_it_even_the_same_account() {
        for role in [
            Role::SocialWorker,
            Role::Employer,
            Role::Prevention,
            Role::National,
            Role::Admin,
        ] {
            assert!(!officer_reads_own_referral(
                &actor(role, Scope::Unit("u1".into())),
                &facts()
            ));
        }
    }
}
