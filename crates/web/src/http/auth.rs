//! Who is asking: the session cookie, the anti-forgery token, the client's address, and the
//! extractors handlers use to get an authenticated actor. Access itself is decided by
//! `domain::access`, always.

use crate::AppState;
use crate::http::error::WebError;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use passerelle_domain::access::{self, Action, Actor, Decision, Grant, Resource};
use passerelle_domain::identity::account::session_end;
use passerelle_domain::identity::role::Role;
use passerelle_store::identity::account::{AccountRow, RoleRow};
use passerelle_store::identity::session::Session;
use passerelle_store::seal::KeyRing;
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

/// The prefix of every cookie when served over HTTPS: the browser then only accepts it if
/// Secure, for the whole site and from this exact host, so a sibling subdomain cannot plant
/// or overwrite it.
pub const SECURE_COOKIE_PREFIX: &str = "__Host-";

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, for the whole site; Secure and `__Host-`
/// behind HTTPS (see [`host_prefixed_cookies`] for the way back).
pub fn set_cookie(
    name: &str,
    value: &str,
    secure: bool,
    max_age_seconds: Option<i64>,
) -> HeaderValue {
    let prefix = if secure { SECURE_COOKIE_PREFIX } else { "" };
    let mut cookie = format!("{prefix}{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age_seconds {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// Middleware, with secure cookies: handlers read cookies by their plain names, so the
/// request keeps only the `__Host-` cookies, under their plain names; a plain-named cookie
/// (which anyone on a sibling subdomain could have set) is dropped.
pub async fn host_prefixed_cookies(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if state.config.secure_cookies {
        let kept: Vec<String> = request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().strip_prefix(SECURE_COOKIE_PREFIX))
            .map(str::to_string)
            .collect();
        let headers = request.headers_mut();
        headers.remove(header::COOKIE);
        if let Ok(value) = HeaderValue::from_str(&kept.join("; "))
            && !kept.is_empty()
        {
            headers.insert(header::COOKIE, value);
        }
    }
    next.run(request).await
}

/// The anti-forgery token of this browser, for the forms of a page: bound to its session, or
/// before any session to its anti-forgery cookie (see [`form_token`]).
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

fn new_csrf_cookie() -> String {
    passerelle_store::identity::session::new_token().0
}

fn valid_csrf_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The token the forms of a request must carry: a keyed hash (under the key file, so every
/// server of the installation agrees) of its session cookie, or, without a session, of its
/// anti-forgery cookie (the login form). A token read from another session's page is worth
/// nothing here, and nobody can compute one without the key. None: nothing to bind to.
pub fn form_token(keys: &KeyRing, headers: &HeaderMap) -> Option<String> {
    if let Some(session) = cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) {
        let hash = passerelle_store::identity::session::token_hash(&session);
        return Some(keys.blind_index("formulaire de session", &hash));
    }
    valid_csrf_cookie(headers).map(|c| keys.blind_index("formulaire sans session", &c))
}

/// Middleware: every POST must carry its anti-forgery token (see [`form_token`]) in its form
/// field `csrf` and come from our own origin. Gives every request the token of its forms.
pub async fn protect_forms(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut request = request;
    if request.method() == Method::POST {
        let expected = form_token(&state.keys, request.headers());
        match check_form(request, expected.as_deref()).await {
            Ok(checked) => request = checked,
            Err(error) => return error.into_response(),
        }
    }
    // Every browser gets an anti-forgery cookie, for the forms it fills before signing in.
    let new_cookie = valid_csrf_cookie(request.headers())
        .is_none()
        .then(new_csrf_cookie);
    let token = match (&new_cookie, form_token(&state.keys, request.headers())) {
        (_, Some(token)) => token,
        (Some(fresh), None) => state.keys.blind_index("formulaire sans session", fresh),
        (None, None) => String::new(),
    };
    request.extensions_mut().insert(CsrfToken(token));
    let is_form = request.method() == Method::POST;
    let mut response = next.run(request).await;
    if is_form {
        // A form may have changed who is signed in, what they hold, or a case list.
        state.after_write().await;
    }
    if let Some(fresh) = new_cookie {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &fresh, state.config.secure_cookies, None),
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
    // A file upload carries its token as the first field of its body: only that part is read
    // here, so that a large file streams on to its handler, which sets its own size limit;
    // never in the URL, where logs and the browser's history would keep it.
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.starts_with("multipart/form-data"))
        .map(|v| multer::parse_boundary(v).map_err(|_| WebError::Csrf))
        .transpose()?;
    if let Some(boundary) = boundary {
        let (submitted, request) = multipart_token(request, boundary).await?;
        return match (expected, submitted) {
            (Some(expected), Some(submitted)) if same_token(expected, &submitted) => Ok(request),
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
        (Some(expected), Some(submitted)) if same_token(expected, &submitted) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(WebError::Csrf),
    }
}

/// How much of an upload's body is read to find its token: the first part, a few hundred bytes.
const MULTIPART_TOKEN_BYTES: usize = 16 * 1024;

/// The `csrf` field that opens a multipart body, and the request with its whole body given
/// back (the bytes read here, then the rest of the stream).
async fn multipart_token(
    request: Request,
    boundary: String,
) -> Result<(Option<String>, Request), WebError> {
    use futures_util::StreamExt;
    let (parts, body) = request.into_parts();
    let mut stream = body.into_data_stream();
    let mut read: Vec<axum::body::Bytes> = Vec::new();
    let mut length = 0;
    let token = loop {
        // The first field as far as it has come; an incomplete one waits for more bytes.
        let prefix = futures_util::stream::iter(
            read.clone()
                .into_iter()
                .map(Ok::<_, std::convert::Infallible>),
        );
        let mut fields = multer::Multipart::new(prefix, boundary.clone());
        if let Ok(Some(field)) = fields.next_field().await {
            if field.name() != Some("csrf") {
                break None;
            }
            if let Ok(text) = field.text().await {
                break Some(text);
            }
        }
        if length >= MULTIPART_TOKEN_BYTES {
            break None;
        }
        match stream.next().await {
            Some(Ok(chunk)) => {
                length += chunk.len();
                read.push(chunk);
            }
            Some(Err(_)) => return Err(WebError::TooLarge),
            None => break None,
        }
    };
    let whole =
        futures_util::stream::iter(read.into_iter().map(Ok::<_, axum::Error>)).chain(stream);
    Ok((token, Request::from_parts(parts, Body::from_stream(whole))))
}

/// Compared in constant time, so that timing does not reveal how much of a guess was right.
fn same_token(expected: &str, submitted: &str) -> bool {
    use subtle::ConstantTimeEq;
    expected.len() == submitted.len() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
}

/// The client's address, when the server knows it: the TCP peer's, or behind trusted
/// proxies the one they forwarded (see `forwarded`). The lockout, the journal and the logs
/// all take it from here.
#[derive(Debug, Clone)]
pub struct ClientIp(pub Option<String>);

/// The client address of a request, given the proxies to trust.
pub fn client_address(
    trusted: &crate::http::forwarded::TrustedProxies,
    extensions: &axum::http::Extensions,
    headers: &HeaderMap,
) -> Option<std::net::IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    Some(trusted.client_address(peer, headers))
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let address = client_address(
            &state.config.trusted_proxies,
            &parts.extensions,
            &parts.headers,
        );
        Ok(ClientIp(address.map(|a| a.to_string())))
    }
}

/// A session whose password step is done (the second factor may still be pending).
pub struct SignedIn {
    pub session: Session,
    pub account: AccountRow,
    pub roles: Vec<RoleRow>,
}

/// Whether a session is over: idle or too old, or opened on a trusted device whose trust has
/// ended (the 12 hours after the second factor are never extended).
fn session_over(
    session: &Session,
    created: time::OffsetDateTime,
    last_seen: time::OffsetDateTime,
    now: time::OffsetDateTime,
) -> bool {
    let trust_ended = session.trusted_until.as_deref().is_some_and(|until| {
        until <= passerelle_store::db::time_text::instant_to_text(now).as_str()
    });
    trust_ended || session_end(created, last_seen, now).is_some()
}

/// Loads the session of the cookie, ending it if it timed out or its account was disabled.
pub async fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Session>, WebError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = passerelle_store::identity::session::find(&state.db, &token).await? else {
        return Ok(None);
    };
    let now = state.db.clock().now();
    let parse = |text: &str| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
    };
    let (Some(created), Some(last_seen)) =
        (parse(&session.created_at), parse(&session.last_seen_at))
    else {
        return Ok(None);
    };
    if session_over(&session, created, last_seen, now) {
        let mut connection = state.db.pool().acquire().await?;
        passerelle_store::identity::session::delete(&mut connection, &session.token_hash).await?;
        return Ok(None);
    }
    let now_text = passerelle_store::db::time_text::instant_to_text(now);
    let mut session = session;
    if passerelle_store::identity::session::touch(&state.db, &session, &now_text).await? {
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
        .get(&passerelle_store::identity::session::token_hash(&token))?;
    let now = state.db.clock().now();
    let now_text = passerelle_store::db::time_text::instant_to_text(now);
    let session = &record.session;
    if session.last_seen_at.get(..16) != now_text.get(..16) {
        return None;
    }
    let parse = |text: &str| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
    };
    let (created, last_seen) = (parse(&session.created_at)?, parse(&session.last_seen_at)?);
    if session_over(session, created, last_seen, now) {
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
        let account = passerelle_store::identity::account::find(&state.db, account_id.as_str())
            .await?
            .ok_or_else(|| login_required(parts))?;
        if account.is_disabled() {
            return Err(login_required(parts));
        }
        let roles = passerelle_store::identity::account::roles_of(&state.db, &account.id).await?;
        state
            .signed_in
            .keep(crate::http::signed_in_copies::SignedInRecord {
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
    /// The header's « non lu » badge: announcements of the network not yet opened; `None` for
    /// a role the policy keeps out of the network, and on requests that draw no page.
    pub network_unread: Option<i64>,
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
        let network_unread = header_unread(parts, state, &actor, &account).await?;
        Ok(Authenticated {
            actor,
            account,
            roles,
            active_role,
            session,
            network_unread,
        })
    }
}

/// One indexed count per page drawn (GET) for a member of the network; no query for a form's
/// POST (it redirects) nor for a role the policy keeps out.
async fn header_unread(
    parts: &Parts,
    state: &AppState,
    actor: &Actor,
    account: &AccountRow,
) -> Result<Option<i64>, WebError> {
    if parts.method != Method::GET
        || !access::decide(actor, Action::View, &Resource::Network).is_allowed()
    {
        return Ok(None);
    }
    let count = passerelle_store::network::announcement::unread_for_header(
        &state.db,
        account.id.as_str(),
        &actor.grant,
        crate::http::clock::paris_today(),
    )
    .await?;
    Ok(Some(count))
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
