//! The registry's units of the forces, by département: list (as a hierarchy), create, edit.
//! Read by the steering; written by the national steering and the technical administrator.
//! The form fields shared with the employers (`employer.rs`) are read here.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::registry::territory::{CommuneCode, DepartementCode};
use passerelle_domain::registry::unit::UnitKind;
use passerelle_store::journal::Entry;
use passerelle_store::registry::unit as store_unit;
use passerelle_store::{WriteError, WriteResult};
use serde::Deserialize;

/// The routes of the registry's units here and of its employers (`employer.rs`).
pub fn routes() -> RouteTable {
    RouteTable::new()
        .form(
            "/registre/unites",
            crate::registry::unit_list::list_units,
            create_unit,
        )
        .merge(crate::registry::unit_list::routes())
        .form("/registre/unites/{id}", show_unit, update_unit)
        .merge(crate::registry::employer::routes())
}

#[derive(Deserialize, Default)]
pub struct DepartementQuery {
    pub(super) departement: Option<String>,
}

/// The département shown: the one asked for, or the one the policy gives the actor
/// (their own), or none: the page then asks to choose.
pub(super) fn departement_of(
    auth: &Authenticated,
    asked: Option<&str>,
) -> WebResult<Option<String>> {
    match asked.map(str::trim).filter(|a| !a.is_empty()) {
        Some(text) => DepartementCode::parse(text)
            .map(|c| Some(c.to_string()))
            .map_err(|e| WebError::BadRequest(format!("Département : {e}."))),
        None => Ok(
            passerelle_domain::access::home_departement(&auth.actor.grant)
                .map(|code| code.to_string()),
        ),
    }
}

/// The département a new unit or employer is created in: a form must name one.
pub(super) fn chosen_departement(auth: &Authenticated, asked: Option<&str>) -> WebResult<String> {
    departement_of(auth, asked)?
        .ok_or_else(|| WebError::BadRequest("Département : à choisir.".into()))
}

pub(super) fn entry(auth: &Authenticated, detail: String) -> Entry {
    Entry::new(JournalAction::RegistryChange)
        .by(auth.account.id.as_str(), Some(auth.role().code()))
        .detail(detail)
}

pub(super) fn commune_field(text: &str) -> WriteResult<Option<String>> {
    match text.trim() {
        "" => Ok(None),
        code => Ok(Some(CommuneCode::parse(code)?.to_string())),
    }
}

pub(super) fn name_field(text: &str) -> WriteResult<String> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(WriteError::refused("nom", "de 1 à 200 caractères"));
    }
    Ok(name.to_string())
}

#[derive(Deserialize)]
pub struct NewUnitForm {
    departement: String,
    kind: String,
    name: String,
    parent: String,
    commune: String,
}

async fn create_unit(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    FrenchForm(form): FrenchForm<NewUnitForm>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::Registry)?;
    let departement = chosen_departement(&auth, Some(&form.departement))?;
    let checked = (|| {
        let kind = UnitKind::parse(&form.kind)?;
        Ok::<_, WriteError>((kind, name_field(&form.name)?, commune_field(&form.commune)?))
    })();
    let result = match checked {
        Ok((kind, name, commune)) => {
            let parent = Some(form.parent.trim()).filter(|p| !p.is_empty());
            store_unit::create_unit(
                &state.db,
                kind,
                &name,
                parent,
                &departement,
                commune.as_deref(),
                entry(&auth, format!("unité créée : {name}")),
            )
            .await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/registre/unites/{id}")).into_response()),
        Err(error) => {
            let message = crate::http::error::refusal(error)?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                crate::registry::unit_list::units_page(
                    &state,
                    &auth,
                    &csrf,
                    Some(&format!("departement={departement}")),
                    Some(message),
                )
                .await?,
            )
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/unit.html")]
pub struct UnitPage {
    shell: Shell,
    unit: store_unit::UnitRow,
    kind: &'static str,
    can_manage: bool,
    error: Option<String>,
}

async fn unit_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    error: Option<String>,
) -> WebResult<UnitPage> {
    auth.require(Action::View, &Resource::Registry)?;
    let unit = store_unit::find_unit(&state.db, id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(UnitPage {
        shell: Shell::for_actor(&unit.name, auth, csrf).at("/registre/unites"),
        kind: unit.kind.label(),
        can_manage: passerelle_domain::access::decide(
            &auth.actor,
            Action::Manage,
            &Resource::Registry,
        )
        .is_allowed(),
        unit,
        error,
    })
}

async fn show_unit(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> WebResult<UnitPage> {
    unit_page(&state, &auth, &csrf, &id, None).await
}

#[derive(Deserialize)]
pub struct UnitForm {
    name: String,
    commune: String,
}

async fn update_unit(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<UnitForm>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::Registry)?;
    let unit = store_unit::find_unit(&state.db, &id)
        .await?
        .ok_or(WebError::NotFound)?;
    let result = match (name_field(&form.name), commune_field(&form.commune)) {
        (Ok(name), Ok(commune)) => {
            store_unit::update_unit(
                &state.db,
                &unit,
                &name,
                commune.as_deref(),
                entry(&auth, format!("unité modifiée : {name}")),
            )
            .await
        }
        (Err(error), _) | (_, Err(error)) => Err(error),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/registre/unites/{id}")).into_response()),
        Err(error) => {
            let message = crate::http::error::refusal(error)?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                unit_page(&state, &auth, &csrf, &id, Some(message)).await?,
            )
                .into_response())
        }
    }
}
