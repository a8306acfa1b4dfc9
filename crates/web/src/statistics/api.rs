//! The JSON API of the figures (`/api/observatoire`, public; `/api/statistiques`, the
//! actor's scope): the same tables as the pages, each cell a count or a secret. Its
//! description is served by `openapi`.

use crate::AppState;
use crate::http::bearer::{ApiCaller, PublicCaller};
use crate::http::error::WebResult;
use crate::statistics::figures::{caller_figures, figures};
use crate::statistics::{Dashboard, PeriodQuery, year_of};
use axum::extract::{Query, State};
use passerelle_domain::statistics::suppression::Shown;
use passerelle_store::statistics::rollup::ReportScope;

/// What the API answers for every hidden cell, small or masked alike (`openapi` says why).
pub(super) const SECRET_VALUE: &str = "secret_statistique";

/// A cell in JSON: `{"effectif": 12}` or `{"secret": "secret_statistique"}`.
fn cell_json(cell: &Shown) -> serde_json::Value {
    match cell {
        Shown::Count(n) => serde_json::json!({ "effectif": n }),
        Shown::Secret => serde_json::json!({ "secret": SECRET_VALUE }),
    }
}

fn figures_json(scope_label: &str, year: i32, figures: &Dashboard) -> serde_json::Value {
    serde_json::json!({
        "schema": "/api/openapi.json",
        "annee": year,
        "perimetre": scope_label,
        "secret_statistique": figures.suppressed,
        "delai_premier_contact": {
            "saisines": figures.delay.contacted,
            "mediane": figures.delay.median,
            "p90": figures.delay.p90,
        },
        "personnes_recues": figures.persons.text(),
        "part_inconnues_des_services_sociaux": crate::statistics::headline::share_text(figures.unknown_share),
        "filtre": figures.filter_description,
        "tableaux": figures.published_tables().into_iter().map(|table| serde_json::json!({
            "id": table.id.trim_start_matches("table-"),
            "titre": table.caption,
            "colonnes": table.columns,
            "lignes": table.rows.iter().map(|(label, cells)| serde_json::json!({
                "libelle": label,
                "valeurs": cells.iter().map(cell_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub(super) async fn observatory_json(
    State(state): State<AppState>,
    _caller: PublicCaller,
    Query(query): Query<PeriodQuery>,
) -> WebResult<axum::Json<serde_json::Value>> {
    let year = year_of(&query.annee, crate::http::clock::paris_today())?;
    let figures = figures(&state, &ReportScope::Nation, year, &query.filtre).await?;
    Ok(axum::Json(figures_json("France entière", year, &figures)))
}

pub(super) async fn statistics_json(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(query): Query<PeriodQuery>,
) -> WebResult<axum::Json<serde_json::Value>> {
    let (year, _, figures) = caller_figures(&state, &caller, &query).await?;
    Ok(axum::Json(figures_json(
        &figures.scope_label,
        year,
        &figures,
    )))
}
