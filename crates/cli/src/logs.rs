//! What the logs may say: every field but the client's address, and paths without their
//! identifiers or secrets. Logs are kept and shipped with less care than the database, so
//! they carry no personal data: the client's address and what a person did are in the
//! journal; a request's line in nginx's access log is found by its request id, which the
//! request's span carries.

use serde_json::{Map, Value};
use std::fmt;
use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FormatFields, FormattedFields};

/// Fields never written: the client's address (the request span's `client`).
const LEFT_OUT: &[&str] = &["client"];
/// Fields holding a request path, whose identifiers and tokens are masked.
const PATHS: &[&str] = &["uri", "path"];
/// What stands for a masked path segment.
const MASK: &str = "…";

/// Formats the fields of events and spans, as text (`name=value`) or as one JSON object.
pub struct Fields {
    pub json: bool,
}

impl<'writer> FormatFields<'writer> for Fields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut kept = Kept::default();
        fields.record(&mut kept);
        if self.json {
            write!(writer, "{}", Value::Object(kept.json))
        } else {
            write!(writer, "{}", kept.text.join(" "))
        }
    }

    /// Fields recorded on a span after its creation: merged into its JSON object (the
    /// default appends text, which would no longer be JSON).
    fn add_fields(
        &self,
        current: &'writer mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> fmt::Result {
        let mut kept = Kept::default();
        fields.record(&mut kept);
        if self.json {
            let mut object = match serde_json::from_str::<Value>(&current.fields) {
                Ok(Value::Object(object)) => object,
                _ => Map::new(),
            };
            object.extend(kept.json);
            current.fields = Value::Object(object).to_string();
        } else if !kept.text.is_empty() {
            if !current.fields.is_empty() {
                current.fields.push(' ');
            }
            current.fields.push_str(&kept.text.join(" "));
        }
        Ok(())
    }
}

/// The fields seen, minus those left out, in both forms.
#[derive(Default)]
struct Kept {
    json: Map<String, Value>,
    text: Vec<String>,
}

impl Kept {
    fn keep(&mut self, field: &Field, value: Value, shown: String) {
        let name = field.name();
        // Fields that the `log` crate's bridge adds: where the line is in the source.
        if LEFT_OUT.contains(&name) || name.starts_with("log.") {
            return;
        }
        if name == "message" {
            self.text.insert(0, shown);
        } else {
            self.text.push(format!("{name}={shown}"));
        }
        self.json.insert(name.to_string(), value);
    }
}

impl Visit for Kept {
    fn record_str(&mut self, field: &Field, value: &str) {
        let value = if PATHS.contains(&field.name()) {
            masked_path(value)
        } else {
            value.to_string()
        };
        let shown = if field.name() == "message" {
            value.clone()
        } else {
            format!("{value:?}")
        };
        self.keep(field, Value::String(value), shown);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        let text = if PATHS.contains(&field.name()) {
            masked_path(&text)
        } else {
            text
        };
        self.keep(field, Value::String(text.clone()), text);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.keep(field, value.into(), value.to_string());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.keep(field, value.into(), value.to_string());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.keep(field, value.into(), value.to_string());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.keep(field, value.into(), value.to_string());
    }
}

/// A request path with every identifier or token segment masked: `/dossiers/0193…/notes`
/// becomes `/dossiers/…/notes`, `/agenda/<secret>` `/agenda/…`; route words, département
/// codes, post codes and the assets' short version stay.
pub fn masked_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if looks_like_an_identifier(segment) {
                MASK
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// UUIDs, random tokens and the like: 16 characters or more, with a digit, of the letters,
/// digits and `-_.%=` that such values are written with.
fn looks_like_an_identifier(segment: &str) -> bool {
    segment.len() >= 16
        && segment.bytes().any(|b| b.is_ascii_digit())
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'%' | b'='))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_tokens_are_masked_route_words_are_not() {
        assert_eq!(
            masked_path("/dossiers/0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b/notes"),
            "/dossiers/…/notes"
        );
        assert_eq!(
            masked_path("/agenda/Zx3_kP9qLm2Vt8Rw4Yb7Nc1Hd6Jf5Gs0.ics"),
            "/agenda/…"
        );
        assert_eq!(masked_path("/departements/2A"), "/departements/2A");
        assert_eq!(masked_path("/postes/ISCG-35-901"), "/postes/ISCG-35-901");
        assert_eq!(
            masked_path("/assets/a1b2c3d4e5f6/dsfr/dsfr.min.css"),
            "/assets/a1b2c3d4e5f6/dsfr/dsfr.min.css"
        );
        assert_eq!(
            masked_path("/statistiques/rapport-annuel.pdf"),
            "/statistiques/rapport-annuel.pdf"
        );
    }
}
