//! A person followed by a post: the minimal identity the social worker keeps (names incl.
//! birth name, first names, sex, birth date, phone, commune) and whether a social service
//! already knew them at intake. Identity is sealed in storage; sex, age band and "known to a
//! social service" stay clear because the statistics count them.

use crate::ParseError;
use crate::day::parse_day;
use crate::referral::case::{KnownToSocialServices, Sex};
use crate::referral::person_name::PersonKey;
use crate::referral::{AgeBand, PhoneNumber, single_line};
use serde::{Deserialize, Serialize};
use time::Date;

crate::vocabulary!(
    /// How another person of the household relates to a person: "X is the child of Y".
    HouseholdRelation, "lien familial", {
        Partner => ("partner", "Conjoint·e ou ex-conjoint·e"),
        Child => ("child", "Enfant"),
        Parent => ("parent", "Parent"),
        Sibling => ("sibling", "Frère ou sœur"),
        Other => ("other", "Autre membre du foyer"),
    }
);

impl HouseholdRelation {
    /// The same link read from the other person: the child of a parent has that parent.
    pub fn reverse(self) -> HouseholdRelation {
        match self {
            HouseholdRelation::Child => HouseholdRelation::Parent,
            HouseholdRelation::Parent => HouseholdRelation::Child,
            other => other,
        }
    }
}

/// Longest name part accepted (compound names included).
pub const NAME_MAX_CHARS: usize = 100;
/// Nobody followed today was born before this year.
const EARLIEST_BIRTH_YEAR: i32 = 1900;

/// The person form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonForm {
    pub last_name: String,
    pub birth_name: String,
    pub first_names: String,
    pub sex: String,
    pub birth_date: String,
    pub phone: String,
    pub commune: String,
    pub known_to_social_services: String,
}

/// A person's identity, as sealed: only what the social worker typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub last_name: Option<String>,
    pub birth_name: Option<String>,
    pub first_names: Option<String>,
    pub birth_date: Option<Date>,
    /// International form.
    pub phone: Option<String>,
    pub commune: Option<String>,
}

impl Identity {
    /// What duplicate detection compares.
    pub fn key(&self) -> PersonKey {
        PersonKey {
            last_name: self.last_name.clone().unwrap_or_default(),
            birth_name: self.birth_name.clone(),
            first_names: self.first_names.clone().unwrap_or_default(),
            birth_date: self.birth_date,
        }
    }

    /// "Maëlle Orlanne (née Durand), 12/03/1987": how a list names a person.
    pub fn display_name(&self) -> String {
        let mut name = [self.first_names.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(birth_name) = &self.birth_name {
            name.push_str(&format!(" (né·e {birth_name})"));
        }
        if name.is_empty() {
            name.push_str("Personne sans nom");
        }
        name
    }
}

/// A valid person: its sealed identity and its clear, counted attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPerson {
    pub identity: Identity,
    pub sex: Sex,
    pub known_to_social_services: KnownToSocialServices,
}

impl ValidPerson {
    /// The age band on `day` (intake), when the birth date is known.
    pub fn age_band(&self, day: Date) -> Option<AgeBand> {
        self.identity
            .birth_date
            .and_then(|born| AgeBand::of(born, day))
    }
}

/// Checks a person form on `today`; every problem is reported at once, each naming its field.
pub fn validate_person(form: &PersonForm, today: Date) -> Result<ValidPerson, Vec<ParseError>> {
    let mut errors = Vec::new();
    let last_name = single_line(&form.last_name, "Nom", NAME_MAX_CHARS, &mut errors);
    let birth_name = single_line(
        &form.birth_name,
        "Nom de naissance",
        NAME_MAX_CHARS,
        &mut errors,
    );
    let first_names = single_line(&form.first_names, "Prénoms", NAME_MAX_CHARS, &mut errors);
    let commune = single_line(&form.commune, "Commune", NAME_MAX_CHARS, &mut errors);
    if last_name.is_none() && first_names.is_none() && errors.is_empty() {
        errors.push(ParseError::new(
            "Nom",
            "indiquez au moins un nom ou un prénom",
        ));
    }
    let sex = match form.sex.trim() {
        "" => Ok(Sex::Unknown),
        code => Sex::parse(code),
    };
    let known = match form.known_to_social_services.trim() {
        "" => Ok(KnownToSocialServices::Unknown),
        code => KnownToSocialServices::parse(code),
    };
    let birth_date = match form.birth_date.trim() {
        "" => None,
        text => match parse_day("Date de naissance", text) {
            Ok(day) if day > today => {
                errors.push(ParseError::new(
                    "Date de naissance",
                    "elle est dans le futur",
                ));
                None
            }
            Ok(day) if day.year() < EARLIEST_BIRTH_YEAR => {
                errors.push(ParseError::new(
                    "Date de naissance",
                    format!("elle est antérieure à {EARLIEST_BIRTH_YEAR}"),
                ));
                None
            }
            Ok(day) => Some(day),
            Err(error) => {
                errors.push(error);
                None
            }
        },
    };
    let phone = match form.phone.trim() {
        "" => None,
        text => match PhoneNumber::parse(text) {
            Ok(phone) => Some(phone.as_str().to_string()),
            Err(error) => {
                errors.push(ParseError::new("Téléphone", error.reason));
                None
            }
        },
    };
    let sex = sex
        .map_err(|e| errors.push(ParseError::new("Sexe", e.reason)))
        .ok();
    let known = known
        .map_err(|e| errors.push(ParseError::new("Connue d'un service social", e.reason)))
        .ok();
    match (errors.is_empty(), sex, known) {
        (true, Some(sex), Some(known_to_social_services)) => Ok(ValidPerson {
            identity: Identity {
                // A birth name equal to the usual name says nothing more.
                birth_name: birth_name.filter(|b| Some(b) != last_name.as_ref()),
                last_name,
                first_names,
                birth_date,
                phone,
                commune,
            },
            sex,
            known_to_social_services,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 29);

    fn form() -> PersonForm {
        PersonForm {
            last_name: "  Le Gall-Kerjean ".into(),
            birth_name: "Durand".into(),
            first_names: "Maëlle  Anne".into(),
            sex: "female".into(),
            birth_date: "12/03/1987".into(),
            phone: "06 12 34 56 78".into(),
            commune: "Rennes".into(),
            known_to_social_services: "no".into(),
        }
    }

    #[test]
    fn household_links_read_back_the_other_way() {
        for &relation in HouseholdRelation::ALL {
            assert_eq!(relation.reverse().reverse(), relation);
        }
        assert_eq!(
            HouseholdRelation::Child.reverse(),
            HouseholdRelation::Parent
        );
        assert_eq!(
            HouseholdRelation::Partner.reverse(),
            HouseholdRelation::Partner
        );
    }

    #[test]
    fn a_full_identity_is_cleaned_and_kept() {
        let person = validate_person(&form(), TODAY).unwrap();
        assert_eq!(
            person.identity.last_name.as_deref(),
            Some("Le Gall-Kerjean")
        );
        assert_eq!(person.identity.first_names.as_deref(), Some("Maëlle Anne"));
        assert_eq!(person.identity.birth_date, Some(date!(1987 - 03 - 12)));
        assert_eq!(person.identity.phone.as_deref(), Some("+33612345678"));
        assert_eq!(person.sex, Sex::Female);
        assert_eq!(person.known_to_social_services, KnownToSocialServices::No);
        assert_eq!(person.age_band(TODAY), Some(AgeBand::From25To59));
        assert_eq!(
            person.identity.display_name(),
            "Maëlle Anne Le Gall-Kerjean (né·e Durand)"
        );
    }

    #[test]
    fn only_a_first_name_is_enough_and_blanks_mean_unknown() {
        let person = validate_person(
            &PersonForm {
                first_names: "Léo".into(),
                ..PersonForm::default()
            },
            TODAY,
        )
        .unwrap();
        assert_eq!(person.sex, Sex::Unknown);
        assert_eq!(
            person.known_to_social_services,
            KnownToSocialServices::Unknown
        );
        assert_eq!(person.age_band(TODAY), None);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let bad = PersonForm {
            last_name: "x".repeat(101),
            birth_name: "a\u{0}b".into(),
            first_names: String::new(),
            sex: "autre".into(),
            birth_date: "31/02/1990".into(),
            phone: "12".into(),
            commune: String::new(),
            known_to_social_services: "peut-être".into(),
        };
        let fields: Vec<&str> = validate_person(&bad, TODAY)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        for field in [
            "Nom",
            "Nom de naissance",
            "Sexe",
            "Date de naissance",
            "Téléphone",
            "Connue d'un service social",
        ] {
            assert!(fields.contains(&field), "{field} not named in {fields:?}");
        }
        let nobody = validate_person(&PersonForm::default(), TODAY).unwrap_err();
        assert_eq!(nobody[0].field, "Nom");
        let future = PersonForm {
            birth_date: "01/01/2027".into(),
            ..form()
        };
        assert!(
            validate_person(&future, TODAY).unwrap_err()[0]
                .reason
                .contains("futur")
        );
        let ancient = PersonForm {
            birth_date: "01/01/1850".into(),
            ..form()
        };
        assert!(validate_person(&ancient, TODAY).is_err());
    }

    proptest! {
        #[test]
        fn any_form_is_accepted_or_refused_with_named_fields(
            last in "\\PC{0,30}", first in "\\PC{0,30}", born in "\\PC{0,12}", phone in "\\PC{0,14}",
        ) {
            let form = PersonForm { last_name: last, first_names: first, birth_date: born, phone, ..PersonForm::default() };
            match validate_person(&form, TODAY) {
                Ok(person) => prop_assert!(person.identity.last_name.is_some() || person.identity.first_names.is_some()),
                Err(errors) => prop_assert!(!errors.is_empty() && errors.iter().all(|e| !e.field.is_empty())),
            }
        }
    }
}
