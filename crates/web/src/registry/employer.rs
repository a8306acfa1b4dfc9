//! The registry's employers, by département: list, create, edit. An employer's name is
//! unique in its département. Read by the steering; written by the national steering and the
//! technical administrator.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::registry::unit::{
    DepartementQuery, chosen_departement, commune_field, departement_of, entry, name_field,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::registry::employer::EmployerKind;
use passerelle_store::WriteResult;
use passerelle_store::registry::unit as store_unit;
use serde::Deserialize;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .form("/registre/employeurs", list_employers, create_employer)
        .form("/registre/employeurs/{id}", show_employer, update_employer)
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/employers.html")]
pub struct EmployersPage {
    shell: Shell,
    departement: Option<String>,
    employers: Vec<(String, &'static str, String, String)>,
    kinds: &'static [EmployerKind],
    can_manage: bool,
    error: Option<String>,
}

async fn employers_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    departement: Option<String>,
    error: Option<String>,
) -> WebResult<EmployersPage> {
    auth.require(Action::View, &Resource::Registry)?;
    let employers = match &departement {
        Some(code) => store_unit::employers_of(&state.db, code).await?,
        None => Vec::new(),
    };
    let employers = employers
        .into_iter()
        .map(|e| {
            (
                e.id.into_string(),
                e.kind.label(),
                e.name,
                e.commune_code.unwrap_or_default(),
            )
        })
        .collect();
    Ok(EmployersPage {
        shell: Shell::for_actor("Employeurs", auth, csrf).at("/registre/employeurs"),
        can_manage: passerelle_domain::access::decide(
            &auth.actor,
            Action::Manage,
            &Resource::Registry,
        )
        .is_allowed(),
        kinds: EmployerKind::ALL,
        departement,
        employers,
        error,
    })
}

async fn list_employers(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<DepartementQuery>,
) -> WebResult<EmployersPage> {
    let departement = departement_of(&auth, query.departement.as_deref())?;
    employers_page(&state, &auth, &csrf, departement, None).await
}

#[derive(Deserialize)]
pub struct EmployerForm {
    departement: Option<String>,
    kind: String,
    name: String,
    commune: String,
}

async fn save(
    state: &AppState,
    auth: &Authenticated,
    existing: Option<&store_unit::EmployerRow>,
    departement: &str,
    form: &EmployerForm,
) -> WriteResult<String> {
    let kind = EmployerKind::parse(&form.kind)?;
    let name = name_field(&form.name)?;
    let commune = commune_field(&form.commune)?;
    store_unit::save_employer(
        &state.db,
        existing,
        kind,
        &name,
        departement,
        commune.as_deref(),
        entry(auth, format!("employeur enregistré : {name}")),
    )
    .await
}

async fn create_employer(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    FrenchForm(form): FrenchForm<EmployerForm>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::Registry)?;
    let departement = chosen_departement(&auth, form.departement.as_deref())?;
    match save(&state, &auth, None, &departement, &form).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/registre/employeurs?departement={departement}"))
                .into_response(),
        ),
        Err(error) => {
            let message = crate::http::error::refusal(error)?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                employers_page(&state, &auth, &csrf, Some(departement), Some(message)).await?,
            )
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/employer.html")]
pub struct EmployerPage {
    shell: Shell,
    employer: store_unit::EmployerRow,
    kinds: &'static [EmployerKind],
    can_manage: bool,
    error: Option<String>,
}

async fn employer_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    error: Option<String>,
) -> WebResult<EmployerPage> {
    auth.require(Action::View, &Resource::Registry)?;
    let employer = store_unit::find_employer(&state.db, id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(EmployerPage {
        shell: Shell::for_actor(&employer.name, auth, csrf).at("/registre/employeurs"),
        can_manage: passerelle_domain::access::decide(
            &auth.actor,
            Action::Manage,
            &Resource::Registry,
        )
        .is_allowed(),
        kinds: EmployerKind::ALL,
        employer,
        error,
    })
}

async fn show_employer(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> WebResult<EmployerPage> {
    employer_page(&state, &auth, &csrf, &id, None).await
}

async fn update_employer(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<EmployerForm>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::Registry)?;
    let employer = store_unit::find_employer(&state.db, &id)
        .await?
        .ok_or(WebError::NotFound)?;
    match save(
        &state,
        &auth,
        Some(&employer),
        (employer.departement_code.clone()).as_str(),
        &form,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/registre/employeurs/{id}")).into_response()),
        Err(error) => {
            let message = crate::http::error::refusal(error)?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                employer_page(&state, &auth, &csrf, &id, Some(message)).await?,
            )
                .into_response())
        }
    }
}
