//! The referral form, phone first: what it shows (consent first, one person until more are
//! added), what it reads back from a post, and where each refusal is shown (at its field, and
//! in a summary linking to it).

use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::layout::Shell;
use askama::Template;
use askama_web::WebTemplate;
use passerelle_domain::ParseError;
use passerelle_domain::referral::category::{Category, CategoryGrid};
use passerelle_domain::referral::danger::{self, DangerConclusion, DangerInput};
use passerelle_domain::referral::{
    ContactChannel, MAX_PERSONS, PersonInput, PersonRole, ReferralInput, ReferralSource, Urgency,
};
use std::collections::HashMap;

/// One refusal, shown at its field (`key`) and in the summary as a link to `anchor` (the
/// control that takes the focus). A refusal of no field has neither.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub key: Option<String>,
    pub anchor: Option<String>,
    pub message: String,
}

impl FieldError {
    /// A refusal that belongs to no field (no post serves the unit…).
    pub fn general(message: impl Into<String>) -> Self {
        Self {
            key: None,
            anchor: None,
            message: message.into(),
        }
    }
}

/// Where the domain's field names sit on the form: the group that shows the message and the
/// control the summary links to. The names are those of the labels, so the message reads as
/// the field is labelled.
fn place_of(field: &str, grid: &CategoryGrid) -> Option<(String, String)> {
    let same = |id: &str| Some((id.to_string(), id.to_string()));
    match field {
        "Origine" => same("source"),
        "Urgence" => Some(("urgency".into(), "urgency-immediate".into())),
        "Motifs" => Some((
            "category".into(),
            grid.active()
                .next()
                .map(|c| format!("category-{}", c.code))
                .unwrap_or_else(|| "referral-form".into()),
        )),
        "Faits" => same("context"),
        "Consentement" => Some(("consent".into(), "consent-yes".into())),
        "Personnes" => same("person-1-role"),
        "Contact sûr — canal" => same("contact-channel"),
        "Contact sûr — horaires et consignes" => same("contact-hours"),
        "Référence de procédure" => same("procedure-reference"),
        danger::FIELD_FILLED => Some(("danger-filled".into(), "danger-filled-yes".into())),
        danger::FIELD_CONCLUSION => Some((
            "danger-conclusion".into(),
            "danger-conclusion-characterised".into(),
        )),
        danger::FIELD_CRITERIA => same("danger-criteria"),
        other => {
            // « Personne 2 — téléphone »
            let rest = other.strip_prefix("Personne ")?;
            let (number, part) = rest.split_once(" — ")?;
            let index: usize = number.parse().ok()?;
            let control = match part {
                "rôle" => "role",
                "nom" => "last",
                "prénom" => "first",
                "téléphone" => "phone",
                _ => return None,
            };
            same(&format!("person-{index}-{control}"))
        }
    }
}

/// The domain's refusals placed on the form.
pub fn placed(errors: &[ParseError], grid: &CategoryGrid) -> Vec<FieldError> {
    errors
        .iter()
        .map(|error| {
            let place = place_of(error.field, grid);
            FieldError {
                key: place.as_ref().map(|(key, _)| key.clone()),
                anchor: place.map(|(_, anchor)| anchor),
                message: format!("{error}."),
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/referral_form.html")]
pub struct ReferralFormPage {
    pub(super) shell: Shell,
    sources: &'static [ReferralSource],
    urgencies: &'static [Urgency],
    categories: Vec<Category>,
    roles: &'static [PersonRole],
    channels: &'static [ContactChannel],
    conclusions: &'static [DangerConclusion],
    alarm_criteria_max: u8,
    persons: Vec<usize>,
    /// Opened by the social worker for a person who came directly: no unit, no consent
    /// question (the person is there), one person.
    direct: bool,
    errors: Vec<FieldError>,
    /// The values typed, given back after a refusal or an added person.
    typed: HashMap<String, String>,
}

impl ReferralFormPage {
    fn value(&self, name: &str) -> String {
        self.typed.get(name).cloned().unwrap_or_default()
    }

    fn is(&self, name: &str, value: &str) -> bool {
        self.typed.get(name).is_some_and(|v| v == value)
    }

    fn person_field(&self, index: &usize, field: &str) -> String {
        self.value(&format!("person_{index}_{field}"))
    }

    /// The messages of one field, joined, if it was refused.
    fn error(&self, key: &str) -> Option<String> {
        let messages: Vec<&str> = self
            .errors
            .iter()
            .filter(|e| e.key.as_deref() == Some(key))
            .map(|e| e.message.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    }

    fn person_error(&self, index: &usize, control: &str) -> Option<String> {
        self.error(&format!("person-{index}-{control}"))
    }

    /// The optional details open when one of them was refused or set away from its default.
    fn more_open(&self) -> bool {
        self.error("source").is_some()
            || self.is("notify", "yes")
            || !(self.value("source").is_empty() || self.is("source", "intervention"))
    }

    /// The danger grid's details open when one of its fields was given or refused.
    fn danger_open(&self) -> bool {
        ["danger_filled", "danger_conclusion", "danger_criteria"]
            .iter()
            .any(|name| !self.value(name).trim().is_empty())
            || ["danger-filled", "danger-conclusion", "danger-criteria"]
                .iter()
                .any(|key| self.error(key).is_some())
    }

    fn can_add_person(&self) -> bool {
        !self.direct && self.persons.len() < MAX_PERSONS
    }
}

pub fn form_page(
    auth: &Authenticated,
    csrf: &CsrfToken,
    grid: &CategoryGrid,
    errors: Vec<FieldError>,
    typed: HashMap<String, String>,
    direct: bool,
) -> ReferralFormPage {
    let shown = if direct { 1 } else { persons_shown(&typed) };
    let (title, at) = if direct {
        ("Ouvrir un dossier", "/dossiers")
    } else {
        ("Signaler une situation", "/signalements")
    };
    // A refused form says so in its title: the first thing a screen reader reads.
    let title = if errors.is_empty() {
        title.to_string()
    } else {
        format!("Erreur : {title}")
    };
    ReferralFormPage {
        shell: Shell::for_actor(&title, auth, csrf).at(at),
        sources: ReferralSource::ALL,
        urgencies: Urgency::ALL,
        categories: grid.active().cloned().collect(),
        roles: PersonRole::ALL,
        channels: ContactChannel::ALL,
        conclusions: DangerConclusion::ALL,
        alarm_criteria_max: danger::ALARM_CRITERIA_MAX,
        persons: (1..=shown).collect(),
        direct,
        errors,
        typed,
    }
}

/// How many person blocks the form shows: the count it sent (`persons`), or more when fields
/// of further persons came (a client that posts them directly), one at least.
fn persons_shown(typed: &HashMap<String, String>) -> usize {
    let sent = typed
        .get("persons")
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(1);
    let highest = typed
        .keys()
        .filter_map(|key| key.strip_prefix("person_")?.split_once('_')?.0.parse().ok())
        .max()
        .unwrap_or(1);
    sent.max(highest).clamp(1, MAX_PERSONS)
}

/// Whether the post asks for one more person block rather than sending the referral.
pub fn adds_person(fields: &[(String, String)]) -> bool {
    fields.iter().any(|(key, _)| key == "add_person")
}

/// The values typed with one more person block.
pub fn with_one_more_person(mut typed: HashMap<String, String>) -> HashMap<String, String> {
    let next = (persons_shown(&typed) + 1).min(MAX_PERSONS);
    typed.insert("persons".into(), next.to_string());
    typed
}

/// The referral form's fields as the domain reads them (categories are checkboxes named
/// `category`, persons `person_N_field`). The first person always counts (their role at
/// least: an anonymous count needs no more); a further block counts when something was typed
/// in it, or, without consent, where only roles are asked, as soon as it was added.
pub fn referral_input(fields: &[(String, String)]) -> ReferralInput {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let typed = typed_values(fields);
    let consent = one("consent");
    ReferralInput {
        source: one("source"),
        urgency: one("urgency"),
        categories: fields
            .iter()
            .filter(|(key, _)| key == "category")
            .map(|(_, value)| value.clone())
            .collect(),
        context: one("context"),
        persons: (1..=persons_shown(&typed))
            .map(|index| {
                (
                    index,
                    PersonInput {
                        role: one(&format!("person_{index}_role")),
                        last_name: one(&format!("person_{index}_last_name")),
                        first_name: one(&format!("person_{index}_first_name")),
                        phone: one(&format!("person_{index}_phone")),
                    },
                )
            })
            .filter(|(index, p)| {
                *index == 1
                    || consent.trim() == "no"
                    || !(p.last_name.trim().is_empty()
                        && p.first_name.trim().is_empty()
                        && p.phone.trim().is_empty())
            })
            .map(|(_, person)| person)
            .collect(),
        consent,
        contact_channel: one("contact_channel"),
        contact_hours: one("contact_hours"),
        procedure_reference: one("procedure_reference"),
        danger: DangerInput {
            filled: one("danger_filled"),
            conclusion: one("danger_conclusion"),
            alarm_criteria: one("danger_criteria"),
        },
    }
}

/// The values typed, to give the form back after a refusal (each category ticked as
/// `category_<code>`).
pub fn typed_values(fields: &[(String, String)]) -> HashMap<String, String> {
    fields
        .iter()
        .filter(|(key, _)| key != "csrf" && key != "category" && key != "add_person")
        .cloned()
        .chain(
            fields
                .iter()
                .filter(|(key, _)| key == "category")
                .map(|(_, v)| (format!("category_{v}"), "1".into())),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_field_the_domain_names_has_its_place_on_the_form() {
        let grid = CategoryGrid::first();
        for field in [
            "Origine",
            "Urgence",
            "Motifs",
            "Faits",
            "Consentement",
            "Personnes",
            "Contact sûr — canal",
            "Contact sûr — horaires et consignes",
            "Référence de procédure",
            danger::FIELD_FILLED,
            danger::FIELD_CONCLUSION,
            danger::FIELD_CRITERIA,
            "Personne 12 — prénom",
        ] {
            assert!(place_of(field, &grid).is_some(), "{field}");
        }
        assert_eq!(
            place_of("Personne 2 — téléphone", &grid).unwrap().1,
            "person-2-phone"
        );
        assert!(place_of("Personne x — nom", &grid).is_none());
    }

    #[test]
    fn a_blank_added_person_counts_only_without_consent() {
        let with = |consent| {
            fields(&[
                ("persons", "2"),
                ("consent", consent),
                ("person_1_role", "victim"),
                ("person_2_role", "child"),
                ("person_2_last_name", ""),
            ])
        };
        assert_eq!(referral_input(&with("no")).persons.len(), 2);
        assert_eq!(referral_input(&with("yes")).persons.len(), 1);
        // A forged count never goes past the domain's bound.
        let many = fields(&[("persons", "999"), ("consent", "no")]);
        assert_eq!(referral_input(&many).persons.len(), MAX_PERSONS);
    }

    #[test]
    fn adding_a_person_keeps_what_was_typed() {
        let typed = typed_values(&fields(&[
            ("csrf", "x"),
            ("context", "Des faits"),
            ("category", "housing"),
            ("add_person", "1"),
        ]));
        let more = with_one_more_person(typed);
        assert_eq!(more.get("persons").map(String::as_str), Some("2"));
        assert_eq!(more.get("context").map(String::as_str), Some("Des faits"));
        assert_eq!(more.get("category_housing").map(String::as_str), Some("1"));
        assert!(!more.contains_key("csrf") && !more.contains_key("add_person"));
    }
}
