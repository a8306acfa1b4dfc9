//! The activity statistics of the actor's own scope, read from the rollups: exact for the
//! post's social workers, small-cell suppressed for everyone else (employer, département,
//! nation). This file holds the routes and the view types the pages, the exports and the API
//! share; the figures are assembled in `figures`, the tables published in `tables`.

pub mod activity_filter;
mod annual_report;
mod api;
mod chart;
pub mod check;
mod dashboard;
mod exports;
mod figures;
pub(crate) mod headline;
mod legacy_years;
mod openapi;
mod sections;
mod tables;

use crate::http::error::{WebError, WebResult};
use crate::http::route_table::RouteTable;
use crate::statistics::activity_filter::FilterGroup;
use crate::statistics::chart::Bar;
use crate::statistics::headline::DelayView;
use passerelle_domain::statistics::suppression::Shown;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/statistiques", dashboard::dashboard)
        .get("/statistiques/{file}", exports::download)
        .upload_form(
            "/statistiques/historique",
            legacy_years::legacy_form,
            legacy_years::legacy_import,
            crate::registry::import::MAX_FILE_BYTES,
        )
        .get("/observatoire", dashboard::observatory)
        .get("/api/observatoire", api::observatory_json)
        .get("/api/statistiques", api::statistics_json)
        .get("/api/openapi.json", openapi::openapi)
}

#[derive(serde::Deserialize, Default)]
pub struct PeriodQuery {
    #[serde(default)]
    annee: String,
    /// `motif:<code>`, `zone:<code>` or `employeur:<code>` (see `ActivityFilter`).
    #[serde(default)]
    filtre: String,
}

/// The year asked for, or the current one; a wrong value is named in French.
pub(super) fn year_of(text: &str, today: time::Date) -> WebResult<i32> {
    match text.trim() {
        "" => Ok(today.year()),
        text => text
            .parse::<i32>()
            .ok()
            .filter(|year| (2000..=today.year()).contains(year))
            .ok_or_else(|| {
                WebError::BadRequest(format!(
                    "Filtre « année » : une année de 2000 à {}, en quatre chiffres.",
                    today.year()
                ))
            }),
    }
}

/// A table as the page shows it: its header, its rows (label, cells), the totals last.
pub struct TableView {
    pub id: &'static str,
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<Shown>)>,
}

impl TableView {
    /// The table without its « Total » row, for a table whose rows count different things
    /// (referrals, interviews, actions…): their sum means nothing. The row was counted when
    /// the cells were suppressed, so hiding it reveals nothing.
    fn without_total_row(mut self) -> Self {
        if self.rows.last().is_some_and(|(label, _)| label == "Total") {
            self.rows.pop();
        }
        self
    }
}

/// What the dashboard and its exports show for a scope and a year.
pub struct Dashboard {
    scope_label: String,
    suppressed: bool,
    /// The `filtre` parameter as understood ("" for none), what it narrows to, the choices,
    /// and the activity table it gives (shown after the chart, which then draws it).
    filter: String,
    filter_description: Option<String>,
    filters: Vec<FilterGroup>,
    focus: Option<TableView>,
    /// Distinct persons received in the year, and (no social service knew them at intake,
    /// all of them) when both cells are published.
    persons: Shown,
    unknown_share: Option<(u64, u64)>,
    /// "mois" inside the post, "trimestre" once published.
    period: &'static str,
    /// The chart of the activity table, and of the filtered activity when there is one.
    bars: Vec<Bar>,
    focus_bars: Vec<Bar>,
    tables: Vec<TableView>,
    delay: DelayView,
    /// The declared years before Passerelle, and their provenance, kept apart.
    legacy: Option<(TableView, String)>,
}

impl Dashboard {
    /// The query string of the page's downloads: the same year and filter.
    pub fn download_query(&self, year: &i32) -> String {
        let mut pairs = vec![("annee", year.to_string())];
        if !self.filter.is_empty() {
            pairs.push(("filtre", self.filter.clone()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// What « s » means, where the figures are suppressed.
    pub fn secret_legend(&self) -> Option<&'static str> {
        self.suppressed
            .then_some(passerelle_domain::statistics::suppression::SECRET_LEGEND)
    }

    /// Every table, in the page's order: the activity, the filtered activity if any, the rest.
    fn published_tables(&self) -> Vec<&TableView> {
        let (activity, rest) = self.tables.split_at(self.tables.len().min(1));
        activity.iter().chain(&self.focus).chain(rest).collect()
    }
}
