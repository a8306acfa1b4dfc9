//! Referral (signalement): an officer hands a person's situation over to the social worker of the
//! post. The officer afterwards sees the status word only, never content. Validation keeps only
//! what the person agreed to: without consent the referral is counted and nobody's identity is
//! kept.
//!
//! This file holds the referral's vocabularies (source, urgency, roles, contact channel,
//! status and its steps, outcome, the national grid, age bands); the form's validation is in
//! `validation`, phone numbers in `phone`, both re-exported here.

pub mod case;
pub mod category;
pub mod danger;
pub mod partner;
pub mod person;
pub mod person_name;
pub mod phone;
pub mod validation;

use crate::{ParseError, vocabulary};
use time::{Date, Month};

pub use phone::PhoneNumber;
pub(crate) use validation::single_line;
pub use validation::{
    CONTACT_HOURS_MAX_CHARS, CONTEXT_MAX_CHARS, MAX_PERSONS, NAME_MAX_CHARS,
    PROCEDURE_REFERENCE_MAX_CHARS, PersonInput, ReferralInput, ReferredPerson, SafeContact,
    ValidReferral, validate_referral,
};

vocabulary!(
    /// How the situation came to the officer's knowledge.
    ReferralSource, "source du signalement", {
        Intervention => ("intervention", "Intervention"),
        Complaint => ("complaint", "Plainte"),
        MainCouranteReview => ("main_courante", "Relecture de main courante"),
        OutsideService => ("outside_service", "Service extérieur"),
        Spontaneous => ("spontaneous", "Démarche spontanée"),
    }
);

vocabulary!(
    /// How soon the social worker should act.
    Urgency, "urgence", {
        Immediate => ("immediate", "Immédiate"),
        Within48h => ("within_48h", "Sous 48 h"),
        Normal => ("normal", "Normale"),
    }
);

vocabulary!(
    /// Role of a person in the situation referred.
    PersonRole, "rôle de la personne", {
        Victim => ("victim", "Victime"),
        Suspect => ("suspect", "Mis en cause"),
        Other => ("other", "Autre"),
        Child => ("child", "Enfant du foyer"),
    }
);

vocabulary!(
    /// The channel by which the person can be contacted safely (never in front of the other
    /// party).
    ContactChannel, "canal de contact", {
        PhoneCall => ("phone_call", "Appel téléphonique"),
        Sms => ("sms", "SMS"),
        Email => ("email", "Courriel"),
        ViaUnit => ("via_unit", "Par l'unité"),
        Other => ("other", "Autre"),
    }
);

vocabulary!(
    /// Where a referral stands: received → contact attempted → in contact / unreachable /
    /// declined → closed.
    ReferralStatus, "statut du signalement", {
        Received => ("received", "Reçu"),
        ContactAttempted => ("contact_attempted", "Contact tenté"),
        InContact => ("in_contact", "En contact"),
        Unreachable => ("unreachable", "Injoignable"),
        Declined => ("declined", "Refusé par la personne"),
        Closed => ("closed", "Clôturé"),
    }
);

vocabulary!(
    /// How a referral (or a case) ended.
    ClosureOutcome, "issue", {
        Oriented => ("oriented", "Orienté"),
        Resolved => ("resolved", "Résolu"),
        Transferred => ("transferred", "Transféré"),
        NoFollowUp => ("no_follow_up", "Sans suite"),
    }
);

impl ReferralStatus {
    /// Whether the follow-up allows going from `self` to `next` directly. Never to itself: a
    /// second attempt at contact is a new dated event, not a status change.
    pub fn can_move_to(self, next: ReferralStatus) -> bool {
        use ReferralStatus::*;
        matches!(
            (self, next),
            (
                Received,
                ContactAttempted | InContact | Unreachable | Declined | Closed
            ) | (
                ContactAttempted,
                InContact | Unreachable | Declined | Closed
            ) | (InContact, Closed)
                | (Unreachable, ContactAttempted | InContact | Closed)
                | (Declined, Closed)
        )
    }

    /// Open until closed: a declined referral still waits for the social worker to close it.
    pub fn is_open(self) -> bool {
        self != ReferralStatus::Closed
    }

    /// Every status may be shown to the officer of the referring unit: a status word says
    /// where the follow-up stands and nothing of its content, which stays under professional
    /// secrecy (notes, assessment, orientations are never shown to the officer).
    pub fn is_visible_to_officer(self) -> bool {
        true
    }
}

/// Checks one step of the follow-up, with a French message naming both statuses.
pub fn check_transition(from: ReferralStatus, to: ReferralStatus) -> Result<(), ParseError> {
    if from.can_move_to(to) {
        Ok(())
    } else {
        Err(ParseError::new(
            "Statut du signalement",
            format!(
                "un signalement « {} » ne peut pas passer à « {} »",
                from.label(),
                to.label()
            ),
        ))
    }
}

vocabulary!(
    /// The national grid of problems (PRODUCT.md, first version).
    ProblemCategory, "catégorie", {
        DomesticViolence => ("domestic_violence", "Violences conjugales"),
        IntrafamilyViolence => ("intrafamily_violence", "Violences intrafamiliales (autres)"),
        ChildInDanger => ("child_in_danger", "Enfant en danger / mineur victime"),
        RunawayMinor => ("runaway_minor", "Mineur en fugue"),
        FamilyConflict => ("family_conflict", "Conflit familial / séparation / non-représentation d'enfant"),
        NeighbourConflict => ("neighbour_conflict", "Conflit de voisinage"),
        VulnerablePerson => ("vulnerable_person", "Personne vulnérable ou âgée"),
        SocialDistress => ("social_distress", "Détresse sociale / précarité"),
        Housing => ("housing", "Logement / expulsion"),
        MentalHealth => ("mental_health", "Troubles psychiques"),
        Addiction => ("addiction", "Addictions"),
        SuicideRisk => ("suicide_risk", "Tentative de suicide / risque suicidaire"),
        Radicalisation => ("radicalisation", "Radicalisation"),
        Other => ("other", "Autre"),
    }
);

vocabulary!(
    /// Age bands of the activity statistics.
    AgeBand, "tranche d'âge", {
        Under18 => ("under_18", "< 18"),
        From18To24 => ("18_24", "18–24"),
        From25To59 => ("25_59", "25–59"),
        From60 => ("60_plus", "≥ 60"),
    }
);

/// The same day `years` later. A 29 February lands on 28 February in a common year: a period
/// counted in years ends on the last day of the month when that day does not exist (Code de
/// procédure civile, art. 641), and a birthday follows the same rule.
pub(crate) fn add_years(date: Date, years: i32) -> Option<Date> {
    let year = date.year().checked_add(years)?;
    Date::from_calendar_date(year, date.month(), date.day())
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .ok()
}

/// Age in completed years on `on`; `None` when born after that day.
pub fn age_on(birth_date: Date, on: Date) -> Option<i32> {
    if birth_date > on {
        return None;
    }
    let years = on.year() - birth_date.year();
    match add_years(birth_date, years) {
        Some(birthday) if birthday <= on => Some(years),
        _ => Some(years - 1),
    }
}

impl AgeBand {
    /// The band of a person born on `birth_date`, on `on`; `None` for a birth date after that
    /// day (a typing error that must not be counted as a child).
    pub fn of(birth_date: Date, on: Date) -> Option<AgeBand> {
        Some(match age_on(birth_date, on)? {
            ..18 => AgeBand::Under18,
            18..=24 => AgeBand::From18To24,
            25..=59 => AgeBand::From25To59,
            _ => AgeBand::From60,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    /// The allowed edges written out once more, independently of `can_move_to`.
    const EDGES: &[(&str, &str)] = &[
        ("received", "contact_attempted"),
        ("received", "in_contact"),
        ("received", "unreachable"),
        ("received", "declined"),
        ("received", "closed"),
        ("contact_attempted", "in_contact"),
        ("contact_attempted", "unreachable"),
        ("contact_attempted", "declined"),
        ("contact_attempted", "closed"),
        ("in_contact", "closed"),
        ("unreachable", "contact_attempted"),
        ("unreachable", "in_contact"),
        ("unreachable", "closed"),
        ("declined", "closed"),
    ];

    fn is_edge(from: ReferralStatus, to: ReferralStatus) -> bool {
        EDGES.contains(&(from.code(), to.code()))
    }

    #[test]
    fn the_follow_up_allows_exactly_the_listed_steps() {
        for &from in ReferralStatus::ALL {
            for &to in ReferralStatus::ALL {
                assert_eq!(from.can_move_to(to), is_edge(from, to), "{from:?} → {to:?}");
                assert_eq!(check_transition(from, to).is_ok(), is_edge(from, to));
            }
            assert!(!from.can_move_to(from));
        }
    }

    #[test]
    fn a_refused_step_names_both_statuses_in_french() {
        let error = check_transition(ReferralStatus::Closed, ReferralStatus::InContact)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "Statut du signalement : un signalement « Clôturé » ne peut pas passer à « En contact »"
        );
    }

    #[test]
    fn only_a_closed_referral_is_not_open_and_the_officer_sees_every_status() {
        for &status in ReferralStatus::ALL {
            assert_eq!(status.is_open(), status != ReferralStatus::Closed);
            assert!(status.is_visible_to_officer());
        }
    }

    #[test]
    fn the_grid_has_fourteen_categories_with_stable_codes() {
        assert_eq!(ProblemCategory::ALL.len(), 14);
        for &category in ProblemCategory::ALL {
            assert_eq!(ProblemCategory::parse(category.code()), Ok(category));
        }
        assert_eq!(
            ProblemCategory::ChildInDanger.label(),
            "Enfant en danger / mineur victime"
        );
    }

    #[test]
    fn age_bands_change_on_the_birthday() {
        let born = date!(2008 - 06 - 15);
        assert_eq!(
            AgeBand::of(born, date!(2026 - 06 - 14)),
            Some(AgeBand::Under18)
        );
        assert_eq!(
            AgeBand::of(born, date!(2026 - 06 - 15)),
            Some(AgeBand::From18To24)
        );
        let born = date!(2001 - 03 - 01);
        assert_eq!(
            AgeBand::of(born, date!(2026 - 02 - 28)),
            Some(AgeBand::From18To24)
        );
        assert_eq!(
            AgeBand::of(born, date!(2026 - 03 - 01)),
            Some(AgeBand::From25To59)
        );
        let born = date!(1966 - 01 - 01);
        assert_eq!(
            AgeBand::of(born, date!(2025 - 12 - 31)),
            Some(AgeBand::From25To59)
        );
        assert_eq!(
            AgeBand::of(born, date!(2026 - 01 - 01)),
            Some(AgeBand::From60)
        );
        assert_eq!(
            AgeBand::of(date!(2026 - 01 - 02), date!(2026 - 01 - 01)),
            None
        );
        assert_eq!(
            AgeBand::of(date!(2026 - 01 - 01), date!(2026 - 01 - 01)),
            Some(AgeBand::Under18)
        );
    }

    #[test]
    fn born_on_29_february_a_person_ages_on_28_february_of_common_years() {
        let born = date!(2008 - 02 - 29);
        assert_eq!(age_on(born, date!(2026 - 02 - 27)), Some(17));
        assert_eq!(age_on(born, date!(2026 - 02 - 28)), Some(18));
        assert_eq!(
            AgeBand::of(born, date!(2026 - 02 - 28)),
            Some(AgeBand::From18To24)
        );
        // In a leap year the birthday is the 29th itself.
        assert_eq!(age_on(born, date!(2028 - 02 - 28)), Some(19));
        assert_eq!(age_on(born, date!(2028 - 02 - 29)), Some(20));
    }

    fn any_status() -> impl Strategy<Value = ReferralStatus> {
        (0..ReferralStatus::ALL.len()).prop_map(|i| ReferralStatus::ALL[i])
    }

    proptest! {
        #[test]
        fn no_illegal_step_is_ever_accepted(steps in proptest::collection::vec(any_status(), 0..40)) {
            let mut status = ReferralStatus::Received;
            for next in steps {
                let closed_before = status == ReferralStatus::Closed;
                if check_transition(status, next).is_ok() {
                    prop_assert!(is_edge(status, next));
                    prop_assert!(!closed_before, "closed is terminal");
                    status = next;
                }
            }
        }
    }
}
