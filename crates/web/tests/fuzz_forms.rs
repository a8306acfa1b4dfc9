//! Fuzzing the form decoder every handler reads its body with, and the date reader of forms
//! and links (see the domain's `tests/support/fuzzing.rs`): whatever the bytes, a typed value
//! or a French refusal, never a panic; no control or bidirectional character reaches a field.

#[path = "../../domain/tests/support/fuzzing.rs"]
mod fuzzing;

use passerelle_web::http::error::WebError;
use passerelle_web::http::forms::{decode_form, parse_date};

/// Fields of the kinds forms hold: required and optional text, a number, free pairs.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct SampleForm {
    csrf: String,
    nom: String,
    #[serde(default)]
    texte: Option<String>,
    #[serde(default)]
    personnes: Option<u32>,
}

fn refusal_is_french(error: WebError) -> String {
    match error {
        WebError::BadRequest(message) => {
            assert!(
                message.starts_with("Le ") || message.contains('«'),
                "{message}"
            );
            "refused".into()
        }
        WebError::TooLarge => "too large".into(),
        other => panic!("a form's bytes gave {other:?}"),
    }
}

#[test]
fn form_bodies_of_any_bytes_decode_or_are_refused_in_french() {
    let seeds: Vec<Vec<u8>> = [
        "csrf=abc&nom=Fran%C3%A7oise+Exemple&texte=l1%0D%0Al2&personnes=2",
        "csrf=abc&nom=A%00B%E2%80%AEC",
        "nom=%C3%28&csrf=x",
        "csrf=&nom=&nom=deux",
        "password=a%09b&csrf=x&nom=y",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    fuzzing::fuzz("form", &seeds, |bytes| {
        if let Ok(pairs) = decode_form::<Vec<(String, String)>>(bytes) {
            for (name, value) in &pairs {
                let kept_controls = name != "password";
                if kept_controls {
                    assert!(
                        !value
                            .chars()
                            .any(|c| (c.is_control() && c != '\n' && c != '\t')
                                || ('\u{202a}'..='\u{202e}').contains(&c)
                                || ('\u{2066}'..='\u{2069}').contains(&c)),
                        "{name}: {value:?}"
                    );
                }
            }
        }
        match decode_form::<SampleForm>(bytes) {
            Ok(form) => format!("ok:{}:{}", form.texte.is_some(), form.personnes.is_some()),
            Err(error) => refusal_is_french(error),
        }
    });
}

#[test]
fn dates_in_forms_and_links_are_read_or_refused_in_french() {
    let seeds: Vec<Vec<u8>> = [
        "06/12/2026",
        "2026-12-06",
        "31/02/2026",
        "1/1/26",
        "9999-99-99",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    fuzzing::fuzz("form_date", &seeds, |bytes| {
        let text = String::from_utf8_lossy(bytes);
        match parse_date("Date", &text) {
            Ok(day) => {
                assert!(
                    (passerelle_domain::day::FIRST_YEAR..=passerelle_domain::day::LAST_YEAR)
                        .contains(&day.year())
                );
                "ok".into()
            }
            Err(error) => refusal_is_french(error),
        }
    });
}
