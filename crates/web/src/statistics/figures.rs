//! The figures of a scope for a year, assembled from the rollups: the activity table and its
//! breakdowns (published together, linked by their totals), the filtered activity, the
//! chart, the persons received, the recurrences, the delay and the years before Passerelle.

use crate::AppState;
use crate::http::auth::Authenticated;
use crate::http::bearer::ApiCaller;
use crate::http::error::{WebError, WebResult};
use crate::statistics::activity_filter::ActivityFilter;
use crate::statistics::chart::bars_of;
use crate::statistics::headline::{delay_view, persons_summary};
use crate::statistics::legacy_years::legacy_table;
use crate::statistics::tables::{
    Periods, TableSpec, codes_and_labels, grid_of, period_spec, publish, publish_linked,
    quarterly_spec,
};
use crate::statistics::{Dashboard, PeriodQuery, TableView, year_of};
use passerelle_domain::access::{Action, Resource, Scope};
use passerelle_domain::access::{FiguresExtent, Publication, publication_of};
use passerelle_domain::referral::case::{
    ActionKind, InterviewPlace, KnownToSocialServices, OrientationStatus, PartnerType, Sex,
};
use passerelle_domain::referral::danger::DangerGridResult;
use passerelle_domain::referral::{AgeBand, ClosureOutcome, ReferralSource, Urgency};
use passerelle_domain::registry::employer::EmployerKind;
use passerelle_domain::registry::post::Zone;
use passerelle_domain::statistics::suppression::Shown;
use passerelle_domain::statistics::{self, CATEGORY, TOTAL, indicator, recurrence};
use passerelle_store::statistics::rollup::{self, PostAttribute, ReportScope};

/// The id of the tables published only so that the filtered activity hides what they hide.
const FILTER_ONLY: &str = "table-filtre";

pub(super) fn report_scope(scope: &Scope) -> WebResult<ReportScope> {
    Ok(match scope {
        Scope::Post(id) => ReportScope::Post(id.clone().to_string()),
        Scope::Employer(id) => ReportScope::Employer(id.clone().to_string()),
        Scope::Departement(code) => ReportScope::Departement(code.clone().to_string()),
        Scope::Nation => ReportScope::Nation,
        Scope::Unit(_) => return Err(WebError::Forbidden),
    })
}

/// The figures of the actor's own scope for the year and the filter asked (after checking
/// the actor may see statistics at all), with the year and the scope.
pub(super) async fn actor_figures(
    state: &AppState,
    auth: &Authenticated,
    query: &PeriodQuery,
) -> WebResult<(i32, ReportScope, Dashboard)> {
    auth.require(Action::View, &Resource::ActivityStatistics)?;
    scope_figures(state, &auth.actor.grant.scope, query).await
}

/// The same for whoever calls the API: a person, or a token acting as its role.
pub(super) async fn caller_figures(
    state: &AppState,
    caller: &ApiCaller,
    query: &PeriodQuery,
) -> WebResult<(i32, ReportScope, Dashboard)> {
    caller.require(Action::View, &Resource::ActivityStatistics)?;
    scope_figures(state, &caller.grant().scope, query).await
}

/// The figures of a role's scope, once the policy said yes.
async fn scope_figures(
    state: &AppState,
    grant_scope: &Scope,
    query: &PeriodQuery,
) -> WebResult<(i32, ReportScope, Dashboard)> {
    let year = year_of(&query.annee, crate::http::clock::paris_today())?;
    let scope = report_scope(grant_scope)?;
    let figures = figures(state, &scope, year, &query.filtre).await?;
    Ok((year, scope, figures))
}

/// The figures of a scope for a year, the activity table narrowed by `filter` (the `filtre`
/// parameter, see `ActivityFilter`) when one is given.
pub(super) async fn figures(
    state: &AppState,
    scope: &ReportScope,
    year: i32,
    filter: &str,
) -> WebResult<Dashboard> {
    let scope = scope.clone();
    let extent = match &scope {
        ReportScope::Post(_) => FiguresExtent::Post,
        ReportScope::Employer(_) => FiguresExtent::Employer,
        ReportScope::Departement(_) => FiguresExtent::Departement,
        ReportScope::Nation => FiguresExtent::Nation,
    };
    let suppressed = publication_of(extent) == Publication::Suppressed;
    let scope_label = match &scope {
        ReportScope::Post(id) => passerelle_store::registry::post::find(&state.db, id)
            .await?
            .map(|post| format!("poste {}", post.code))
            .unwrap_or_else(|| "poste".into()),
        ReportScope::Employer(_) => "postes de votre employeur".into(),
        ReportScope::Departement(code) => format!("département {code}"),
        ReportScope::Nation => "France entière".into(),
    };
    let (first, last) = (format!("{year:04}-01"), format!("{year:04}-12"));
    let report = |indicator: &'static str, dimension: &'static str| {
        let (db, scope, first, last) = (&state.db, &scope, &first, &last);
        async move { rollup::report(db, scope, indicator, dimension, first, last).await }
    };

    // The categories of the grid, and those no longer offered that still have referrals.
    let grid = crate::referral::category::grid(state).await?;
    let category_lines = report(indicator::REFERRALS, CATEGORY).await?;
    let categories: Vec<(String, String)> = grid
        .all()
        .iter()
        .filter(|c| c.active || category_lines.iter().any(|(_, v, _)| *v == c.code))
        .map(|c| (c.code.clone(), c.label.clone()))
        .collect();
    let filter = ActivityFilter::parse(filter, &categories, suppressed)?;

    let mut tables_after_activity = Vec::new();
    // Activity by period: one row per indicator.
    let periods = Periods::for_publication(suppressed);
    let indicators = [
        (indicator::REFERRALS, "Signalements"),
        (indicator::CLOSURES, "Clôtures"),
        (indicator::INTERVIEWS, "Entretiens"),
        (indicator::ACTIONS, "Actions"),
        (indicator::ORIENTATIONS, "Orientations"),
    ];
    let mut by_period = Vec::new();
    for (code, _) in indicators {
        let lines = report(code, TOTAL).await?;
        by_period
            .push(grid_of(&lines, &[String::new()], periods.of_month, periods.count()).remove(0));
    }
    let activity = TableSpec {
        id: "table-activite",
        caption: format!("Activité par {} en {year}", periods.noun),
        row_labels: indicators
            .iter()
            .map(|(_, label)| label.to_string())
            .collect(),
        column_labels: periods.labels.clone(),
        inner: by_period,
    };

    // The activity's breakdowns, by quarter: each total repeats one line of the activity
    // table (a referral has one origin, one urgency…; an orientation one partner type and one
    // status), so they are published together with it.
    let breakdown = |id: &'static str, caption: &str, line: usize| (id, caption.to_string(), line);
    let mut breakdowns: Vec<(
        (&'static str, String, usize),
        Vec<(String, String)>,
        Vec<(String, String, i64)>,
    )> = Vec::new();
    let sources: Vec<(String, String)> = ReferralSource::ALL
        .iter()
        .map(|s| (s.code().to_string(), s.label().to_string()))
        .chain(std::iter::once((
            "direct".into(),
            "Ouverture directe".into(),
        )))
        .collect();
    breakdowns.push((
        breakdown("table-origines", "Signalements par origine", 0),
        sources,
        report(indicator::REFERRALS, "source").await?,
    ));
    breakdowns.push((
        breakdown("table-urgences", "Signalements par urgence", 0),
        codes_and_labels(Urgency::ALL, Urgency::code, Urgency::label),
        report(indicator::REFERRALS, "urgency").await?,
    ));
    breakdowns.push((
        breakdown(
            "table-penal",
            "Signalements selon le caractère pénal de la situation",
            0,
        ),
        vec![
            ("yes".into(), "Infraction pénale".into()),
            ("no".into(), "Sans infraction pénale".into()),
            ("unknown".into(), "Non précisé".into()),
        ],
        report(indicator::REFERRALS, "criminal").await?,
    ));
    breakdowns.push((
        breakdown(
            "table-danger",
            "Signalements selon la grille d'évaluation du danger",
            0,
        ),
        codes_and_labels(
            DangerGridResult::ALL,
            DangerGridResult::code,
            DangerGridResult::label,
        )
        .into_iter()
        .chain([
            (
                statistics::DANGER_GRID_NOT_RECORDED.into(),
                "Violences conjugales, grille non renseignée".into(),
            ),
            (
                statistics::DANGER_GRID_NOT_APPLICABLE.into(),
                "Hors violences conjugales".into(),
            ),
        ])
        .collect(),
        report(indicator::REFERRALS, statistics::DANGER_GRID).await?,
    ));
    // Beyond one post, every indicator by the zone and the employer type of the posts too:
    // the referrals' tables are shown, the others only through the filter, but all of them
    // are always published together, so that the filtered and the whole figures hide the same.
    let mut by_post_attribute: Vec<(usize, PostAttribute, usize)> = Vec::new();
    if suppressed {
        for (attribute, shown_id, caption, values) in [
            (
                PostAttribute::Zone,
                "table-zones",
                "par zone des postes",
                codes_and_labels(Zone::ALL, Zone::code, Zone::label),
            ),
            (
                PostAttribute::EmployerKind,
                "table-employeurs",
                "par type d'employeur des postes",
                codes_and_labels(EmployerKind::ALL, EmployerKind::code, EmployerKind::label),
            ),
        ] {
            for (line, (code, label)) in indicators.iter().enumerate() {
                let lines =
                    rollup::report_by_post(&state.db, &scope, attribute, code, &first, &last)
                        .await?;
                let id = if line == 0 { shown_id } else { FILTER_ONLY };
                by_post_attribute.push((breakdowns.len(), attribute, line));
                breakdowns.push((
                    breakdown(id, &format!("{label} {caption}"), line),
                    values.clone(),
                    lines,
                ));
            }
        }
    }
    let mut outcomes = codes_and_labels(
        ClosureOutcome::ALL,
        ClosureOutcome::code,
        ClosureOutcome::label,
    );
    outcomes.push(("unknown".into(), "Non précisée".into()));
    breakdowns.push((
        breakdown("table-issues", "Clôtures par issue", 1),
        outcomes,
        report(indicator::CLOSURES, "outcome").await?,
    ));
    breakdowns.push((
        breakdown("table-entretiens", "Entretiens par lieu", 2),
        codes_and_labels(
            InterviewPlace::ALL,
            InterviewPlace::code,
            InterviewPlace::label,
        ),
        report(indicator::INTERVIEWS, "place").await?,
    ));
    breakdowns.push((
        breakdown("table-actions", "Actions par nature", 3),
        codes_and_labels(ActionKind::ALL, ActionKind::code, ActionKind::label),
        report(indicator::ACTIONS, "kind").await?,
    ));
    breakdowns.push((
        breakdown(
            "table-partenaires",
            "Orientations par type de partenaire",
            4,
        ),
        codes_and_labels(PartnerType::ALL, PartnerType::code, PartnerType::label),
        report(indicator::ORIENTATIONS, "partner_type").await?,
    ));
    breakdowns.push((
        breakdown("table-suites", "Orientations par suite donnée", 4),
        codes_and_labels(
            OrientationStatus::ALL,
            OrientationStatus::code,
            OrientationStatus::label,
        ),
        report(indicator::ORIENTATIONS, "status").await?,
    ));
    // Activity first (table 0, one row per indicator), then the breakdowns, each linked by
    // its total row to the activity's row of its indicator.
    let mut specs = vec![activity];
    let mut lines: Vec<Vec<(usize, usize)>> = vec![Vec::new(); indicators.len()];
    for (row, line) in lines.iter_mut().enumerate() {
        line.push((0, row));
    }
    for ((id, caption, line), values, report_lines) in breakdowns {
        lines[line].push((specs.len(), values.len()));
        specs.push(quarterly_spec(
            id,
            format!("{caption} et par trimestre en {year}"),
            &report_lines,
            &values,
        ));
    }
    let mut published: Vec<(TableView, Vec<Vec<Shown>>)> =
        publish_linked(specs, &lines, suppressed);
    // The filtered activity: for each indicator, the filter's row of its table by zone or by
    // employer type (1 + the table's position among the breakdowns).
    let mut focus_rows: Vec<(String, Vec<Shown>)> = Vec::new();
    if let Some(ActivityFilter::Zone(_) | ActivityFilter::EmployerKind(_)) = &filter {
        for (line, (_, label)) in indicators.iter().enumerate() {
            let found = by_post_attribute.iter().find_map(|(table, attribute, l)| {
                let row = match (&filter, attribute) {
                    (Some(ActivityFilter::Zone(zone)), PostAttribute::Zone) => {
                        Zone::ALL.iter().position(|z| z == zone)
                    }
                    (Some(ActivityFilter::EmployerKind(kind)), PostAttribute::EmployerKind) => {
                        EmployerKind::ALL.iter().position(|k| k == kind)
                    }
                    _ => None,
                }?;
                (*l == line).then(|| published[1 + table].1[row].clone())
            });
            focus_rows.push((label.to_string(), found.unwrap_or_default()));
        }
    }
    published.retain(|(table, _)| table.id != FILTER_ONLY);
    let mut published = published.into_iter();
    let (activity, shown) = published
        .next()
        .ok_or_else(|| WebError::Internal(anyhow::anyhow!("tableau d'activité")))?;
    tables_after_activity.extend(published.map(|(table, _)| table));

    // The filtered activity by category: each indicator's table by category (a case with
    // several counts under each, so these tables repeat no other's line) gives its row.
    if let Some(ActivityFilter::Category { code, .. }) = &filter {
        let row = categories
            .iter()
            .position(|(known, _)| known == code)
            .unwrap_or(usize::MAX);
        for (indicator, label) in indicators {
            // The referrals' lines were read for the categories already.
            let lines = if indicator == indicator::REFERRALS {
                category_lines.clone()
            } else {
                report(indicator, CATEGORY).await?
            };
            let (_, shown) = publish(
                period_spec(FILTER_ONLY, String::new(), &lines, &categories, &periods),
                suppressed,
            );
            focus_rows.push((
                label.to_string(),
                shown.get(row).cloned().unwrap_or_default(),
            ));
        }
    }
    let focus = filter.as_ref().map(|filter| TableView {
        id: "table-activite-filtree",
        caption: format!(
            "Activité par {} en {year} — {}",
            periods.noun,
            filter.description()
        ),
        columns: periods
            .labels
            .iter()
            .cloned()
            .chain(std::iter::once("Total".to_string()))
            .collect(),
        rows: focus_rows,
    });
    let charted = |rows: Option<&[Shown]>| bars_of(rows.unwrap_or_default(), &periods.labels);
    let bars = charted(shown.first().map(Vec::as_slice));
    let focus_bars = charted(
        focus
            .as_ref()
            .and_then(|table| table.rows.first())
            .map(|(_, cells)| cells.as_slice()),
    );

    // Referrals by category (a referral may have several: no line repeats another table's).
    let (by_category, _) = publish(
        quarterly_spec(
            "table-motifs",
            format!(
                "Signalements par motif et par trimestre en {year} (un signalement peut avoir plusieurs motifs)"
            ),
            &category_lines,
            &categories,
        ),
        suppressed,
    );

    // Persons received: each once in the year, in the quarter of their first case. The three
    // tables total the same persons: linked.
    let counted_once =
        "chaque personne comptée une fois dans l'année, au trimestre de son premier signalement";
    let sexes = codes_and_labels(Sex::ALL, Sex::code, Sex::label);
    let mut bands = codes_and_labels(AgeBand::ALL, AgeBand::code, AgeBand::label);
    bands.push(("unknown".into(), "Non renseigné".into()));
    let knowledge = codes_and_labels(
        KnownToSocialServices::ALL,
        KnownToSocialServices::code,
        KnownToSocialServices::label,
    );
    let persons_tables = publish_linked(
        vec![
            quarterly_spec(
                "table-personnes-sexe",
                format!("Personnes reçues par sexe et par trimestre en {year} ({counted_once})"),
                &report(indicator::PERSONS, "sex").await?,
                &sexes,
            ),
            quarterly_spec(
                "table-personnes-age",
                format!(
                    "Personnes reçues par tranche d'âge et par trimestre en {year} ({counted_once})"
                ),
                &report(indicator::PERSONS, "age_band").await?,
                &bands,
            ),
            quarterly_spec(
                "table-personnes-connues",
                format!(
                    "Personnes reçues connues d'un service social à l'accueil, par trimestre en {year} ({counted_once})"
                ),
                &report(indicator::PERSONS, "known_to_social_services").await?,
                &knowledge,
            ),
        ],
        &[vec![
            (0, sexes.len()),
            (1, bands.len()),
            (2, knowledge.len()),
        ]],
        suppressed,
    );
    let (persons, unknown_share) = persons_tables
        .last()
        .map(|(_, shown)| {
            let unknown_row = KnownToSocialServices::ALL
                .iter()
                .position(|known| *known == KnownToSocialServices::No)
                .unwrap_or(usize::MAX);
            persons_summary(shown, unknown_row)
        })
        .unwrap_or((Shown::Count(0), None));
    let (recurrences, _) = publish(
        quarterly_spec(
            "table-recidives",
            format!(
                "Nouveaux signalements d'une personne après la clôture d'un de ses dossiers, par trimestre en {year} (le total : dans les 12 mois)"
            ),
            &report(indicator::RECURRENCES, recurrence::DIMENSION).await?,
            &[
                (recurrence::WITHIN_6_MONTHS.into(), "Dans les 6 mois".into()),
                (
                    recurrence::FROM_6_TO_12_MONTHS.into(),
                    "De 6 à 12 mois".into(),
                ),
            ],
        ),
        suppressed,
    );
    let delay = delay_view(
        &report(
            indicator::REFERRALS,
            passerelle_domain::statistics::CONTACT_DELAY,
        )
        .await?,
        suppressed,
    );
    let legacy = legacy_table(state, &scope, suppressed).await?;
    let filters = ActivityFilter::groups(filter.as_ref(), &categories, suppressed);
    Ok(Dashboard {
        scope_label,
        suppressed,
        filter: filter
            .as_ref()
            .map(ActivityFilter::value)
            .unwrap_or_default(),
        filter_description: filter.as_ref().map(ActivityFilter::description),
        filters,
        focus,
        bars,
        focus_bars,
        tables: std::iter::once(activity.without_total_row())
            .chain(std::iter::once(by_category))
            .chain(tables_after_activity)
            .chain(persons_tables.into_iter().map(|(table, _)| table))
            .chain(std::iter::once(recurrences))
            .collect(),
        persons,
        unknown_share,
        period: periods.noun,
        delay,
        legacy,
    })
}
