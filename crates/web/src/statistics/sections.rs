//! How the pages of figures are laid out: the tables grouped into sections a table of
//! contents lists, each table with a short heading and its chart beside it (the table is the
//! chart's text alternative), and the observatory's evolution across the years.

use crate::statistics::chart::{Bar, RowChart, chart_of_table, row_chart};
use crate::statistics::{Dashboard, TableView};

/// How a table's chart is drawn: columns by period, or one bar per row.
pub enum FigureChart<'a> {
    Periods(&'a [Bar]),
    Rows(RowChart),
}

/// One table of the page and its chart.
pub struct Figure<'a> {
    /// The anchor of the figure ("motifs"), from its table's id.
    pub anchor: &'a str,
    pub heading: String,
    /// The text alternative of the chart: what it draws, and that the table gives the figures.
    pub chart_title: String,
    pub chart: FigureChart<'a>,
    pub table: &'a TableView,
    /// A table with many columns takes the page's width, its chart above it.
    pub wide: bool,
}

/// A part of the page, listed in the table of contents.
pub struct Section<'a> {
    pub id: &'static str,
    pub title: &'static str,
    pub figures: Vec<Figure<'a>>,
}

/// The section of a table and its heading in the table of contents.
fn place_of(table: &TableView) -> (&'static str, &'static str, String) {
    let (section, title) = match table.id {
        "table-activite" | "table-activite-filtree" => ("activite", "Activité"),
        "table-motifs" | "table-origines" | "table-urgences" | "table-penal" | "table-danger"
        | "table-zones" | "table-employeurs" => ("saisines", "Signalements"),
        "table-issues" | "table-entretiens" | "table-actions" | "table-partenaires"
        | "table-suites" => ("suites", "Entretiens, actions, orientations et clôtures"),
        "table-personnes-sexe"
        | "table-personnes-age"
        | "table-personnes-connues"
        | "table-recidives" => ("personnes", "Personnes reçues"),
        _ => ("avant-passerelle", "Avant Passerelle"),
    };
    let heading = match table.id {
        "table-activite" => "Activité de l'année",
        "table-motifs" => "Signalements par motif",
        "table-origines" => "Signalements par origine",
        "table-urgences" => "Signalements par urgence",
        "table-penal" => "Caractère pénal de la situation",
        "table-danger" => "Grille d'évaluation du danger (violences conjugales)",
        "table-zones" => "Signalements par zone des postes",
        "table-employeurs" => "Signalements par type d'employeur des postes",
        "table-issues" => "Clôtures par issue",
        "table-entretiens" => "Entretiens par lieu",
        "table-actions" => "Actions par nature",
        "table-partenaires" => "Orientations par type de partenaire",
        "table-suites" => "Orientations par suite donnée",
        "table-personnes-sexe" => "Personnes reçues par sexe",
        "table-personnes-age" => "Personnes reçues par tranche d'âge",
        "table-personnes-connues" => "Personnes connues d'un service social à l'accueil",
        "table-recidives" => "Nouveaux signalements après une clôture",
        "table-historique" => "Activité déclarée avant Passerelle",
        _ => "",
    };
    let heading = match (table.id, heading) {
        ("table-activite-filtree", _) => table
            .caption
            .split_once(" — ")
            .map(|(_, filter)| format!("Activité — {filter}"))
            .unwrap_or_else(|| table.caption.clone()),
        (_, "") => table.caption.clone(),
        (_, heading) => heading.to_string(),
    };
    (section, title, heading)
}

impl Dashboard {
    /// Every table in its section, in the page's order, each with its chart.
    pub fn sections(&self) -> Vec<Section<'_>> {
        let mut sections: Vec<Section<'_>> = Vec::new();
        let legacy = self.legacy.as_ref().map(|(table, _)| table);
        for table in self.published_tables().into_iter().chain(legacy) {
            let (id, title, heading) = place_of(table);
            let anchor = table.id.trim_start_matches("table-");
            let (chart, chart_title) = match table.id {
                "table-activite" | "table-activite-filtree" => {
                    let bars = if table.id == "table-activite" {
                        &self.bars
                    } else {
                        &self.focus_bars
                    };
                    (
                        FigureChart::Periods(bars.as_slice()),
                        format!(
                            "Graphique : signalements par {} — {heading}. Le tableau « {} » donne les chiffres.",
                            self.period, table.caption
                        ),
                    )
                }
                _ => (
                    FigureChart::Rows(chart_of_table(table)),
                    format!(
                        "Graphique : {heading}, total de chaque ligne. Le tableau « {} » donne les chiffres.",
                        table.caption
                    ),
                ),
            };
            let figure = Figure {
                anchor,
                heading,
                chart_title,
                chart,
                table,
                wide: table.columns.len() > 6,
            };
            match sections.iter_mut().find(|section| section.id == id) {
                Some(section) => section.figures.push(figure),
                None => sections.push(Section {
                    id,
                    title,
                    figures: vec![figure],
                }),
            }
        }
        sections
    }

    /// The chart of the delay: its median and its 90th percentile, in days.
    pub fn delay_chart(&self) -> RowChart {
        let (median, p90) = match self.delay.days {
            Some((median, p90)) => (u64::try_from(median).ok(), u64::try_from(p90).ok()),
            None => (None, None),
        };
        row_chart(&[
            ("Médiane".into(), median, self.delay.median.clone()),
            (
                "90 % des signalements en moins de".into(),
                p90,
                self.delay.p90.clone(),
            ),
        ])
    }
}

/// The observatory's years side by side, from the first year of data to the one shown.
pub struct Evolution {
    pub since: i32,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
    /// The referrals of each year.
    pub bars: Vec<Bar>,
}
