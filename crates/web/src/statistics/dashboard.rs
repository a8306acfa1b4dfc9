//! The pages of the figures: the dashboard of the actor's own scope (`/statistiques`) and
//! the public national observatory (`/observatoire`), both drawn by the same template: the
//! headline tiles, a table of contents, then each table with its chart. The département's
//! dashboard places the nation's headline figures beside its own; the observatory places the
//! reader's département beside the nation's, and compares the years since the first.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::WebResult;
use crate::http::layout::Shell;
use crate::statistics::chart::bars_of;
use crate::statistics::figures::{actor_figures, figures};
use crate::statistics::headline::{Tile, tiles, tiles_beside};
use crate::statistics::sections::Evolution;
use crate::statistics::{Dashboard, PeriodQuery, year_of};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use passerelle_domain::access::{Action, Resource, decide, home_departement};
use passerelle_domain::numbers;
use passerelle_domain::statistics::suppression::Shown;
use passerelle_domain::statistics::{TOTAL, indicator};
use passerelle_store::statistics::rollup::{self, ReportScope};

#[derive(Template, WebTemplate)]
#[template(path = "statistics/statistics.html")]
pub struct DashboardPage {
    shell: Shell,
    year: i32,
    years: Vec<i32>,
    figures: Dashboard,
    tiles: Vec<Tile>,
    evolution: Option<Evolution>,
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
    let (year, scope, figures) = actor_figures(&state, &auth, &query).await?;
    // A département reads its figures against the nation's.
    let tiles = match scope {
        ReportScope::Departement(_) => {
            let nation = self::figures(&state, &ReportScope::Nation, year, "").await?;
            tiles_beside(&figures, &nation, "France entière")
        }
        ReportScope::Post(_) | ReportScope::Employer(_) | ReportScope::Nation => tiles(&figures),
    };
    Ok(DashboardPage {
        shell: Shell::for_actor("Statistiques d'activité", &auth, &csrf).at("/statistiques"),
        year,
        years: (2018..=today.year()).rev().collect(),
        figures,
        tiles,
        evolution: None,
        csv_links: true,
        can_import: decide(&auth.actor, Action::Manage, &Resource::ActivityStatistics).is_allowed(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "statistics/observatory.html")]
pub struct ObservatoryPage {
    shell: Shell,
    year: i32,
    years: Vec<i32>,
    figures: Dashboard,
    tiles: Vec<Tile>,
    evolution: Option<Evolution>,
    csv_links: bool,
    can_import: bool,
}

/// The public observatory: the nation's activity, suppressed, for anyone; the reader's own
/// département beside it when the reader may see its figures.
pub(super) async fn observatory(
    State(state): State<AppState>,
    crate::http::auth::MaybeAuthenticated(visitor): crate::http::auth::MaybeAuthenticated,
    csrf: CsrfToken,
    Query(query): Query<PeriodQuery>,
) -> WebResult<ObservatoryPage> {
    let today = crate::http::clock::paris_today();
    let year = year_of(&query.annee, today)?;
    let figures = figures(&state, &ReportScope::Nation, year, &query.filtre).await?;
    let own_departement = visitor.as_ref().and_then(|auth| {
        decide(&auth.actor, Action::View, &Resource::ActivityStatistics)
            .is_allowed()
            .then(|| home_departement(&auth.actor.grant))
            .flatten()
    });
    let tiles = match own_departement {
        Some(code) => {
            let scope = ReportScope::Departement(code.to_string());
            let own = self::figures(&state, &scope, year, "").await?;
            tiles_beside(&figures, &own, &format!("Votre département ({code})"))
        }
        None => tiles(&figures),
    };
    let evolution = evolution(&state, &ReportScope::Nation, year, &figures).await?;
    let shell = match &visitor {
        Some(auth) => Shell::for_actor("Observatoire national", auth, &csrf),
        None => Shell::public("Observatoire national"),
    };
    Ok(ObservatoryPage {
        shell: shell.at("/observatoire"),
        year,
        years: (2018..=today.year()).rev().collect(),
        figures,
        tiles,
        evolution,
        csv_links: false,
        can_import: false,
    })
}

/// The year's headline counts of a dashboard, as published: referrals, interviews, actions,
/// orientations, closures (the activity table's year totals) and persons received.
fn yearly_counts(figures: &Dashboard) -> Vec<(&'static str, Shown)> {
    let total = |row: usize| {
        figures
            .tables
            .first()
            .and_then(|activity| activity.rows.get(row))
            .and_then(|(_, cells)| cells.last())
            .copied()
            .unwrap_or(Shown::Count(0))
    };
    vec![
        ("Signalements", total(0)),
        ("Entretiens", total(2)),
        ("Actions", total(3)),
        ("Orientations", total(4)),
        ("Clôtures", total(1)),
        ("Personnes reçues", figures.persons),
    ]
}

/// The scope's years from its first year of data to `year`, each as its own page publishes
/// it (suppressed alike, so that no year's table reveals what its page hides), with the
/// change since the first; `None` when `year` is the first.
async fn evolution(
    state: &AppState,
    scope: &ReportScope,
    year: i32,
    current: &Dashboard,
) -> WebResult<Option<Evolution>> {
    let lines = rollup::report(
        &state.db,
        scope,
        indicator::REFERRALS,
        TOTAL,
        "2000-01",
        &format!("{year:04}-12"),
    )
    .await?;
    let first = lines
        .iter()
        .filter(|(_, _, count)| *count > 0)
        .filter_map(|(month, _, _)| month.get(..4)?.parse::<i32>().ok())
        .min();
    let Some(since) = first.filter(|first| *first < year) else {
        return Ok(None);
    };
    let mut by_year: Vec<Vec<(&'static str, Shown)>> = Vec::new();
    for earlier in since..year {
        by_year.push(yearly_counts(&figures(state, scope, earlier, "").await?));
    }
    by_year.push(yearly_counts(current));
    let labels: Vec<&'static str> = by_year[0].iter().map(|(label, _)| *label).collect();
    let rows = labels
        .iter()
        .enumerate()
        .map(|(line, label)| {
            let cells: Vec<Shown> = by_year.iter().map(|counts| counts[line].1).collect();
            let change = match (cells.first(), cells.last()) {
                (Some(Shown::Count(from)), Some(Shown::Count(to))) => numbers::change(*from, *to),
                _ => None,
            };
            let mut printed: Vec<String> = cells.iter().map(|cell| cell.french()).collect();
            printed.push(change.unwrap_or_else(|| "—".into()));
            (label.to_string(), printed)
        })
        .collect();
    let years: Vec<String> = (since..=year).map(|y| y.to_string()).collect();
    let referrals: Vec<Shown> = by_year.iter().map(|counts| counts[0].1).collect();
    Ok(Some(Evolution {
        since,
        bars: bars_of(&referrals, &years),
        columns: years
            .iter()
            .cloned()
            .chain(std::iter::once(format!("Évolution depuis {since}")))
            .collect(),
        rows,
    }))
}
