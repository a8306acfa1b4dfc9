//! The dashboard's downloads: one table as a French CSV file, every table in one workbook
//! (XLSX or ODS), or the annual report (PDF, in `annual_report`); always the page's cells,
//! suppressed the same way.

use crate::AppState;
use crate::http::auth::Authenticated;
use crate::http::error::{WebError, WebResult};
use crate::statistics::annual_report::{annual_report, report_map};
use crate::statistics::figures::actor_figures;
use crate::statistics::{Dashboard, PeriodQuery, TableView};
use axum::extract::{Query, State};
use passerelle_documents::spreadsheet::{self, CellValue, SheetTable};
use passerelle_domain::statistics::suppression::Shown;

/// The dashboard's downloads, with the same cells as the page, suppressed the same way: the
/// annual report (`rapport.pdf`), every table in one workbook (`tableaux.xlsx`,
/// `tableaux.ods`), or one table as a CSV file (`activite.csv`, `motifs.csv`, …).
pub(super) async fn download(
    State(state): State<AppState>,
    auth: Authenticated,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(query): Query<PeriodQuery>,
) -> WebResult<axum::response::Response> {
    let (year, scope, figures) = actor_figures(&state, &auth, &query).await?;
    match file.as_str() {
        "rapport.pdf" => annual_report(&figures, year, &report_map(&state, &scope).await?).await,
        "tableaux.xlsx" => workbook_download(&figures, year, Workbook::Xlsx).await,
        "tableaux.ods" => workbook_download(&figures, year, Workbook::Ods).await,
        _ => {
            let wanted = file
                .strip_suffix(".csv")
                .map(|name| format!("table-{name}"))
                .ok_or(WebError::NotFound)?;
            let table = figures
                .published_tables()
                .into_iter()
                .find(|t| t.id == wanted)
                .ok_or(WebError::NotFound)?;
            table_csv(table, year, figures.secret_legend())
        }
    }
}

fn table_csv(
    table: &TableView,
    year: i32,
    legend: Option<&str>,
) -> WebResult<axum::response::Response> {
    let mut writer = crate::registry::open_data::french_csv();
    let csv_error = |e: csv::Error| WebError::Internal(e.into());
    writer
        .write_record(
            std::iter::once(table.caption.as_str()).chain(table.columns.iter().map(String::as_str)),
        )
        .map_err(csv_error)?;
    for (label, cells) in &table.rows {
        writer
            .write_record(std::iter::once(label.clone()).chain(cells.iter().map(|c| c.text())))
            .map_err(csv_error)?;
    }
    // The legend under the table, as wide as it (a CSV file's lines have one width).
    if let Some(legend) = legend {
        writer
            .write_record(std::iter::once(legend).chain(table.columns.iter().map(|_| "")))
            .map_err(csv_error)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| WebError::Internal(anyhow::anyhow!(e.to_string())))?;
    Ok(crate::registry::open_data::csv_download(
        &format!("{}-{year}.csv", table.id),
        body,
    ))
}

enum Workbook {
    Xlsx,
    Ods,
}

/// A table on its own sheet: counts as numbers, suppressed cells as their text, and the
/// legend under them.
fn sheet_of(table: &TableView, name: &str, legend: Option<&str>) -> SheetTable {
    SheetTable {
        name: name.to_string(),
        note: legend.map(str::to_string),
        title: table.caption.clone(),
        columns: table.columns.clone(),
        lines: table
            .rows
            .iter()
            .map(|(label, cells)| {
                let cells = cells
                    .iter()
                    .map(|cell| match cell {
                        Shown::Count(n) => CellValue::Number(*n as f64),
                        other => CellValue::Text(other.text()),
                    })
                    .collect();
                (label.clone(), cells)
            })
            .collect(),
    }
}

/// Every table of the dashboard in one workbook; the years before Passerelle on a sheet of
/// their own, with their provenance.
async fn workbook_download(
    figures: &Dashboard,
    year: i32,
    format: Workbook,
) -> WebResult<axum::response::Response> {
    let mut sheets: Vec<SheetTable> = figures
        .published_tables()
        .into_iter()
        .map(|table| {
            sheet_of(
                table,
                table.id.trim_start_matches("table-"),
                figures.secret_legend(),
            )
        })
        .collect();
    if let Some((table, provenance)) = &figures.legacy {
        let mut sheet = sheet_of(table, "avant Passerelle", figures.secret_legend());
        sheet.title = format!("{} ({provenance})", sheet.title);
        sheets.push(sheet);
    }
    // Writing a workbook is CPU work (zip, XML): on the blocking pool.
    let (body, extension, content_type) = match format {
        Workbook::Xlsx => (
            crate::http::blocking::off_runtime(move || spreadsheet::xlsx(&sheets)).await?,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        Workbook::Ods => (
            crate::http::blocking::off_runtime(move || spreadsheet::ods(&sheets)).await?,
            "ods",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
    };
    Ok(crate::registry::open_data::file_download(
        &format!("statistiques-{year}.{extension}"),
        content_type,
        body,
    ))
}
