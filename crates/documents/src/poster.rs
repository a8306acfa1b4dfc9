//! The A4 poster at a unit's entrance: when the social worker is there, how to reach them, the
//! emergency numbers and a QR code to the unit's live presence page.

use crate::DocumentError;
use crate::pdf::Template;
use serde::Serialize;
use std::sync::OnceLock;

/// Everything printed on the poster, already worded in French and formatted.
#[derive(Debug, Clone, Serialize)]
pub struct Poster {
    /// "Brigade de gendarmerie de …", "Commissariat de …".
    pub unit_name: String,
    /// "Intervenante sociale en gendarmerie", or the social worker's name when they chose to
    /// show it.
    pub title: String,
    pub holder_name: Option<String>,
    /// The regular weekly hours: ("Lundi", "9 h – 12 h · 14 h – 17 h").
    pub weekly_hours: Vec<(String, String)>,
    /// The coming weeks, day by day.
    pub weeks: Vec<PosterWeek>,
    /// Temporary notices ("Absente jusqu'au 04/12/2026").
    pub notices: Vec<String>,
    /// How to reach the social worker outside their hours.
    pub how_to_reach: Vec<String>,
    /// (number, what it is for).
    pub emergency_numbers: Vec<(String, String)>,
    /// The unit's public presence page, printed under the QR code.
    pub page_url: String,
    /// "Mis à jour le 28/11/2026".
    pub updated: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PosterWeek {
    /// "Semaine du 30/11/2026".
    pub label: String,
    /// ("Lundi 30/11", "9 h – 12 h") or ("Mardi 01/12", "Absente").
    pub days: Vec<(String, String)>,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| Template::new(include_str!("../templates/poster.typ")))
}

/// The poster as a one-page A4 PDF.
pub fn poster_pdf(poster: &Poster) -> Result<Vec<u8>, DocumentError> {
    let qr = crate::qr::svg_of(&poster.page_url, 8).unwrap_or_default();
    template().render(poster, &[("qr", qr.into_bytes())])
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample() -> Poster {
        Poster {
            unit_name: "Brigade de gendarmerie de Saint-Malo".into(),
            title: "Intervenante sociale en gendarmerie".into(),
            holder_name: None,
            weekly_hours: vec![
                ("Lundi".into(), "9 h 00 – 12 h 30".into()),
                ("Jeudi".into(), "14 h 00 – 17 h 00".into()),
            ],
            weeks: vec![PosterWeek {
                label: "Semaine du 30/11/2026".into(),
                days: vec![
                    ("Lundi 30/11".into(), "9 h 00 – 12 h 30".into()),
                    ("Jeudi 03/12".into(), "Absente".into()),
                ],
            }],
            notices: vec!["Absente jusqu'au 04/12/2026".into()],
            how_to_reach: vec![
                "Demandez à l'accueil de l'unité : un rendez-vous vous sera proposé.".into(),
            ],
            emergency_numbers: vec![
                ("17".into(), "Police-secours, gendarmerie".into()),
                ("3919".into(), "Violences femmes info".into()),
            ],
            page_url: "https://passerelle.example/presence/unites/u1".into(),
            updated: "Mis à jour le 28/11/2026".into(),
        }
    }

    #[test]
    fn a_poster_is_a_one_page_pdf() {
        let pdf = poster_pdf(&sample()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 10_000, "fonts and QR code are embedded");
    }
}
