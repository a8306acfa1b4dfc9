//! The registry's units as a list a page at a time (`http::listing`): by département (the
//! reader's own first, as `access::home_departement` gives it) and kind, searched by name,
//! with its CSV export. Units are public facts of the forces (no person): whoever may read
//! the registry may take the list away.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::listing::{Listing, PAGE_SIZE, Pagination};
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::registry::territory::DepartementCode;
use passerelle_domain::registry::unit::UnitKind;
use passerelle_store::registry::unit as store_unit;
use passerelle_store::registry::unit_list::{self as store_list, UnitFilter, UnitListRow};

pub fn routes() -> RouteTable {
    RouteTable::new().get("/registre/unites/export.csv", export_units)
}

const FILTERS: &[&str] = &["departement", "type"];

/// The reader's query. Without a département asked (the parameter absent, not « Tous »),
/// the reader's own département, if the policy gives one.
fn read_query(auth: &Authenticated, raw: Option<&str>) -> (Listing, UnitFilter) {
    let asked =
        form_urlencoded::parse(raw.unwrap_or("").as_bytes()).any(|(key, _)| key == "departement");
    let raw = match (
        asked,
        passerelle_domain::access::home_departement(&auth.actor.grant),
    ) {
        (false, Some(own)) => format!("{}&departement={own}", raw.unwrap_or("")),
        _ => raw.unwrap_or("").to_string(),
    };
    let mut listing = Listing::parse(Some(&raw), FILTERS);
    let departement = listing.read_filter("departement", "Département", |text| {
        DepartementCode::parse(text).ok()
    });
    let kind = listing.read_filter("type", "Type", |text| UnitKind::parse(text).ok());
    let filter = UnitFilter {
        departement,
        kind,
        search: listing.search.clone(),
    };
    (listing, filter)
}

pub struct UnitLine {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub departement: String,
    pub commune: String,
    pub parent: String,
}

fn line(unit: UnitListRow) -> UnitLine {
    UnitLine {
        id: unit.id.into_string(),
        kind: unit.kind.label(),
        name: unit.name,
        departement: unit
            .departement_code
            .map(|d| d.to_string())
            .unwrap_or_default(),
        commune: match (unit.commune, unit.commune_code) {
            (Some(name), Some(code)) => format!("{name} ({code})"),
            (None, Some(code)) => code,
            _ => String::new(),
        },
        parent: unit.parent.unwrap_or_default(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/units.html")]
pub struct UnitsPage {
    shell: Shell,
    /// The département shown, when one is.
    departement: Option<String>,
    /// Nothing chosen yet: the page asks for a département or a search.
    choose: bool,
    units: Vec<UnitLine>,
    pagination: Pagination,
    summary: String,
    notices: Vec<String>,
    search: String,
    kind: String,
    departements: Vec<(String, String)>,
    kinds: &'static [UnitKind],
    export: String,
    /// The units of the département, as parents for a new one.
    parents: Vec<(String, String, &'static str)>,
    can_manage: bool,
    error: Option<String>,
}

pub(super) async fn units_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    raw: Option<&str>,
    error: Option<String>,
) -> WebResult<UnitsPage> {
    auth.require(Action::View, &Resource::Registry)?;
    let (mut listing, filter) = read_query(auth, raw);
    let choose = filter.departement.is_none() && filter.kind.is_none() && filter.search.is_empty();
    let (total, units) = if choose {
        (0, Vec::new())
    } else {
        let total = store_list::count_units(&state.db, &filter).await?;
        listing.clamp_to(total);
        let units =
            store_list::filtered_units(&state.db, &filter, Some(PAGE_SIZE), listing.offset())
                .await?;
        (total, units.into_iter().map(line).collect())
    };
    let can_manage =
        passerelle_domain::access::decide(&auth.actor, Action::Manage, &Resource::Registry)
            .is_allowed();
    let departement = filter.departement.as_ref().map(ToString::to_string);
    let parents = match (&departement, can_manage) {
        (Some(code), true) => store_unit::units_of(&state.db, code)
            .await?
            .into_iter()
            .map(|u| (u.id.into_string(), u.name, u.kind.label()))
            .collect(),
        _ => Vec::new(),
    };
    let pagination = listing.pagination("/registre/unites", total);
    let kept = listing.kept_query();
    Ok(UnitsPage {
        shell: Shell::for_actor("Unités", auth, csrf).at("/registre/unites"),
        summary: pagination.summary("unité", "unités"),
        pagination,
        choose,
        units,
        search: listing.search.clone(),
        kind: listing.filter("type").unwrap_or_default().into(),
        notices: listing.notices,
        departements: passerelle_store::registry::territory::departements(&state.db)
            .await?
            .into_iter()
            .map(|d| (d.code, d.name))
            .collect(),
        kinds: UnitKind::ALL,
        export: format!("/registre/unites/export.csv?{kept}"),
        departement,
        parents,
        can_manage,
        error,
    })
}

pub(super) async fn list_units(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    RawQuery(raw): RawQuery,
) -> WebResult<UnitsPage> {
    units_page(&state, &auth, &csrf, raw.as_deref(), None).await
}

/// The units the list shows, every page of it, as CSV (`;`, UTF-8 with its byte-order mark,
/// French headers).
async fn export_units(
    State(state): State<AppState>,
    auth: Authenticated,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    auth.require(Action::View, &Resource::Registry)?;
    let (_, filter) = read_query(&auth, raw.as_deref());
    let units = store_list::filtered_units(&state.db, &filter, None, 0).await?;
    let mut writer = crate::registry::open_data::french_csv();
    let csv_error = |e: csv::Error| WebError::Internal(e.into());
    writer
        .write_record([
            "Unité",
            "Type",
            "Département",
            "Commune",
            "Unité de rattachement",
        ])
        .map_err(csv_error)?;
    for unit in units.into_iter().map(line) {
        writer
            .write_record([
                unit.name.as_str(),
                unit.kind,
                unit.departement.as_str(),
                unit.commune.as_str(),
                unit.parent.as_str(),
            ])
            .map_err(csv_error)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| WebError::Internal(anyhow::anyhow!(e.to_string())))?;
    Ok(crate::registry::open_data::csv_download("unites.csv", body))
}
