//! « Mot de passe oublié » : the address typed gets the same answer whether an account has it
//! or not; the account that has it gets an e-mail (through the outbox) with a link that
//! works once, for 30 minutes. The link's secret is a keyed hash of the reset's id (so the
//! database keeps only its SHA-256 hash and a copy of it makes no link), compared in constant
//! time. The new password follows the usual rules; every session and trusted device of the
//! account ends, so the second factor is asked at the next login. Journaled: the request
//! and the use.

use crate::AppState;
use crate::http::auth::{ClientIp, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::journal::entry::own_event;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::identity::account::{Email, check_new_password};
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::account::{self, AccountRow};
use passerelle_store::identity::password_reset::{self, Requested, ResetRow};
use passerelle_store::journal::Entry;
use passerelle_store::seal::KeyRing;
use serde::Deserialize;
use subtle::ConstantTimeEq;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .form("/mot-de-passe-oublie", show_request, submit_request)
        .form(
            "/mot-de-passe-oublie/{id}/{secret}",
            show_new_password,
            submit_new_password,
        )
}

/// The secret of a reset's link: a keyed hash of its id, which only the key file's holder can
/// compute (the page that checks it, the mail task that writes it).
pub fn link_secret(keys: &KeyRing, reset_id: &str) -> String {
    keys.blind_index("lien de mot de passe oublié", reset_id)
}

/// The path of a reset's link.
pub fn link_path(keys: &KeyRing, reset_id: &str) -> String {
    format!(
        "/mot-de-passe-oublie/{reset_id}/{}",
        link_secret(keys, reset_id)
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/password_forgotten.html")]
pub struct RequestPage {
    shell: Shell,
    email: String,
    error: Option<String>,
    /// The address the answer is about, once asked.
    asked: Option<String>,
    proconnect: bool,
}

async fn show_request(State(state): State<AppState>, csrf: CsrfToken) -> RequestPage {
    RequestPage {
        shell: Shell::public("Mot de passe oublié").with_csrf(&csrf),
        email: String::new(),
        error: None,
        asked: None,
        proconnect: state.config.oidc.is_some(),
    }
}

#[derive(Deserialize)]
pub struct RequestForm {
    email: String,
}

pub const TOO_MANY_FROM_NETWORK: &str =
    "Trop de demandes de réinitialisation depuis votre réseau : réessayez dans une heure.";

async fn submit_request(
    State(state): State<AppState>,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<RequestForm>,
) -> WebResult<Response> {
    let page = |status: StatusCode, error: Option<String>, asked: Option<String>| {
        (
            status,
            RequestPage {
                shell: Shell::public("Mot de passe oublié").with_csrf(&csrf),
                email: form.email.chars().take(254).collect(),
                error,
                asked,
                proconnect: state.config.oidc.is_some(),
            },
        )
            .into_response()
    };
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(error) => {
            return Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(error.to_string()),
                None,
            ));
        }
    };
    let found = account::find_by_email(&state.db, email.as_str())
        .await?
        .filter(|a| !a.is_disabled());
    // Computed whether an account has the address or not, so both answers take as long.
    let reset_id = password_reset::new_id();
    let secret_hash = password_reset::token_hash(&link_secret(&state.keys, &reset_id));
    let employer = match &found {
        Some(found) => account::employer_of(&state.db, found.id.as_str()).await?,
        None => None,
    };
    let ip = ip.as_deref();
    let entry = |outcome: Requested| {
        let entry = match &found {
            Some(found) => own_event(
                JournalAction::PasswordResetRequested,
                found.id.as_str(),
                ip,
                employer.as_deref(),
            ),
            None => Entry::new(JournalAction::PasswordResetRequested).from_ip(ip),
        };
        entry.detail(match outcome {
            Requested::Counted {
                reset_written: true,
            } => "lien envoyé par courriel",
            Requested::Counted {
                reset_written: false,
            } => "aucun compte actif à cette adresse : rien envoyé",
            Requested::TooManyForEmail => "trop de demandes pour cette adresse : rien envoyé",
            Requested::TooManyFromNetwork => "trop de demandes depuis ce réseau : refusée",
        })
    };
    let outcome = password_reset::request(
        &state.db,
        email.as_str(),
        ip,
        found
            .as_ref()
            .map(|a| (a.id.as_str(), reset_id.as_str(), secret_hash.as_str())),
        entry,
    )
    .await?;
    Ok(match outcome {
        Requested::TooManyFromNetwork => page(
            StatusCode::TOO_MANY_REQUESTS,
            Some(TOO_MANY_FROM_NETWORK.into()),
            None,
        ),
        // The same answer whether an account has the address, or too many were asked for it.
        Requested::Counted { .. } | Requested::TooManyForEmail => {
            page(StatusCode::OK, None, Some(email.as_str().to_string()))
        }
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/password_reset.html")]
pub struct NewPasswordPage {
    shell: Shell,
    email: String,
    action: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/password_reset_invalid.html")]
pub struct InvalidLinkPage {
    shell: Shell,
}

/// Spent, expired, never issued, or of an account that can no longer sign in: one clear page.
fn invalid_link() -> Response {
    (
        StatusCode::BAD_REQUEST,
        InvalidLinkPage {
            shell: Shell::public("Lien expiré ou déjà utilisé"),
        },
    )
        .into_response()
}

/// The reset and its account, if the link is right (compared in constant time), unspent,
/// unexpired, and its account can still sign in with a password.
async fn valid_link(
    state: &AppState,
    id: &str,
    secret: &str,
) -> WebResult<Option<(ResetRow, AccountRow)>> {
    let Some(reset) = password_reset::find(&state.db, id).await? else {
        return Ok(None);
    };
    let typed = password_reset::token_hash(secret);
    let right = bool::from(typed.as_bytes().ct_eq(reset.token_hash.as_bytes()));
    if !right || !reset.usable(state.db.clock().now()) {
        return Ok(None);
    }
    let account = account::find(&state.db, &reset.account_id)
        .await?
        .filter(|a| !a.is_disabled())
        .filter(|a| !(a.password_hash.is_none() && a.oidc_subject.is_some()));
    Ok(account.map(|account| (reset, account)))
}

async fn show_new_password(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path((id, secret)): Path<(String, String)>,
) -> WebResult<Response> {
    let Some((_, account)) = valid_link(&state, &id, &secret).await? else {
        return Ok(invalid_link());
    };
    Ok(NewPasswordPage {
        shell: Shell::public("Choisir un nouveau mot de passe").with_csrf(&csrf),
        email: account.email,
        action: format!("/mot-de-passe-oublie/{id}/{secret}"),
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    password: String,
    confirmation: String,
}

async fn submit_new_password(
    State(state): State<AppState>,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path((id, secret)): Path<(String, String)>,
    FrenchForm(form): FrenchForm<NewPasswordForm>,
) -> WebResult<Response> {
    let Some((reset, account)) = valid_link(&state, &id, &secret).await? else {
        return Ok(invalid_link());
    };
    let refuse = |message: String| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            NewPasswordPage {
                shell: Shell::public("Choisir un nouveau mot de passe").with_csrf(&csrf),
                email: account.email.clone(),
                action: format!("/mot-de-passe-oublie/{id}/{secret}"),
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
    let entry = own_event(
        JournalAction::PasswordReset,
        account.id.as_str(),
        ip.as_deref(),
        employer.as_deref(),
    );
    if !password_reset::reset_password(&state.db, &reset, &hash, entry).await? {
        return Ok(invalid_link());
    }
    Ok(Redirect::to("/connexion?reinitialisation=faite").into_response())
}
