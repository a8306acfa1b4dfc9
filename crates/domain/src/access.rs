//! The permission policy: the one place that decides who may do what where.
//! `(actor, action, resource) → allow | deny`; pure, so it can be tested as a full matrix.
//!
//! Professional secrecy (PRODUCT.md): case content is for the social workers of the post that
//! holds it, nobody above them; the officer sees statuses only. Each capability adds its
//! resources here, and nowhere else.

use crate::identity::role::Role;
use crate::ids::{AccountId, EmployerId, PostId, UnitId};
use crate::registry::territory::DepartementCode;

mod case_access;
mod machine;
mod network;
mod reach;
mod reading;
mod referrer;
pub use case_access::{CaseAccessKind, opens_case_content};
pub use machine::{Machine, decide_machine, token_may_hold};
pub use reach::{
    FiguresExtent, PostsReach, PresenceView, Publication, SecurityEventsReach, home_departement,
    posts_reach, presence_view, publication_of, security_events_reach,
};
pub use reading::{FeedFacts, feed_opens, reads_note};
pub use referrer::{OwnReferralFacts, officer_reads_own_referral};

/// Where a role is held.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Unit(UnitId),
    Post(PostId),
    Employer(EmployerId),
    Departement(DepartementCode),
    Nation,
}

/// A role held in a scope. An actor acts with one grant at a time (the role switcher).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// The person acting, through the grant they chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: AccountId,
    pub grant: Grant,
}

/// Every scope a thing sits in: a post is in its employer and its département, a unit in its
/// département, and so on. Filled by the store; the nation contains everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub units: Vec<UnitId>,
    pub posts: Vec<PostId>,
    pub employers: Vec<EmployerId>,
    pub departements: Vec<DepartementCode>,
    /// Accounts replacing the post's social worker today (vacant post continuity): they
    /// work on its cases like its own social workers, for the period the employer granted.
    pub replacements: Vec<AccountId>,
}

impl Place {
    pub fn contains(&self, scope: &Scope) -> bool {
        match scope {
            Scope::Unit(id) => self.units.contains(id),
            Scope::Post(id) => self.posts.contains(id),
            Scope::Employer(id) => self.employers.contains(id),
            Scope::Departement(code) => self.departements.contains(code),
            Scope::Nation => true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    View,
    Manage,
    Grant,
    /// The second person's word on a grant another person proposed.
    Confirm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource<'a> {
    /// Pages anyone may read, logged in or not.
    PublicPage,
    /// The actor's own account: password, second factor, sessions, role switcher.
    OwnAccount,
    /// The list of accounts the actor administers (the store scopes its rows).
    Accounts,
    /// Another account, described by the roles it holds and where.
    Account { roles: &'a [(Role, Place)] },
    /// A role to give, and where.
    RoleAt { role: Role, at: &'a Place },
    /// Security events (logins, lockouts, role changes) of the accounts the actor administers.
    SecurityEvents,
    /// Who accessed the data of a post.
    PostAccessLog { post: &'a Place },
    /// The list of posts of the registry (the store scopes its rows).
    Posts,
    /// One post of the registry: its lifecycle, host units, employer.
    Post { post: &'a Place },
    /// The steering of post creation: pipeline, vacancies, coverage.
    Pipeline,
    /// The registry as a whole: imports of employers and posts.
    Registry,
    /// The grid of problem categories the referrals, cases and statistics use.
    CategoryGrid,
    /// The activity statistics of the actor's own scope (post, employer, département,
    /// nation): counts only, suppressed outside the post.
    ActivityStatistics,
    /// The presence schedule of a post (slots, absences, notices); its place lists the
    /// post's host units.
    Schedule { post: &'a Place },
    /// Who is where in a département, week by week.
    DepartementPresence { departement: &'a DepartementCode },
    /// The appointments of a post: the social worker's day list, and booking one.
    Appointments { post: &'a Place },
    /// One appointment: it names a person and their safe-contact instructions. `unit` is the
    /// unit where it takes place (none for a visio), `ended` whether its end is past.
    Appointment {
        post: &'a Place,
        booked_by: &'a AccountId,
        unit: Option<&'a UnitId>,
        ended: bool,
    },
    /// The officer's booking desk at a unit: the posts serving it, their next presences, and
    /// the appointments the officer booked (status, date, place; the persons' names are each
    /// an [`Resource::Appointment`] of their own).
    BookingDesk { unit: &'a UnitId },
    /// The actor's private calendar feed (presence and appointments).
    OwnCalendar,
    /// Referring a person from a unit, and the statuses (never the content) of its referrals.
    ReferralDesk { unit: &'a UnitId },
    /// The partner directory of a territory; its place lists the département, its posts and
    /// its employers.
    Partners { territory: &'a Place },
    /// Granting a replacement social worker access to a post's cases.
    Replacements { post: &'a Place },
    /// Proposing that an account open a post's case content (the social worker role on the
    /// post, or a replacement in it), described by the roles it already holds.
    CaseAccessProposal {
        kind: CaseAccessKind,
        post: &'a Place,
        grantee: &'a AccountId,
        grantee_roles: &'a [(Role, Place)],
    },
    /// Confirming (or refusing) such a proposal: the second person.
    CaseAccessDecision {
        post: &'a Place,
        grantee: &'a AccountId,
        proposer: &'a AccountId,
        proposer_roles: &'a [(Role, Place)],
    },
    /// The case files of a post: its inbox.
    Cases { post: &'a Place },
    /// One case file: persons, context, notes. Professional secrecy: the post's social
    /// workers only.
    Case { post: &'a Place },
    /// The names of the persons of a post's cases beside its lists (the inbox, the social
    /// worker's home): a read of personal data, journaled one row per view.
    CaseNames { post: &'a Place },
    /// The journal of one case or person record of a post: who read or changed it, when, in
    /// which role and why. It shows the post's colleagues and the record's history, never
    /// its content.
    RecordJournal { post: &'a Place },
    /// Producing for one person everything the post holds on them (RGPD art. 15): identity,
    /// cases, notes for the team, the access journal. A disclosure of case content.
    SubjectAccess { post: &'a Place },
    /// The API tokens of machine clients: created, listed and revoked by the technical
    /// administrator (`machine` decides what a token itself reaches).
    ApiTokens,
    /// The network space: its announcements (each read as its scope and audience say,
    /// `network::announcement::reaches`). Never case content.
    Network,
    /// Publishing an announcement to a scope (the nation, a département, an employer).
    AnnouncementTo {
        scope: &'a crate::network::announcement::AnnouncementScope,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }

    fn from(allowed: bool) -> Self {
        if allowed {
            Decision::Allow
        } else {
            Decision::Deny
        }
    }
}

/// Roles whose holders can read personal data, and the national and technical roles: their
/// accounts must use a second factor.
pub fn requires_second_factor(role: Role) -> bool {
    !matches!(role, Role::Officer)
}

/// Whether holders of `role` may trust a device for a shift: there, after the idle timeout,
/// the login asks the password only until 12 hours after the second factor was last given.
/// Officers only: their shift is 12 hours on a phone, re-logging every 30 idle minutes is
/// what slows a referral down, and what their session reaches (their unit's referrals,
/// their own appointments) is far less than a case file. Social workers read case content
/// under professional secrecy on a workstation during office days: a lost phone trusted
/// with a password alone would open it, so they keep the second factor at every login; the
/// steering, employer and technical roles administer accounts and read across posts.
pub fn may_trust_device(role: Role) -> bool {
    match role {
        Role::Officer => true,
        Role::SocialWorker | Role::Employer | Role::Prevention | Role::National | Role::Admin => {
            false
        }
    }
}

/// Whether `grant` administers an account that holds `role` at `place`:
/// the admin everyone; an employer its social workers and its own coordinators; a
/// prevention referent the officers of its département.
fn administers(grant: &Grant, role: Role, place: &Place) -> bool {
    match grant.role {
        Role::Admin => true,
        Role::Employer => {
            matches!(role, Role::SocialWorker | Role::Employer) && place.contains(&grant.scope)
        }
        Role::Prevention => role == Role::Officer && place.contains(&grant.scope),
        Role::Officer | Role::SocialWorker | Role::National => false,
    }
}

/// Whether an officer reads an appointment they booked (the person's name and safe-contact
/// instructions): only while they still hold the officer role at the unit that booked it, and
/// only until the appointment ends: past its end, the officer keeps its date, place and
/// status, never the person (the social worker's retention period is not the officer's; the
/// officer needs the name only to accompany the person to the appointment).
///
/// The unit that booked: an in-person appointment takes place at the booking officer's own
/// unit (the desk offers no other), so the officer must act at that very unit; a visio
/// appointment records no unit, so the officer must act at a unit the post still serves.
fn officer_reads_own_booking(
    actor: &Actor,
    post: &Place,
    booked_by: &AccountId,
    unit: Option<&UnitId>,
    ended: bool,
) -> bool {
    if *booked_by != actor.account_id || ended {
        return false;
    }
    match (unit, &actor.grant.scope) {
        (Some(unit), Scope::Unit(own)) => own == unit,
        (None, Scope::Unit(_)) => post.contains(&actor.grant.scope),
        (_, Scope::Post(_) | Scope::Employer(_) | Scope::Departement(_) | Scope::Nation) => false,
    }
}

/// Whether the actor works on a post's cases: its social workers, and the social worker
/// replacing in it today (for the period the employer granted). Nobody above them.
fn works_on_cases(actor: &Actor, post: &Place) -> bool {
    match actor.grant.role {
        Role::SocialWorker => {
            post.contains(&actor.grant.scope) || post.replacements.contains(&actor.account_id)
        }
        Role::Officer | Role::Employer | Role::Prevention | Role::National | Role::Admin => false,
    }
}

/// The decision for an anonymous visitor.
pub fn decide_anonymous(action: Action, resource: &Resource) -> Decision {
    Decision::from(action == Action::View && *resource == Resource::PublicPage)
}

/// The decision for a logged-in actor.
pub fn decide(actor: &Actor, action: Action, resource: &Resource) -> Decision {
    let grant = &actor.grant;
    let allowed = match (action, resource) {
        (Action::View, Resource::PublicPage) => true,
        (Action::View | Action::Manage, Resource::OwnAccount) => true,
        (Action::View, Resource::Accounts) => {
            matches!(grant.role, Role::Admin | Role::Employer | Role::Prevention)
        }
        (Action::View | Action::Manage, Resource::Account { roles }) => {
            // Every role of the account must be within the actor's remit: an employer cannot
            // disable an account that is also an administrator's. An account stripped of its
            // last role stays the technical administrator's, to give it a role or disable it.
            if roles.is_empty() {
                grant.role == Role::Admin
            } else {
                roles
                    .iter()
                    .all(|(role, place)| administers(grant, *role, place))
            }
        }
        (Action::Grant, Resource::RoleAt { role, at }) => administers(grant, *role, at),
        (Action::View, Resource::SecurityEvents) => {
            matches!(grant.role, Role::Admin | Role::Employer)
        }
        (Action::View, Resource::PostAccessLog { post }) => {
            grant.role == Role::SocialWorker && post.contains(&grant.scope)
        }
        (Action::View, Resource::Posts) => matches!(
            grant.role,
            Role::National | Role::Prevention | Role::Employer
        ),
        // The registry is steering data: the national and départemental steering, the
        // employer of the post, and its own social workers may read it.
        (Action::View, Resource::Post { post }) => match grant.role {
            Role::National => true,
            Role::Prevention | Role::Employer | Role::SocialWorker => post.contains(&grant.scope),
            Role::Officer | Role::Admin => false,
        },
        // Its lifecycle is recorded by its employer, or by the national steering.
        (Action::Manage, Resource::Post { post }) => match grant.role {
            Role::National => true,
            Role::Employer => post.contains(&grant.scope),
            Role::Prevention | Role::SocialWorker | Role::Officer | Role::Admin => false,
        },
        (Action::View, Resource::Pipeline) => {
            matches!(grant.role, Role::National | Role::Prevention)
        }
        // Bulk changes to the registry: the national steering and the technical administrator.
        (Action::Manage, Resource::Registry) => matches!(grant.role, Role::National | Role::Admin),
        // Counts of the actor's own scope; the officer and the technical administrator have
        // no statistics of their own.
        // The years before Passerelle are declared by the post's own social workers.
        (Action::Manage, Resource::ActivityStatistics) => grant.role == Role::SocialWorker,
        (Action::View, Resource::ActivityStatistics) => matches!(
            grant.role,
            Role::SocialWorker | Role::Employer | Role::Prevention | Role::National
        ),
        // The grid is the national observatory's: its team and the technical administrator.
        (Action::View | Action::Manage, Resource::CategoryGrid) => {
            matches!(grant.role, Role::National | Role::Admin)
        }
        // Units and employers are public facts; the steering reads them to manage posts.
        (Action::View, Resource::Registry) => {
            matches!(grant.role, Role::National | Role::Admin | Role::Prevention)
        }
        // Schedules are not case content: the steering and the employer read them, and the
        // officers of the host units, who send people to the social worker.
        (Action::View, Resource::Schedule { post }) => match grant.role {
            Role::National => true,
            Role::Prevention | Role::Employer | Role::SocialWorker | Role::Officer => {
                post.contains(&grant.scope)
            }
            Role::Admin => false,
        },
        (Action::Manage, Resource::Schedule { post }) => {
            matches!(grant.role, Role::SocialWorker | Role::Employer) && post.contains(&grant.scope)
        }
        (Action::View, Resource::DepartementPresence { departement }) => match grant.role {
            Role::National => true,
            Role::Prevention => match &grant.scope {
                Scope::Departement(own) => own == *departement,
                Scope::Unit(_) | Scope::Post(_) | Scope::Employer(_) | Scope::Nation => false,
            },
            Role::Employer | Role::SocialWorker | Role::Officer | Role::Admin => false,
        },
        // Appointments name persons: the post's social workers, and the officer of a host
        // unit for the booking (and, below, the appointments they booked themselves).
        (Action::View, Resource::Appointments { post }) => {
            grant.role == Role::SocialWorker && post.contains(&grant.scope)
        }
        (Action::Manage, Resource::Appointments { post }) => {
            matches!(grant.role, Role::SocialWorker | Role::Officer) && post.contains(&grant.scope)
        }
        (
            Action::View | Action::Manage,
            Resource::Appointment {
                post,
                booked_by,
                unit,
                ended,
            },
        ) => match grant.role {
            Role::SocialWorker => post.contains(&grant.scope),
            Role::Officer => officer_reads_own_booking(actor, post, booked_by, *unit, *ended),
            Role::Employer | Role::Prevention | Role::National | Role::Admin => false,
        },
        (Action::View, Resource::BookingDesk { unit }) => match grant.role {
            Role::Officer => matches!(&grant.scope, Scope::Unit(own) if own == *unit),
            Role::SocialWorker
            | Role::Employer
            | Role::Prevention
            | Role::National
            | Role::Admin => false,
        },
        (Action::View | Action::Manage, Resource::OwnCalendar) => grant.role == Role::SocialWorker,
        (Action::View | Action::Manage, Resource::ReferralDesk { unit }) => {
            grant.role == Role::Officer && matches!(&grant.scope, Scope::Unit(own) if own == *unit)
        }
        // The partner directory is no secret, but it is the territory's: its social workers
        // and employers keep it; the steering reads it.
        (Action::View, Resource::Partners { territory }) => match grant.role {
            Role::National => true,
            Role::Prevention | Role::Employer | Role::SocialWorker => {
                territory.contains(&grant.scope)
            }
            Role::Officer | Role::Admin => false,
        },
        (Action::Manage, Resource::Partners { territory }) => {
            matches!(grant.role, Role::SocialWorker | Role::Employer)
                && territory.contains(&grant.scope)
        }
        // Case content: the post's social workers (and the one replacing them, for the
        // period granted), and nobody above them.
        (Action::View | Action::Manage, Resource::Cases { post } | Resource::Case { post }) => {
            works_on_cases(actor, post)
        }
        // Who read a record is read by those who may read the record itself: the journal
        // names the post's colleagues and dates their work on a person, which is as telling
        // as the content for anyone outside the post (an officer, the employer).
        (Action::View, Resource::RecordJournal { post }) => works_on_cases(actor, post),
        // The names in a list are case content, read by those who open the cases; a list
        // without them (the officer's, the steering's) is never given them.
        (Action::View, Resource::CaseNames { post }) => works_on_cases(actor, post),
        // The person's copy (RGPD art. 15) is produced by those who may open the content it
        // copies; producing it is an act on the record (a disclosure, journaled), hence Manage.
        (Action::Manage, Resource::SubjectAccess { post }) => works_on_cases(actor, post),
        // Tokens act for the installation's partners: the technical administrator gives and
        // takes them back, as accounts.
        (Action::View | Action::Manage, Resource::ApiTokens) => grant.role == Role::Admin,
        // Who replaces in a post is granted by its employer (or the national steering).
        (Action::Manage, Resource::Replacements { post }) => match grant.role {
            Role::National => true,
            Role::Employer => post.contains(&grant.scope),
            Role::Prevention | Role::SocialWorker | Role::Officer | Role::Admin => false,
        },
        (
            Action::Grant,
            Resource::CaseAccessProposal {
                kind,
                post,
                grantee,
                grantee_roles,
            },
        ) => case_access::may_propose(actor, *kind, post, grantee, grantee_roles),
        (
            Action::Confirm,
            Resource::CaseAccessDecision {
                post,
                grantee,
                proposer,
                proposer_roles,
            },
        ) => case_access::may_confirm(actor, post, grantee, proposer, proposer_roles),
        (Action::View, Resource::Network) => network::is_member_or_officer(grant.role),
        (Action::Manage, Resource::AnnouncementTo { scope }) => network::publishes_to(grant, scope),
        // Every other pair is refused, named here so that a new resource or action must be
        // decided: only roles and access to a post's cases are granted and confirmed, and
        // what is only read is never managed.
        (
            Action::Grant | Action::Confirm,
            Resource::PublicPage
            | Resource::OwnAccount
            | Resource::Accounts
            | Resource::Account { .. }
            | Resource::SecurityEvents
            | Resource::PostAccessLog { .. }
            | Resource::Posts
            | Resource::Post { .. }
            | Resource::Pipeline
            | Resource::Registry
            | Resource::CategoryGrid
            | Resource::ActivityStatistics
            | Resource::Schedule { .. }
            | Resource::DepartementPresence { .. }
            | Resource::Appointments { .. }
            | Resource::Appointment { .. }
            | Resource::BookingDesk { .. }
            | Resource::OwnCalendar
            | Resource::ReferralDesk { .. }
            | Resource::Partners { .. }
            | Resource::Replacements { .. }
            | Resource::Cases { .. }
            | Resource::Case { .. }
            | Resource::CaseNames { .. }
            | Resource::RecordJournal { .. }
            | Resource::SubjectAccess { .. }
            | Resource::ApiTokens
            | Resource::Network
            | Resource::AnnouncementTo { .. },
        ) => false,
        (
            Action::Manage,
            Resource::PublicPage
            | Resource::Accounts
            | Resource::SecurityEvents
            | Resource::PostAccessLog { .. }
            | Resource::Posts
            | Resource::Pipeline
            | Resource::DepartementPresence { .. }
            | Resource::BookingDesk { .. }
            | Resource::CaseNames { .. }
            | Resource::RecordJournal { .. }
            | Resource::Network,
        ) => false,
        (
            Action::View,
            Resource::Replacements { .. }
            | Resource::SubjectAccess { .. }
            | Resource::AnnouncementTo { .. },
        ) => false,
        (Action::View | Action::Manage | Action::Confirm, Resource::RoleAt { .. }) => false,
        (Action::View | Action::Manage | Action::Confirm, Resource::CaseAccessProposal { .. }) => {
            false
        }
        (Action::View | Action::Manage | Action::Grant, Resource::CaseAccessDecision { .. }) => {
            false
        }
    };
    Decision::from(allowed)
}

#[cfg(test)]
mod tests {
    fn dep(code: &str) -> crate::registry::territory::DepartementCode {
        crate::registry::territory::DepartementCode::parse(code).expect("a département code")
    }

    use super::*;

    fn actor(role: Role, scope: Scope) -> Actor {
        Actor {
            account_id: "a".into(),
            grant: Grant { role, scope },
        }
    }

    fn post_place(post: &str, employer: &str, departement: &str) -> Place {
        Place {
            posts: vec![post.into()],
            employers: vec![employer.into()],
            departements: vec![dep(departement)],
            ..Place::default()
        }
    }

    fn unit_place(unit: &str, departement: &str) -> Place {
        Place {
            units: vec![unit.into()],
            departements: vec![dep(departement)],
            ..Place::default()
        }
    }

    #[test]
    fn a_replacement_works_on_the_cases_of_the_post_it_replaces_in_only() {
        let post = Place {
            posts: vec!["P1".into()],
            employers: vec!["E1".into()],
            departements: vec![dep("35")],
            replacements: vec!["replacing".into()],
            ..Place::default()
        };
        let case = Resource::Case { post: &post };
        let mut replacing = actor(Role::SocialWorker, Scope::Post("P2".into()));
        replacing.account_id = "replacing".into();
        assert!(decide(&replacing, Action::Manage, &case).is_allowed());
        let stranger = actor(Role::SocialWorker, Scope::Post("P2".into()));
        assert!(!decide(&stranger, Action::View, &case).is_allowed());
        // The account id alone is not enough: it must act as a social worker.
        let mut as_employer = actor(Role::Employer, Scope::Employer("E2".into()));
        as_employer.account_id = "replacing".into();
        assert!(!decide(&as_employer, Action::View, &case).is_allowed());
        let grants = Resource::Replacements { post: &post };
        assert!(
            decide(
                &actor(Role::Employer, Scope::Employer("E1".into())),
                Action::Manage,
                &grants
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &actor(Role::Employer, Scope::Employer("E2".into())),
                Action::Manage,
                &grants
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &actor(Role::SocialWorker, Scope::Post("P1".into())),
                Action::Manage,
                &grants
            )
            .is_allowed()
        );
    }

    #[test]
    fn the_partner_directory_is_kept_by_its_territory() {
        let territory = Place {
            departements: vec![dep("35")],
            posts: vec!["P1".into()],
            employers: vec!["E1".into()],
            ..Place::default()
        };
        let partners = Resource::Partners {
            territory: &territory,
        };
        for (role, scope, view, manage) in [
            (Role::SocialWorker, Scope::Post("P1".into()), true, true),
            (Role::SocialWorker, Scope::Post("P2".into()), false, false),
            (Role::Employer, Scope::Employer("E1".into()), true, true),
            (Role::Employer, Scope::Employer("E2".into()), false, false),
            (Role::Prevention, Scope::Departement(dep("35")), true, false),
            (
                Role::Prevention,
                Scope::Departement(dep("22")),
                false,
                false,
            ),
            (Role::National, Scope::Nation, true, false),
            (Role::Officer, Scope::Unit("U1".into()), false, false),
            (Role::Admin, Scope::Nation, false, false),
        ] {
            let someone = actor(role, scope);
            assert_eq!(
                decide(&someone, Action::View, &partners).is_allowed(),
                view,
                "{role:?} view"
            );
            assert_eq!(
                decide(&someone, Action::Manage, &partners).is_allowed(),
                manage,
                "{role:?} manage"
            );
        }
    }

    #[test]
    fn schedules_are_read_by_host_units_and_steering_but_appointments_only_by_the_post() {
        let mut post = post_place("P1", "E1", "35");
        post.units.push("U1".into());
        let schedule = Resource::Schedule { post: &post };
        let appointments = Resource::Appointments { post: &post };
        let officer = actor(Role::Officer, Scope::Unit("U1".into()));
        let other_officer = actor(Role::Officer, Scope::Unit("U9".into()));
        let worker = actor(Role::SocialWorker, Scope::Post("P1".into()));
        let employer = actor(Role::Employer, Scope::Employer("E1".into()));
        let national = actor(Role::National, Scope::Nation);
        let admin = actor(Role::Admin, Scope::Nation);
        assert!(decide(&officer, Action::View, &schedule).is_allowed());
        assert!(!decide(&other_officer, Action::View, &schedule).is_allowed());
        assert!(!decide(&officer, Action::Manage, &schedule).is_allowed());
        assert!(decide(&employer, Action::Manage, &schedule).is_allowed());
        assert!(decide(&national, Action::View, &schedule).is_allowed());
        assert!(!decide(&admin, Action::View, &schedule).is_allowed());
        // Booking: the host unit's officer and the post's social worker; reading the day
        // list: the social worker only.
        assert!(decide(&officer, Action::Manage, &appointments).is_allowed());
        assert!(!decide(&officer, Action::View, &appointments).is_allowed());
        assert!(decide(&worker, Action::View, &appointments).is_allowed());
        for role in [&employer, &national, &admin] {
            assert!(!decide(role, Action::View, &appointments).is_allowed());
            assert!(!decide(role, Action::Manage, &appointments).is_allowed());
        }
        let own = Resource::Appointment {
            post: &post,
            booked_by: &"a".into(),
            unit: None,
            ended: false,
        };
        let someone_elses = Resource::Appointment {
            post: &post,
            booked_by: &"b".into(),
            unit: None,
            ended: false,
        };
        assert!(decide(&officer, Action::View, &own).is_allowed());
        assert!(!decide(&officer, Action::View, &someone_elses).is_allowed());
        assert!(decide(&worker, Action::Manage, &someone_elses).is_allowed());
        assert!(!decide(&employer, Action::View, &own).is_allowed());
    }

    #[test]
    fn an_officer_reads_a_booking_only_from_the_unit_that_booked_and_until_it_ends() {
        let mut post = post_place("P1", "E1", "35");
        post.units = vec!["U1".into(), "U2".into()];
        let at = |unit: Option<&'static str>, ended: bool| (unit, ended);
        let officer = |unit: &str| actor(Role::Officer, Scope::Unit(unit.into()));
        for ((unit, ended), who, allowed) in [
            // In person at U1, booked from U1.
            (at(Some("U1"), false), officer("U1"), true),
            (at(Some("U1"), true), officer("U1"), false),
            // Moved to U2, a unit the post also serves: not the unit that booked.
            (at(Some("U1"), false), officer("U2"), false),
            // Moved to a unit the post does not serve.
            (at(Some("U1"), false), officer("U9"), false),
            // A visio: any unit the post serves, until it ends.
            (at(None, false), officer("U1"), true),
            (at(None, false), officer("U2"), true),
            (at(None, false), officer("U9"), false),
            (at(None, true), officer("U1"), false),
        ] {
            let unit = unit.map(UnitId::from);
            let booking = Resource::Appointment {
                post: &post,
                booked_by: &"a".into(),
                unit: unit.as_ref(),
                ended,
            };
            for action in [Action::View, Action::Manage] {
                assert_eq!(
                    decide(&who, action, &booking).is_allowed(),
                    allowed,
                    "{unit:?} ended {ended} by {:?}",
                    who.grant.scope
                );
            }
        }
        // The post's social worker reads it whatever its age.
        let ended = Resource::Appointment {
            post: &post,
            booked_by: &"a".into(),
            unit: Some(&"U1".into()),
            ended: true,
        };
        assert!(
            decide(
                &actor(Role::SocialWorker, Scope::Post("P1".into())),
                Action::View,
                &ended
            )
            .is_allowed()
        );
        // The desk is the officer's of that unit only.
        assert!(
            decide(
                &officer("U1"),
                Action::View,
                &Resource::BookingDesk { unit: &"U1".into() }
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &officer("U1"),
                Action::View,
                &Resource::BookingDesk { unit: &"U2".into() }
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &actor(Role::SocialWorker, Scope::Post("P1".into())),
                Action::View,
                &Resource::BookingDesk { unit: &"U1".into() }
            )
            .is_allowed()
        );
    }

    #[test]
    fn case_content_is_for_the_post_social_workers_only() {
        let post = post_place("P1", "E1", "35");
        let case = Resource::Case { post: &post };
        let worker = actor(Role::SocialWorker, Scope::Post("P1".into()));
        let other_worker = actor(Role::SocialWorker, Scope::Post("P2".into()));
        assert!(decide(&worker, Action::View, &case).is_allowed());
        assert!(!decide(&other_worker, Action::View, &case).is_allowed());
        for (role, scope) in [
            (Role::Officer, Scope::Unit("U1".into())),
            (Role::Employer, Scope::Employer("E1".into())),
            (Role::Prevention, Scope::Departement(dep("35"))),
            (Role::National, Scope::Nation),
            (Role::Admin, Scope::Nation),
        ] {
            let someone = actor(role, scope);
            for action in [Action::View, Action::Manage] {
                assert!(!decide(&someone, action, &case).is_allowed(), "{role:?}");
                assert!(!decide(&someone, action, &Resource::Cases { post: &post }).is_allowed());
                let names = Resource::CaseNames { post: &post };
                assert!(!decide(&someone, action, &names).is_allowed(), "{role:?}");
            }
        }
        // The names beside a list: the post's workers read them, manage nothing through them.
        let names = Resource::CaseNames { post: &post };
        assert!(decide(&worker, Action::View, &names).is_allowed());
        assert!(!decide(&worker, Action::Manage, &names).is_allowed());
        assert!(!decide(&other_worker, Action::View, &names).is_allowed());
        let officer = actor(Role::Officer, Scope::Unit("U1".into()));
        assert!(
            decide(
                &officer,
                Action::Manage,
                &Resource::ReferralDesk { unit: &"U1".into() }
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &officer,
                Action::Manage,
                &Resource::ReferralDesk { unit: &"U2".into() }
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &worker,
                Action::Manage,
                &Resource::ReferralDesk { unit: &"U1".into() }
            )
            .is_allowed()
        );
    }

    #[test]
    fn a_records_journal_and_the_persons_copy_follow_the_case_content() {
        let post = Place {
            replacements: vec!["replacing".into()],
            ..post_place("P1", "E1", "35")
        };
        let journal = Resource::RecordJournal { post: &post };
        let copy = Resource::SubjectAccess { post: &post };
        let mut replacing = actor(Role::SocialWorker, Scope::Post("P2".into()));
        replacing.account_id = "replacing".into();
        for (who, allowed) in [
            (actor(Role::SocialWorker, Scope::Post("P1".into())), true),
            (replacing, true),
            (actor(Role::SocialWorker, Scope::Post("P2".into())), false),
            (actor(Role::Officer, Scope::Unit("U1".into())), false),
            (actor(Role::Employer, Scope::Employer("E1".into())), false),
            (
                actor(Role::Prevention, Scope::Departement(dep("35"))),
                false,
            ),
            (actor(Role::National, Scope::Nation), false),
            (actor(Role::Admin, Scope::Nation), false),
        ] {
            let role = who.grant.role;
            assert_eq!(
                decide(&who, Action::View, &journal).is_allowed(),
                allowed,
                "{role:?} journal"
            );
            assert_eq!(
                decide(&who, Action::Manage, &copy).is_allowed(),
                allowed,
                "{role:?} copy"
            );
            // Reading the journal changes nothing; the copy is produced, never browsed.
            assert!(!decide(&who, Action::Manage, &journal).is_allowed());
            assert!(!decide(&who, Action::View, &copy).is_allowed());
        }
    }

    #[test]
    fn anonymous_visitors_see_public_pages_only() {
        assert!(decide_anonymous(Action::View, &Resource::PublicPage).is_allowed());
        assert!(!decide_anonymous(Action::View, &Resource::OwnAccount).is_allowed());
        assert!(!decide_anonymous(Action::View, &Resource::SecurityEvents).is_allowed());
    }

    #[test]
    fn an_employer_administers_its_social_workers_and_no_one_else() {
        let employer = actor(Role::Employer, Scope::Employer("E1".into()));
        let own = [(Role::SocialWorker, post_place("P1", "E1", "35"))];
        let other = [(Role::SocialWorker, post_place("P2", "E2", "35"))];
        let mixed = [
            (Role::SocialWorker, post_place("P1", "E1", "35")),
            (Role::Admin, Place::default()),
        ];
        assert!(
            decide(
                &employer,
                Action::Manage,
                &Resource::Account { roles: &own }
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &employer,
                Action::Manage,
                &Resource::Account { roles: &other }
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &employer,
                Action::Manage,
                &Resource::Account { roles: &mixed }
            )
            .is_allowed()
        );
        let at = post_place("P1", "E1", "35");
        assert!(
            decide(
                &employer,
                Action::Grant,
                &Resource::RoleAt {
                    role: Role::SocialWorker,
                    at: &at
                }
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &employer,
                Action::Grant,
                &Resource::RoleAt {
                    role: Role::Admin,
                    at: &at
                }
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &employer,
                Action::Grant,
                &Resource::RoleAt {
                    role: Role::Officer,
                    at: &at
                }
            )
            .is_allowed()
        );
    }

    #[test]
    fn a_prevention_referent_invites_the_officers_of_its_departement() {
        let prevention = actor(Role::Prevention, Scope::Departement(dep("35")));
        let inside = unit_place("U1", "35");
        let outside = unit_place("U2", "56");
        assert!(
            decide(
                &prevention,
                Action::Grant,
                &Resource::RoleAt {
                    role: Role::Officer,
                    at: &inside
                }
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &prevention,
                Action::Grant,
                &Resource::RoleAt {
                    role: Role::Officer,
                    at: &outside
                }
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &prevention,
                Action::Grant,
                &Resource::RoleAt {
                    role: Role::SocialWorker,
                    at: &inside
                }
            )
            .is_allowed()
        );
    }

    #[test]
    fn an_account_without_roles_is_the_admins_only() {
        let admin = actor(Role::Admin, Scope::Nation);
        assert!(decide(&admin, Action::Manage, &Resource::Account { roles: &[] }).is_allowed());
        for role in [
            Role::Employer,
            Role::Prevention,
            Role::National,
            Role::Officer,
            Role::SocialWorker,
        ] {
            let someone = actor(role, Scope::Nation);
            assert!(
                !decide(&someone, Action::Manage, &Resource::Account { roles: &[] }).is_allowed()
            );
        }
    }

    #[test]
    fn only_the_posts_social_workers_see_who_accessed_its_data() {
        let post = post_place("P1", "E1", "35");
        assert!(
            decide(
                &actor(Role::SocialWorker, Scope::Post("P1".into())),
                Action::View,
                &Resource::PostAccessLog { post: &post }
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &actor(Role::SocialWorker, Scope::Post("P2".into())),
                Action::View,
                &Resource::PostAccessLog { post: &post }
            )
            .is_allowed()
        );
        for role in [
            Role::Officer,
            Role::Employer,
            Role::Prevention,
            Role::National,
            Role::Admin,
        ] {
            assert!(
                !decide(
                    &actor(role, Scope::Nation),
                    Action::View,
                    &Resource::PostAccessLog { post: &post }
                )
                .is_allowed(),
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_posts_lifecycle_is_recorded_by_its_employer_or_the_nation_and_read_by_its_departement() {
        let post = post_place("P1", "E1", "35");
        let manage = |role, scope| {
            decide(
                &actor(role, scope),
                Action::Manage,
                &Resource::Post { post: &post },
            )
            .is_allowed()
        };
        let view = |role, scope| {
            decide(
                &actor(role, scope),
                Action::View,
                &Resource::Post { post: &post },
            )
            .is_allowed()
        };
        assert!(manage(Role::National, Scope::Nation));
        assert!(manage(Role::Employer, Scope::Employer("E1".into())));
        assert!(!manage(Role::Employer, Scope::Employer("E2".into())));
        assert!(!manage(Role::Prevention, Scope::Departement(dep("35"))));
        assert!(view(Role::Prevention, Scope::Departement(dep("35"))));
        assert!(!view(Role::Prevention, Scope::Departement(dep("56"))));
        assert!(!view(Role::Officer, Scope::Unit("U1".into())));
        assert!(!view(Role::Admin, Scope::Nation));
    }

    #[test]
    fn only_officers_may_trust_a_device_for_their_shift() {
        assert!(may_trust_device(Role::Officer));
        for role in [
            Role::SocialWorker,
            Role::Employer,
            Role::Prevention,
            Role::National,
            Role::Admin,
        ] {
            assert!(!may_trust_device(role));
        }
    }

    #[test]
    fn everyone_but_the_officer_needs_a_second_factor() {
        assert!(!requires_second_factor(Role::Officer));
        for role in [
            Role::SocialWorker,
            Role::Employer,
            Role::Prevention,
            Role::National,
            Role::Admin,
        ] {
            assert!(requires_second_factor(role));
        }
    }
}
