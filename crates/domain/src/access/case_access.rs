//! Who may give an account access to a post's case content, and who confirms it.
//!
//! Professional secrecy holds against insiders too (PRODUCT.md): whoever administers accounts
//! could otherwise give themselves the social worker role, or a replacement, and read the
//! cases. So such access takes two people: one proposes (the post's employer or the technical
//! administrator for the role; the employer or the national steering for a replacement), a
//! second confirms (a social worker of the post, the national steering, or the post's
//! employer), and neither may be the account that gains the access. Nobody proposes for an
//! account that holds their own role in the same scope (a fellow coordinator of the employer,
//! a national colleague), and nobody confirms the proposal of such a colleague.

use super::{Actor, Grant, Place, Scope, administers};
use crate::identity::role::Role;
use crate::ids::AccountId;

/// What opens a post's case content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAccessKind {
    /// The social worker role on the post.
    Role,
    /// A replacement in the post, for a period (vacancy or leave).
    Replacement,
}

/// Whether holding `role` on a post opens its case content: a grant of it goes through a
/// proposal and a confirmation.
pub fn opens_case_content(role: Role) -> bool {
    match role {
        Role::SocialWorker => true,
        Role::Officer | Role::Employer | Role::Prevention | Role::National | Role::Admin => false,
    }
}

/// Whether `roles` hold the acting grant's role within its scope: the two are colleagues of
/// the same remit.
fn shares_grant(grant: &Grant, roles: &[(Role, Place)]) -> bool {
    roles
        .iter()
        .any(|(role, place)| *role == grant.role && place.contains(&grant.scope))
}

/// A replacement is found among the social workers of the same employer or département.
fn may_replace_in(grantee_roles: &[(Role, Place)], post: &Place) -> bool {
    grantee_roles.iter().any(|(role, place)| {
        *role == Role::SocialWorker
            && (place.employers.iter().any(|e| post.employers.contains(e))
                || place
                    .departements
                    .iter()
                    .any(|d| post.departements.contains(d)))
    })
}

pub(super) fn may_propose(
    actor: &Actor,
    kind: CaseAccessKind,
    post: &Place,
    grantee: &AccountId,
    grantee_roles: &[(Role, Place)],
) -> bool {
    let grant = &actor.grant;
    let proposer = match kind {
        CaseAccessKind::Role => administers(grant, Role::SocialWorker, post),
        CaseAccessKind::Replacement => match grant.role {
            Role::National => true,
            Role::Employer => post.contains(&grant.scope),
            Role::Officer | Role::SocialWorker | Role::Prevention | Role::Admin => false,
        },
    };
    let eligible = match kind {
        CaseAccessKind::Role => true,
        CaseAccessKind::Replacement => may_replace_in(grantee_roles, post),
    };
    proposer && eligible && *grantee != actor.account_id && !shares_grant(grant, grantee_roles)
}

pub(super) fn may_confirm(
    actor: &Actor,
    post: &Place,
    grantee: &AccountId,
    proposer: &AccountId,
    proposer_roles: &[(Role, Place)],
) -> bool {
    let grant = &actor.grant;
    let confirmer = match grant.role {
        Role::National => true,
        // A social worker of the post itself, not one replacing elsewhere.
        Role::SocialWorker => matches!(grant.scope, Scope::Post(_)) && post.contains(&grant.scope),
        Role::Employer => post.contains(&grant.scope),
        Role::Officer | Role::Prevention | Role::Admin => false,
    };
    confirmer
        && actor.account_id != *proposer
        && actor.account_id != *grantee
        && !shares_grant(grant, proposer_roles)
}

#[cfg(test)]
mod tests {
    fn dep(code: &str) -> crate::registry::territory::DepartementCode {
        crate::registry::territory::DepartementCode::parse(code).expect("a département code")
    }

    use super::super::{Action, Resource, decide};
    use super::*;

    fn actor(id: &str, role: Role, scope: Scope) -> Actor {
        Actor {
            account_id: id.into(),
            grant: Grant { role, scope },
        }
    }

    fn post(id: &str, employer: &str, departement: &str) -> Place {
        Place {
            posts: vec![id.into()],
            employers: vec![employer.into()],
            departements: vec![dep(departement)],
            ..Place::default()
        }
    }

    fn employer_place(employer: &str, departement: &str) -> Place {
        Place {
            employers: vec![employer.into()],
            departements: vec![dep(departement)],
            ..Place::default()
        }
    }

    fn propose(
        actor: &Actor,
        kind: CaseAccessKind,
        grantee: &str,
        roles: &[(Role, Place)],
    ) -> bool {
        let p1 = post("P1", "E1", "35");
        decide(
            actor,
            Action::Grant,
            &Resource::CaseAccessProposal {
                kind,
                post: &p1,
                grantee: &AccountId::from(grantee),
                grantee_roles: roles,
            },
        )
        .is_allowed()
    }

    fn confirm(actor: &Actor, grantee: &str, proposer: &str, roles: &[(Role, Place)]) -> bool {
        let p1 = post("P1", "E1", "35");
        decide(
            actor,
            Action::Confirm,
            &Resource::CaseAccessDecision {
                post: &p1,
                grantee: &AccountId::from(grantee),
                proposer: &AccountId::from(proposer),
                proposer_roles: roles,
            },
        )
        .is_allowed()
    }

    #[test]
    fn nobody_proposes_case_access_for_themselves() {
        let employer = actor("emp", Role::Employer, Scope::Employer("E1".into()));
        let admin = actor("adm", Role::Admin, Scope::Nation);
        let national = actor("nat", Role::National, Scope::Nation);
        let own_employer_role = [(Role::Employer, employer_place("E1", "35"))];
        let social_worker_elsewhere = [(Role::SocialWorker, post("P2", "E1", "35"))];
        assert!(!propose(
            &employer,
            CaseAccessKind::Role,
            "emp",
            &own_employer_role
        ));
        assert!(!propose(&admin, CaseAccessKind::Role, "adm", &[]));
        assert!(!propose(
            &national,
            CaseAccessKind::Replacement,
            "nat",
            &social_worker_elsewhere
        ));
        // Someone else: the role by the employer or the admin, a replacement by both steerings.
        assert!(propose(&employer, CaseAccessKind::Role, "new", &[]));
        assert!(propose(&admin, CaseAccessKind::Role, "new", &[]));
        assert!(!propose(&national, CaseAccessKind::Role, "new", &[]));
        assert!(propose(
            &employer,
            CaseAccessKind::Replacement,
            "sw2",
            &social_worker_elsewhere
        ));
        assert!(propose(
            &national,
            CaseAccessKind::Replacement,
            "sw2",
            &social_worker_elsewhere
        ));
    }

    #[test]
    fn nobody_proposes_for_a_colleague_of_the_same_remit() {
        let employer = actor("emp", Role::Employer, Scope::Employer("E1".into()));
        let fellow = [(Role::Employer, employer_place("E1", "35"))];
        let coordinator_elsewhere = [(Role::Employer, employer_place("E2", "35"))];
        assert!(!propose(&employer, CaseAccessKind::Role, "fellow", &fellow));
        assert!(propose(
            &employer,
            CaseAccessKind::Role,
            "other",
            &coordinator_elsewhere
        ));
        let admin = actor("adm", Role::Admin, Scope::Nation);
        assert!(!propose(
            &admin,
            CaseAccessKind::Role,
            "adm2",
            &[(Role::Admin, Place::default())]
        ));
    }

    #[test]
    fn a_replacement_comes_from_the_same_employer_or_departement() {
        let national = actor("nat", Role::National, Scope::Nation);
        for (roles, allowed) in [
            (vec![(Role::SocialWorker, post("P2", "E1", "56"))], true),
            (vec![(Role::SocialWorker, post("P3", "E9", "35"))], true),
            (vec![(Role::SocialWorker, post("P4", "E9", "13"))], false),
            // Not a social worker at all.
            (vec![(Role::Employer, employer_place("E1", "35"))], false),
            (vec![], false),
        ] {
            assert_eq!(
                propose(&national, CaseAccessKind::Replacement, "sw", &roles),
                allowed,
                "{roles:?}"
            );
        }
        // The employer of another post cannot propose at all.
        let other = actor("emp2", Role::Employer, Scope::Employer("E2".into()));
        assert!(!propose(
            &other,
            CaseAccessKind::Replacement,
            "sw",
            &[(Role::SocialWorker, post("P2", "E1", "35"))]
        ));
    }

    #[test]
    fn a_second_person_confirms_never_the_proposer_the_grantee_or_a_colleague_of_the_proposer() {
        let employer_roles = [(Role::Employer, employer_place("E1", "35"))];
        let national_roles = [(Role::National, Place::default())];
        let post_worker = actor("sw1", Role::SocialWorker, Scope::Post("P1".into()));
        let other_worker = actor("sw9", Role::SocialWorker, Scope::Post("P9".into()));
        let national = actor("nat", Role::National, Scope::Nation);
        let national2 = actor("nat2", Role::National, Scope::Nation);
        let employer = actor("emp", Role::Employer, Scope::Employer("E1".into()));
        let fellow = actor("emp2", Role::Employer, Scope::Employer("E1".into()));
        // The employer proposed: the post's social worker or the nation confirms.
        assert!(confirm(&post_worker, "new", "emp", &employer_roles));
        assert!(confirm(&national, "new", "emp", &employer_roles));
        assert!(!confirm(&employer, "new", "emp", &employer_roles));
        assert!(!confirm(&fellow, "new", "emp", &employer_roles));
        assert!(!confirm(&other_worker, "new", "emp", &employer_roles));
        // The nation proposed: not a national colleague, but the employer or the post.
        assert!(!confirm(&national2, "sw", "nat", &national_roles));
        assert!(confirm(&employer, "sw", "nat", &national_roles));
        assert!(confirm(&post_worker, "sw", "nat", &national_roles));
        // Never the grantee.
        assert!(!confirm(&national, "nat", "emp", &employer_roles));
        for role in [Role::Officer, Role::Prevention, Role::Admin] {
            let someone = actor("x", role, Scope::Nation);
            assert!(
                !confirm(&someone, "new", "emp", &employer_roles),
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_the_social_worker_role_opens_case_content() {
        for &role in Role::ALL {
            assert_eq!(opens_case_content(role), role == Role::SocialWorker);
        }
    }
}
