//! The API tokens of machine clients, given and taken back by the technical administrator:
//! a name, a role in a scope (the steering's only, `access::token_may_hold`), a last day
//! within a year. The token's text is shown once, on the answer to its creation; the table
//! keeps only its hash. What a token reads is decided in `http::bearer`.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::{WebError, WebResult, refusal};
use crate::http::forms::{DateField, FrenchForm, read_date};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::identity::accounts::{ScopeOption, grantable, parse_scope, place_for};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource, token_may_hold};
use passerelle_domain::identity::role::Role;
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::{account, api_token};
use passerelle_store::journal::Entry;
use passerelle_store::journal::labels::{Known, records_named};
use serde::Deserialize;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .form("/jetons-api", show_tokens, create_token)
        .post("/jetons-api/{id}/revoquer", revoke_token)
}

/// One token as the list shows it.
pub struct TokenLine {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub scope: String,
    pub created_on: String,
    pub last_day: String,
    pub last_used: String,
    pub status: &'static str,
    pub active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/api_tokens.html")]
pub struct TokensPage {
    shell: Shell,
    tokens: Vec<TokenLine>,
    departements: Vec<(String, String)>,
    departement: String,
    needs_departement: bool,
    grantable: Vec<(Role, Vec<ScopeOption>)>,
    error: Option<String>,
    name: String,
    last_day: String,
    /// The text of the token just created, shown this once.
    created: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct DepartementQuery {
    departement: Option<String>,
}

fn valid_departement(code: Option<String>) -> Option<String> {
    code.filter(|d| passerelle_domain::registry::territory::DepartementCode::parse(d).is_ok())
}

/// The day a stored expiry (midnight after the last day) leaves as the last one.
fn last_day_of(expires_at: &str) -> String {
    passerelle_store::db::time_text::text_to_instant(expires_at)
        .map(|at| crate::http::clock::french_date((at - time::Duration::seconds(1)).date()))
        .unwrap_or_default()
}

async fn lines(state: &AppState) -> WebResult<Vec<TokenLine>> {
    let rows = api_token::list(&state.db).await?;
    let ids: Vec<String> = rows.iter().filter_map(|r| r.scope_id.clone()).collect();
    let names = records_named(&state.db, &ids).await?;
    let now = state.db.clock().now_text();
    Ok(rows
        .into_iter()
        .map(|row| {
            let role = row.role().ok();
            let scope = match (role, row.scope_id.as_deref()) {
                (Some(Role::Prevention), Some(code)) => format!("département {code}"),
                (_, Some(id)) => match names.get(id) {
                    Some(Known::Employer { name } | Known::Unit { name }) => name.clone(),
                    Some(Known::Post { code }) => format!("poste {code}"),
                    _ => "périmètre supprimé".into(),
                },
                (_, None) => "France entière".into(),
            };
            let (status, active) = match (&row.revoked_at, row.expires_at <= now) {
                (Some(_), _) => ("Révoqué", false),
                (None, true) => ("Expiré", false),
                (None, false) => ("Actif", true),
            };
            TokenLine {
                role: role.map(Role::label).unwrap_or("rôle inconnu"),
                scope,
                created_on: crate::http::clock::french_day_of(&row.created_at),
                last_day: last_day_of(&row.expires_at),
                last_used: row
                    .last_used_at
                    .as_deref()
                    .map(crate::http::clock::french_instant_of)
                    .unwrap_or_else(|| "jamais".into()),
                status,
                active,
                id: row.id,
                name: row.name,
            }
        })
        .collect())
}

async fn page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    departement: Option<String>,
) -> WebResult<TokensPage> {
    let departements = passerelle_store::registry::territory::departements(&state.db)
        .await?
        .into_iter()
        .map(|d| (d.code.clone(), format!("{} — {}", d.code, d.name)))
        .collect();
    let grantable = grantable(state, auth, departement.as_deref())
        .await?
        .into_iter()
        .filter(|(role, _)| token_may_hold(*role))
        .collect();
    Ok(TokensPage {
        shell: Shell::for_actor("Jetons d'API", auth, csrf),
        tokens: lines(state).await?,
        departements,
        departement: departement.unwrap_or_default(),
        needs_departement: true,
        grantable,
        error: None,
        name: String::new(),
        last_day: String::new(),
        created: None,
    })
}

async fn show_tokens(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<DepartementQuery>,
) -> WebResult<TokensPage> {
    auth.require(Action::View, &Resource::ApiTokens)?;
    page(&state, &auth, &csrf, valid_departement(query.departement)).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
    role: String,
    scope: String,
    last_day: String,
    departement: Option<String>,
}

async fn create_token(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<TokenForm>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::ApiTokens)?;
    let mut page = page(
        &state,
        &auth,
        &csrf,
        valid_departement(form.departement.clone()),
    )
    .await?;
    page.name = form.name.chars().take(api_token::NAME_MAX_CHARS).collect();
    page.last_day = form.last_day.chars().take(10).collect();
    let refuse = |mut page: TokensPage, message: String| {
        page.error = Some(message);
        Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let role = match Role::parse(&form.role) {
        Ok(role) => role,
        Err(error) => return refuse(page, format!("{error}.")),
    };
    let (role, scope_id) = match parse_scope(role, &form.scope) {
        Ok(parsed) => parsed,
        Err(WebError::BadRequest(message)) => return refuse(page, message),
        Err(other) => return Err(other),
    };
    if !account::scope_exists(&state.db, role, scope_id.as_deref()).await? {
        return refuse(page, "Périmètre : il n'existe pas.".into());
    }
    // The same check as for giving a person the role there.
    let place = place_for(&state, role, scope_id.as_deref()).await?;
    auth.require(Action::Grant, &Resource::RoleAt { role, at: &place })?;
    let last_day = match read_date(DateField::TokenExpiry, &form.last_day) {
        Ok(day) => day,
        Err(message) => return refuse(page, message),
    };
    let entry = Entry::new(JournalAction::ApiTokenCreated)
        .by(auth.account.id.as_str(), Some(auth.role().code()))
        .detail(format!(
            "jeton « {} » : {} jusqu'au {}",
            form.name.trim(),
            role.code(),
            crate::http::clock::french_date(last_day)
        ))
        .from_ip(ip.as_deref());
    match api_token::create(
        &state.db,
        &form.name,
        role,
        scope_id.as_deref(),
        last_day,
        auth.account.id.as_str(),
        entry,
    )
    .await
    {
        Ok((text, _)) => {
            page.created = Some((form.name.trim().to_string(), text));
            page.tokens = lines(&state).await?;
            page.name.clear();
            page.last_day.clear();
            Ok(page.into_response())
        }
        Err(error) => {
            let message = refusal(error)?;
            refuse(page, message)
        }
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::ApiTokens)?;
    let token = api_token::find(&state.db, &id)
        .await?
        .ok_or(WebError::NotFound)?;
    let entry = Entry::new(JournalAction::ApiTokenRevoked)
        .by(auth.account.id.as_str(), Some(auth.role().code()))
        .detail(format!("jeton « {} » : {}", token.name, token.role))
        .from_ip(ip.as_deref());
    match api_token::revoke(&state.db, &token.id, auth.account.id.as_str(), entry).await {
        Ok(()) => Ok(Redirect::to("/jetons-api").into_response()),
        Err(error) => {
            refusal(error)?;
            Ok(Redirect::to("/jetons-api").into_response())
        }
    }
}
