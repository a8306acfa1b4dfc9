//! The partner directory of a territory: the services a social worker orients people to
//! (CIDFF, France Victimes association, the département's social services, CCAS, ASE/CRIP,
//! 115/SIAO, CMP, MJD, lawyers, landlords, shelters…), with how and when to reach them.
//! Organisations, not persons: nothing here is sealed.

use crate::ParseError;
use crate::referral::case::PartnerType;
use crate::referral::{PhoneNumber, single_line};
use crate::registry::territory::DepartementCode;

const NAME_MAX_CHARS: usize = 200;
const LINE_MAX_CHARS: usize = 300;

/// A partner as typed in the form or read from an import line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartnerInput {
    pub partner_type: String,
    pub name: String,
    pub departement: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub hours: String,
    pub website: String,
}

/// A valid partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPartner {
    pub partner_type: PartnerType,
    pub name: String,
    pub departement: String,
    pub address: Option<String>,
    /// International form.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub hours: Option<String>,
    pub website: Option<String>,
}

/// Checks a partner; every problem is reported at once, each naming its field.
pub fn validate_partner(input: &PartnerInput) -> Result<ValidPartner, Vec<ParseError>> {
    let mut errors = Vec::new();
    let partner_type = match PartnerType::parse(input.partner_type.trim()) {
        Ok(kind) => Some(kind),
        Err(error) => {
            errors.push(ParseError::new("Type", error.reason));
            None
        }
    };
    let name = single_line(&input.name, "Nom", NAME_MAX_CHARS, &mut errors);
    // A name of spaces, dashes or invisible characters would list an unnamed partner: the
    // form and the import alike.
    let name = name.filter(|n| crate::plain_text::has_visible_name(n));
    if name.is_none() && !errors.iter().any(|e| e.field == "Nom") {
        errors.push(ParseError::new(
            "Nom",
            "le nom de la structure est requis (au moins une lettre ou un chiffre)",
        ));
    }
    let departement = match DepartementCode::parse(input.departement.trim()) {
        Ok(code) => Some(code.as_str().to_string()),
        Err(error) => {
            errors.push(ParseError::new("Département", error.reason));
            None
        }
    };
    let address = single_line(&input.address, "Adresse", LINE_MAX_CHARS, &mut errors);
    let hours = single_line(&input.hours, "Horaires", LINE_MAX_CHARS, &mut errors);
    let phone = match input.phone.trim() {
        "" => None,
        // Short numbers (115, 119, 3919…) are how many partners are reached.
        short if (3..=6).contains(&short.len()) && short.bytes().all(|b| b.is_ascii_digit()) => {
            Some(short.to_string())
        }
        text => match PhoneNumber::parse(text) {
            Ok(phone) => Some(phone.as_str().to_string()),
            Err(error) => {
                errors.push(ParseError::new("Téléphone", error.reason));
                None
            }
        },
    };
    let email = match input.email.trim() {
        "" => None,
        text if is_email(text) => Some(text.to_lowercase()),
        _ => {
            errors.push(ParseError::new(
                "Courriel",
                "adresse invalide (exemple : accueil@cidff35.fr)",
            ));
            None
        }
    };
    let website = match input.website.trim() {
        "" => None,
        text if (text.starts_with("https://") || text.starts_with("http://"))
            && text.len() <= LINE_MAX_CHARS
            && !text.contains(char::is_whitespace) =>
        {
            Some(text.to_string())
        }
        _ => {
            errors.push(ParseError::new(
                "Site",
                "une adresse commençant par https://",
            ));
            None
        }
    };
    match (partner_type, name, departement) {
        (Some(partner_type), Some(name), Some(departement)) if errors.is_empty() => {
            Ok(ValidPartner {
                partner_type,
                name,
                departement,
                address,
                phone,
                email,
                hours,
                website,
            })
        }
        _ => Err(errors),
    }
}

/// A plausible address: one @, a dotted domain, no spaces, not too long.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.contains(char::is_whitespace)
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input() -> PartnerInput {
        PartnerInput {
            partner_type: "cidff".into(),
            name: " CIDFF  d'Ille-et-Vilaine ".into(),
            departement: "35".into(),
            address: "21 rue de la Quintaine, Rennes".into(),
            phone: "02 99 30 80 89".into(),
            email: "Accueil@CIDFF35.fr".into(),
            hours: "lun.–ven. 9 h–17 h".into(),
            website: "https://ille-et-vilaine.cidff.info".into(),
        }
    }

    #[test]
    fn a_partner_needs_a_name_with_a_letter_or_a_digit() {
        for name in ["", "   ", "---", "\u{200b}"] {
            let errors = validate_partner(&PartnerInput {
                name: name.into(),
                ..input()
            })
            .unwrap_err();
            assert!(errors.iter().any(|e| e.field == "Nom"), "{name:?}");
        }
    }

    #[test]
    fn a_partner_is_cleaned() {
        let partner = validate_partner(&input()).unwrap();
        assert_eq!(partner.name, "CIDFF d'Ille-et-Vilaine");
        assert_eq!(partner.phone.as_deref(), Some("+33299308089"));
        assert_eq!(partner.email.as_deref(), Some("accueil@cidff35.fr"));
        let short = validate_partner(&PartnerInput {
            partner_type: "siao".into(),
            phone: "115".into(),
            ..input()
        })
        .unwrap();
        assert_eq!(short.phone.as_deref(), Some("115"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = PartnerInput {
            partner_type: "mairie".into(),
            name: " ".into(),
            departement: "99".into(),
            phone: "12".into(),
            email: "pas une adresse".into(),
            website: "javascript:alert(1)".into(),
            ..input()
        };
        let fields: Vec<&str> = validate_partner(&bad)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        for field in [
            "Type",
            "Nom",
            "Département",
            "Téléphone",
            "Courriel",
            "Site",
        ] {
            assert!(fields.contains(&field), "{field} not in {fields:?}");
        }
    }

    proptest! {
        #[test]
        fn any_input_is_accepted_or_refused_without_panicking(name in "\\PC{0,40}", phone in "\\PC{0,16}", email in "\\PC{0,30}", site in "\\PC{0,30}") {
            let input = PartnerInput { name, phone, email, website: site, ..input() };
            if let Ok(partner) = validate_partner(&input) {
                prop_assert!(!partner.name.is_empty());
            }
        }
    }
}
