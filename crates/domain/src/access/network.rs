//! Who enters the network space and who publishes where in it.

use super::{Grant, Scope};
use crate::identity::role::Role;
use crate::network::announcement::AnnouncementScope;

/// The network's members (social workers, employers, prevention referents, the national
/// team) and the officers, who read what is addressed to them. The technical administrator
/// is no member of the network.
pub fn is_member_or_officer(role: Role) -> bool {
    match role {
        Role::SocialWorker | Role::Employer | Role::Prevention | Role::National | Role::Officer => {
            true
        }
        Role::Admin => false,
    }
}

/// The national team publishes to the nation or any département; a prevention referent to
/// its département; an employer to its own posts. Social workers and officers read only.
pub fn publishes_to(grant: &Grant, scope: &AnnouncementScope) -> bool {
    match grant.role {
        Role::National => match scope {
            AnnouncementScope::Nation | AnnouncementScope::Departement(_) => true,
            AnnouncementScope::Employer(_) => false,
        },
        Role::Prevention | Role::Employer => match (&grant.scope, scope) {
            (Scope::Departement(own), AnnouncementScope::Departement(code)) => {
                grant.role == Role::Prevention && own == code
            }
            (Scope::Employer(own), AnnouncementScope::Employer(id)) => {
                grant.role == Role::Employer && own == id
            }
            (
                Scope::Unit(_)
                | Scope::Post(_)
                | Scope::Employer(_)
                | Scope::Departement(_)
                | Scope::Nation,
                AnnouncementScope::Nation
                | AnnouncementScope::Departement(_)
                | AnnouncementScope::Employer(_),
            ) => false,
        },
        Role::SocialWorker | Role::Officer | Role::Admin => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::territory::DepartementCode;

    fn grant(role: Role, scope: Scope) -> Grant {
        Grant { role, scope }
    }

    #[test]
    fn each_publisher_publishes_in_its_own_scope_only() {
        let d35 = DepartementCode::parse("35").unwrap();
        let d56 = DepartementCode::parse("56").unwrap();
        let to_35 = AnnouncementScope::Departement(d35.clone());
        let to_56 = AnnouncementScope::Departement(d56);
        let to_e1 = AnnouncementScope::Employer("E1".into());
        let national = grant(Role::National, Scope::Nation);
        assert!(publishes_to(&national, &AnnouncementScope::Nation));
        assert!(publishes_to(&national, &to_35));
        assert!(!publishes_to(&national, &to_e1));
        let prevention = grant(Role::Prevention, Scope::Departement(d35));
        assert!(publishes_to(&prevention, &to_35));
        assert!(!publishes_to(&prevention, &to_56));
        assert!(!publishes_to(&prevention, &AnnouncementScope::Nation));
        let employer = grant(Role::Employer, Scope::Employer("E1".into()));
        assert!(publishes_to(&employer, &to_e1));
        assert!(!publishes_to(
            &employer,
            &AnnouncementScope::Employer("E2".into())
        ));
        assert!(!publishes_to(&employer, &to_35));
        for role in [Role::SocialWorker, Role::Officer, Role::Admin] {
            assert!(!publishes_to(
                &grant(role, Scope::Nation),
                &AnnouncementScope::Nation
            ));
        }
        assert!(!is_member_or_officer(Role::Admin));
        assert!(is_member_or_officer(Role::Officer));
    }
}
