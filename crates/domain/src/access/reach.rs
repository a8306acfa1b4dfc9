//! What a list reaches, and how figures are published: decisions that used to be taken in
//! handlers (a `_ =>` arm there opened the nation to any scope it did not name). Each is an
//! exhaustive match over the role and the scope, so a new role or scope must be decided here.

use super::{Grant, Scope};
use crate::identity::role::Role;
use crate::ids::{EmployerId, PostId, UnitId};
use crate::registry::territory::DepartementCode;

/// The posts a list of posts (the registry's list, the pipeline, agreements to renew) shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostsReach {
    Nation,
    Departement(DepartementCode),
    Employer(EmployerId),
}

/// The posts the lists of posts show `grant`, or `None` when it has no such list. Agrees with
/// `decide(View, Posts)`: a role allowed the list has a reach here.
pub fn posts_reach(grant: &Grant) -> Option<PostsReach> {
    match grant.role {
        Role::National => match &grant.scope {
            Scope::Nation => Some(PostsReach::Nation),
            Scope::Departement(_) | Scope::Employer(_) | Scope::Post(_) | Scope::Unit(_) => None,
        },
        Role::Prevention => match &grant.scope {
            Scope::Departement(code) => Some(PostsReach::Departement(code.clone())),
            Scope::Nation | Scope::Employer(_) | Scope::Post(_) | Scope::Unit(_) => None,
        },
        Role::Employer => match &grant.scope {
            Scope::Employer(id) => Some(PostsReach::Employer(id.clone())),
            Scope::Nation | Scope::Departement(_) | Scope::Post(_) | Scope::Unit(_) => None,
        },
        // A social worker reads their own post's page, an officer their unit's; neither
        // lists posts, nor does the technical administrator.
        Role::SocialWorker | Role::Officer | Role::Admin => None,
    }
}

/// The security events a journal page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityEventsReach {
    All,
    Employer(EmployerId),
}

/// The security events `grant` reads, or `None`. Agrees with `decide(View, SecurityEvents)`.
pub fn security_events_reach(grant: &Grant) -> Option<SecurityEventsReach> {
    match grant.role {
        // The technical administrator watches the whole installation.
        Role::Admin => Some(SecurityEventsReach::All),
        // An employer, the accounts of its staff.
        Role::Employer => match &grant.scope {
            Scope::Employer(id) => Some(SecurityEventsReach::Employer(id.clone())),
            Scope::Nation | Scope::Departement(_) | Scope::Post(_) | Scope::Unit(_) => None,
        },
        Role::National | Role::Prevention | Role::SocialWorker | Role::Officer => None,
    }
}

/// The extent of a set of figures: one post, or a published aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FiguresExtent {
    Post,
    Employer,
    Departement,
    Nation,
}

/// How figures are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publication {
    /// Every count as it is: only to the post's own social workers, who know the persons.
    Exact,
    /// Small cells and the cells that would reveal them hidden, all alike (« s »).
    Suppressed,
}

/// Exact figures stay inside the post; anything wider is published, hence suppressed
/// (PRODUCT.md: a published cell below 5 is hidden, with secondary suppression so that totals
/// cannot reveal it; it prints « s » like the cells that protect it, see
/// `statistics::suppression`).
pub fn publication_of(extent: FiguresExtent) -> Publication {
    match extent {
        FiguresExtent::Post => Publication::Exact,
        FiguresExtent::Employer | FiguresExtent::Departement | FiguresExtent::Nation => {
            Publication::Suppressed
        }
    }
}

/// The département a registry page opens on when none is asked: the actor's own, or none,
/// and the page asks to choose (a national or technical account has no département of its
/// own; picking one for them would show a place they did not ask for).
pub fn home_departement(grant: &Grant) -> Option<DepartementCode> {
    match &grant.scope {
        Scope::Departement(code) => Some(code.clone()),
        Scope::Nation | Scope::Employer(_) | Scope::Post(_) | Scope::Unit(_) => None,
    }
}

/// The "who is where" view the menu opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresenceView {
    Unit(UnitId),
    Post(PostId),
    Departement(DepartementCode),
    /// The nation: the page asks which département to show.
    ChooseDepartement,
}

/// The "who is where" view `grant` opens, or `None` when it has none (an employer reads its
/// posts' schedules from their pages; the technical administrator reads no presence).
pub fn presence_view(grant: &Grant) -> Option<PresenceView> {
    match grant.role {
        Role::Officer => match &grant.scope {
            Scope::Unit(id) => Some(PresenceView::Unit(id.clone())),
            Scope::Post(_) | Scope::Employer(_) | Scope::Departement(_) | Scope::Nation => None,
        },
        Role::SocialWorker => match &grant.scope {
            Scope::Post(id) => Some(PresenceView::Post(id.clone())),
            Scope::Unit(_) | Scope::Employer(_) | Scope::Departement(_) | Scope::Nation => None,
        },
        Role::Prevention => match &grant.scope {
            Scope::Departement(code) => Some(PresenceView::Departement(code.clone())),
            Scope::Unit(_) | Scope::Post(_) | Scope::Employer(_) | Scope::Nation => None,
        },
        Role::National => match &grant.scope {
            Scope::Nation => Some(PresenceView::ChooseDepartement),
            Scope::Unit(_) | Scope::Post(_) | Scope::Employer(_) | Scope::Departement(_) => None,
        },
        Role::Employer | Role::Admin => None,
    }
}

#[cfg(test)]
mod tests {
    fn dep(code: &str) -> crate::registry::territory::DepartementCode {
        crate::registry::territory::DepartementCode::parse(code).expect("a département code")
    }

    use super::super::{Action, Actor, Resource, decide};
    use super::*;

    fn grants() -> Vec<Grant> {
        let scopes = [
            Scope::Nation,
            Scope::Departement(dep("35")),
            Scope::Employer("e".into()),
            Scope::Post("p".into()),
            Scope::Unit("u".into()),
        ];
        Role::ALL
            .iter()
            .flat_map(|role| {
                scopes.iter().map(|scope| Grant {
                    role: *role,
                    scope: scope.clone(),
                })
            })
            .collect()
    }

    fn actor(grant: &Grant) -> Actor {
        Actor {
            account_id: "a".into(),
            grant: grant.clone(),
        }
    }

    #[test]
    fn a_list_reaches_no_further_than_its_scope() {
        for grant in grants() {
            let allowed = decide(&actor(&grant), Action::View, &Resource::Posts).is_allowed();
            match posts_reach(&grant) {
                // Held where the role is held: every role with a list sees its scope only.
                Some(PostsReach::Nation) => assert_eq!(grant.scope, Scope::Nation, "{grant:?}"),
                Some(PostsReach::Departement(code)) => {
                    assert_eq!(grant.scope, Scope::Departement(code), "{grant:?}")
                }
                Some(PostsReach::Employer(id)) => {
                    assert_eq!(grant.scope, Scope::Employer(id), "{grant:?}")
                }
                None => {}
            }
            if posts_reach(&grant).is_some() {
                assert!(allowed, "a reach without the permission: {grant:?}");
            }
        }
        // The hole this closes: a scope the handler did not name fell open to the nation.
        let social_worker = Grant {
            role: Role::SocialWorker,
            scope: Scope::Post("p".into()),
        };
        assert_eq!(posts_reach(&social_worker), None);
        let prevention_elsewhere = Grant {
            role: Role::Prevention,
            scope: Scope::Nation,
        };
        assert_eq!(posts_reach(&prevention_elsewhere), None);
    }

    #[test]
    fn a_page_opens_on_the_actors_own_departement_or_asks() {
        for grant in grants() {
            match home_departement(&grant) {
                Some(code) => assert_eq!(grant.scope, Scope::Departement(code)),
                None => assert!(!matches!(grant.scope, Scope::Departement(_)), "{grant:?}"),
            }
            match presence_view(&grant) {
                Some(PresenceView::Unit(id)) => {
                    assert_eq!(
                        (grant.role, &grant.scope),
                        (Role::Officer, &Scope::Unit(id))
                    )
                }
                Some(PresenceView::Post(id)) => assert_eq!(
                    (grant.role, &grant.scope),
                    (Role::SocialWorker, &Scope::Post(id))
                ),
                Some(PresenceView::Departement(code)) => assert_eq!(
                    (grant.role, &grant.scope),
                    (Role::Prevention, &Scope::Departement(code))
                ),
                Some(PresenceView::ChooseDepartement) => {
                    assert_eq!((grant.role, &grant.scope), (Role::National, &Scope::Nation))
                }
                None => {}
            }
        }
        // No département is picked for the nation (it used to open on "35" or "75").
        let national = Grant {
            role: Role::National,
            scope: Scope::Nation,
        };
        assert_eq!(home_departement(&national), None);
        for role in [Role::Employer, Role::Admin] {
            for grant in grants().into_iter().filter(|g| g.role == role) {
                assert_eq!(presence_view(&grant), None);
            }
        }
    }

    #[test]
    fn security_events_reach_agrees_with_the_policy() {
        for grant in grants() {
            let allowed =
                decide(&actor(&grant), Action::View, &Resource::SecurityEvents).is_allowed();
            if security_events_reach(&grant).is_some() {
                assert!(allowed, "{grant:?}");
            }
            if let Some(SecurityEventsReach::Employer(id)) = security_events_reach(&grant) {
                assert_eq!(grant.scope, Scope::Employer(id));
            }
        }
        let employer_without_employer = Grant {
            role: Role::Employer,
            scope: Scope::Nation,
        };
        assert_eq!(security_events_reach(&employer_without_employer), None);
    }

    #[test]
    fn only_one_post_is_shown_exactly() {
        assert_eq!(publication_of(FiguresExtent::Post), Publication::Exact);
        for extent in [
            FiguresExtent::Employer,
            FiguresExtent::Departement,
            FiguresExtent::Nation,
        ] {
            assert_eq!(publication_of(extent), Publication::Suppressed);
        }
    }
}
