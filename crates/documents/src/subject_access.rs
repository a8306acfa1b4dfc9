//! The copy of everything a post holds on one person, produced for them under their right of
//! access (RGPD art. 15): identity, cases with their work and the notes written for the team,
//! household, appointments found under their name, and who read or changed all of it. The
//! social worker reads it before handing it over; Passerelle sends nothing.

use crate::DocumentError;
use crate::pdf::Template;
use serde::Serialize;
use std::sync::OnceLock;

/// Everything printed, already worded in French and formatted (dates `jj/mm/aaaa`).
#[derive(Debug, Clone, Serialize)]
pub struct SubjectAccess {
    /// "Camille Fictive".
    pub person: String,
    /// "ISCG-35-001 — Ille-et-Vilaine".
    pub post: String,
    /// "Camille Exemple, intervenant social".
    pub produced_by: String,
    /// `jj/mm/aaaa HH:MM`, Paris time.
    pub produced_at: String,
    /// (label, value), every field of the sealed identity and the counted attributes.
    pub identity: Vec<Field>,
    pub cases: Vec<CaseCopy>,
    /// Cases that name the person but are held by another post (after a transfer): named,
    /// their content is that post's to give.
    pub elsewhere: Vec<String>,
    /// "Enfant : Léo Fictive".
    pub household: Vec<String>,
    /// "lundi 30/11/2026 à 9 h 00 — À l'unité (Brigade de …) — Prévu".
    pub appointments: Vec<String>,
    pub journal: Vec<JournalEntry>,
    /// Said when the journal was cut to its most recent rows.
    pub journal_note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseCopy {
    /// "Dossier reçu le 12/03/2026".
    pub title: String,
    pub fields: Vec<Field>,
    /// "12/03/2026 : Reçu".
    pub statuses: Vec<String>,
    /// Interviews, actions, orientations: "12/03/2026 : Entretien — À l'unité — 45 min".
    pub work: Vec<String>,
    pub notes: Vec<NoteCopy>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteCopy {
    pub author: String,
    pub on: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct JournalEntry {
    pub at: String,
    pub who: String,
    pub role: String,
    pub action: String,
    pub object: String,
    pub detail: String,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| Template::new(include_str!("../templates/subject_access.typ")))
}

pub fn subject_access_pdf(document: &SubjectAccess) -> Result<Vec<u8>, DocumentError> {
    template().render(document, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_laid_out_with_markup_like_text_kept_as_text() {
        let field = |label: &str, value: &str| Field {
            label: label.into(),
            value: value.into(),
        };
        let document = SubjectAccess {
            person: "Camille #Fictive".into(),
            post: "ISCG-35-001 — Ille-et-Vilaine".into(),
            produced_by: "Camille Exemple, Intervenant social".into(),
            produced_at: "29/11/2026 10:15".into(),
            identity: vec![
                field("Nom", "Fictive *gras*"),
                field("Née ou né le", "14/07/1990"),
            ],
            cases: vec![CaseCopy {
                title: "Dossier reçu le 28/11/2026".into(),
                fields: vec![field(
                    "Faits signalés",
                    "Faits = #set page(paper: \"a3\") $x$",
                )],
                statuses: vec!["28/11/2026 : Reçu".into()],
                work: vec!["29/11/2026 : Entretien — Au téléphone — 30 min".into()],
                notes: vec![NoteCopy {
                    author: "Camille Exemple".into(),
                    on: "29/11/2026".into(),
                    text: "Note d'équipe\navec deux lignes".into(),
                }],
            }],
            elsewhere: vec![],
            household: vec!["Enfant : Léo Fictive".into()],
            appointments: vec![],
            journal: vec![JournalEntry {
                at: "29/11/2026 10:15".into(),
                who: "Camille Exemple".into(),
                role: "Intervenant social".into(),
                action: "Transmission de données personnelles hors du poste".into(),
                object: "Cette fiche".into(),
                detail: "relevé RGPD".into(),
            }],
            journal_note: None,
        };
        let pdf = subject_access_pdf(&document).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 5_000);
    }
}
