//! Login through OpenID Connect: the State's federation ProConnect, or any compatible
//! provider. The first login links the provider's identity to the Passerelle account invited
//! with the same e-mail address; nobody gets an account by logging in.

use crate::AppState;
use crate::http::auth::{ClientIp, SESSION_COOKIE, set_cookie};
use crate::http::error::{WebError, WebResult};
use crate::http::route_table::RouteTable;
use crate::journal::entry::own_event;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken as OidcState, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse, UserInfoClaims,
};
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::{account, session};
use passerelle_store::journal::Entry;
use serde::{Deserialize, Serialize};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/connexion/proconnect", start)
        .get("/connexion/proconnect/retour", finish)
}

pub const CALLBACK_PATH: &str = "/connexion/proconnect/retour";
/// The scopes ProConnect documents for agents.
const SCOPES: &[&str] = &["email", "given_name", "usual_name", "uid", "siret"];

/// ProConnect's claims beyond the standard ones.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
struct ProConnectClaims {
    usual_name: Option<String>,
    uid: Option<String>,
    siret: Option<String>,
}
impl AdditionalClaims for ProConnectClaims {}

/// What the callback needs to check, kept in the (anonymous) session between the two legs.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
}

fn http_client() -> WebResult<openidconnect::reqwest::Client> {
    // No redirects: the OpenID specification forbids following them here (SSRF).
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| WebError::Internal(e.into()))
}

fn unavailable(error: impl std::fmt::Display) -> WebError {
    tracing::warn!(%error, "OpenID Connect provider error");
    WebError::BadRequest("La connexion par ProConnect n'a pas abouti. Réessayez, ou connectez-vous avec votre adresse et votre mot de passe.".into())
}

async fn client(
    state: &AppState,
) -> WebResult<(
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    openidconnect::reqwest::Client,
)> {
    let config = state.config.oidc.as_ref().ok_or(WebError::NotFound)?;
    let http = http_client()?;
    let issuer = IssuerUrl::new(config.issuer_url.clone()).map_err(unavailable)?;
    let metadata = CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .map_err(unavailable)?;
    let redirect = RedirectUrl::new(format!(
        "{}{CALLBACK_PATH}",
        state.config.public_url.trim_end_matches('/')
    ))
    .map_err(unavailable)?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(config.client_id.clone()),
        Some(ClientSecret::new(config.client_secret.clone())),
    )
    .set_redirect_uri(redirect);
    Ok((client, http))
}

async fn start(State(state): State<AppState>, ClientIp(ip): ClientIp) -> WebResult<Response> {
    let (client, _) = client(&state).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            OidcState::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in SCOPES {
        request = request.add_scope(Scope::new((*scope).to_string()));
    }
    let (url, oidc_state, nonce) = request.url();
    let pending = Pending {
        state: oidc_state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
    };
    let token = session::open_anonymous(&state.db, ip.as_deref()).await?;
    let pending = serde_json::to_string(&pending).map_err(|e| WebError::Internal(e.into()))?;
    session::set_oidc_state(&state.db, &session::token_hash(&token), Some(&pending)).await?;
    let mut response = Redirect::to(url.as_str()).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, state.config.secure_cookies, None),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn finish(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(callback): Query<Callback>,
) -> WebResult<Response> {
    state.config.oidc.as_ref().ok_or(WebError::NotFound)?;
    if let Some(error) = callback.error {
        return Err(unavailable(format!("provider answered {error}")));
    }
    let current = crate::http::auth::current_session(&state, &headers)
        .await?
        .ok_or_else(|| unavailable("no session"))?;
    let pending: Pending = current
        .oidc_state
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .ok_or_else(|| unavailable("no pending login"))?;
    // One use only: whatever happens next, this state is spent.
    session::set_oidc_state(&state.db, &current.token_hash, None).await?;
    if callback.state.as_deref() != Some(pending.state.as_str()) {
        return Err(unavailable("state mismatch"));
    }
    let code = callback.code.ok_or_else(|| unavailable("no code"))?;
    let (client, http) = client(&state).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(unavailable)?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&http)
        .await
        .map_err(unavailable)?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| unavailable("no id token"))?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
        .map_err(unavailable)?;
    let subject = claims.subject().clone();
    let userinfo: UserInfoClaims<ProConnectClaims, CoreGenderClaim> = client
        .user_info(tokens.access_token().clone(), Some(subject.clone()))
        .map_err(unavailable)?
        .request_async(&http)
        .await
        .map_err(unavailable)?;
    let email = userinfo
        .email()
        .or(claims.email())
        .map(|e| e.as_str().trim().to_lowercase())
        .ok_or_else(|| unavailable("no email"))?;
    let issuer_subject = format!("{}|{}", claims.issuer().as_str(), subject.as_str());

    let found = match account::find_by_oidc_subject(&state.db, &issuer_subject).await? {
        Some(found) => Some((found, false)),
        None => account::find_by_email(&state.db, &email)
            .await?
            .filter(|a| a.oidc_subject.is_none())
            .map(|a| (a, true)),
    };
    let Some((found, first_link)) = found.filter(|(a, _)| !a.is_disabled()) else {
        return Err(WebError::BadRequest(format!(
            "Aucun compte Passerelle actif n'est associé à l'adresse {email}. Demandez une invitation à la personne qui gère les comptes de votre structure."
        )));
    };
    let employer = account::employer_of(&state.db, found.id.as_str()).await?;
    let token = passerelle_store::identity::login::log_in_oidc(
        &state.db,
        &current.token_hash,
        found.id.as_str(),
        first_link.then_some(issuer_subject.as_str()),
        ip.as_deref(),
        own_event(
            JournalAction::OidcLinked,
            found.id.as_str(),
            ip.as_deref(),
            employer.as_deref(),
        ),
        Entry::new(JournalAction::LoginSucceeded)
            .by(found.id.as_str(), None)
            .on("account", &found.id)
            .detail("ProConnect")
            .from_ip(ip.as_deref())
            .in_employer(employer.as_deref()),
    )
    .await?;
    let mut response = Redirect::to("/connexion/second-facteur").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, state.config.secure_cookies, None),
    );
    Ok(response)
}
