//! The journal pages' filters, kept in the address (a GET form that works without
//! JavaScript): who (a name or an address), what (an action), on which record, from which day
//! to which day; and where the page starts (keyset on the row number).

use passerelle_domain::journal::JournalAction;
use passerelle_store::journal::page::{Cursor, Filter};

/// The query of a journal page, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct JournalQuery {
    #[serde(default)]
    pub qui: String,
    #[serde(default)]
    pub quoi: String,
    #[serde(default)]
    pub sur: String,
    #[serde(default)]
    pub du: String,
    #[serde(default)]
    pub au: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub avant: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub apres: String,
}

/// A field the reader got wrong: its label and what to write.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// The query understood: the filter (but for « who », looked up by the page) and the cursor.
#[derive(Debug, Clone)]
pub struct Understood {
    pub filter: Filter,
    pub cursor: Cursor,
}

impl JournalQuery {
    /// Whether the reader filtered anything.
    pub fn is_filtered(&self) -> bool {
        [&self.qui, &self.quoi, &self.sur, &self.du, &self.au]
            .iter()
            .any(|value| !value.trim().is_empty())
    }

    /// This query's address on `path`, with the page bounds replaced.
    pub fn href(&self, path: &str, avant: Option<i64>, apres: Option<i64>) -> String {
        let query = JournalQuery {
            avant: avant.map(|seq| seq.to_string()).unwrap_or_default(),
            apres: apres.map(|seq| seq.to_string()).unwrap_or_default(),
            ..self.clone()
        };
        let kept: Vec<(&str, &str)> = [
            ("qui", query.qui.as_str()),
            ("quoi", query.quoi.as_str()),
            ("sur", query.sur.as_str()),
            ("du", query.du.as_str()),
            ("au", query.au.as_str()),
            ("avant", query.avant.as_str()),
            ("apres", query.apres.as_str()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .collect();
        match serde_urlencoded::to_string(kept) {
            Ok(text) if !text.is_empty() => format!("{path}?{text}"),
            _ => path.to_string(),
        }
    }

    /// The query with one filter set (from a link in the table), from the newest rows.
    pub fn with(&self, field: &str, value: &str) -> JournalQuery {
        let mut query = JournalQuery {
            avant: String::new(),
            apres: String::new(),
            ..self.clone()
        };
        match field {
            "qui" => query.qui = value.to_string(),
            _ => query.sur = value.to_string(),
        }
        query
    }

    /// The filter and cursor, or the fields to correct (every one, each named by its label).
    pub fn understand(&self) -> Result<Understood, Vec<FieldError>> {
        let mut errors = Vec::new();
        let action = match self.quoi.trim() {
            "" => None,
            code => match JournalAction::parse(code) {
                Ok(action) => Some(action),
                Err(_) => {
                    errors.push(FieldError {
                        field: "Événement",
                        message: "Événement : choisissez un événement de la liste.".into(),
                    });
                    None
                }
            },
        };
        let from = day_bound(&self.du, "Du", 0, &mut errors);
        let until = day_bound(&self.au, "Au", 1, &mut errors);
        if let (Some(from), Some(until)) = (&from, &until)
            && from >= until
        {
            errors.push(FieldError {
                field: "Au",
                message: "Au : la date de fin ne peut pas précéder la date de début (« Du »)."
                    .into(),
            });
        }
        let cursor = match (
            seq_of(&self.avant, &mut errors),
            seq_of(&self.apres, &mut errors),
        ) {
            (Some(seq), _) => Cursor::Before(seq),
            (None, Some(seq)) => Cursor::After(seq),
            (None, None) => Cursor::Newest,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let record = Some(self.sur.trim().to_string()).filter(|record| !record.is_empty());
        Ok(Understood {
            filter: Filter {
                actors: None,
                action,
                record,
                from,
                until,
            },
            cursor,
        })
    }
}

fn seq_of(text: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match text.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(seq) if seq >= 0 => Some(seq),
            _ => {
                errors.push(FieldError {
                    field: "Page",
                    message: "Page : lien de page invalide ; repartez de la première page.".into(),
                });
                None
            }
        },
    }
}

/// A day typed as `jj/mm/aaaa` (or `aaaa-mm-jj`, as a date field sends it), `days_after` days
/// later, as the stored prefix of its first instant in Paris (`2026-12-02T23:00:00`).
fn day_bound(
    text: &str,
    field: &'static str,
    days_after: i64,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let parsed = jiff::civil::Date::strptime("%d/%m/%Y", text)
        .or_else(|_| jiff::civil::Date::strptime("%Y-%m-%d", text))
        .ok()
        .filter(|day| (2000..=2100).contains(&day.year()));
    let instant = parsed
        .and_then(|day| day.checked_add(jiff::Span::new().days(days_after)).ok())
        .and_then(|day| day.at(0, 0, 0, 0).in_tz(crate::http::clock::PARIS).ok())
        .map(|zoned| zoned.timestamp().strftime("%Y-%m-%dT%H:%M:%S").to_string());
    if instant.is_none() {
        errors.push(FieldError {
            field,
            message: format!(
                "{field} : « {text} » n'est pas une date ; écrivez-la jj/mm/aaaa, par exemple 03/12/2026."
            ),
        });
    }
    instant
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_paris_days() {
        let mut errors = Vec::new();
        assert_eq!(
            day_bound("03/12/2026", "Du", 0, &mut errors).as_deref(),
            Some("2026-12-02T23:00:00")
        );
        assert_eq!(
            day_bound("2026-07-03", "Au", 1, &mut errors).as_deref(),
            Some("2026-07-03T22:00:00")
        );
        assert!(errors.is_empty());
        assert_eq!(day_bound("31/02/2026", "Du", 0, &mut errors), None);
        assert!(errors[0].message.starts_with("Du : "));
    }
}
