//! The activity dashboard of the actor's own scope, read from the rollups: exact for the
//! post's social workers, small-cell suppressed for everyone else (employer, département,
//! nation), with a server-rendered chart and a table for every figure.

pub mod activity_filter;
pub mod check;

use crate::AppState;
use crate::statistics::activity_filter::{ActivityFilter, FilterGroup};
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use passerelle_documents::spreadsheet::{self, CellValue, SheetTable};
use passerelle_domain::access::{Action, Resource, Scope};
use passerelle_domain::referral::case::{
    ActionKind, InterviewPlace, KnownToSocialServices, OrientationStatus, PartnerType, Sex,
};
use passerelle_domain::registry::employer::EmployerKind;
use passerelle_domain::registry::post::Zone;
use passerelle_domain::referral::{AgeBand, ClosureOutcome, ReferralSource, Urgency};
use passerelle_domain::statistics::{CATEGORY, TOTAL, indicator, recurrence};
use passerelle_domain::statistics::suppression::{Bordered, Shown, suppress, suppress_linked};
use passerelle_store::statistics::rollup::{self, PostAttribute, ReportScope};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/statistiques", dashboard)
        .get("/statistiques/{file}", download)
        .upload_form(
            "/statistiques/historique",
            legacy_form,
            legacy_import,
            crate::registry::import::MAX_FILE_BYTES,
        )
        .get("/observatoire", observatory)
        .get("/api/observatoire", observatory_json)
        .get("/api/statistiques", statistics_json)
        .get("/api/openapi.json", openapi)
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
fn year_of(text: &str, today: time::Date) -> WebResult<i32> {
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

/// A table before publication: its labels and its inner counts (the totals are added).
struct TableSpec {
    id: &'static str,
    caption: String,
    row_labels: Vec<String>,
    column_labels: Vec<String>,
    inner: Vec<Vec<u64>>,
}

impl TableSpec {
    fn bordered(&self) -> Bordered {
        Bordered::from_inner(&self.inner)
    }

    /// The table as shown, with `shown` cells (margins included).
    fn view(self, shown: Vec<Vec<Shown>>) -> (TableView, Vec<Vec<Shown>>) {
        let mut columns = self.column_labels;
        columns.push("Total".into());
        let rows = self
            .row_labels
            .into_iter()
            .chain(std::iter::once("Total".to_string()))
            .zip(&shown)
            .map(|(label, cells)| (label, cells.clone()))
            .collect();
        (
            TableView {
                id: self.id,
                caption: self.caption,
                columns,
                rows,
            },
            shown,
        )
    }
}

/// Every cell as counted (inside the post).
fn exact(table: &Bordered) -> Vec<Vec<Shown>> {
    table
        .cells
        .iter()
        .map(|row| row.iter().map(|n| Shown::Count(*n)).collect())
        .collect()
}

/// Borders a table with its totals, suppresses it when published, and labels it.
fn publish(spec: TableSpec, suppressed: bool) -> (TableView, Vec<Vec<Shown>>) {
    let bordered = spec.bordered();
    let shown = if suppressed {
        suppress(&bordered)
    } else {
        exact(&bordered)
    };
    spec.view(shown)
}

/// Tables published together, some of whose lines repeat one another (each of `lines` lists
/// the (table, row) where one line appears): what one hides of a line, none shows, and all
/// of them together give nothing away.
fn publish_linked(
    specs: Vec<TableSpec>,
    lines: &[Vec<(usize, usize)>],
    suppressed: bool,
) -> Vec<(TableView, Vec<Vec<Shown>>)> {
    let bordered: Vec<Bordered> = specs.iter().map(TableSpec::bordered).collect();
    let shown = if suppressed {
        let tables: Vec<&Bordered> = bordered.iter().collect();
        suppress_linked(&tables, lines)
    } else {
        bordered.iter().map(exact).collect()
    };
    specs
        .into_iter()
        .zip(shown)
        .map(|(spec, shown)| spec.view(shown))
        .collect()
}

/// The time columns of the tables: months inside the post; quarters once published, so that
/// every published table repeats the same totals (a month hidden in one table could otherwise
/// be worked out from a quarter shown in another).
struct Periods {
    labels: Vec<String>,
    of_month: fn(usize) -> usize,
    noun: &'static str,
}

impl Periods {
    fn for_publication(suppressed: bool) -> Self {
        if suppressed {
            Periods {
                labels: (1..=4).map(|q| format!("T{q}")).collect(),
                of_month: |m| m / 3,
                noun: "trimestre",
            }
        } else {
            Periods {
                labels: MONTHS.iter().map(|m| m.to_string()).collect(),
                of_month: |m| m,
                noun: "mois",
            }
        }
    }

    fn count(&self) -> usize {
        self.labels.len()
    }
}

/// One bar of the monthly chart.
pub struct Bar {
    /// The month or quarter.
    pub month: String,
    pub x: usize,
    pub y: u64,
    pub height: u64,
    pub label: String,
}

const MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
const CHART_HEIGHT: u64 = 160;

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

fn report_scope(scope: &Scope) -> WebResult<ReportScope> {
    Ok(match scope {
        Scope::Post(id) => ReportScope::Post(id.clone()),
        Scope::Employer(id) => ReportScope::Employer(id.clone()),
        Scope::Departement(code) => ReportScope::Departement(code.clone()),
        Scope::Nation => ReportScope::Nation,
        Scope::Unit(_) => return Err(WebError::Forbidden),
    })
}

/// The (code, label) pairs of a vocabulary.
fn codes_and_labels<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), label(*v).to_string()))
        .collect()
}

/// The id of the tables published only so that the filtered activity hides what they hide.
const FILTER_ONLY: &str = "table-filtre";

/// One indicator's values (code, label) by the periods of the page, from its report lines.
fn period_spec(
    id: &'static str,
    caption: String,
    lines: &[(String, String, i64)],
    values: &[(String, String)],
    periods: &Periods,
) -> TableSpec {
    let codes: Vec<String> = values.iter().map(|(code, _)| code.clone()).collect();
    TableSpec {
        id,
        caption,
        row_labels: values.iter().map(|(_, label)| label.clone()).collect(),
        column_labels: periods.labels.clone(),
        inner: grid_of(lines, &codes, periods.of_month, periods.count()),
    }
}

/// The chart's bars for one row of counts by period.
fn bars_of(cells: &[Shown], periods: &Periods) -> Vec<Bar> {
    let cells = &cells[..periods.count().min(cells.len())];
    let most = cells
        .iter()
        .filter_map(|s| match s {
            Shown::Count(n) => Some(*n),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let spacing = 600 / periods.count();
    cells
        .iter()
        .zip(&periods.labels)
        .enumerate()
        .map(|(i, (cell, period))| {
            let height = match cell {
                Shown::Count(n) => n * CHART_HEIGHT / most,
                _ => 0,
            };
            Bar {
                month: period.clone(),
                x: 40 + i * spacing,
                y: 10 + CHART_HEIGHT - height,
                height,
                label: cell.text(),
            }
        })
        .collect()
}

/// One indicator's values (code, label) by quarter, from its report lines.
fn quarterly_spec(
    id: &'static str,
    caption: String,
    lines: &[(String, String, i64)],
    values: &[(String, String)],
) -> TableSpec {
    period_spec(id, caption, lines, values, &Periods::for_publication(true))
}

/// The persons received in the year (the grand total of the "known to a social service"
/// table) and the share of them no service knew (its row `unknown_row`), as published.
fn persons_summary(known: &[Vec<Shown>], unknown_row: usize) -> (String, String) {
    let total_of = |row: Option<&Vec<Shown>>| row.and_then(|cells| cells.last()).copied();
    let total = total_of(known.last());
    let unknown = total_of(known.get(unknown_row));
    let share = match (unknown, total) {
        (Some(Shown::Count(no)), Some(Shown::Count(all))) if all > 0 => {
            format!("{} %", (no * 100 + all / 2) / all)
        }
        _ => "—".into(),
    };
    (total.map(Shown::text).unwrap_or_else(|| "0".into()), share)
}

/// `rows[value][column]` from report lines, the column given by the month.
fn grid_of(
    lines: &[(String, String, i64)],
    values: &[String],
    column_of_month: impl Fn(usize) -> usize,
    columns: usize,
) -> Vec<Vec<u64>> {
    let mut inner = vec![vec![0u64; columns]; values.len()];
    for (month, value, count) in lines {
        let Some(row) = values.iter().position(|v| v == value) else {
            continue;
        };
        let Some(month) = month.get(5..7).and_then(|m| m.parse::<usize>().ok()) else {
            continue;
        };
        if (1..=12).contains(&month) {
            inner[row][column_of_month(month - 1)] += u64::try_from(*count).unwrap_or(0);
        }
    }
    inner
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
    /// Distinct persons received in the year, and the share of them no social service knew
    /// at intake ("—" when a suppressed cell hides either).
    persons: String,
    unknown_share: String,
    /// "mois" inside the post, "trimestre" once published.
    period: &'static str,
    bars: Vec<Bar>,
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

    /// Every table, in the page's order: the activity, the filtered activity if any, the rest.
    fn published_tables(&self) -> Vec<&TableView> {
        let (activity, rest) = self.tables.split_at(self.tables.len().min(1));
        activity.iter().chain(&self.focus).chain(rest).collect()
    }
}

/// The delay from referral to first contact: how many referrals it is measured on, its
/// median and 90th percentile in days ("—" when not published).
pub struct DelayView {
    pub contacted: String,
    pub median: String,
    pub p90: String,
}

/// Percentiles of fewer than 5 referrals would point at them: not published outside the post.
fn delay_view(lines: &[(String, String, i64)], suppressed: bool) -> DelayView {
    let distribution: Vec<(i64, u64)> = lines
        .iter()
        .filter_map(|(_, days, n)| Some((days.parse().ok()?, u64::try_from(*n).ok()?)))
        .collect();
    let contacted: u64 = distribution.iter().map(|(_, n)| n).sum();
    let days = |d: i64| {
        if d >= passerelle_domain::statistics::CONTACT_DELAY_CAP {
            format!("{d} jours ou plus")
        } else {
            format!("{d} j")
        }
    };
    match passerelle_domain::statistics::median_and_p90(&distribution) {
        Some(_) if suppressed && contacted < passerelle_domain::statistics::suppression::SMALL => DelayView {
            contacted: Shown::BelowFive.text(),
            median: "—".into(),
            p90: "—".into(),
        },
        Some((median, p90)) => DelayView {
            contacted: contacted.to_string(),
            median: days(median),
            p90: days(p90),
        },
        None => DelayView {
            contacted: "0".into(),
            median: "—".into(),
            p90: "—".into(),
        },
    }
}

async fn dashboard(
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

/// The dashboard's downloads, with the same cells as the page, suppressed the same way: the
/// annual report (`rapport.pdf`), every table in one workbook (`tableaux.xlsx`,
/// `tableaux.ods`), or one table as a CSV file (`activite.csv`, `motifs.csv`, …).
async fn download(
    State(state): State<AppState>,
    auth: Authenticated,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(query): Query<PeriodQuery>,
) -> WebResult<axum::response::Response> {
    let (year, scope, figures) = actor_figures(&state, &auth, &query).await?;
    match file.as_str() {
        "rapport.pdf" => annual_report(&figures, year, &report_map(&state, &scope).await?),
        "tableaux.xlsx" => workbook_download(&figures, year, Workbook::Xlsx),
        "tableaux.ods" => workbook_download(&figures, year, Workbook::Ods),
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
            table_csv(table, year)
        }
    }
}

fn table_csv(table: &TableView, year: i32) -> WebResult<axum::response::Response> {
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

/// A table on its own sheet: counts as numbers, suppressed cells as their text.
fn sheet_of(table: &TableView, name: &str) -> SheetTable {
    SheetTable {
        name: name.to_string(),
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
fn workbook_download(
    figures: &Dashboard,
    year: i32,
    format: Workbook,
) -> WebResult<axum::response::Response> {
    let mut sheets: Vec<SheetTable> = figures
        .published_tables()
        .into_iter()
        .map(|table| sheet_of(table, table.id.trim_start_matches("table-")))
        .collect();
    if let Some((table, provenance)) = &figures.legacy {
        let mut sheet = sheet_of(table, "avant Passerelle");
        sheet.title = format!("{} ({provenance})", sheet.title);
        sheets.push(sheet);
    }
    let internal = |e: passerelle_documents::DocumentError| WebError::Internal(e.into());
    let (body, extension, content_type) = match format {
        Workbook::Xlsx => (
            spreadsheet::xlsx(&sheets).map_err(internal)?,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        Workbook::Ods => (
            spreadsheet::ods(&sheets).map_err(internal)?,
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

/// The figures of the actor's own scope for the year and the filter asked (after checking
/// the actor may see statistics at all), with the year and the scope.
async fn actor_figures(
    state: &AppState,
    auth: &Authenticated,
    query: &PeriodQuery,
) -> WebResult<(i32, ReportScope, Dashboard)> {
    auth.require(Action::View, &Resource::ActivityStatistics)?;
    let year = year_of(&query.annee, crate::http::clock::paris_today())?;
    let scope = report_scope(&auth.actor.grant.scope)?;
    let figures = figures(state, &scope, year, &query.filtre).await?;
    Ok((year, scope, figures))
}

/// The figures of a scope for a year, the activity table narrowed by `filter` (the `filtre`
/// parameter, see `ActivityFilter`) when one is given.
async fn figures(
    state: &AppState,
    scope: &ReportScope,
    year: i32,
    filter: &str,
) -> WebResult<Dashboard> {
    let scope = scope.clone();
    // Exact figures stay inside the post; anything wider is published, hence suppressed.
    let suppressed = !matches!(scope, ReportScope::Post(_));
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
        (indicator::REFERRALS, "Saisines"),
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
        breakdown("table-origines", "Saisines par origine", 0),
        sources,
        report(indicator::REFERRALS, "source").await?,
    ));
    breakdowns.push((
        breakdown("table-urgences", "Saisines par urgence", 0),
        codes_and_labels(Urgency::ALL, Urgency::code, Urgency::label),
        report(indicator::REFERRALS, "urgency").await?,
    ));
    breakdowns.push((
        breakdown(
            "table-penal",
            "Saisines selon le caractère pénal de la situation",
            0,
        ),
        vec![
            ("yes".into(), "Infraction pénale".into()),
            ("no".into(), "Sans infraction pénale".into()),
            ("unknown".into(), "Non précisé".into()),
        ],
        report(indicator::REFERRALS, "criminal").await?,
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
    let charted = match &focus {
        Some(table) => table.rows.first().map(|(_, cells)| cells.as_slice()),
        None => shown.first().map(Vec::as_slice),
    };
    let bars = bars_of(charted.unwrap_or_default(), &periods);

    // Referrals by category (a referral may have several: no line repeats another table's).
    let (by_category, _) = publish(
        quarterly_spec(
            "table-motifs",
            format!(
                "Saisines par motif et par trimestre en {year} (une saisine peut avoir plusieurs motifs)"
            ),
            &category_lines,
            &categories,
        ),
        suppressed,
    );

    // Persons received: each once in the year, in the quarter of their first case. The three
    // tables total the same persons: linked.
    let counted_once =
        "chaque personne comptée une fois dans l'année, au trimestre de sa première saisine";
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
        .unwrap_or_else(|| ("0".into(), "—".into()));
    let (recurrences, _) = publish(
        quarterly_spec(
            "table-recidives",
            format!(
                "Nouvelles saisines d'une personne après la clôture d'un de ses dossiers, par trimestre en {year} (le total : dans les 12 mois)"
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
        tables: std::iter::once(activity)
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
async fn observatory(
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

// ---------------------------------------------------------------------------------------
// The JSON API: the same tables, cells as counts or secrets.

/// A cell in JSON: `{"effectif": 12}` or `{"secret": "moins_de_5"}` / `{"secret": "masque"}`.
fn cell_json(cell: &Shown) -> serde_json::Value {
    match cell {
        Shown::Count(n) => serde_json::json!({ "effectif": n }),
        Shown::BelowFive => serde_json::json!({ "secret": "moins_de_5" }),
        Shown::Masked => serde_json::json!({ "secret": "masque" }),
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
        "personnes_recues": figures.persons,
        "part_inconnues_des_services_sociaux": figures.unknown_share,
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

async fn observatory_json(
    State(state): State<AppState>,
    Query(query): Query<PeriodQuery>,
) -> WebResult<axum::Json<serde_json::Value>> {
    let year = year_of(&query.annee, crate::http::clock::paris_today())?;
    let figures = figures(&state, &ReportScope::Nation, year, &query.filtre).await?;
    Ok(axum::Json(figures_json("France entière", year, &figures)))
}

async fn statistics_json(
    State(state): State<AppState>,
    auth: Authenticated,
    Query(query): Query<PeriodQuery>,
) -> WebResult<axum::Json<serde_json::Value>> {
    let (year, _, figures) = actor_figures(&state, &auth, &query).await?;
    Ok(axum::Json(figures_json(
        &figures.scope_label,
        year,
        &figures,
    )))
}

/// The API's description (OpenAPI 3.1), served by the application itself.
async fn openapi() -> axum::Json<serde_json::Value> {
    let year = serde_json::json!({
        "name": "annee", "in": "query", "required": false,
        "description": "Année civile (heure de Paris), de 2000 à l'année en cours ; par défaut l'année en cours.",
        "schema": { "type": "integer", "minimum": 2000 }
    });
    let filter = serde_json::json!({
        "name": "filtre", "in": "query", "required": false,
        "description": "Restreint le tableau d'activité (ajouté sous l'id « activite-filtree ») : « motif:<code> » (un motif de la grille), ou, au-delà d'un poste, « zone:<police|gendarmerie|mixed> » ou « employeur:<type> ».",
        "schema": { "type": "string", "pattern": "^(motif|zone|employeur):[a-z0-9_-]+$" }
    });
    let figures = serde_json::json!({ "$ref": "#/components/schemas/Figures" });
    let answer = |description: &str| {
        serde_json::json!({
            "200": { "description": description, "content": { "application/json": { "schema": figures } } },
            "400": { "description": "Période invalide (message en français)." }
        })
    };
    let mut scoped = answer(
        "Les chiffres du périmètre du rôle actif : exacts pour le poste, soumis au secret statistique au-delà.",
    );
    scoped["403"] = serde_json::json!({ "description": "Rôle sans statistiques (officier, administration technique)." });
    axum::Json(serde_json::json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Passerelle — statistiques d'activité des intervenants sociaux",
            "version": "1",
            "description": "Chiffres calculés à partir du travail enregistré ; toute case de 1 à 4 sortant d'un poste est remplacée par un secret, avec des secrets secondaires pour qu'aucun total ni aucune différence ne la révèle."
        },
        "paths": {
            "/api/observatoire": { "get": {
                "summary": "Chiffres nationaux publics (observatoire), sans connexion",
                "parameters": [year, filter],
                "responses": answer("Chiffres nationaux, soumis au secret statistique.")
            }},
            "/api/statistiques": { "get": {
                "summary": "Chiffres du périmètre de la personne connectée (cookie de session)",
                "parameters": [year, filter],
                "responses": scoped
            }}
        },
        "components": { "schemas": {
            "Figures": {
                "type": "object",
                "required": ["annee", "perimetre", "secret_statistique", "tableaux"],
                "properties": {
                    "schema": { "type": "string" },
                    "filtre": { "type": ["string", "null"], "description": "Ce que le tableau « activite-filtree » retient, ou null sans filtre." },
                    "annee": { "type": "integer" },
                    "perimetre": { "type": "string" },
                    "secret_statistique": { "type": "boolean" },
                    "delai_premier_contact": {
                        "type": "object",
                        "description": "Délai entre la saisine et le premier contact : nombre de saisines mesurées (« < 5 » hors du poste s'il est petit), médiane et 90e centile (« — » quand non publiés).",
                        "properties": {
                            "saisines": { "type": "string" },
                            "mediane": { "type": "string" },
                            "p90": { "type": "string" }
                        }
                    },
                    "personnes_recues": { "type": "string", "description": "Personnes distinctes reçues dans l'année (« < 5 » ou « s » quand non publié)." },
                    "part_inconnues_des_services_sociaux": { "type": "string", "description": "Part des personnes reçues qu'aucun service social ne connaissait à l'accueil, en pourcentage arrondi (« — » quand non publiée)." },
                    "tableaux": { "type": "array", "items": { "$ref": "#/components/schemas/Table" } }
                }
            },
            "Table": {
                "type": "object",
                "required": ["id", "titre", "colonnes", "lignes"],
                "properties": {
                    "id": { "type": "string", "description": "activite, activite-filtree, motifs, origines, urgences, penal, zones, employeurs, issues, entretiens, actions, partenaires, suites, personnes-sexe, personnes-age, personnes-connues, recidives" },
                    "titre": { "type": "string" },
                    "colonnes": { "type": "array", "items": { "type": "string" }, "description": "La dernière colonne est le total." },
                    "lignes": { "type": "array", "items": {
                        "type": "object",
                        "required": ["libelle", "valeurs"],
                        "properties": {
                            "libelle": { "type": "string", "description": "La dernière ligne est le total." },
                            "valeurs": { "type": "array", "items": { "$ref": "#/components/schemas/Cell" } }
                        }
                    }}
                }
            },
            "Cell": { "oneOf": [
                { "type": "object", "required": ["effectif"], "properties": { "effectif": { "type": "integer", "minimum": 0 } } },
                { "type": "object", "required": ["secret"], "properties": { "secret": { "type": "string", "enum": ["moins_de_5", "masque"] } } }
            ]}
        }}
    }))
}

/// The report's map: the posts by département today, the scope's départements outlined, and
/// what it shows in words.
async fn report_map(state: &AppState, scope: &ReportScope) -> WebResult<(String, String)> {
    let today = crate::http::clock::paris_today();
    let areas =
        crate::registry::map::areas(state, today, passerelle_domain::registry::coverage::MapMeasure::Posts).await?;
    let outlined: Vec<String> = match scope {
        ReportScope::Nation => Vec::new(),
        ReportScope::Departement(code) => vec![code.clone()],
        ReportScope::Post(id) => passerelle_store::registry::post::find(&state.db, id)
            .await?
            .map(|post| vec![post.departement_code])
            .unwrap_or_default(),
        ReportScope::Employer(id) => {
            let mut codes: Vec<String> = passerelle_store::registry::post::posts_in(
                &state.db,
                &passerelle_store::registry::post::PostScope::Employer(id.clone()),
                None,
            )
            .await?
            .into_iter()
            .map(|post| post.departement_code)
            .collect();
            codes.sort();
            codes.dedup();
            codes
        }
    };
    let posts: u64 = areas.iter().map(|area| area.posts).sum();
    let mut caption = format!(
        "Postes d'intervenant social par département au {} ({posts} postes en France)",
        crate::http::clock::french_date(today)
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
    Ok((crate::registry::map::printed_map(&areas, &outlined)?, caption))
}

/// The annual report of the figures as PDF, with its map (SVG) and the map's caption.
fn annual_report(
    figures: &Dashboard,
    year: i32,
    (map, map_caption): &(String, String),
) -> WebResult<axum::response::Response> {
    use passerelle_documents::annual_report::*;
    let activity = &figures.tables[0];
    let total_of = |row: usize| {
        activity
            .rows
            .get(row)
            .and_then(|(_, cells)| cells.last())
            .map(|cell| cell.text())
            .unwrap_or_default()
    };
    let summary = [
        (0, "saisines reçues"),
        (2, "entretiens"),
        (3, "actions"),
        (4, "orientations vers des partenaires"),
        (1, "dossiers clôturés"),
    ]
    .into_iter()
    .map(|(row, label)| SummaryItem {
        value: total_of(row),
        label: label.into(),
    })
    .chain([
        SummaryItem {
            value: figures.persons.clone(),
            label: "personnes reçues".into(),
        },
        SummaryItem {
            value: figures.unknown_share.clone(),
            label: "des personnes inconnues de tout service social à l'accueil".into(),
        },
        SummaryItem {
            value: figures.delay.median.clone(),
            label: "délai médian jusqu'au premier contact".into(),
        },
    ])
    .collect();
    let report = AnnualReport {
        scope: figures.scope_label.clone(),
        year,
        generated_on: crate::http::clock::french_date(crate::http::clock::paris_today()),
        suppressed: figures.suppressed,
        summary,
        period: figures.period.into(),
        bars: figures
            .bars
            .iter()
            .map(|bar| ReportBar {
                month: bar.month.clone(),
                value: bar.label.parse().ok(),
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
                        cells: cells.iter().map(|c| c.text()).collect(),
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
    let pdf =
        annual_report_pdf(&report, map.as_bytes()).map_err(|e| WebError::Internal(e.into()))?;
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

// ---------------------------------------------------------------------------------------
// The years before Passerelle: imported from the post's old grid, shown apart.

#[derive(Template, WebTemplate)]
#[template(path = "statistics/legacy.html")]
pub struct LegacyPage {
    shell: Shell,
    indicators: String,
    errors: Vec<String>,
    imported: Option<usize>,
}

fn legacy_page(
    auth: &Authenticated,
    csrf: &CsrfToken,
    errors: Vec<String>,
    imported: Option<usize>,
) -> LegacyPage {
    LegacyPage {
        shell: Shell::for_actor("Activité avant Passerelle", auth, csrf).at("/statistiques"),
        indicators: passerelle_store::statistics::legacy::INDICATORS
            .map(|(name, _)| name)
            .join(", "),
        errors,
        imported,
    }
}

/// The post whose grid the actor imports: their own, if the policy lets them.
fn own_post_for_legacy(auth: &Authenticated) -> WebResult<String> {
    auth.require(Action::Manage, &Resource::ActivityStatistics)?;
    match &auth.actor.grant.scope {
        Scope::Post(id) => Ok(id.clone()),
        _ => Err(WebError::Forbidden),
    }
}

async fn legacy_form(auth: Authenticated, csrf: CsrfToken) -> WebResult<LegacyPage> {
    own_post_for_legacy(&auth)?;
    Ok(legacy_page(&auth, &csrf, Vec::new(), None))
}

async fn legacy_import(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    request: axum::extract::Request,
) -> WebResult<axum::response::Response> {
    // The policy first: nobody else's upload is even read.
    let post = own_post_for_legacy(&auth)?;
    let upload = crate::registry::import::read_upload(&state, request).await?;
    let refuse = |errors: Vec<String>| {
        (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            legacy_page(&auth, &csrf, errors, None),
        )
            .into_response()
    };
    let Some((name, bytes)) = upload
        .file
        .filter(|(name, bytes)| !name.is_empty() && !bytes.is_empty())
    else {
        return Ok(refuse(vec![
            "Fichier : choisissez un fichier .csv, .xlsx ou .ods.".into(),
        ]));
    };
    let table = match crate::registry::import::read_spreadsheet(name.clone(), bytes).await {
        Ok(table) => table,
        Err(error) => return Ok(refuse(vec![error.to_string()])),
    };
    let counts =
        match passerelle_store::statistics::legacy::parse_grid(&table, crate::http::clock::paris_today().year()) {
            Ok(counts) => counts,
            Err(errors) => return Ok(refuse(errors.iter().map(ToString::to_string).collect())),
        };
    let entry = passerelle_store::journal::Entry::new(
        passerelle_domain::journal::JournalAction::RegistryImport,
    )
    .by(&auth.account.id, Some(auth.role().code()))
    .on("post", &post)
    .detail(format!("activité avant Passerelle importée de « {name} »"));
    match passerelle_store::statistics::legacy::import(
        &state.db,
        &post,
        &counts,
        &name,
        &auth.account.id,
        entry,
    )
    .await?
    {
        Ok(written) => Ok(legacy_page(&auth, &csrf, Vec::new(), Some(written)).into_response()),
        Err(errors) => Ok(refuse(errors.iter().map(ToString::to_string).collect())),
    }
}

/// The declared years of a scope as a table (suppressed like the others outside the post),
/// and its provenance line.
async fn legacy_table(
    state: &AppState,
    scope: &ReportScope,
    suppressed: bool,
) -> WebResult<Option<(TableView, String)>> {
    let (counts, provenance) = passerelle_store::statistics::legacy::of_scope(&state.db, scope).await?;
    if counts.is_empty() {
        return Ok(None);
    }
    let mut years: Vec<i64> = counts.iter().map(|c| c.year).collect();
    years.dedup();
    let indicators = passerelle_store::statistics::legacy::INDICATORS;
    let inner: Vec<Vec<u64>> = indicators
        .iter()
        .map(|(_, code)| {
            years
                .iter()
                .map(|year| {
                    counts
                        .iter()
                        .filter(|c| c.year == *year && c.indicator == *code)
                        .map(|c| u64::try_from(c.count).unwrap_or(0))
                        .sum()
                })
                .collect()
        })
        .collect();
    let (table, _) = publish(
        TableSpec {
            id: "table-historique",
            caption: "Activité déclarée avant Passerelle (ancien tableur du poste), par année"
                .into(),
            row_labels: indicators
                .iter()
                .map(|(name, _)| name.to_string())
                .collect(),
            column_labels: years.iter().map(|y| y.to_string()).collect(),
            inner,
        },
        suppressed,
    );
    let provenance = provenance
        .map(|(file, at)| {
            format!(
                "Chiffres déclarés, non calculés par Passerelle : dernier import le {} depuis « {file} ».",
                crate::http::clock::french_day_of(&at)
            )
        })
        .unwrap_or_default();
    Ok(Some((table, provenance)))
}
