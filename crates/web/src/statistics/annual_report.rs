//! The annual activity report as PDF: the figures' summary, chart and tables, with a map of
//! the posts by département on which the scope's départements are outlined.

use crate::AppState;
use crate::http::error::WebResult;
use crate::statistics::Dashboard;
use axum::response::IntoResponse;
use passerelle_store::statistics::rollup::ReportScope;

/// The report's map: the posts by département today, the scope's départements outlined, and
/// what it shows in words.
pub(super) async fn report_map(
    state: &AppState,
    scope: &ReportScope,
) -> WebResult<(String, String)> {
    let today = crate::http::clock::paris_today();
    let areas = crate::registry::map::areas(
        state,
        today,
        passerelle_domain::registry::coverage::MapMeasure::Posts,
    )
    .await?;
    let outlined: Vec<String> = match scope {
        ReportScope::Nation => Vec::new(),
        ReportScope::Departement(code) => vec![code.to_string()],
        ReportScope::Post(id) => passerelle_store::registry::post::find(&state.db, id)
            .await?
            .map(|post| vec![post.departement_code.to_string()])
            .unwrap_or_default(),
        ReportScope::Employer(id) => {
            let mut codes: Vec<String> = passerelle_store::registry::post::posts_in(
                &state.db,
                &passerelle_store::registry::post::PostScope::Employer(id.clone()),
                None,
            )
            .await?
            .into_iter()
            .map(|post| post.departement_code.to_string())
            .collect();
            codes.sort();
            codes.dedup();
            codes
        }
    };
    let posts: u64 = areas.iter().map(|area| area.posts).sum();
    let mut caption = format!(
        "Postes d'intervenant social par département au {} ({} postes en France)",
        crate::http::clock::french_date(today),
        passerelle_domain::numbers::count(posts)
    );
    if !outlined.is_empty() {
        caption.push_str(&format!(
            " ; entouré en rouge : {} {}",
            if outlined.len() == 1 {
                "le département"
            } else {
                "les départements"
            },
            outlined.join(", ")
        ));
    }
    caption.push_str(". Départements d'outre-mer en encarts.");
    Ok((
        crate::registry::map::printed_map(&areas, &outlined)?,
        caption,
    ))
}

/// The annual report of the figures as PDF, with its map (SVG) and the map's caption.
pub(super) async fn annual_report(
    figures: &Dashboard,
    year: i32,
    (map, map_caption): &(String, String),
) -> WebResult<axum::response::Response> {
    use passerelle_documents::annual_report::*;
    // The page's headline tiles, in the page's order.
    let summary = crate::statistics::headline::tiles(figures)
        .into_iter()
        .map(|tile| SummaryItem {
            value: tile.value,
            label: tile.label.into(),
        })
        .collect();
    let report = AnnualReport {
        scope: figures.scope_label.clone(),
        year,
        generated_on: crate::http::clock::french_date(crate::http::clock::paris_today()),
        suppressed: figures.suppressed,
        secret_legend: figures.secret_legend().unwrap_or_default().into(),
        summary,
        period: figures.period.into(),
        bars: figures
            .bars
            .iter()
            .map(|bar| ReportBar {
                month: bar.month.clone(),
                value: bar.value,
                label: bar.label.clone(),
            })
            .collect(),
        tables: figures
            .published_tables()
            .into_iter()
            .map(|table| ReportTable {
                caption: table.caption.clone(),
                columns: table.columns.clone(),
                rows: table
                    .rows
                    .iter()
                    .map(|(label, cells)| ReportRow {
                        label: label.clone(),
                        cells: cells.iter().map(|c| c.french()).collect(),
                    })
                    .collect(),
            })
            .collect(),
        map_caption: map_caption.clone(),
        delay: ReportDelay {
            contacted: figures.delay.contacted.clone(),
            median: figures.delay.median.clone(),
            p90: figures.delay.p90.clone(),
        },
    };
    // Typst lays the report out for about a second of CPU: on the blocking pool.
    let map = map.clone();
    let pdf =
        crate::http::blocking::off_runtime(move || annual_report_pdf(&report, map.as_bytes()))
            .await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"rapport-activite-{year}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}
