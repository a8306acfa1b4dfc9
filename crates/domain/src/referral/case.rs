//! The case file a social worker keeps under professional secrecy: interviews, actions,
//! orientations to partners, notes, closure, and how long it may be kept.

use crate::referral::add_years;
use crate::{ParseError, vocabulary};
use time::Date;

vocabulary!(
    /// Where an interview took place.
    InterviewPlace, "lieu de l'entretien", {
        AtUnit => ("at_unit", "À l'unité"),
        AtHome => ("at_home", "À domicile"),
        Phone => ("phone", "Téléphone"),
        Visio => ("visio", "Visio"),
        Office => ("office", "Au bureau"),
    }
);

vocabulary!(
    /// What the social worker did for the person.
    ActionKind, "action", {
        Listening => ("listening", "Écoute"),
        RightsInformation => ("rights_information", "Information sur les droits"),
        ProceduresHelp => ("procedures_help", "Aide aux démarches"),
        EmergencyShelter => ("emergency_shelter", "Mise à l'abri"),
        ComplaintSupport => ("complaint_support", "Accompagnement au dépôt de plainte"),
        InformationPreoccupante => ("information_preoccupante", "Information préoccupante"),
        ProsecutorReport => ("prosecutor_report", "Signalement au procureur"),
    }
);

vocabulary!(
    /// The kind of partner a person is oriented to, as in the partner directory.
    PartnerType, "type de partenaire", {
        Cidff => ("cidff", "CIDFF"),
        FranceVictimes => ("france_victimes", "Association France Victimes"),
        DepartementSocial => ("departement_social", "Service social du département"),
        Ccas => ("ccas", "CCAS"),
        AseCrip => ("ase_crip", "ASE / CRIP"),
        Siao => ("siao", "115 / SIAO"),
        Cmp => ("cmp", "CMP"),
        Mjd => ("mjd", "MJD"),
        Lawyer => ("lawyer", "Avocat"),
        Landlord => ("landlord", "Bailleur"),
        Shelter => ("shelter", "Hébergement"),
        Other => ("other", "Autre"),
    }
);

vocabulary!(
    /// Where an orientation stands: proposed → accepted → done or failed; a proposal can also
    /// fail outright.
    OrientationStatus, "statut de l'orientation", {
        Proposed => ("proposed", "Proposée"),
        Accepted => ("accepted", "Acceptée"),
        Done => ("done", "Réalisée"),
        Failed => ("failed", "Non aboutie"),
    }
);

impl OrientationStatus {
    /// Whether an orientation may go from `self` to `next` directly.
    pub fn can_move_to(self, next: OrientationStatus) -> bool {
        use OrientationStatus::*;
        matches!(
            (self, next),
            (Proposed, Accepted | Failed) | (Accepted, Done | Failed)
        )
    }

    /// Done and failed orientations are the outcome counted in the statistics.
    pub fn is_final(self) -> bool {
        matches!(self, OrientationStatus::Done | OrientationStatus::Failed)
    }
}

vocabulary!(
    /// Who may read a confidential note.
    NoteVisibility, "visibilité de la note", {
        Author => ("author", "Moi seul(e)"),
        Team => ("team", "L'équipe du poste"),
    }
);

vocabulary!(
    /// Whether the person was known to a social service at intake: about half are not, the
    /// "publics invisibles" the scheme reaches.
    KnownToSocialServices, "connu des services sociaux", {
        Yes => ("yes", "Oui"),
        No => ("no", "Non"),
        Unknown => ("unknown", "Ne sait pas"),
    }
);

vocabulary!(
    /// Sex as counted in the activity statistics.
    Sex, "sexe", {
        Female => ("female", "Femme"),
        Male => ("male", "Homme"),
        Unknown => ("unknown", "Non renseigné"),
    }
);

/// A case ends like a referral: oriented, resolved, transferred or without follow-up. One
/// vocabulary, so that the statistics of both add up.
pub type CaseOutcome = crate::referral::ClosureOutcome;

/// A case is kept two years after the last contact (CNIL reference framework for social
/// support), then purged or anonymised.
pub const RETENTION_YEARS: u16 = 2;

/// Whether a case whose last contact was on `last_contact` is past its retention on `today`:
/// strictly more than `years` years later. The period ends on the same day `years` later, or
/// on 28 February for a 29 February (Code de procédure civile, art. 641), and the case is
/// purged from the next day.
pub fn is_past_retention(last_contact: Date, today: Date, years: u16) -> bool {
    match add_years(last_contact, i32::from(years)) {
        Some(end) => today > end,
        None => false,
    }
}

/// Length of an interview, in minutes: at least one, at most ten hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct InterviewDuration(u16);

impl InterviewDuration {
    pub const MAX_MINUTES: u16 = 600;

    pub fn new(minutes: u32) -> Result<InterviewDuration, ParseError> {
        match u16::try_from(minutes) {
            Ok(minutes @ 1..=Self::MAX_MINUTES) => Ok(InterviewDuration(minutes)),
            _ => Err(ParseError::new(
                "Durée de l'entretien",
                format!(
                    "elle doit être comprise entre 1 et {} minutes (10 heures)",
                    Self::MAX_MINUTES
                ),
            )),
        }
    }

    /// A whole number of minutes, as typed in the form.
    pub fn parse(text: &str) -> Result<InterviewDuration, ParseError> {
        let text = text.trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(
                "Durée de l'entretien",
                "indiquez un nombre entier de minutes, par exemple 45",
            ));
        }
        Self::new(text.parse().unwrap_or(u32::MAX))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn orientations_move_forward_only() {
        use OrientationStatus::*;
        let allowed = [
            (Proposed, Accepted),
            (Proposed, Failed),
            (Accepted, Done),
            (Accepted, Failed),
        ];
        for &from in OrientationStatus::ALL {
            for &to in OrientationStatus::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    allowed.contains(&(from, to)),
                    "{from:?} → {to:?}"
                );
            }
        }
        assert!(!Proposed.can_move_to(Done));
        assert!(Done.is_final() && Failed.is_final());
        assert!(!Proposed.is_final() && !Accepted.is_final());
    }

    #[test]
    fn vocabularies_parse_their_codes_and_speak_french() {
        assert_eq!(InterviewPlace::parse("at_unit"), Ok(InterviewPlace::AtUnit));
        assert_eq!(InterviewPlace::AtUnit.label(), "À l'unité");
        assert_eq!(PartnerType::ALL.len(), 12);
        assert_eq!(PartnerType::Siao.label(), "115 / SIAO");
        assert_eq!(
            ActionKind::InformationPreoccupante.code(),
            "information_preoccupante"
        );
        assert_eq!(NoteVisibility::Author.label(), "Moi seul(e)");
        assert_eq!(Sex::Unknown.label(), "Non renseigné");
        assert_eq!(
            KnownToSocialServices::parse(" no "),
            Ok(KnownToSocialServices::No)
        );
        assert_eq!(CaseOutcome::NoFollowUp.label(), "Sans suite");
        assert!(
            Sex::parse("x")
                .unwrap_err()
                .to_string()
                .starts_with("sexe : « x »")
        );
    }

    #[test]
    fn a_case_is_kept_two_full_years_after_the_last_contact() {
        let last = date!(2024 - 05 - 10);
        assert!(!is_past_retention(
            last,
            date!(2026 - 05 - 10),
            RETENTION_YEARS
        ));
        assert!(is_past_retention(
            last,
            date!(2026 - 05 - 11),
            RETENTION_YEARS
        ));
        assert!(!is_past_retention(last, last, RETENTION_YEARS));
        assert!(!is_past_retention(
            last,
            date!(2020 - 01 - 01),
            RETENTION_YEARS
        ));
        assert!(is_past_retention(last, date!(2024 - 05 - 11), 0));
    }

    #[test]
    fn a_last_contact_on_29_february_ends_on_28_february() {
        let last = date!(2024 - 02 - 29);
        assert!(!is_past_retention(last, date!(2026 - 02 - 28), 2));
        assert!(is_past_retention(last, date!(2026 - 03 - 01), 2));
        // Four years on, 29 February exists again.
        assert!(!is_past_retention(last, date!(2028 - 02 - 29), 4));
        assert!(is_past_retention(last, date!(2028 - 03 - 01), 4));
    }

    #[test]
    fn an_interview_lasts_from_one_minute_to_ten_hours() {
        assert_eq!(
            InterviewDuration::parse(" 45 ").map(InterviewDuration::minutes),
            Ok(45)
        );
        assert_eq!(
            InterviewDuration::parse("1").map(InterviewDuration::minutes),
            Ok(1)
        );
        assert_eq!(
            InterviewDuration::parse("600").map(InterviewDuration::minutes),
            Ok(600)
        );
        for typed in [
            "0",
            "601",
            "",
            "-5",
            "1h30",
            "45 min",
            "4,5",
            "99999999999999999999",
        ] {
            let error = InterviewDuration::parse(typed).unwrap_err();
            assert_eq!(error.field, "Durée de l'entretien", "{typed}");
        }
        assert_eq!(
            InterviewDuration::new(0).unwrap_err().to_string(),
            "Durée de l'entretien : elle doit être comprise entre 1 et 600 minutes (10 heures)"
        );
        assert!(InterviewDuration::new(65_536 + 45).is_err());
    }

    proptest! {
        #[test]
        fn retention_ends_once_and_for_all(
            last in (2000i32..2100, 1u16..=365).prop_map(|(y, d)| Date::from_ordinal_date(y, d).unwrap()),
            days in 0i64..2000,
            years in 0u16..5,
        ) {
            let today = last + time::Duration::days(days);
            let tomorrow = today + time::Duration::days(1);
            if is_past_retention(last, today, years) {
                prop_assert!(is_past_retention(last, tomorrow, years));
                prop_assert!(days > 365 * i64::from(years));
            } else {
                prop_assert!(days <= 366 * i64::from(years));
            }
        }

        #[test]
        fn durations_parse_never_panics(text in any::<String>()) {
            if let Ok(duration) = InterviewDuration::parse(&text) {
                prop_assert!((1..=600).contains(&duration.minutes()));
            }
        }
    }
}
