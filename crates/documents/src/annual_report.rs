//! The annual activity report of a scope as PDF: a summary, the monthly chart and every table
//! of the dashboard, with the same cells (suppressed outside the post).

use crate::DocumentError;
use crate::pdf::Template;
use serde::Serialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, Serialize)]
pub struct AnnualReport {
    /// "poste ISCG-35-001", "département 35", "France entière".
    pub scope: String,
    pub year: i32,
    /// `jj/mm/aaaa`.
    pub generated_on: String,
    pub suppressed: bool,
    /// What the sign of a suppressed cell means, printed when `suppressed`.
    pub secret_legend: String,
    pub summary: Vec<SummaryItem>,
    /// What a bar stands for: "mois" or "trimestre".
    pub period: String,
    pub bars: Vec<ReportBar>,
    pub tables: Vec<ReportTable>,
    pub delay: ReportDelay,
    /// What the map (an SVG given beside the data) shows.
    pub map_caption: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryItem {
    pub value: String,
    pub label: String,
}

/// One month of the chart: its count, or none when it is a secret.
#[derive(Debug, Clone, Serialize)]
pub struct ReportBar {
    pub month: String,
    pub value: Option<u64>,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportTable {
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<ReportRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    pub label: String,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportDelay {
    pub contacted: String,
    pub median: String,
    pub p90: String,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| Template::new(include_str!("../templates/annual_report.typ")))
}

/// The report as PDF; `map_svg` is the map of the posts drawn for it.
pub fn annual_report_pdf(report: &AnnualReport, map_svg: &[u8]) -> Result<Vec<u8>, DocumentError> {
    template().render(report, &[("map", map_svg.to_vec())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_laid_out_with_secrets_and_markup_like_labels_kept_as_text() {
        let report = AnnualReport {
            scope: "département #35 *gras*".into(),
            year: 2026,
            generated_on: "29/11/2026".into(),
            suppressed: true,
            secret_legend: "Secret statistique : « s » *pas du gras*".into(),
            summary: vec![SummaryItem {
                value: "s".into(),
                label: "signalements".into(),
            }],
            period: "mois".into(),
            bars: (1..=12)
                .map(|m| ReportBar {
                    month: format!("m{m}"),
                    value: (m % 3 != 0).then_some(m * 7),
                    label: if m % 3 == 0 {
                        "s".into()
                    } else {
                        (m * 7).to_string()
                    },
                })
                .collect(),
            tables: vec![ReportTable {
                caption: "Activité par mois".into(),
                columns: vec!["janv.".into(), "Total".into()],
                rows: vec![
                    ReportRow {
                        label: "Signalements".into(),
                        cells: vec!["s".into(), "s".into()],
                    },
                    ReportRow {
                        label: "Total".into(),
                        cells: vec!["12".into(), "12".into()],
                    },
                ],
            }],
            delay: ReportDelay {
                contacted: "12".into(),
                median: "0 j".into(),
                p90: "3 j".into(),
            },
            map_caption: "Postes par département".into(),
        };
        let map = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#000091"/></svg>"##;
        let pdf = annual_report_pdf(&report, map).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
