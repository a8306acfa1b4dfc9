//! What looks like a person's data in a text of the network: a phone number, an e-mail
//! address, a date of birth, a social security number (NIR), a street address. The network
//! is no place for case content; the author sees what was found and removes it, or confirms
//! that the text concerns no person. It is a warning, not a proof: a finding stops the save
//! until the author decides, nothing is ever refused for good.
//!
//! The patterns are chosen so that ordinary professional text passes: a date without a birth
//! context (« réunion le 12/03 à 14h »), an article of law (« 226-13 »), a short national
//! number (« 3919 ») or a service number (08…) is not flagged.

use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

crate::vocabulary!(
    /// What a finding looks like.
    FindingKind, "type de donnée", {
        Phone => ("phone", "numéro de téléphone"),
        Email => ("email", "adresse électronique"),
        BirthDate => ("birth_date", "date de naissance"),
        SocialSecurityNumber => ("social_security_number", "numéro de sécurité sociale"),
        StreetAddress => ("street_address", "adresse postale"),
    }
);

/// One piece of text that looks like a person's data: its kind and where it sits (a byte
/// range of the checked text, on character boundaries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub span: Range<usize>,
}

impl Finding {
    /// The text found, as the author typed it.
    pub fn excerpt<'t>(&self, text: &'t str) -> &'t str {
        &text[self.span.clone()]
    }
}

/// A French phone number: 0 then 1–7 or 9 (08 numbers are services, not persons), or +33 /
/// 0033 then the same without the 0, in five pairs: written together or with the same
/// separator between every pair (« 03 2025 3919 » is a date and a number, not a phone).
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    let pairs = ["", " ", r"\.", "-"]
        .map(|sep| format!(r"[1-79](?:{sep}\d{{2}}){{4}}"))
        .join("|");
    Regex::new(&format!(
        r"(?:(?:\+|00)33[\s.\-]?(?:\(0\)[\s.\-]?)?|0)(?:{pairs})"
    ))
    .expect("phone pattern")
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}")
        .expect("e-mail pattern")
});

/// A NIR: sex, year, month (or 20–99 for an unknown one), département (2A/2B for Corsica),
/// commune, order number, and the two digits of its key; spaces, dots or dashes between the
/// groups, or none.
static NIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)[1-478][\s.\-]?\d{2}[\s.\-]?(?:0[1-9]|1[0-2]|[2-9]\d)[\s.\-]?(?:\d{2}|2[ab])[\s.\-]?\d{3}[\s.\-]?\d{3}(?:[\s.\-]?\d{2})?",
    )
    .expect("NIR pattern")
});

/// A date of birth: a date after « né(e) le », « née le », « date de naissance », « DDN »,
/// or a year after « né(e) en ».
static BIRTH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    let date = r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{1,2}(?:er)?\s+(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre)(?:\s+\d{4})?)";
    Regex::new(&format!(
        r"(?i)\b(?:(?:n[ée]e?s?(?:\s?\(e\)s?)?\s+le|date\s+de\s+naissance\s*:?|ddn\s*:?)\s*(?:le\s+)?{date}|n[ée]e?s?(?:\s?\(e\)s?)?\s+en\s+(?:19|20)\d{{2}})"
    ))
    .expect("birth date pattern")
});

/// A number, then a kind of street that is never anything else, then a name.
static STREET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b\d{1,4}(?:\s?(?:bis|ter|quater))?\s*,?\s+(?:rue|avenue|av\.|boulevard|bd|allée|allee|impasse|chemin|quai|faubourg|lieu-dit|lotissement|résidence|residence)\s+(?:de\s+la\s+|de\s+l['’]|des\s+|du\s+|de\s+|d['’])?\p{L}[\p{L}\-]+",
    )
    .expect("street pattern")
});

/// A number, then a kind of street that is also a common noun (« 12 cours de français »,
/// « 5 places », « 3 routes »): only with a capitalised name after it.
static STREET_AMBIGUOUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b\d{1,4}(?:\s?(?:bis|ter|quater))?\s*,?\s+(?i:place|cours|route|passage|square|voie|cité|cite|sentier|hameau)\s+(?:de\s+la\s+|de\s+l['’]|des\s+|du\s+|de\s+|d['’])?\p{Lu}[\p{L}\-]+",
    )
    .expect("street pattern")
});

/// Whether the character before `start` and after `end` is no digit: a phone number or a NIR
/// is a whole number, not the middle of a longer one.
fn stands_alone(text: &str, span: &Range<usize>) -> bool {
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_digit() || c == '+')
        && !after.is_some_and(|c| c.is_ascii_digit())
}

/// Everything in `text` that looks like a person's data, in the order of the text; findings
/// never overlap (a NIR is not also read as a phone number).
pub fn check(text: &str) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    let patterns: [(&Regex, FindingKind, bool); 6] = [
        (&NIR, FindingKind::SocialSecurityNumber, true),
        (&EMAIL, FindingKind::Email, false),
        (&BIRTH_DATE, FindingKind::BirthDate, false),
        (&PHONE, FindingKind::Phone, true),
        (&STREET, FindingKind::StreetAddress, false),
        (&STREET_AMBIGUOUS, FindingKind::StreetAddress, false),
    ];
    for (pattern, kind, whole_number) in patterns {
        for hit in pattern.find_iter(text) {
            let span = hit.range();
            if whole_number && !stands_alone(text, &span) {
                continue;
            }
            if kind == FindingKind::SocialSecurityNumber && digits_in(hit.as_str()) < 13 {
                continue;
            }
            let overlaps = found
                .iter()
                .any(|f| f.span.start < span.end && span.start < f.span.end);
            if !overlaps {
                found.push(Finding { kind, span });
            }
        }
    }
    found.sort_by_key(|f| f.span.start);
    found
}

fn digits_in(text: &str) -> usize {
    text.chars()
        .filter(|c| {
            c.is_ascii_digit() || c.eq_ignore_ascii_case(&'a') || c.eq_ignore_ascii_case(&'b')
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(text: &str) -> Vec<FindingKind> {
        check(text).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn french_personal_data_is_found() {
        use FindingKind::*;
        let cases: &[(&str, FindingKind, &str)] = &[
            (
                "Appeler Mme X au 06 12 34 56 78 demain.",
                Phone,
                "06 12 34 56 78",
            ),
            ("Tél : 0612345678", Phone, "0612345678"),
            ("portable +33 6 12 34 56 78", Phone, "+33 6 12 34 56 78"),
            ("joignable au +33612345678.", Phone, "+33612345678"),
            ("fixe 01.23.45.67.89", Phone, "01.23.45.67.89"),
            ("0033 7 12 34 56 78", Phone, "0033 7 12 34 56 78"),
            (
                "écrire à camille.martin@example.fr",
                Email,
                "camille.martin@example.fr",
            ),
            (
                "Mme Y, née le 12/03/1985, a été reçue",
                BirthDate,
                "née le 12/03/1985",
            ),
            ("Monsieur né le 3 mars 1962", BirthDate, "né le 3 mars 1962"),
            (
                "une personne né(e) le 01-02-2001",
                BirthDate,
                "né(e) le 01-02-2001",
            ),
            (
                "Date de naissance : 14/07/1990",
                BirthDate,
                "Date de naissance : 14/07/1990",
            ),
            ("l'enfant, née en 2012, vit", BirthDate, "née en 2012"),
            (
                "NIR 1 85 03 75 116 001 42",
                SocialSecurityNumber,
                "1 85 03 75 116 001 42",
            ),
            (
                "n° 285037511600142",
                SocialSecurityNumber,
                "285037511600142",
            ),
            (
                "sécu 2 85 03 2A 116 001",
                SocialSecurityNumber,
                "2 85 03 2A 116 001",
            ),
            (
                "domiciliée 12 rue des Lilas à Rennes",
                StreetAddress,
                "12 rue des Lilas",
            ),
            (
                "au 3 bis avenue de la République",
                StreetAddress,
                "3 bis avenue de la République",
            ),
            (
                "vit 7, impasse du moulin",
                StreetAddress,
                "7, impasse du moulin",
            ),
            (
                "hébergée 15 place Saint-Michel",
                StreetAddress,
                "15 place Saint-Michel",
            ),
            (
                "au 140 boulevard Haussmann",
                StreetAddress,
                "140 boulevard Haussmann",
            ),
        ];
        for (text, kind, excerpt) in cases {
            let found = check(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].kind, *kind, "{text}");
            assert_eq!(found[0].excerpt(text), *excerpt, "{text}");
        }
    }

    #[test]
    fn ordinary_professional_text_is_not_flagged() {
        let texts = [
            "Réunion le 12/03 à 14h à la gendarmerie.",
            "Rappel : article 226-13 du code pénal sur le secret professionnel.",
            "Numéros utiles : 3919, 119, 17, 112, 114, 3977.",
            "Le numéro vert 0 800 05 95 95 et le 08 00 05 95 95 sont gratuits.",
            "CLSPD du 14 mars 2025 : 35 participants, 12 communes représentées.",
            "Session d'acculturation de 3 heures pour 18 gendarmes le 05/06/2025.",
            "Nous proposons 12 cours de français et 5 places disponibles.",
            "Deux chemins possibles ; 3 routes départementales fermées.",
            "Loi n° 2007-297 du 5 mars 2007 relative à la prévention de la délinquance.",
            "Le rapport IGA 20107-R de mai 2021 recommande un pilotage national.",
            "Budget FIPD 2025 : 1 250 000 € pour 450 postes.",
            "Circulaire du 21 décembre 2022, annexe 4, page 12.",
            "La personne est née dans le département et vit en zone rurale.",
        ];
        for text in texts {
            assert_eq!(check(text), vec![], "{text}");
        }
    }

    #[test]
    fn every_finding_of_a_mixed_text_is_given_in_order() {
        let text = "Mme A (née le 2/2/1980) : 06 11 22 33 44, a@b.fr, 4 rue Haute.";
        assert_eq!(
            kinds(text),
            vec![
                FindingKind::BirthDate,
                FindingKind::Phone,
                FindingKind::Email,
                FindingKind::StreetAddress
            ]
        );
    }

    fn phone() -> impl Strategy<Value = String> {
        (
            prop_oneof![
                Just("0".to_string()),
                Just("+33 ".to_string()),
                Just("+33".to_string())
            ],
            prop::sample::select(vec!['1', '2', '3', '4', '5', '6', '7', '9']),
            prop::collection::vec(0u8..100, 4),
            prop::sample::select(vec!["", " ", ".", "-"]),
        )
            .prop_map(|(prefix, first, pairs, sep)| {
                let mut number = format!("{prefix}{first}");
                for pair in pairs {
                    number.push_str(&format!("{sep}{pair:02}"));
                }
                number
            })
    }

    fn nir() -> impl Strategy<Value = String> {
        (
            1u8..=2,
            0u8..100,
            1u8..=12,
            prop::sample::select(vec!["01", "35", "75", "2A", "2B", "97"]),
            0u16..1000,
            1u16..1000,
            prop::sample::select(vec!["", " "]),
        )
            .prop_map(|(sex, year, month, dep, commune, order, sep)| {
                let body = format!("{sex}{year:02}{month:02}{dep}{commune:03}{order:03}");
                let numeric: u64 = body.replace("2A", "19").replace("2B", "18").parse().unwrap();
                let key = 97 - numeric % 97;
                format!(
                    "{sex}{sep}{year:02}{sep}{month:02}{sep}{dep}{sep}{commune:03}{sep}{order:03}{sep}{key:02}"
                )
            })
    }

    /// Words of the trade and small numbers, as announcements are written.
    fn professional_text() -> impl Strategy<Value = String> {
        let words = prop::sample::select(vec![
            "réunion",
            "CLSPD",
            "CISPD",
            "le",
            "à",
            "14h",
            "12/03",
            "gendarmerie",
            "brigade",
            "article",
            "226-13",
            "3919",
            "119",
            "17",
            "session",
            "d'acculturation",
            "officiers",
            "formés",
            "2025",
            "mars",
            "trimestre",
            "commune",
            "intercommunalité",
            "thème",
            "violences",
            "intrafamiliales",
            "présentation",
            "du",
            "code",
            "pénal",
            "45",
            "minutes",
            "visio",
            "page",
            "annexe",
            "4",
            "n°",
            "en",
        ]);
        prop::collection::vec(words, 1..30).prop_map(|w| w.join(" "))
    }

    proptest! {
        #[test]
        fn a_phone_number_in_a_sentence_is_found(number in phone(), before in "[a-zé ]{0,20}", after in "[a-zé ]{0,20}") {
            let text = format!("{before} {number} {after}");
            let found = check(&text);
            prop_assert!(found.iter().any(|f| f.kind == FindingKind::Phone && f.excerpt(&text) == number), "{text}: {found:?}");
        }

        #[test]
        fn a_nir_is_found_whole(number in nir()) {
            let text = format!("Numéro : {number}.");
            let found = check(&text);
            prop_assert_eq!(found.len(), 1, "{}", text);
            prop_assert_eq!(found[0].kind, FindingKind::SocialSecurityNumber);
            prop_assert_eq!(found[0].excerpt(&text), number.as_str());
        }

        #[test]
        fn an_email_address_is_found(local in "[a-z][a-z0-9.]{0,12}[a-z]", domain in "[a-z]{2,10}", tld in "(fr|com|org|gouv\\.fr)") {
            let address = format!("{local}@{domain}.{tld}");
            let text = format!("Contact : {address} merci");
            let found = check(&text);
            prop_assert_eq!(found.len(), 1);
            prop_assert_eq!(found[0].excerpt(&text), address.as_str());
        }

        #[test]
        fn professional_text_passes(text in professional_text()) {
            prop_assert_eq!(check(&text), vec![], "{}", text);
        }

        #[test]
        fn any_text_gives_ordered_disjoint_spans_on_boundaries(text in "\\PC{0,200}") {
            let found = check(&text);
            for pair in found.windows(2) {
                prop_assert!(pair[0].span.end <= pair[1].span.start);
            }
            for f in &found {
                prop_assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
                prop_assert!(!f.excerpt(&text).is_empty());
            }
        }
    }
}
