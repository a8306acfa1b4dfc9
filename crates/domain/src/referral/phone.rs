//! French phone numbers as people write them (national, international, overseas), kept in
//! international form and shown in national pairs: a referral's persons, the post's persons
//! and the partners' directory all read their numbers here.

use crate::ParseError;

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    proptest! {
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
    }
}
