//! Referral (saisine): an officer hands a person's situation over to the social worker of the
//! post. The officer afterwards sees the status word only, never content. Validation keeps only
//! what the person agreed to: without consent the referral is counted and nobody's identity is
//! kept.

pub mod case;
pub mod category;
pub mod partner;
pub mod person;
pub mod person_name;

use crate::referral::category::CategoryGrid;
use crate::{ParseError, vocabulary};
use time::{Date, Month};

vocabulary!(
    /// How the situation came to the officer's knowledge.
    ReferralSource, "source de la saisine", {
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
    ReferralStatus, "statut de la saisine", {
        Received => ("received", "Reçue"),
        ContactAttempted => ("contact_attempted", "Contact tenté"),
        InContact => ("in_contact", "En contact"),
        Unreachable => ("unreachable", "Injoignable"),
        Declined => ("declined", "Refusée par la personne"),
        Closed => ("closed", "Clôturée"),
    }
);

vocabulary!(
    /// How a referral (or a case) ended.
    ClosureOutcome, "issue", {
        Oriented => ("oriented", "Orientée"),
        Resolved => ("resolved", "Résolue"),
        Transferred => ("transferred", "Transférée"),
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
            "Statut de la saisine",
            format!(
                "une saisine « {} » ne peut pas passer à « {} »",
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

/// Ten-digit national prefixes of the overseas départements, with their country code. Every
/// other 01–07 and 09 number is metropolitan (+33); 08 numbers are services, not a person.
const OVERSEAS_PREFIXES: &[(&str, &str)] = &[
    ("0262", "262"), // La Réunion, fixed
    ("0692", "262"), // La Réunion, mobile
    ("0693", "262"), // La Réunion, mobile
    ("0269", "262"), // Mayotte, fixed
    ("0639", "262"), // Mayotte, mobile
    ("0590", "590"), // Guadeloupe, Saint-Martin, Saint-Barthélemy, fixed
    ("0690", "590"), // idem, mobile
    ("0594", "594"), // Guyane, fixed
    ("0694", "594"), // Guyane, mobile
    ("0596", "596"), // Martinique, fixed
    ("0696", "596"), // Martinique, mobile
];

const COUNTRY_CODES: &[&str] = &["33", "262", "590", "594", "596"];

/// A French phone number, kept in international form (`+33612345678`, `+262692123456`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts the ways people write French numbers: `06 12 34 56 78`, `06.12.34.56.78`,
    /// `+33 6 12 34 56 78`, `+33 (0)6…`, `0033…`, and overseas numbers in national or
    /// international form. The error does not repeat the number: it may end up in a log.
    pub fn parse(text: &str) -> Result<PhoneNumber, ParseError> {
        Self::international_form(text)
            .map(PhoneNumber)
            .ok_or_else(|| {
                ParseError::new(
                    "téléphone",
                    "ce n'est pas un numéro de téléphone français (exemple : 06 12 34 56 78)",
                )
            })
    }

    fn international_form(text: &str) -> Option<String> {
        let compact: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '/' | '\t' | '\u{a0}' | '\u{202f}'))
            .collect();
        let international = compact
            .strip_prefix('+')
            .or_else(|| compact.strip_prefix("00"));
        let (dialled_code, national) = match international {
            Some(rest) => {
                let code = COUNTRY_CODES.iter().find(|code| rest.starts_with(**code))?;
                let rest = &rest[code.len()..];
                // "+33 (0)6…" and "+33 06…" carry the national 0 by habit.
                let rest = rest
                    .strip_prefix("(0)")
                    .or_else(|| rest.strip_prefix('0'))
                    .unwrap_or(rest);
                (Some(*code), format!("0{rest}"))
            }
            None => (None, compact),
        };
        if national.len() != 10 || !national.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let code = match OVERSEAS_PREFIXES
            .iter()
            .find(|(prefix, _)| national.starts_with(prefix))
        {
            Some((_, code)) => *code,
            None if matches!(national.as_bytes()[1], b'1'..=b'7' | b'9') => "33",
            None => return None,
        };
        // +33 before an overseas number is a common slip and still reaches it; another
        // overseas code before a number that is not theirs is a wrong number.
        if dialled_code.is_some_and(|dialled| dialled != "33" && dialled != code) {
            return None;
        }
        Some(format!("+{code}{}", &national[1..]))
    }

    /// The international form, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ten-digit national form in pairs, as French people read it: `06 12 34 56 78`.
    pub fn national(&self) -> String {
        let code = COUNTRY_CODES
            .iter()
            .find(|code| self.0[1..].starts_with(**code))
            .map_or(2, |code| code.len());
        let digits = format!("0{}", &self.0[1 + code..]);
        digits
            .as_bytes()
            .chunks(2)
            .map(|pair| String::from_utf8_lossy(pair).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl std::fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.national())
    }
}

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
        .map_err(|e| errors.push(relabel("Source", e)))
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
            Err(e) => errors.push(relabel("Catégories", e)),
        }
    }
    let categories: Vec<String> = grid
        .active()
        .filter(|category| chosen.contains(&category.code.as_str()))
        .map(|category| category.code.clone())
        .collect();
    if categories.is_empty() && input.categories.iter().all(|c| c.trim().is_empty()) {
        errors.push(ParseError::new(
            "Catégories",
            "choisissez au moins une catégorie",
        ));
    }

    let context = input.context.trim();
    let context_chars = context.chars().count();
    if context.is_empty() {
        errors.push(ParseError::new(
            "Contexte",
            "décrivez brièvement la situation",
        ));
    } else if context_chars > CONTEXT_MAX_CHARS {
        errors.push(ParseError::new(
            "Contexte",
            format!("{CONTEXT_MAX_CHARS} caractères au plus ({context_chars} saisis)"),
        ));
    } else if has_control(context, true) {
        errors.push(ParseError::new(
            "Contexte",
            "contient des caractères de contrôle invisibles",
        ));
    }

    let consent = parse_consent(&input.consent)
        .map_err(|e| errors.push(e))
        .ok();
    let keep_identity = consent == Some(true);

    if input.persons.is_empty() {
        errors.push(ParseError::new(
            "Personnes",
            "indiquez au moins une personne",
        ));
    } else if input.persons.len() > MAX_PERSONS {
        errors.push(ParseError::new(
            "Personnes",
            format!("{MAX_PERSONS} personnes au plus par saisine"),
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
        let channel = if input.contact_channel.trim().is_empty() {
            errors.push(ParseError::new(
                "Contact sûr — canal",
                "indiquez comment joindre la personne sans danger",
            ));
            None
        } else {
            ContactChannel::parse(&input.contact_channel)
                .map_err(|e| errors.push(relabel("Contact sûr — canal", e)))
                .ok()
        };
        let hours = single_line(
            &input.contact_hours,
            "Contact sûr — horaires",
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
        }),
        _ => Err(errors),
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
            "Statut de la saisine : une saisine « Clôturée » ne peut pas passer à « En contact »"
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

    #[test]
    fn french_phone_numbers_are_kept_in_international_form() {
        let cases = [
            ("06 12 34 56 78", "+33612345678"),
            ("06.12.34.56.78", "+33612345678"),
            ("06-12-34-56-78", "+33612345678"),
            ("+33 6 12 34 56 78", "+33612345678"),
            ("+33 (0)6 12 34 56 78", "+33612345678"),
            ("0033 6 12 34 56 78", "+33612345678"),
            ("+33 06 12 34 56 78", "+33612345678"),
            ("01 23 45 67 89", "+33123456789"),
            ("09 87 65 43 21", "+33987654321"),
            ("0692 12 34 56", "+262692123456"),
            ("0693 12 34 56", "+262693123456"),
            ("0262 12 34 56", "+262262123456"),
            ("0639 12 34 56", "+262639123456"),
            ("+262 692 12 34 56", "+262692123456"),
            ("00262 692 12 34 56", "+262692123456"),
            ("0590 12 34 56", "+590590123456"),
            ("0690 12 34 56", "+590690123456"),
            ("+590 690 12 34 56", "+590690123456"),
            ("0594 12 34 56", "+594594123456"),
            ("0694 12 34 56", "+594694123456"),
            ("0596 12 34 56", "+596596123456"),
            ("0696 12 34 56", "+596696123456"),
            // +33 before an overseas number still reaches it.
            ("+33 6 92 12 34 56", "+262692123456"),
        ];
        for (typed, stored) in cases {
            assert_eq!(
                PhoneNumber::parse(typed).map(|p| p.0),
                Ok(stored.to_owned()),
                "{typed}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("0692123456").unwrap().national(),
            "06 92 12 34 56"
        );
        assert_eq!(
            PhoneNumber::parse("+33612345678").unwrap().to_string(),
            "06 12 34 56 78"
        );
    }

    #[test]
    fn anything_else_is_not_a_french_phone_number() {
        for typed in [
            "",
            "06 12 34 56 7",
            "06 12 34 56 789",
            "6 12 34 56 78",
            "33 6 12 34 56 78",
            "08 00 12 34 56",
            "00 12 34 56 78",
            "+44 20 7946 0958",
            "+262 6 12 34 56 78",
            "+590 692 12 34 56",
            "06 12 34 56 7a",
            "０６１２３４５６７８",
            "+33 6 12 34 56 78 ext",
        ] {
            let error = PhoneNumber::parse(typed).unwrap_err();
            assert_eq!(error.field, "téléphone", "{typed}");
        }
    }

    fn person(role: &str, last: &str, first: &str, phone: &str) -> PersonInput {
        PersonInput {
            role: role.into(),
            last_name: last.into(),
            first_name: first.into(),
            phone: phone.into(),
        }
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
            contact_channel: "".into(),
            contact_hours: "".into(),
            procedure_reference: "R".repeat(65),
        };
        let errors = validate_referral(&input, &CategoryGrid::first()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "Source",
                "Urgence",
                "Catégories",
                "Contexte",
                "Personne 2 — rôle",
                "Personne 2 — nom",
                "Personne 2 — téléphone",
                "Contact sûr — canal",
                "Référence de procédure",
            ]
        );
        assert_eq!(
            errors[3].to_string(),
            "Contexte : 1000 caractères au plus (1001 saisis)"
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
        assert_eq!(fields, ["Contexte", "Consentement", "Personnes"]);

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
        assert_eq!(fields, ["Catégories", "Contexte", "Personne 1 — nom"]);

        let mut input = good_input();
        input.context = "ligne 1\r\nligne 2\tfin".into();
        assert!(validate_referral(&input, &CategoryGrid::first()).is_ok());
    }

    fn any_status() -> impl Strategy<Value = ReferralStatus> {
        (0..ReferralStatus::ALL.len()).prop_map(|i| ReferralStatus::ALL[i])
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

        #[test]
        fn a_normalised_phone_number_parses_to_itself(
            prefix in prop_oneof![
                Just("01"), Just("02"), Just("03"), Just("04"), Just("05"), Just("06"),
                Just("07"), Just("09"), Just("0262"), Just("0692"), Just("0693"), Just("0269"),
                Just("0639"), Just("0590"), Just("0690"), Just("0594"), Just("0694"),
                Just("0596"), Just("0696"),
            ],
            rest in "[0-9]{8}",
            separator in prop_oneof![Just(""), Just(" "), Just("."), Just("-")],
        ) {
            let digits = format!("{prefix}{}", &rest[..10 - prefix.len()]);
            let typed = digits
                .as_bytes()
                .chunks(2)
                .map(|pair| std::str::from_utf8(pair).unwrap())
                .collect::<Vec<_>>()
                .join(separator);
            let phone = PhoneNumber::parse(&typed).unwrap();
            prop_assert_eq!(PhoneNumber::parse(phone.as_str()), Ok(phone.clone()));
            prop_assert_eq!(PhoneNumber::parse(&phone.national()), Ok(phone.clone()));
            prop_assert_eq!(phone.national().replace(' ', ""), digits);
        }

        #[test]
        fn phone_parsing_never_panics_and_what_it_accepts_is_stable(text in any::<String>()) {
            if let Ok(phone) = PhoneNumber::parse(&text) {
                prop_assert_eq!(PhoneNumber::parse(phone.as_str()), Ok(phone.clone()));
            }
        }

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
