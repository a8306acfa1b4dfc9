//! Machine clients: an API token acts as a role in a scope, through the same policy as a
//! person in that role, but only on what the JSON API reads — never a page, a form, a case
//! or anything that names a person — and never writes.

use super::{Action, Actor, Decision, Grant, Resource, decide};
use crate::identity::role::Role;
use crate::ids::AccountId;

/// A token presented by a machine client: its id (journaled) and the grant it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub token_id: String,
    pub grant: Grant,
}

/// The roles a token may be given: the steering's, whose JSON (statistics under the
/// suppression rules, the registry, presence) feeds dashboards. An officer or the technical
/// administrator has nothing there of its own; a social worker's figures are exact for its
/// post, and stay on its pages.
pub fn token_may_hold(role: Role) -> bool {
    match role {
        Role::National | Role::Prevention | Role::Employer => true,
        Role::Officer | Role::SocialWorker | Role::Admin => false,
    }
}

/// What a machine may ever read, whoever it acts as: counts, the registry, presence.
fn machine_readable(resource: &Resource) -> bool {
    match resource {
        Resource::PublicPage
        | Resource::ActivityStatistics
        | Resource::Posts
        | Resource::Post { .. }
        | Resource::Pipeline
        | Resource::Registry
        | Resource::Schedule { .. }
        | Resource::DepartementPresence { .. } => true,
        Resource::OwnAccount
        | Resource::Accounts
        | Resource::Account { .. }
        | Resource::RoleAt { .. }
        | Resource::SecurityEvents
        | Resource::PostAccessLog { .. }
        | Resource::CategoryGrid
        | Resource::Appointments { .. }
        | Resource::Appointment { .. }
        | Resource::BookingDesk { .. }
        | Resource::OwnCalendar
        | Resource::ReferralDesk { .. }
        | Resource::Partners { .. }
        | Resource::Replacements { .. }
        | Resource::CaseAccessProposal { .. }
        | Resource::CaseAccessDecision { .. }
        | Resource::Cases { .. }
        | Resource::Case { .. }
        | Resource::CaseNames { .. }
        | Resource::RecordJournal { .. }
        | Resource::SubjectAccess { .. }
        | Resource::ApiTokens
        // The network space is for its members, not for machines.
        | Resource::Network
        | Resource::AnnouncementTo { .. } => false,
    }
}

/// The decision for a token: read-only, on what a machine may read, and then exactly what a
/// person holding the token's grant would be answered.
pub fn decide_machine(machine: &Machine, action: Action, resource: &Resource) -> Decision {
    match action {
        Action::View if machine_readable(resource) && token_may_hold(machine.grant.role) => {
            // An account id no person holds: a token is never who booked an appointment
            // nor who replaces in a post.
            let actor = Actor {
                account_id: AccountId::new(format!("jeton:{}", machine.token_id)),
                grant: machine.grant.clone(),
            };
            decide(&actor, action, resource)
        }
        Action::View | Action::Manage | Action::Grant | Action::Confirm => Decision::Deny,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Place, Scope};
    use crate::registry::territory::DepartementCode;

    fn machine(role: Role, scope: Scope) -> Machine {
        Machine {
            token_id: "t1".into(),
            grant: Grant { role, scope },
        }
    }

    #[test]
    fn a_token_reads_what_its_role_reads_and_never_writes_nor_opens_a_case() {
        let ille = DepartementCode::parse("35").unwrap();
        let post = Place {
            posts: vec!["P1".into()],
            employers: vec!["E1".into()],
            departements: vec![ille.clone()],
            ..Place::default()
        };
        let employer = machine(Role::Employer, Scope::Employer("E1".into()));
        let other = machine(Role::Employer, Scope::Employer("E2".into()));
        let prevention = machine(Role::Prevention, Scope::Departement(ille.clone()));
        let national = machine(Role::National, Scope::Nation);
        let stats = Resource::ActivityStatistics;
        for who in [&employer, &prevention, &national] {
            assert!(decide_machine(who, Action::View, &stats).is_allowed());
            assert!(!decide_machine(who, Action::Manage, &stats).is_allowed());
        }
        let schedule = Resource::Schedule { post: &post };
        assert!(decide_machine(&employer, Action::View, &schedule).is_allowed());
        assert!(!decide_machine(&other, Action::View, &schedule).is_allowed());
        assert!(!decide_machine(&employer, Action::Manage, &schedule).is_allowed());
        assert!(
            !decide_machine(&national, Action::Manage, &Resource::Post { post: &post })
                .is_allowed()
        );
        let case = Resource::Case { post: &post };
        let worker = machine(Role::SocialWorker, Scope::Post("P1".into()));
        for who in [&employer, &national, &worker] {
            assert!(!decide_machine(who, Action::View, &case).is_allowed());
        }
        // A role no token holds reads nothing, not even its own statistics.
        assert!(!decide_machine(&worker, Action::View, &stats).is_allowed());
        assert!(!decide_machine(&national, Action::View, &Resource::OwnAccount).is_allowed());
    }
}
