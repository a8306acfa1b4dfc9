//! Logging in and out: password, second factor, invitations. Every step is journaled.

use crate::AppState;
use crate::http::auth::{ClientIp, CsrfToken, SESSION_COOKIE, set_cookie};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::journal::entry::own_event;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::identity::account::{Email, check_new_password};
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::{account, session};
use passerelle_store::journal::Entry;
use serde::Deserialize;
use std::sync::OnceLock;

pub mod lockout;
mod second_step;
pub mod trusted_device;

pub use crate::http::local_path::safe_next;
pub use lockout::{ADDRESS_LOCKED, Counts, LOCKED, Lock, address_hash, login_hash};
use passerelle_store::identity::login;
pub(crate) use second_step::locked_out;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .form("/connexion", show_login, submit_login)
        .form(
            "/connexion/second-facteur",
            second_step::show_second_factor,
            second_step::submit_second_factor,
        )
        .post("/deconnexion", logout)
        .form("/invitation/{token}", show_invitation, accept_invitation)
}

pub const WRONG_CREDENTIALS: &str = "Adresse électronique ou mot de passe incorrect.";

#[derive(Deserialize, Default)]
pub struct NextQuery {
    suite: Option<String>,
    /// Set after an invitation was accepted, to say so on the login page.
    invitation: Option<String>,
    /// Set after a forgotten password was replaced through its link.
    reinitialisation: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/login.html")]
pub struct LoginPage {
    shell: Shell,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
    proconnect: bool,
}

async fn show_login(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Query(query): Query<NextQuery>,
) -> LoginPage {
    let notice = if query.reinitialisation.is_some() {
        Some("Votre nouveau mot de passe est enregistré et toutes vos sessions sont fermées : connectez-vous.".to_string())
    } else {
        query
            .invitation
            .as_ref()
            .map(|_| "Votre mot de passe est enregistré : connectez-vous.".to_string())
    };
    LoginPage {
        shell: Shell::public("Connexion").with_csrf(&csrf),
        email: String::new(),
        next: safe_next(query.suite.as_deref()),
        error: None,
        notice,
        proconnect: state.config.oidc.is_some(),
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    suite: Option<String>,
}

/// A valid hash to verify against when the account does not exist, so that an unknown
/// address costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| account::hash_password("passerelle-timing-equaliser").unwrap_or_default())
}

async fn verify_in_background(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || account::verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

async fn submit_login(
    State(state): State<AppState>,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
    FrenchForm(form): FrenchForm<LoginForm>,
) -> WebResult<Response> {
    let next = safe_next(form.suite.as_deref());
    let page = |error: &str, status: axum::http::StatusCode| {
        (
            status,
            LoginPage {
                shell: Shell::public("Connexion").with_csrf(&csrf),
                email: form.email.chars().take(254).collect(),
                next: next.clone(),
                error: Some(error.to_string()),
                notice: None,
                proconnect: state.config.oidc.is_some(),
            },
        )
            .into_response()
    };
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(error) => {
            return Ok(page(
                &error.to_string(),
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    if form.password.chars().count() > passerelle_domain::identity::account::PASSWORD_MAX_CHARS {
        return Ok(page(
            WRONG_CREDENTIALS,
            axum::http::StatusCode::UNAUTHORIZED,
        ));
    }
    let counts = Counts::new(email.as_str(), ip.as_deref());
    if let Some(lock) = counts.lock(&state.db).await? {
        // Still verify a hash, and never the account's: a locked name answers in the same
        // time and words whether the password is right or not.
        verify_in_background(form.password.clone(), dummy_hash().to_string()).await;
        return Ok(page(
            lockout::message(lock),
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    // Counted as a failure before the (slow) check, taken back if right: parallel guesses
    // each see the ones before them.
    let reserved = match counts.reserve(&state.db).await? {
        Ok(reserved) => reserved,
        Err(lock) => {
            verify_in_background(form.password.clone(), dummy_hash().to_string()).await;
            return Ok(page(
                lockout::message(lock),
                axum::http::StatusCode::TOO_MANY_REQUESTS,
            ));
        }
    };
    let found = account::find_by_email(&state.db, email.as_str()).await?;
    let usable = found
        .as_ref()
        .filter(|a| !a.is_disabled())
        .and_then(|a| a.password_hash.clone().map(|h| (a.clone(), h)));
    let found = found.map(|a| account::AccountRow {
        totp_secret_sealed: None,
        ..a
    });
    let verified = match &usable {
        Some((_, hash)) => verify_in_background(form.password.clone(), hash.clone()).await,
        None => {
            verify_in_background(form.password.clone(), dummy_hash().to_string()).await;
            false
        }
    };
    let ip = ip.as_deref();
    match (usable, verified) {
        (Some((found, _)), true) => {
            let found = &found;
            // Read before the write transaction: it holds the only writer meanwhile.
            let employer = account::employer_of(&state.db, found.id.as_str()).await?;
            let replaced = crate::http::auth::cookie(&headers, SESSION_COOKIE)
                .map(|old| session::token_hash(&old));
            // On a device trusted for this account's shift, the password is enough.
            let trusted_until = if found.has_totp() {
                let roles = account::roles_of(&state.db, &found.id).await?;
                trusted_device::trusted_until(&state.db, &headers, found.id.as_str(), &roles)
                    .await?
            } else {
                None
            };
            let mut entry = own_event(
                JournalAction::LoginSucceeded,
                found.id.as_str(),
                ip,
                employer.as_deref(),
            );
            if trusted_until.is_some() {
                entry = entry.detail("appareil de confiance : second facteur non redemandé");
            }
            // With a second factor, the login is complete only once the code is right:
            // until then the failures stay counted (see `lockout`).
            let token = login::log_in(
                &state.db,
                &counts,
                !found.has_totp() || trusted_until.is_some(),
                trusted_until.as_deref(),
                replaced.as_deref(),
                found.id.as_str(),
                ip,
                entry,
            )
            .await?;
            let target = format!(
                "/connexion/second-facteur?suite={}",
                crate::http::auth::encode_component(&next)
            );
            let mut response = Redirect::to(&target).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &token, state.config.secure_cookies, None),
            );
            Ok(response)
        }
        (_, _) => {
            let known = found.as_ref().map(|a| a.id.clone());
            let entry = |action| {
                let entry = Entry::new(action).from_ip(ip);
                match &known {
                    Some(id) => entry.on("account", id),
                    None => entry,
                }
            };
            // The address lock shows from the next attempt on, as it always has.
            let locked = login::login_failed(
                &state.db,
                &counts,
                &reserved,
                entry(JournalAction::LoginFailed),
                entry(JournalAction::LoginLocked),
            )
            .await?
                == Some(Lock::Account);
            Ok(if locked {
                page(LOCKED, axum::http::StatusCode::TOO_MANY_REQUESTS)
            } else {
                page(WRONG_CREDENTIALS, axum::http::StatusCode::UNAUTHORIZED)
            })
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
) -> WebResult<Response> {
    if let Some(current) = crate::http::auth::current_session(&state, &headers).await? {
        let employer = match &current.account_id {
            Some(account_id) => account::employer_of(&state.db, account_id.as_str()).await?,
            None => None,
        };
        let entry = current
            .account_id
            .as_ref()
            .map(|id| id.as_str())
            .map(|account_id| {
                Entry::new(JournalAction::Logout)
                    .by(account_id, None)
                    .on("account", account_id)
                    .from_ip(ip.as_deref())
                    .in_employer(employer.as_deref())
            });
        session::end(&state.db, &current.token_hash, entry).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", state.config.secure_cookies, Some(0)),
    );
    Ok(response)
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/invitation.html")]
pub struct InvitationPage {
    shell: Shell,
    email: String,
    token: String,
    error: Option<String>,
}

/// The invited account, if the link is valid and not expired.
async fn invited_account(state: &AppState, token: &str) -> WebResult<account::AccountRow> {
    let found = account::find_by_invitation(&state.db, &session::token_hash(token)).await?;
    match found {
        Some(account)
            if account
                .invitation_expires_at
                .as_deref()
                .is_some_and(|until| until > state.db.clock().now_text().as_str()) =>
        {
            Ok(account)
        }
        _ => Err(WebError::BadRequest(
            "Ce lien d'invitation n'est pas valide ou a expiré : demandez une nouvelle invitation."
                .into(),
        )),
    }
}

async fn show_invitation(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> WebResult<InvitationPage> {
    let account = invited_account(&state, &token).await?;
    Ok(InvitationPage {
        shell: Shell::public("Activer mon compte").with_csrf(&csrf),
        email: account.email,
        token,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct InvitationForm {
    password: String,
    confirmation: String,
}

async fn accept_invitation(
    State(state): State<AppState>,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    FrenchForm(form): FrenchForm<InvitationForm>,
) -> WebResult<Response> {
    let account = invited_account(&state, &token).await?;
    let refuse = |message: String| {
        (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            InvitationPage {
                shell: Shell::public("Activer mon compte").with_csrf(&csrf),
                email: account.email.clone(),
                token: token.clone(),
                error: Some(message),
            },
        )
            .into_response()
    };
    if form.password != form.confirmation {
        return Ok(refuse(
            "Confirmation du mot de passe : les deux saisies sont différentes.".into(),
        ));
    }
    if let Err(error) = check_new_password(&form.password, &[&account.email, &account.display_name])
    {
        return Ok(refuse(error.to_string()));
    }
    let hash = tokio::task::spawn_blocking(move || account::hash_password(&form.password))
        .await
        .map_err(|e| WebError::Internal(e.into()))?
        .map_err(|e| WebError::Internal(e.into()))?;
    let employer = account::employer_of(&state.db, account.id.as_str()).await?;
    account::accept_invitation(
        &state.db,
        account.id.as_str(),
        &hash,
        own_event(
            JournalAction::InvitationAccepted,
            account.id.as_str(),
            ip.as_deref(),
            employer.as_deref(),
        ),
    )
    .await?;
    Ok(Redirect::to("/connexion?invitation=acceptee").into_response())
}
