//! The « information préoccupante » a social worker sends the CRIP (cellule de recueil des
//! informations préoccupantes) of the département for a child in danger: pre-filled from the
//! case, completed and signed by hand. Nothing here sends it: the social worker does.

use crate::DocumentError;
use crate::pdf::Template;
use serde::Serialize;
use std::sync::OnceLock;

/// Everything printed, already worded in French and formatted.
#[derive(Debug, Clone, Serialize)]
pub struct InformationPreoccupante {
    /// "CRIP d'Ille-et-Vilaine".
    pub crip: String,
    pub author: String,
    /// "ISCG-35-001 — Ille-et-Vilaine".
    pub post: String,
    pub written_on: String,
    pub received_on: String,
    /// "Léo Martin, né·e le 02/05/2016".
    pub children: Vec<String>,
    /// "Victime : Maëlle Martin".
    pub others: Vec<String>,
    pub categories: String,
    pub context: Option<String>,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| Template::new(include_str!("../templates/information_preoccupante.typ")))
}

pub fn information_preoccupante_pdf(
    document: &InformationPreoccupante,
) -> Result<Vec<u8>, DocumentError> {
    template().render(document, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_laid_out_with_markup_like_text_kept_as_text() {
        let document = InformationPreoccupante {
            crip: "CRIP d'Ille-et-Vilaine".into(),
            author: "Camille Exemple".into(),
            post: "ISCG-35-001 — Ille-et-Vilaine".into(),
            written_on: "29/11/2026".into(),
            received_on: "28/11/2026".into(),
            children: vec!["Léo #Martin *gras*, né·e le 02/05/2016".into()],
            others: vec!["Victime : Maëlle Martin".into()],
            categories: "Enfant en danger, Violences conjugales".into(),
            context: Some("Faits = #set page(paper: \"a3\") $x$".into()),
        };
        let pdf = information_preoccupante_pdf(&document).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 5_000);
    }
}
