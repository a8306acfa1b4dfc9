//! Fuzzing the domain's readers of typed text (see `support/fuzzing.rs`): the person-name
//! normaliser and its keys, the date readers of every date field, the phone reader.

#[path = "support/fuzzing.rs"]
mod fuzzing;

use passerelle_domain::date_field::DateField;
use passerelle_domain::referral::person_name::{
    PersonKey, blocking_keys, match_score, name_tokens, normalise, phonetic_key, similarity,
};
use passerelle_domain::referral::phone::PhoneNumber;
use time::macros::date;

fn seeds(texts: &[&str]) -> Vec<Vec<u8>> {
    texts.iter().map(|t| t.as_bytes().to_vec()).collect()
}

#[test]
fn the_name_normaliser_never_panics_and_is_idempotent() {
    let names = seeds(&[
        "Le Gall-Kerjean",
        "Maëlle Orlanne",
        "N'Diaye",
        "Œdipe Æsir Straße",
        "van der Berg",
        "ＦＵＬＬ ﬁn",
        "Łukasz Đorđević",
        "  ",
        "李 小龍",
        "A\u{301}ngel",
    ]);
    fuzzing::fuzz("person_name", &names, |bytes| {
        let text = String::from_utf8_lossy(bytes);
        let folded = normalise(&text);
        assert_eq!(normalise(&folded), folded, "normalise is idempotent");
        assert!(!folded.starts_with(' ') && !folded.ends_with(' ') && !folded.contains("  "));
        let tokens = name_tokens(&text);
        let _ = phonetic_key(&text);
        let key = PersonKey {
            last_name: text.to_string(),
            birth_name: None,
            first_names: folded.clone(),
            birth_date: None,
        };
        let keys = blocking_keys(&key);
        let score = similarity(&text, "Maëlle Orlanne");
        assert!((0.0..=1.0).contains(&score), "similarity {score}");
        if let Some(score) = match_score(&key, &key) {
            assert!(score.is_finite());
        }
        format!(
            "{}:{}:{}",
            tokens.len().min(4),
            keys.len().min(4),
            folded.is_empty()
        )
    });
}

#[test]
fn the_date_readers_never_panic_and_keep_to_their_windows() {
    let days = seeds(&[
        "06/12/2026",
        "2026-12-06",
        "6/1/2026",
        "31/12/9999",
        "29/02/2024",
        "01/01/1900",
        "1/1/26",
        "",
    ]);
    let today = date!(2026 - 12 - 06);
    fuzzing::fuzz("dates", &days, |bytes| {
        let text = String::from_utf8_lossy(bytes);
        let mut outcome = String::new();
        for field in DateField::ALL {
            match field.read(&text, today) {
                Ok(day) => {
                    assert!(
                        field.window(today, None).contains(day),
                        "{field:?} accepted {day} outside its window"
                    );
                    outcome.push('y');
                }
                Err(error) => {
                    assert!(!error.to_string().is_empty());
                    outcome.push('n');
                }
            }
            let _ = field.read_for_case(&text, today, date!(2026 - 01 - 15));
        }
        outcome
    });
}

#[test]
fn the_phone_reader_never_panics_and_gives_a_readable_number() {
    let phones = seeds(&[
        "06 12 34 56 78",
        "+33 6 12 34 56 78",
        "0033612345678",
        "112",
        "+262 692 12 34 56",
    ]);
    fuzzing::fuzz("phone", &phones, |bytes| {
        let text = String::from_utf8_lossy(bytes);
        match PhoneNumber::parse(&text) {
            Ok(phone) => {
                assert!(
                    phone
                        .as_str()
                        .chars()
                        .all(|c| c == '+' || c.is_ascii_digit()),
                    "{phone:?}"
                );
                let _ = phone.national();
                "ok".into()
            }
            Err(error) => format!("refused:{}", error.to_string().len().min(3)),
        }
    });
}
