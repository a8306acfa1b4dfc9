//! The pages of the figures: the dashboard of the actor's own scope (`/statistiques`) and
//! the public national observatory (`/observatoire`), both drawn by the same template.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::WebResult;
use crate::http::layout::Shell;
use crate::statistics::figures::{actor_figures, figures};
use crate::statistics::{Dashboard, PeriodQuery, year_of};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use passerelle_domain::access::{Action, Resource};
use passerelle_store::statistics::rollup::ReportScope;

#[derive(Template, WebTemplate)]
#[template(path = "statistics/statistics.html")]
pub struct DashboardPage {
    shell: Shell,
    year: i32,
    years: Vec<i32>,
    figures: Dashboard,
    csv_links: bool,
    can_import: bool,
}

pub(super) async fn dashboard(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<PeriodQuery>,
) -> WebResult<DashboardPage> {
    let today = crate::http::clock::paris_today();
    let (year, _, figures) = actor_figures(&state, &auth, &query).await?;
    Ok(DashboardPage {
        shell: Shell::for_actor("Statistiques d'activité", &auth, &csrf).at("/statistiques"),
        year,
        years: (2018..=today.year()).rev().collect(),
        figures,
        csv_links: true,
        can_import: passerelle_domain::access::decide(
            &auth.actor,
            Action::Manage,
            &Resource::ActivityStatistics,
        )
        .is_allowed(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "statistics/observatory.html")]
pub struct ObservatoryPage {
    shell: Shell,
    year: i32,
    years: Vec<i32>,
    figures: Dashboard,
    csv_links: bool,
    can_import: bool,
}

/// The public observatory: the nation's activity, suppressed, for anyone.
pub(super) async fn observatory(
    State(state): State<AppState>,
    crate::http::auth::MaybeAuthenticated(visitor): crate::http::auth::MaybeAuthenticated,
    csrf: CsrfToken,
    Query(query): Query<PeriodQuery>,
) -> WebResult<ObservatoryPage> {
    let today = crate::http::clock::paris_today();
    let year = year_of(&query.annee, today)?;
    let figures = figures(&state, &ReportScope::Nation, year, &query.filtre).await?;
    let shell = match &visitor {
        Some(auth) => Shell::for_actor("Observatoire national", auth, &csrf),
        None => Shell::public("Observatoire national"),
    };
    Ok(ObservatoryPage {
        shell: shell.at("/observatoire"),
        year,
        years: (2018..=today.year()).rev().collect(),
        figures,
        csv_links: false,
        can_import: false,
    })
}
