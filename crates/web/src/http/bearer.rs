//! Machine clients: `Authorization: Bearer psr_…` on the JSON endpoints. The token acts as
//! its role in its scope through `domain::access::decide_machine` (the same policy as a
//! person, read-only, never a case); every call is journaled with the token's name. The
//! token is read from the database on every call, never from a copy kept by this server: a
//! revocation answers 401 at once, on every server. HTML pages never read this header (their
//! extractors read the session cookie only), so a token opens no page.

use crate::AppState;
use crate::http::auth::Authenticated;
use crate::http::error::WebError;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use passerelle_domain::access::{self, Action, Decision, Grant, Machine, Resource};
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::api_token::{self, ApiTokenRow, Presented};
use passerelle_store::journal::Entry;

/// A valid token and the grant it acts through.
pub struct TokenCaller {
    pub token: ApiTokenRow,
    pub machine: Machine,
}

impl TokenCaller {
    /// Asks the policy for machines; a denial is a JSON 403.
    pub fn require(&self, action: Action, resource: &Resource) -> Result<(), WebError> {
        match access::decide_machine(&self.machine, action, resource) {
            Decision::Allow => Ok(()),
            Decision::Deny => Err(WebError::Api {
                status: 403,
                message: format!(
                    "Le jeton « {} » ne donne pas accès à cette ressource.",
                    self.token.name
                ),
            }),
        }
    }
}

fn unauthorized(message: &str) -> WebError {
    WebError::Api {
        status: 401,
        message: message.into(),
    }
}

/// The token of the request's `Authorization` header, checked and its call journaled; none
/// without the header.
async fn token_of(parts: &Parts, state: &AppState) -> Result<Option<TokenCaller>, WebError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| unauthorized("En-tête Authorization : attendu « Bearer <jeton> »."))?;
    let token = match api_token::presented(&state.db, text).await? {
        Presented::Valid(row) => *row,
        Presented::Unknown => return Err(unauthorized("Jeton d'API inconnu.")),
        Presented::Expired => {
            return Err(unauthorized(
                "Jeton d'API expiré : demandez-en un nouveau à l'administration technique.",
            ));
        }
        Presented::Revoked => return Err(unauthorized("Jeton d'API révoqué.")),
    };
    let machine = token.machine()?;
    let ip = crate::http::auth::client_address(
        &state.config.trusted_proxies,
        &parts.extensions,
        &parts.headers,
    )
    .map(|a| a.to_string());
    let mut entry = Entry::new(JournalAction::ApiCall)
        .detail(format!(
            "jeton « {} » ({}) : {} {}",
            token.name,
            token.role,
            parts.method,
            parts.uri.path()
        ))
        .from_ip(ip.as_deref());
    entry.actor_role = Some(token.role.clone());
    if let access::Scope::Employer(id) = &machine.grant.scope {
        entry = entry.in_employer(Some(id.as_str()));
    }
    api_token::record_call(&state.db, &token.id, entry).await?;
    Ok(Some(TokenCaller { token, machine }))
}

/// Who calls a JSON endpoint of a scope: a machine with its token, or a signed-in person.
pub enum ApiCaller {
    Token(TokenCaller),
    Person(Box<Authenticated>),
}

impl ApiCaller {
    pub fn grant(&self) -> &Grant {
        match self {
            ApiCaller::Token(token) => &token.machine.grant,
            ApiCaller::Person(person) => &person.actor.grant,
        }
    }

    pub fn require(&self, action: Action, resource: &Resource) -> Result<(), WebError> {
        match self {
            ApiCaller::Token(token) => token.require(action, resource),
            ApiCaller::Person(person) => person.require(action, resource),
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match token_of(parts, state).await? {
            Some(token) => Ok(ApiCaller::Token(token)),
            None => Ok(ApiCaller::Person(Box::new(
                Authenticated::from_request_parts(parts, state).await?,
            ))),
        }
    }
}

/// On public JSON: a token, if one is presented, is checked (401 when it is not valid) and
/// its call journaled; without one, anybody reads.
pub struct PublicCaller(pub Option<TokenCaller>);

impl FromRequestParts<AppState> for PublicCaller {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = token_of(parts, state).await?;
        if let Some(token) = &token {
            token.require(Action::View, &Resource::PublicPage)?;
        }
        Ok(PublicCaller(token))
    }
}
