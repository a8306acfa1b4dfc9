//! Form bodies, read strictly: valid UTF-8 only, bounded field lengths, French errors naming
//! the field. Handlers take `FrenchForm<T>` instead of axum's `Form<T>`.

use crate::http::error::WebError;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// No form field of Passerelle needs more; longer text is refused before any parsing.
pub const FIELD_MAX_CHARS: usize = 10_000;

pub struct FrenchForm<T>(pub T);

/// Decodes one `application/x-www-form-urlencoded` component, refusing invalid UTF-8 (which
/// the usual decoders silently replace by "�").
fn decode_component(raw: &[u8]) -> Option<String> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut index = 0;
    while index < raw.len() {
        match raw[index] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = raw.get(index + 1..index + 3)?;
                let text = std::str::from_utf8(hex).ok()?;
                bytes.push(u8::from_str_radix(text, 16).ok()?);
                index += 2;
            }
            byte => bytes.push(byte),
        }
        index += 1;
    }
    String::from_utf8(bytes).ok()
}

/// Checks every field of an encoded body; the error names the first bad field.
pub fn check_encoded_form(body: &[u8]) -> Result<(), WebError> {
    for pair in body.split(|&b| b == b'&').filter(|pair| !pair.is_empty()) {
        let mut halves = pair.splitn(2, |&b| b == b'=');
        let name = halves.next().and_then(decode_component).ok_or_else(|| {
            WebError::BadRequest(
                "Le formulaire envoyé est illisible (encodage des caractères invalide).".into(),
            )
        })?;
        let value = decode_component(halves.next().unwrap_or_default()).ok_or_else(|| {
            WebError::BadRequest(format!(
                "Le champ « {name} » contient des caractères mal encodés (UTF-8 attendu)."
            ))
        })?;
        if value.chars().count() > FIELD_MAX_CHARS {
            return Err(WebError::BadRequest(format!(
                "Le champ « {name} » dépasse {FIELD_MAX_CHARS} caractères."
            )));
        }
    }
    Ok(())
}

/// The fields typed in a `<textarea>`: they keep their line breaks and tabs. Every other field
/// is a single line (a test checks the templates' text areas against this list).
pub const MULTI_LINE_FIELDS: &[&str] = &["context", "reason", "safe_contact", "text"];

/// The password fields: hashed or compared, never shown, and a password set before this rule
/// must still match, so they are read as typed.
pub const SECRET_FIELDS: &[&str] = &["password", "current", "confirmation"];

/// The body again, every value made plain (see `passerelle_domain::plain_text`): no control
/// or bidirectional characters reach a handler, whichever form it reads.
fn plain_form(body: &[u8]) -> Result<String, WebError> {
    let unreadable = |_| WebError::BadRequest("Le formulaire envoyé est illisible.".to_string());
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(unreadable)?;
    let plain: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(name, value)| {
            if SECRET_FIELDS.contains(&name.as_str()) {
                return (name, value);
            }
            let multi_line = MULTI_LINE_FIELDS.contains(&name.as_str());
            let value = passerelle_domain::plain_text::plain_text(&value, multi_line);
            (name, value)
        })
        .collect();
    serde_urlencoded::to_string(&plain)
        .map_err(|_| WebError::BadRequest("Le formulaire envoyé est illisible.".to_string()))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FrenchForm<T> {
    type Rejection = WebError;
    async fn from_request(request: Request, _: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::to_bytes(request.into_body(), crate::http::auth::FORM_LIMIT_BYTES)
            .await
            .map_err(|_| WebError::TooLarge)?;
        decode_form(&bytes).map(FrenchForm)
    }
}

/// A form's body as the handler's type: strict UTF-8, control characters dropped, every
/// refusal a French message (fuzzed by `crates/web/tests/fuzz_forms.rs`).
pub fn decode_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    check_encoded_form(bytes)?;
    serde_urlencoded::from_str(&plain_form(bytes)?).map_err(|error| {
        WebError::BadRequest(format!(
            "Le formulaire envoyé est incomplet ou mal formé ({error})."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_refused_with_the_field_named() {
        let error = check_encoded_form(b"csrf=x&nom=%C3%28").unwrap_err();
        assert!(
            matches!(error, WebError::BadRequest(ref m) if m.contains("« nom »")),
            "{error:?}"
        );
        assert!(check_encoded_form(b"nom=Fran%C3%A7oise+Exemple").is_ok());
        assert!(check_encoded_form(b"nom=%ZZ").is_err());
        assert!(check_encoded_form(b"nom=%C").is_err());
    }

    #[test]
    fn control_and_bidi_characters_never_reach_a_handler() {
        let plain = plain_form(b"nom=A%00B%E2%80%AEC%09D&text=l1%0D%0Al2%09x%1B").unwrap();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&plain).unwrap();
        assert_eq!(pairs[0], ("nom".into(), "ABC D".into()));
        assert_eq!(pairs[1], ("text".into(), "l1\nl2\tx".into()));
        let secret = plain_form(b"password=a%09b%E2%80%AE").unwrap();
        assert_eq!(secret, "password=a%09b%E2%80%AE");
    }

    #[test]
    fn every_text_area_keeps_its_lines_and_every_password_its_characters() {
        let templates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut folders = vec![templates];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let page = std::fs::read_to_string(&path).unwrap_or_default();
                for input in page.split("<input").skip(1) {
                    let tag = input.split('>').next().unwrap_or_default();
                    if tag.contains("type=\"password\"") {
                        let name = tag
                            .split("name=\"")
                            .nth(1)
                            .and_then(|r| r.split('"').next());
                        let name = name.unwrap_or_default();
                        assert!(SECRET_FIELDS.contains(&name), "{}: {name}", path.display());
                    }
                }
                for area in page.split("<textarea").skip(1) {
                    let name = area
                        .split("name=\"")
                        .nth(1)
                        .and_then(|r| r.split('"').next());
                    let name = name.unwrap_or_default();
                    assert!(
                        MULTI_LINE_FIELDS.contains(&name),
                        "{}: {name}",
                        path.display()
                    );
                }
            }
        }
    }

    #[test]
    fn over_long_fields_are_refused() {
        let body = format!("texte={}", "a".repeat(FIELD_MAX_CHARS + 1));
        assert!(
            matches!(check_encoded_form(body.as_bytes()), Err(WebError::BadRequest(ref m)) if m.contains("« texte »"))
        );
    }
}

/// A date typed in a form or a link: `jj/mm/aaaa`, or `aaaa-mm-jj` as date fields send it,
/// within the years every page can compute with (see `passerelle_domain::day`). Every form
/// and query string reads its dates here.
pub fn parse_date(field: &str, text: &str) -> Result<time::Date, WebError> {
    use passerelle_domain::day::{DayProblem, FIRST_YEAR, LAST_YEAR, read_day};
    read_day(text).map_err(|problem| {
        WebError::BadRequest(match problem {
            DayProblem::Unreadable => format!(
                "Le champ « {field} » n'est pas une date valide (format attendu : jj/mm/aaaa)."
            ),
            DayProblem::OutOfRange => format!(
                "Le champ « {field} » doit être une date entre {FIRST_YEAR} et {LAST_YEAR}."
            ),
            DayProblem::ShortYear => {
                format!("Le champ « {field} » : écrivez l'année sur quatre chiffres (jj/mm/aaaa).")
            }
        })
    })
}

/// A date typed in a form field, within that field's window on today's date in Paris (see
/// `passerelle_domain::date_field`); the message names the field.
pub fn read_date(field: DateField, text: &str) -> Result<time::Date, String> {
    field
        .read(text, crate::http::clock::paris_today())
        .map_err(|error| format!("{error}."))
}

pub use passerelle_domain::date_field::DateField;

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn dates_are_read_the_french_way_or_from_date_fields() {
        assert_eq!(
            parse_date("date", "01/11/2020").unwrap(),
            time::macros::date!(2020 - 11 - 01)
        );
        assert_eq!(
            parse_date("date", "2020-11-01").unwrap(),
            time::macros::date!(2020 - 11 - 01)
        );
        for bad in [
            "31/02/2024",
            "2024-13-01",
            "hier",
            "",
            "1/1",
            "99/99/99999",
            "9999-12-31",
            "0001-01-01",
        ] {
            assert!(
                matches!(parse_date("date", bad), Err(WebError::BadRequest(ref m)) if m.contains("« date »")),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_date("jour", "9999-12-31"),
            Err(WebError::BadRequest(ref m)) if m.contains("« jour » doit être une date entre 1900 et 2200")
        ));
    }
}
