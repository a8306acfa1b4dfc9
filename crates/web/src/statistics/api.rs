//! The JSON API of the figures (`/api/observatoire`, public; `/api/statistiques`, the
//! actor's scope): the same tables as the pages, each cell a count or a secret. Its
//! description is served by `openapi`.

use crate::AppState;
use crate::http::bearer::{ApiCaller, PublicCaller};
use crate::http::error::{WebError, WebResult};
use crate::statistics::figures::{caller_figures, figures};
use crate::statistics::{Dashboard, PeriodQuery, year_of};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use passerelle_domain::statistics::suppression::Shown;
use passerelle_store::statistics::rollup::ReportScope;

/// A refused parameter answered as the API's other errors, in JSON (`{"erreur": …}`), not as
/// the pages' HTML.
fn in_json(error: WebError) -> WebError {
    match error {
        WebError::BadRequest(message) => WebError::Api {
            status: 400,
            message,
        },
        other => other,
    }
}

/// Parameters that cannot be read (a parameter given twice, say), in JSON too.
fn unreadable(_: QueryRejection) -> WebError {
    WebError::Api {
        status: 400,
        message: "Paramètres illisibles : « annee » et « filtre », une fois chacun.".into(),
    }
}

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
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> WebResult<axum::Json<serde_json::Value>> {
    let Query(query) = query.map_err(unreadable)?;
    let year = year_of(&query.annee, crate::http::clock::paris_today()).map_err(in_json)?;
    let figures = figures(&state, &ReportScope::Nation, year, &query.filtre)
        .await
        .map_err(in_json)?;
    Ok(axum::Json(figures_json("France entière", year, &figures)))
}

pub(super) async fn statistics_json(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> WebResult<axum::Json<serde_json::Value>> {
    let Query(query) = query.map_err(unreadable)?;
    let (year, _, figures) = caller_figures(&state, &caller, &query)
        .await
        .map_err(in_json)?;
    Ok(axum::Json(figures_json(
        &figures.scope_label,
        year,
        &figures,
    )))
}
