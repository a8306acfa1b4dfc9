//! The partner directory of a département: read by its social workers, employers and the
//! steering; kept by its social workers and employers, one by one or imported from a
//! spreadsheet (every line checked first, nothing written when one is wrong).

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::registry::import::{MAX_FILE_BYTES, read_upload};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::case::PartnerType;
use passerelle_domain::referral::partner::{PartnerInput, validate_partner};
use passerelle_domain::registry::territory::DepartementCode;
use passerelle_store::journal::Entry;
use passerelle_store::referral::partner as store_partner;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/partenaires", directory)
        .post("/partenaires", save)
        .post("/partenaires/{id}/supprimer", delete)
        .upload_form(
            "/partenaires/import",
            directory_for_import,
            import,
            MAX_FILE_BYTES,
        )
}

pub struct PartnerLine {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub hours: String,
    pub website: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/partners.html")]
pub struct DirectoryPage {
    shell: Shell,
    departement: String,
    departement_name: String,
    kind: String,
    kinds: &'static [PartnerType],
    lines: Vec<PartnerLine>,
    can_manage: bool,
    columns: &'static [(&'static str, bool, &'static str)],
    errors: Vec<String>,
    imported: Option<(usize, usize)>,
}

#[derive(serde::Deserialize, Default)]
pub struct DirectoryQuery {
    #[serde(default)]
    departement: String,
    #[serde(default, rename = "type")]
    kind: String,
}

/// The département asked for, or the actor's own; the policy's answer on it.
async fn territory(
    state: &AppState,
    auth: &Authenticated,
    asked: &str,
    action: Action,
) -> WebResult<String> {
    let code = match asked.trim() {
        "" => store_partner::home_departement(&state.db, &auth.actor.grant.scope)
            .await?
            .ok_or_else(|| {
                WebError::BadRequest(
                    "Département : choisissez un département (paramètre « departement »).".into(),
                )
            })?,
        text => DepartementCode::parse(text)
            .map_err(|e| WebError::BadRequest(format!("Département : {}.", e.reason)))?,
    };
    let place = store_partner::territory_of(&state.db, &code).await?;
    auth.require(action, &Resource::Partners { territory: &place })?;
    Ok(code.into())
}

fn phone_text(phone: Option<String>) -> String {
    match phone {
        Some(phone) if phone.starts_with('+') => {
            passerelle_domain::referral::PhoneNumber::parse(&phone)
                .map(|p| p.national())
                .unwrap_or(phone)
        }
        other => other.unwrap_or_default(),
    }
}

async fn page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    departement: String,
    kind: String,
    errors: Vec<String>,
    imported: Option<(usize, usize)>,
) -> WebResult<DirectoryPage> {
    let filter = match kind.as_str() {
        "" => None,
        code => Some(
            PartnerType::parse(code)
                .map_err(|e| WebError::BadRequest(format!("Type : {}.", e.reason)))?
                .code(),
        ),
    };
    let lines = store_partner::of_departement(&state.db, &departement, filter)
        .await?
        .into_iter()
        .map(|row| PartnerLine {
            kind: PartnerType::parse(&row.partner_type)
                .map(PartnerType::label)
                .unwrap_or("—"),
            name: row.name,
            address: row.address.unwrap_or_default(),
            phone: phone_text(row.phone),
            email: row.email.unwrap_or_default(),
            hours: row.hours.unwrap_or_default(),
            website: row.website.unwrap_or_default(),
            id: row.id,
        })
        .collect();
    let code = DepartementCode::parse(&departement)
        .map_err(|e| WebError::BadRequest(format!("Département : {}.", e.reason)))?;
    let place = store_partner::territory_of(&state.db, &code).await?;
    let departement_name = passerelle_store::registry::territory::departements(&state.db)
        .await?
        .into_iter()
        .find(|d| d.code == departement)
        .map(|d| d.name)
        .unwrap_or_else(|| departement.clone());
    Ok(DirectoryPage {
        shell: Shell::for_actor("Annuaire des partenaires", auth, csrf).at("/partenaires"),
        can_manage: auth
            .require(Action::Manage, &Resource::Partners { territory: &place })
            .is_ok(),
        departement,
        departement_name,
        kind,
        kinds: PartnerType::ALL,
        lines,
        columns: store_partner::IMPORT_COLUMNS,
        errors,
        imported,
    })
}

async fn directory(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<DirectoryQuery>,
) -> WebResult<DirectoryPage> {
    let departement = territory(&state, &auth, &query.departement, Action::View).await?;
    page(
        &state,
        &auth,
        &csrf,
        departement,
        query.kind,
        Vec::new(),
        None,
    )
    .await
}

/// The import form lives on the directory page.
async fn directory_for_import(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<DirectoryQuery>,
) -> WebResult<DirectoryPage> {
    let departement = territory(&state, &auth, &query.departement, Action::Manage).await?;
    page(
        &state,
        &auth,
        &csrf,
        departement,
        String::new(),
        Vec::new(),
        None,
    )
    .await
}

fn entry(auth: &Authenticated, departement: &str, detail: String, ip: Option<&str>) -> Entry {
    Entry::new(JournalAction::RegistryChange)
        .by(auth.account.id.as_str(), Some(auth.role().code()))
        .on("partners", departement)
        .detail(detail)
        .from_ip(ip)
}

#[derive(serde::Deserialize)]
pub struct PartnerForm {
    #[serde(default)]
    departement: String,
    #[serde(default)]
    partner_type: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    website: String,
}

async fn save(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<PartnerForm>,
) -> WebResult<Response> {
    let departement = territory(&state, &auth, &form.departement, Action::Manage).await?;
    let input = PartnerInput {
        partner_type: form.partner_type,
        name: form.name,
        departement: departement.clone(),
        address: form.address,
        phone: form.phone,
        email: form.email,
        hours: form.hours,
        website: form.website,
    };
    match validate_partner(&input) {
        Ok(partner) => {
            let detail = format!("partenaire « {} » enregistré", partner.name);
            store_partner::save(
                &state.db,
                &partner,
                entry(&auth, &departement, detail, ip.as_deref()),
            )
            .await?;
            Ok(Redirect::to(&format!("/partenaires?departement={departement}")).into_response())
        }
        Err(errors) => {
            let errors = errors.iter().map(|e| format!("{e}.")).collect();
            let page = page(
                &state,
                &auth,
                &csrf,
                departement,
                String::new(),
                errors,
                None,
            )
            .await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let partner = store_partner::find(&state.db, &id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let departement = territory(
        &state,
        &auth,
        partner.departement_code.as_str(),
        Action::Manage,
    )
    .await?;
    let detail = format!("partenaire « {} » retiré", partner.name);
    store_partner::delete(
        &state.db,
        &partner.id,
        entry(&auth, &departement, detail, ip.as_deref()),
    )
    .await?;
    Ok(Redirect::to(&format!("/partenaires?departement={departement}")).into_response())
}

async fn import(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Query(query): Query<DirectoryQuery>,
    request: Request,
) -> WebResult<Response> {
    // The policy first: nobody else's upload is even read.
    let departement = territory(&state, &auth, &query.departement, Action::Manage).await?;
    let upload = read_upload(&state, request).await?;
    let refuse = |errors: Vec<String>| async {
        let page = page(
            &state,
            &auth,
            &csrf,
            departement.clone(),
            String::new(),
            errors,
            None,
        )
        .await?;
        Ok::<_, WebError>((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let Some((name, bytes)) = upload
        .file
        .filter(|(name, bytes)| !name.is_empty() && !bytes.is_empty())
    else {
        return refuse(vec![
            "Fichier : choisissez un fichier .csv, .xlsx ou .ods.".into(),
        ])
        .await;
    };
    let table = match crate::registry::import::read_spreadsheet(name, bytes).await {
        Ok(table) => table,
        Err(error) => return refuse(vec![error.to_string()]).await,
    };
    let report = store_partner::import(
        &state.db,
        &departement,
        &table,
        entry(&auth, &departement, String::new(), ip.as_deref()),
    )
    .await?;
    if !report.errors.is_empty() {
        return refuse(report.errors.iter().map(ToString::to_string).collect()).await;
    }
    let page = page(
        &state,
        &auth,
        &csrf,
        departement,
        String::new(),
        Vec::new(),
        Some((report.created, report.updated)),
    )
    .await?;
    Ok(page.into_response())
}
