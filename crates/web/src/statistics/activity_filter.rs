//! What the dashboards can narrow the activity table to: one problem category, or — beyond one
//! post, where posts differ — the posts of one zone or of one employer type. One filter at a
//! time, written `motif:<code>`, `zone:<code>` or `employeur:<code>` in the `filtre` parameter.

use crate::http::error::{WebError, WebResult};
use passerelle_domain::registry::employer::EmployerKind;
use passerelle_domain::registry::post::Zone;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityFilter {
    Category { code: String, label: String },
    Zone(Zone),
    EmployerKind(EmployerKind),
}

/// One choice of the filter's list, grouped under its kind.
pub struct FilterOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct FilterGroup {
    pub label: &'static str,
    pub options: Vec<FilterOption>,
}

impl ActivityFilter {
    /// Reads the `filtre` parameter: empty for no filter; `categories` are the grid's (code,
    /// label); zone and employer type only where the figures span several posts.
    pub fn parse(
        text: &str,
        categories: &[(String, String)],
        several_posts: bool,
    ) -> WebResult<Option<Self>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let refused = || {
            WebError::BadRequest(format!(
                "Filtre « {text} » inconnu : choisissez un motif{} dans la liste.",
                if several_posts {
                    ", une zone ou un type d'employeur"
                } else {
                    ""
                }
            ))
        };
        let (kind, code) = text.split_once(':').ok_or_else(refused)?;
        match kind {
            "motif" => categories
                .iter()
                .find(|(known, _)| known == code)
                .map(|(code, label)| {
                    Some(ActivityFilter::Category {
                        code: code.clone(),
                        label: label.clone(),
                    })
                })
                .ok_or_else(refused),
            "zone" if several_posts => Zone::parse(code)
                .map(|zone| Some(ActivityFilter::Zone(zone)))
                .map_err(|_| refused()),
            "employeur" if several_posts => EmployerKind::parse(code)
                .map(|kind| Some(ActivityFilter::EmployerKind(kind)))
                .map_err(|_| refused()),
            _ => Err(refused()),
        }
    }

    /// The value of the `filtre` parameter.
    pub fn value(&self) -> String {
        match self {
            ActivityFilter::Category { code, .. } => format!("motif:{code}"),
            ActivityFilter::Zone(zone) => format!("zone:{}", zone.code()),
            ActivityFilter::EmployerKind(kind) => format!("employeur:{}", kind.code()),
        }
    }

    /// What the filtered table is about, for its caption.
    pub fn description(&self) -> String {
        match self {
            ActivityFilter::Category { label, .. } => format!("motif « {label} »"),
            ActivityFilter::Zone(zone) => format!("postes : {}", zone.label()),
            ActivityFilter::EmployerKind(kind) => {
                format!("postes employés par : {}", kind.label())
            }
        }
    }

    /// The filter's list, the current choice selected.
    pub fn groups(
        current: Option<&ActivityFilter>,
        categories: &[(String, String)],
        several_posts: bool,
    ) -> Vec<FilterGroup> {
        let selected = current.map(ActivityFilter::value).unwrap_or_default();
        let option = |value: String, label: &str| FilterOption {
            selected: value == selected,
            value,
            label: label.to_string(),
        };
        let mut groups = vec![FilterGroup {
            label: "Motif",
            options: categories
                .iter()
                .map(|(code, label)| option(format!("motif:{code}"), label))
                .collect(),
        }];
        if several_posts {
            groups.push(FilterGroup {
                label: "Zone des postes",
                options: Zone::ALL
                    .iter()
                    .map(|zone| option(format!("zone:{}", zone.code()), zone.label()))
                    .collect(),
            });
            groups.push(FilterGroup {
                label: "Type d'employeur des postes",
                options: EmployerKind::ALL
                    .iter()
                    .map(|kind| option(format!("employeur:{}", kind.code()), kind.label()))
                    .collect(),
            });
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn categories() -> Vec<(String, String)> {
        vec![("vc".into(), "Violences conjugales".into())]
    }

    #[test]
    fn every_listed_choice_reads_back_as_itself() {
        for several_posts in [false, true] {
            for group in ActivityFilter::groups(None, &categories(), several_posts) {
                for option in group.options {
                    let filter = ActivityFilter::parse(&option.value, &categories(), several_posts)
                        .unwrap()
                        .unwrap();
                    assert_eq!(filter.value(), option.value);
                }
            }
        }
    }

    #[test]
    fn unknown_or_out_of_scope_filters_are_refused_in_french() {
        for (text, several_posts) in [
            ("motif:inconnu", true),
            ("zone:police", false),
            ("employeur:association", false),
            ("zone:lune", true),
            ("n'importe quoi", true),
            ("couleur:bleu", true),
        ] {
            match ActivityFilter::parse(text, &categories(), several_posts) {
                Err(WebError::BadRequest(message)) => {
                    assert!(message.starts_with("Filtre « "), "{message}")
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        assert_eq!(
            ActivityFilter::parse("  ", &categories(), true).unwrap(),
            None
        );
    }
}
