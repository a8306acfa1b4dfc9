//! The referral form, validated: what the officer (or the social worker opening a case
//! directly) typed, checked field by field with every error at once, and kept only as far as
//! the person agreed to (without consent: counted, nobody's identity kept).

use crate::ParseError;
use crate::referral::category::CategoryGrid;
use crate::referral::danger::{DangerAssessment, DangerInput, parse_danger};
use crate::referral::{ContactChannel, PersonRole, PhoneNumber, ReferralSource, Urgency};

/// What the referral form sends, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferralInput {
    pub source: String,
    pub urgency: String,
    /// Category codes; blank entries are ignored.
    pub categories: Vec<String>,
    pub context: String,
    pub persons: Vec<PersonInput>,
    /// `yes` or `no`: the officer must ask.
    pub consent: String,
    pub contact_channel: String,
    pub contact_hours: String,
    pub procedure_reference: String,
    /// The danger grid's result; read only for domestic violence.
    pub danger: DangerInput,
}

/// One person of the referral form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonInput {
    pub role: String,
    pub last_name: String,
    pub first_name: String,
    pub phone: String,
}

/// A person of a valid referral. Without consent only the role is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferredPerson {
    role: PersonRole,
    last_name: Option<String>,
    first_name: Option<String>,
    phone: Option<PhoneNumber>,
}

impl ReferredPerson {
    pub fn role(&self) -> PersonRole {
        self.role
    }
    pub fn last_name(&self) -> Option<&str> {
        self.last_name.as_deref()
    }
    pub fn first_name(&self) -> Option<&str> {
        self.first_name.as_deref()
    }
    pub fn phone(&self) -> Option<&PhoneNumber> {
        self.phone.as_ref()
    }
}

/// How to reach the person without putting them at risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeContact {
    channel: ContactChannel,
    hours: Option<String>,
}

impl SafeContact {
    pub fn channel(&self) -> ContactChannel {
        self.channel
    }
    /// Free text such as "en semaine 9 h – 12 h, jamais le soir".
    pub fn hours(&self) -> Option<&str> {
        self.hours.as_deref()
    }
}

/// A referral that passed every rule; its fields cannot be set from outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReferral {
    source: ReferralSource,
    urgency: Urgency,
    /// Codes of the grid's categories.
    categories: Vec<String>,
    context: String,
    persons: Vec<ReferredPerson>,
    consent: bool,
    safe_contact: Option<SafeContact>,
    procedure_reference: Option<String>,
    danger: Option<DangerAssessment>,
}

impl ValidReferral {
    pub fn source(&self) -> ReferralSource {
        self.source
    }
    pub fn urgency(&self) -> Urgency {
        self.urgency
    }
    /// Distinct, in the order of the grid.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }
    pub fn context(&self) -> &str {
        &self.context
    }
    pub fn persons(&self) -> &[ReferredPerson] {
        &self.persons
    }
    pub fn consent(&self) -> bool {
        self.consent
    }
    /// Without the person's consent the referral only counts in the statistics: no name, no
    /// phone and no contact instructions were kept.
    pub fn anonymous_count_only(&self) -> bool {
        !self.consent
    }
    pub fn safe_contact(&self) -> Option<&SafeContact> {
        self.safe_contact.as_ref()
    }
    /// Opaque: never parsed nor linked to a police file.
    pub fn procedure_reference(&self) -> Option<&str> {
        self.procedure_reference.as_deref()
    }
    /// The danger grid's result, for domestic violence only, when the officer gave it.
    pub fn danger(&self) -> Option<DangerAssessment> {
        self.danger
    }
}

pub const CONTEXT_MAX_CHARS: usize = 1000;
pub const NAME_MAX_CHARS: usize = 100;
pub const CONTACT_HOURS_MAX_CHARS: usize = 200;
pub const PROCEDURE_REFERENCE_MAX_CHARS: usize = 64;
/// A household rarely has more; the bound also keeps field names static.
pub const MAX_PERSONS: usize = 12;

macro_rules! person_fields {
    ($($n:literal),+) => {
        [$([
            concat!("Personne ", $n, " — rôle"),
            concat!("Personne ", $n, " — nom"),
            concat!("Personne ", $n, " — prénom"),
            concat!("Personne ", $n, " — téléphone"),
        ]),+]
    };
}

/// Field names of each person of the form, numbered from 1 as on screen.
const PERSON_FIELDS: [[&str; 4]; MAX_PERSONS] = person_fields!(
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"
);

fn relabel(field: &'static str, error: ParseError) -> ParseError {
    ParseError::new(field, error.reason)
}

/// Control characters are refused: they are invisible on screen and some databases reject
/// them (PostgreSQL refuses NUL in text).
fn has_control(text: &str, allow_line_breaks: bool) -> bool {
    text.chars()
        .any(|c| c.is_control() && !(allow_line_breaks && matches!(c, '\n' | '\r' | '\t')))
}

/// A single-line free text: trimmed, inner runs of spaces collapsed, `None` when blank.
pub(crate) fn single_line(
    text: &str,
    field: &'static str,
    max_chars: usize,
    errors: &mut Vec<ParseError>,
) -> Option<String> {
    if has_control(text, false) {
        errors.push(ParseError::new(
            field,
            "contient des caractères de contrôle invisibles",
        ));
        return None;
    }
    let cleaned = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let count = cleaned.chars().count();
    if count > max_chars {
        errors.push(ParseError::new(
            field,
            format!("{max_chars} caractères au plus ({count} saisis)"),
        ));
        return None;
    }
    (!cleaned.is_empty()).then_some(cleaned)
}

fn parse_consent(text: &str) -> Result<bool, ParseError> {
    match text.trim() {
        "yes" => Ok(true),
        "no" => Ok(false),
        "" => Err(ParseError::new(
            "Consentement",
            "indiquez si la personne accepte d'être contactée par l'intervenant social",
        )),
        _ => Err(ParseError::new(
            "Consentement",
            "répondez par oui (yes) ou non (no)",
        )),
    }
}

/// Checks a referral and keeps only what may be kept. Every error is reported at once, each
/// naming its field as on the form. Without consent, names, phones and contact instructions
/// are neither checked nor kept: they are dropped here so they never reach storage.
pub fn validate_referral(
    input: &ReferralInput,
    grid: &CategoryGrid,
) -> Result<ValidReferral, Vec<ParseError>> {
    let mut errors = Vec::new();

    let source = ReferralSource::parse(&input.source)
        .map_err(|e| errors.push(relabel("Origine", e)))
        .ok();
    let urgency = Urgency::parse(&input.urgency)
        .map_err(|e| errors.push(relabel("Urgence", e)))
        .ok();

    let mut chosen = Vec::new();
    for code in input
        .categories
        .iter()
        .filter(|code| !code.trim().is_empty())
    {
        match grid.parse_active(code) {
            Ok(category) => chosen.push(category.code.as_str()),
            Err(e) => errors.push(relabel("Motifs", e)),
        }
    }
    let categories: Vec<String> = grid
        .active()
        .filter(|category| chosen.contains(&category.code.as_str()))
        .map(|category| category.code.clone())
        .collect();
    if categories.is_empty() && input.categories.iter().all(|c| c.trim().is_empty()) {
        errors.push(ParseError::new("Motifs", "choisissez au moins un motif"));
    }

    let danger = parse_danger(&input.danger, &categories, &mut errors);

    let consent = parse_consent(&input.consent)
        .map_err(|e| errors.push(e))
        .ok();
    let keep_identity = consent == Some(true);

    // The facts are kept only with consent (an anonymous count keeps none): asked only then.
    let context = if consent == Some(false) {
        ""
    } else {
        input.context.trim()
    };
    let context_chars = context.chars().count();
    if consent == Some(false) {
        // Nothing to check: nothing is kept.
    } else if context.is_empty() {
        errors.push(ParseError::new("Faits", "décrivez brièvement la situation"));
    } else if context_chars > CONTEXT_MAX_CHARS {
        errors.push(ParseError::new(
            "Faits",
            format!("{CONTEXT_MAX_CHARS} caractères au plus ({context_chars} saisis)"),
        ));
    } else if has_control(context, true) {
        errors.push(ParseError::new(
            "Faits",
            "contient des caractères de contrôle invisibles",
        ));
    }

    if input.persons.is_empty() {
        errors.push(ParseError::new(
            "Personnes",
            "indiquez au moins une personne",
        ));
    } else if input.persons.len() > MAX_PERSONS {
        errors.push(ParseError::new(
            "Personnes",
            format!("{MAX_PERSONS} personnes au plus par signalement"),
        ));
    }
    let mut persons = Vec::new();
    for (person, fields) in input.persons.iter().zip(PERSON_FIELDS.iter()) {
        let [role_field, last_field, first_field, phone_field] = *fields;
        let role = PersonRole::parse(&person.role)
            .map_err(|e| errors.push(relabel(role_field, e)))
            .ok();
        let (mut last_name, mut first_name, mut phone) = (None, None, None);
        if keep_identity {
            last_name = single_line(&person.last_name, last_field, NAME_MAX_CHARS, &mut errors);
            first_name = single_line(&person.first_name, first_field, NAME_MAX_CHARS, &mut errors);
            if last_name.is_none()
                && first_name.is_none()
                && !errors
                    .iter()
                    .any(|e| e.field == last_field || e.field == first_field)
            {
                errors.push(ParseError::new(
                    last_field,
                    "indiquez au moins le nom ou le prénom",
                ));
            }
            if !person.phone.trim().is_empty() {
                phone = PhoneNumber::parse(&person.phone)
                    .map_err(|e| errors.push(relabel(phone_field, e)))
                    .ok();
            }
        }
        if let Some(role) = role {
            persons.push(ReferredPerson {
                role,
                last_name,
                first_name,
                phone,
            });
        }
    }

    let mut safe_contact = None;
    if keep_identity {
        // Left blank, the channel follows what was given: a call when the person helped left
        // a number, otherwise through the unit. Never a refusal for a default.
        let channel = if input.contact_channel.trim().is_empty() {
            Some(
                if persons
                    .iter()
                    .any(|p| p.phone.is_some() && p.role != PersonRole::Suspect)
                {
                    ContactChannel::PhoneCall
                } else {
                    ContactChannel::ViaUnit
                },
            )
        } else {
            ContactChannel::parse(&input.contact_channel)
                .map_err(|e| errors.push(relabel("Contact sûr — canal", e)))
                .ok()
        };
        let hours = single_line(
            &input.contact_hours,
            "Contact sûr — horaires et consignes",
            CONTACT_HOURS_MAX_CHARS,
            &mut errors,
        );
        // A call or a text must reach the person helped, never the other party.
        if matches!(
            channel,
            Some(ContactChannel::PhoneCall | ContactChannel::Sms)
        ) && !persons
            .iter()
            .any(|p| p.phone.is_some() && p.role != PersonRole::Suspect)
            && !errors.iter().any(|e| e.field.ends_with("téléphone"))
        {
            errors.push(ParseError::new(
                "Contact sûr — canal",
                "un appel ou un SMS demande le numéro d'une personne autre que le mis en cause",
            ));
        }
        safe_contact = channel.map(|channel| SafeContact { channel, hours });
    }

    let procedure_reference = {
        let reference = input.procedure_reference.trim();
        let count = reference.chars().count();
        if count > PROCEDURE_REFERENCE_MAX_CHARS {
            errors.push(ParseError::new(
                "Référence de procédure",
                format!("{PROCEDURE_REFERENCE_MAX_CHARS} caractères au plus ({count} saisis)"),
            ));
            None
        } else if has_control(reference, false) {
            errors.push(ParseError::new(
                "Référence de procédure",
                "contient des caractères de contrôle invisibles",
            ));
            None
        } else {
            (!reference.is_empty()).then(|| reference.to_owned())
        }
    };

    match (source, urgency, consent) {
        (Some(source), Some(urgency), Some(consent)) if errors.is_empty() => Ok(ValidReferral {
            source,
            urgency,
            categories,
            context: context.to_owned(),
            persons,
            consent,
            safe_contact,
            procedure_reference,
            danger,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn person(role: &str, last: &str, first: &str, phone: &str) -> PersonInput {
        PersonInput {
            role: role.into(),
            last_name: last.into(),
            first_name: first.into(),
            phone: phone.into(),
        }
    }

    #[test]
    fn the_danger_grid_is_kept_for_domestic_violence_and_its_errors_join_the_others() {
        use crate::referral::danger::{DangerConclusion, FIELD_CONCLUSION};
        let grid = CategoryGrid::first();
        let mut input = good_input();
        input.danger = DangerInput {
            filled: "yes".into(),
            conclusion: "characterised".into(),
            alarm_criteria: "9".into(),
        };
        let referral = validate_referral(&input, &grid).unwrap();
        assert!(matches!(
            referral.danger(),
            Some(DangerAssessment::Filled {
                conclusion: DangerConclusion::Characterised,
                ..
            })
        ));
        input.danger.filled = "no".into();
        input.context = String::new();
        let errors = validate_referral(&input, &grid).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert!(
            fields.contains(&FIELD_CONCLUSION) && fields.contains(&"Faits"),
            "{fields:?}"
        );
        input.categories = vec!["housing".into()];
        input.context = "Des faits".into();
        assert_eq!(validate_referral(&input, &grid).unwrap().danger(), None);
    }

    fn good_input() -> ReferralInput {
        ReferralInput {
            source: "intervention".into(),
            urgency: "within_48h".into(),
            categories: vec![
                "housing".into(),
                "domestic_violence".into(),
                "housing".into(),
                " ".into(),
            ],
            context: "  Intervention au domicile, dispute, deux enfants présents.  ".into(),
            persons: vec![
                person("victim", "  Le  Gall ", "Anne", "06 12 34 56 78"),
                person("suspect", "Le Gall", "", ""),
                person("child", "", "Léo", ""),
            ],
            consent: "yes".into(),
            contact_channel: "sms".into(),
            contact_hours: "en semaine, 9 h – 12 h".into(),
            procedure_reference: " PV 2026/001234 ".into(),
            danger: Default::default(),
        }
    }

    #[test]
    fn a_complete_referral_is_kept_cleaned() {
        let referral = validate_referral(&good_input(), &CategoryGrid::first()).unwrap();
        assert_eq!(referral.source(), ReferralSource::Intervention);
        assert_eq!(referral.urgency(), Urgency::Within48h);
        assert_eq!(referral.categories(), &["domestic_violence", "housing"]);
        assert_eq!(
            referral.context(),
            "Intervention au domicile, dispute, deux enfants présents."
        );
        assert!(!referral.anonymous_count_only());
        let victim = &referral.persons()[0];
        assert_eq!(victim.role(), PersonRole::Victim);
        assert_eq!(victim.last_name(), Some("Le Gall"));
        assert_eq!(
            victim.phone().map(PhoneNumber::as_str),
            Some("+33612345678")
        );
        assert_eq!(referral.persons()[2].last_name(), None);
        assert_eq!(referral.persons()[2].first_name(), Some("Léo"));
        let contact = referral.safe_contact().unwrap();
        assert_eq!(contact.channel(), ContactChannel::Sms);
        assert_eq!(contact.hours(), Some("en semaine, 9 h – 12 h"));
        assert_eq!(referral.procedure_reference(), Some("PV 2026/001234"));
    }

    #[test]
    fn without_consent_the_referral_counts_but_keeps_nobody() {
        let mut input = good_input();
        input.consent = "no".into();
        input.persons.push(person("other", "", "", "pas un numéro"));
        let referral = validate_referral(&input, &CategoryGrid::first()).unwrap();
        assert!(referral.anonymous_count_only());
        assert_eq!(referral.persons().len(), 4);
        assert!(
            referral.persons().iter().all(|p| p.last_name().is_none()
                && p.first_name().is_none()
                && p.phone().is_none())
        );
        assert!(referral.safe_contact().is_none());
        assert_eq!(referral.categories().len(), 2);
    }

    #[test]
    fn every_error_is_reported_at_once_naming_its_field() {
        let input = ReferralInput {
            source: "rumeur".into(),
            urgency: "".into(),
            categories: vec!["".into()],
            context: "x".repeat(CONTEXT_MAX_CHARS + 1),
            persons: vec![
                person("victim", "Martin", "", ""),
                person("witness", "", "", "12"),
            ],
            consent: "yes".into(),
            contact_channel: "pigeon".into(),
            contact_hours: "".into(),
            procedure_reference: "R".repeat(65),
            danger: Default::default(),
        };
        let errors = validate_referral(&input, &CategoryGrid::first()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "Origine",
                "Urgence",
                "Motifs",
                "Faits",
                "Personne 2 — rôle",
                "Personne 2 — nom",
                "Personne 2 — téléphone",
                "Contact sûr — canal",
                "Référence de procédure",
            ]
        );
        assert_eq!(
            errors[3].to_string(),
            "Faits : 1000 caractères au plus (1001 saisis)"
        );
        assert_eq!(
            errors[6].to_string(),
            "Personne 2 — téléphone : ce n'est pas un numéro de téléphone français (exemple : 06 12 34 56 78)"
        );
    }

    #[test]
    fn persons_context_consent_and_contact_are_required() {
        let mut input = good_input();
        input.persons.clear();
        input.context = " \n ".into();
        input.consent = "".into();
        let fields: Vec<&str> = validate_referral(&input, &CategoryGrid::first())
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["Consentement", "Faits", "Personnes"]);

        let mut input = good_input();
        input.persons[0].phone.clear();
        let errors = validate_referral(&input, &CategoryGrid::first()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "Contact sûr — canal");

        let mut input = good_input();
        input.persons = vec![person("other", "A", "", ""); MAX_PERSONS + 1];
        input.contact_channel = "via_unit".into();
        let errors = validate_referral(&input, &CategoryGrid::first()).unwrap_err();
        assert_eq!(errors[0].field, "Personnes");
    }

    #[test]
    fn a_blank_channel_follows_what_was_given_and_never_refuses() {
        let mut input = good_input();
        input.contact_channel = " ".into();
        let referral = validate_referral(&input, &CategoryGrid::first()).unwrap();
        assert_eq!(
            referral.safe_contact().map(SafeContact::channel),
            Some(ContactChannel::PhoneCall)
        );
        // Only the suspect's number: never called; the unit relays.
        input.persons[0].phone.clear();
        input.persons[1].phone = "06 98 76 54 32".into();
        let referral = validate_referral(&input, &CategoryGrid::first()).unwrap();
        assert_eq!(
            referral.safe_contact().map(SafeContact::channel),
            Some(ContactChannel::ViaUnit)
        );
    }

    #[test]
    fn without_consent_neither_names_nor_facts_are_asked() {
        let input = ReferralInput {
            source: "intervention".into(),
            urgency: "normal".into(),
            categories: vec!["housing".into()],
            context: String::new(),
            persons: vec![person("victim", "", "", "")],
            consent: "no".into(),
            contact_channel: String::new(),
            contact_hours: String::new(),
            procedure_reference: String::new(),
            danger: Default::default(),
        };
        let referral = validate_referral(&input, &CategoryGrid::first()).unwrap();
        assert!(referral.anonymous_count_only());
        assert_eq!(referral.context(), "");
        // Facts typed before answering « Non » are not kept either.
        let mut typed = input.clone();
        typed.context = "Des faits".into();
        assert_eq!(
            validate_referral(&typed, &CategoryGrid::first())
                .unwrap()
                .context(),
            ""
        );
    }

    #[test]
    fn control_characters_and_unknown_categories_are_refused() {
        let mut input = good_input();
        input.context = "ligne 1\nligne 2\u{0}".into();
        input.categories = vec!["housing".into(), "fraude".into()];
        input.persons[0].last_name = "Le\u{7}Gall".into();
        let fields: Vec<&str> = validate_referral(&input, &CategoryGrid::first())
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["Motifs", "Faits", "Personne 1 — nom"]);

        let mut input = good_input();
        input.context = "ligne 1\r\nligne 2\tfin".into();
        assert!(validate_referral(&input, &CategoryGrid::first()).is_ok());
    }

    fn any_person() -> impl Strategy<Value = PersonInput> {
        (
            prop_oneof![Just("victim".to_owned()), any::<String>()],
            any::<String>(),
            any::<String>(),
            prop_oneof![
                Just("06 12 34 56 78".to_owned()),
                "[0-9+ .()]{0,20}",
                any::<String>()
            ],
        )
            .prop_map(|(role, last_name, first_name, phone)| PersonInput {
                role,
                last_name,
                first_name,
                phone,
            })
    }

    proptest! {
        #[test]
        fn validation_never_panics_and_keeps_nobody_without_consent(
            source in prop_oneof![Just("complaint".to_owned()), any::<String>()],
            urgency in prop_oneof![Just("normal".to_owned()), any::<String>()],
            categories in proptest::collection::vec(
                prop_oneof![Just("addiction".to_owned()), any::<String>()], 0..4),
            context in prop_oneof![Just("Appel du voisinage".to_owned()), any::<String>()],
            persons in proptest::collection::vec(any_person(), 0..4),
            consent in prop_oneof![Just("yes".to_owned()), Just("no".to_owned()), any::<String>()],
            contact_channel in prop_oneof![Just("via_unit".to_owned()), any::<String>()],
            contact_hours in any::<String>(),
            procedure_reference in any::<String>(),
        ) {
            let input = ReferralInput {
                source, urgency, categories, context, persons, consent,
                contact_channel, contact_hours, procedure_reference,
                danger: Default::default(),
            };
            match validate_referral(&input, &CategoryGrid::first()) {
                Ok(referral) => {
                    prop_assert!(!referral.categories().is_empty());
                    prop_assert!(!referral.persons().is_empty());
                    prop_assert!(referral.context().chars().count() <= CONTEXT_MAX_CHARS);
                    if referral.anonymous_count_only() {
                        prop_assert!(referral.safe_contact().is_none());
                        prop_assert!(referral.persons().iter().all(|p| p.last_name().is_none()
                            && p.first_name().is_none() && p.phone().is_none()));
                    }
                }
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }
    }
}
