//! Who is asking: the session cookie, the anti-forgery token, and the extractors handlers use
//! to get an authenticated actor. Access itself is decided by `domain::access`, always.

use crate::AppState;
use crate::error::WebError;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use passerelle_domain::access::{self, Action, Actor, Decision, Grant, Resource};
use passerelle_domain::account::session_end;
use passerelle_domain::role::Role;
use passerelle_store::account::{AccountRow, RoleRow};
use passerelle_store::session::Session;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "passerelle_session";
pub const CSRF_COOKIE: &str = "passerelle_csrf";
/// Forms are small: anything larger is refused before it is read.
pub const FORM_LIMIT_BYTES: usize = 64 * 1024;

/// Percent-encodes a value for a query string.
pub fn encode_component(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, for the whole site; Secure behind HTTPS.
pub fn set_cookie(
    name: &str,
    value: &str,
    secure: bool,
    max_age_seconds: Option<i64>,
) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age_seconds {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// The anti-forgery token of this browser (double-submit cookie), for the forms of a page.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| WebError::Internal(anyhow::anyhow!("csrf middleware missing")))
    }
}

fn new_csrf_token() -> String {
    passerelle_store::session::new_token().0
}

/// Middleware: every POST must carry the browser's anti-forgery token in its form field
/// `csrf`, equal to its cookie, and come from our own origin. Gives every request a token.
pub async fn protect_forms(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let existing = cookie(request.headers(), CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    let mut request = request;
    if request.method() == Method::POST {
        match check_form(request, existing.as_deref()).await {
            Ok(checked) => request = checked,
            Err(error) => return error.into_response(),
        }
    }
    let (token, is_new) = match existing {
        Some(token) => (token, false),
        None => (new_csrf_token(), true),
    };
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let is_form = request.method() == Method::POST;
    let mut response = next.run(request).await;
    if is_form {
        // A form may have changed who is signed in, what they hold, or a case list.
        state.after_write().await;
    }
    if is_new {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, state.config.secure_cookies, None),
        );
    }
    response
}

async fn check_form(request: Request, expected: Option<&str>) -> Result<Request, WebError> {
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let origin = origin.to_str().unwrap_or_default();
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        if origin == "null" || origin_host != host {
            return Err(WebError::Csrf);
        }
    }
    // A file upload carries its token in the query string: its body is not read here, so that
    // a large file streams to its handler, which sets its own size limit.
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let submitted = request.uri().query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned())
        });
        return match (expected, submitted) {
            (Some(expected), Some(submitted))
                if constant_time_eq(expected.as_bytes(), submitted.as_bytes()) =>
            {
                Ok(request)
            }
            _ => Err(WebError::Csrf),
        };
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT_BYTES)
        .await
        .map_err(|_| WebError::TooLarge)?;
    let submitted = form_urlencoded::parse(&bytes)
        .find(|(key, _)| key == "csrf")
        .map(|(_, value)| value.into_owned());
    match (expected, submitted) {
        (Some(expected), Some(submitted))
            if constant_time_eq(expected.as_bytes(), submitted.as_bytes()) =>
        {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(WebError::Csrf),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address, when the server knows it.
#[derive(Debug, Clone)]
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip().to_string()),
        ))
    }
}

/// A session whose password step is done (the second factor may still be pending).
pub struct SignedIn {
    pub session: Session,
    pub account: AccountRow,
    pub roles: Vec<RoleRow>,
}

/// Loads the session of the cookie, ending it if it timed out or its account was disabled.
pub async fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Session>, WebError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = passerelle_store::session::find(&state.db, &token).await? else {
        return Ok(None);
    };
    let now = time::OffsetDateTime::now_utc();
    let parse = |text: &str| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
    };
    let (Some(created), Some(last_seen)) =
        (parse(&session.created_at), parse(&session.last_seen_at))
    else {
        return Ok(None);
    };
    if session_end(created, last_seen, now).is_some() {
        let mut connection = state.db.pool().acquire().await?;
        passerelle_store::session::delete(&mut connection, &session.token_hash).await?;
        return Ok(None);
    }
    let now_text = passerelle_store::time_text::instant_to_text(now);
    let mut session = session;
    if passerelle_store::session::touch(&state.db, &session, &now_text).await? {
        session.last_seen_at = now_text;
    }
    Ok(Some(session))
}

/// The signed-in person this server remembers for the cookie, if their session is still
/// alive and its activity of this minute is already recorded (else the database is read).
/// Only for reading pages: a form acts on what the database holds now.
fn remembered(state: &AppState, parts: &Parts) -> Option<SignedIn> {
    if parts.method != Method::GET {
        return None;
    }
    let token = cookie(&parts.headers, SESSION_COOKIE)?;
    let record = state
        .signed_in
        .get(&passerelle_store::session::token_hash(&token))?;
    let now = time::OffsetDateTime::now_utc();
    let now_text = passerelle_store::time_text::instant_to_text(now);
    let session = &record.session;
    if session.last_seen_at.get(..16) != now_text.get(..16) {
        return None;
    }
    let parse = |text: &str| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
    };
    let (created, last_seen) = (parse(&session.created_at)?, parse(&session.last_seen_at)?);
    if session_end(created, last_seen, now).is_some() {
        return None;
    }
    Some(SignedIn {
        session: record.session.clone(),
        account: record.account.clone(),
        roles: record.roles.clone(),
    })
}

fn login_required(parts: &Parts) -> WebError {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    WebError::LoginRequired {
        next: if parts.method == Method::GET {
            next
        } else {
            "/".into()
        },
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(signed_in) = remembered(state, parts) {
            return Ok(signed_in);
        }
        let session = current_session(state, &parts.headers)
            .await?
            .ok_or_else(|| login_required(parts))?;
        let account_id = session
            .account_id
            .clone()
            .ok_or_else(|| login_required(parts))?;
        let account = passerelle_store::account::find(&state.db, &account_id)
            .await?
            .ok_or_else(|| login_required(parts))?;
        if account.is_disabled() {
            return Err(login_required(parts));
        }
        let roles = passerelle_store::account::roles_of(&state.db, &account.id).await?;
        state
            .signed_in
            .keep(crate::signed_in_cache::SignedInRecord {
                session: session.clone(),
                account: account.clone(),
                roles: roles.clone(),
            });
        Ok(SignedIn {
            session,
            account,
            roles,
        })
    }
}

impl SignedIn {
    /// Whether this account must present a second factor before anything else.
    pub fn needs_second_factor(&self) -> bool {
        self.account.has_totp()
            || self
                .roles
                .iter()
                .any(|r| r.role().is_ok_and(access::requires_second_factor))
    }
}

/// A fully authenticated person acting through one of their roles.
pub struct Authenticated {
    pub actor: Actor,
    pub account: AccountRow,
    pub roles: Vec<RoleRow>,
    pub active_role: RoleRow,
    pub session: Session,
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        if signed_in.needs_second_factor() && !signed_in.session.second_factor_done() {
            let target = if signed_in.account.has_totp() {
                "/connexion/second-facteur"
            } else {
                "/compte/second-facteur"
            };
            return Err(WebError::Redirect(target.into()));
        }
        let SignedIn {
            session,
            account,
            roles,
        } = signed_in;
        let active = match &session.active_role_id {
            Some(id) => roles.iter().find(|r| &r.id == id).cloned(),
            None if roles.len() == 1 => roles.first().cloned(),
            None => None,
        };
        let Some(active_role) = active else {
            return Err(WebError::Redirect(if roles.is_empty() {
                "/compte/sans-role".into()
            } else {
                "/compte/role".into()
            }));
        };
        let actor = Actor {
            account_id: account.id.clone(),
            grant: Grant {
                role: active_role.role()?,
                scope: active_role.scope()?,
            },
        };
        Ok(Authenticated {
            actor,
            account,
            roles,
            active_role,
            session,
        })
    }
}

impl Authenticated {
    pub fn role(&self) -> Role {
        self.actor.grant.role
    }

    /// Asks the policy; a denial becomes the 403 page.
    pub fn require(&self, action: Action, resource: &Resource) -> Result<(), WebError> {
        match access::decide(&self.actor, action, resource) {
            Decision::Allow => Ok(()),
            Decision::Deny => Err(WebError::Forbidden),
        }
    }
}

/// On public pages: the authenticated person if there is one, so the header shows them.
/// Without a session cookie, no query at all.
pub struct MaybeAuthenticated(pub Option<Authenticated>);

impl FromRequestParts<AppState> for MaybeAuthenticated {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if cookie(&parts.headers, SESSION_COOKIE).is_none() {
            return Ok(MaybeAuthenticated(None));
        }
        Ok(MaybeAuthenticated(
            Authenticated::from_request_parts(parts, state).await.ok(),
        ))
    }
}
