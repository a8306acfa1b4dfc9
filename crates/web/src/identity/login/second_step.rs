//! The login's second step: the code of an account with a second factor. Wrong codes count
//! with wrong passwords (see `lockout`); while the account or the address is locked, a
//! session that passed the password before the lock cannot finish: it is closed.

use super::{Counts, Lock, LoginPage, NextQuery, safe_next};
use crate::AppState;
use crate::http::auth::{ClientIp, CsrfToken, SESSION_COOKIE, SignedIn, set_cookie};
use crate::http::error::WebResult;
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::identity::second_factor;
use crate::journal::entry::own_event;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::login::{self, CodeCheck, CodeEntries};
use passerelle_store::identity::{account, session};
use passerelle_store::journal::Entry;
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "identity/second_factor.html")]
pub struct SecondFactorPage {
    shell: Shell,
    next: String,
    error: Option<String>,
    /// The account may trust this device for its shift (`trusted_device::may_trust`).
    may_trust: bool,
}

/// The half-open login ends: its session is closed and the login page says why, in the
/// same words as for a locked password.
pub(crate) async fn locked_out(
    state: &AppState,
    signed_in: &SignedIn,
    csrf: &CsrfToken,
    lock: Lock,
    next: String,
) -> WebResult<Response> {
    session::end(&state.db, &signed_in.session.token_hash, None).await?;
    Ok(locked_page(state, csrf, lock, next))
}

/// The login page with the lock's message; the session cookie (its session closed) goes.
fn locked_page(state: &AppState, csrf: &CsrfToken, lock: Lock, next: String) -> Response {
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        LoginPage {
            shell: Shell::public("Connexion").with_csrf(csrf),
            email: String::new(),
            next,
            error: Some(super::lockout::message(lock).to_string()),
            notice: None,
            proconnect: state.config.oidc.is_some(),
        },
    )
        .into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", state.config.secure_cookies, Some(0)),
    );
    response
}

/// After the password: the second factor if the account has one or its roles need one,
/// otherwise straight on.
pub(super) async fn show_second_factor(
    State(state): State<AppState>,
    signed_in: SignedIn,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Query(query): Query<NextQuery>,
) -> WebResult<Response> {
    let next = safe_next(query.suite.as_deref());
    if !signed_in.account.has_totp() {
        return Ok(if signed_in.needs_second_factor() {
            Redirect::to("/compte/second-facteur").into_response()
        } else {
            Redirect::to(&next).into_response()
        });
    }
    if signed_in.session.second_factor_done() {
        return Ok(Redirect::to(&next).into_response());
    }
    let counts = Counts::new(&signed_in.account.email, ip.as_deref());
    if let Some(lock) = counts.lock(&state.db).await? {
        return locked_out(&state, &signed_in, &csrf, lock, next).await;
    }
    Ok(SecondFactorPage {
        shell: Shell::for_signed_in("Second facteur", &signed_in.account.display_name, &csrf),
        next,
        error: None,
        may_trust: super::trusted_device::may_trust(&signed_in.roles),
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct SecondFactorForm {
    code: String,
    suite: Option<String>,
    /// « Faire confiance à cet appareil pendant mon service (12 h) », ticked.
    confiance: Option<String>,
}

pub(super) async fn submit_second_factor(
    State(state): State<AppState>,
    signed_in: SignedIn,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<SecondFactorForm>,
) -> WebResult<Response> {
    let next = safe_next(form.suite.as_deref());
    let account = &signed_in.account;
    if !account.has_totp() {
        return Ok(Redirect::to("/compte/second-facteur").into_response());
    }
    let ip = ip.as_deref();
    let counts = Counts::new(&account.email, ip);
    // Checked before the code: a right code does not open a locked account either.
    if let Some(lock) = counts.lock(&state.db).await? {
        return locked_out(&state, &signed_in, &csrf, lock, next).await;
    }
    let employer = account::employer_of(&state.db, account.id.as_str()).await?;
    // Checked against the secret first (no database); consumed while the account's count
    // is held: parallel codes on one account are checked one after the other, each seeing
    // the failures before it.
    let code = second_factor::code_of(&state, account, &form.code)?;
    let own = |action| own_event(action, account.id.as_str(), ip, employer.as_deref());
    let entries = CodeEntries {
        accepted: own(JournalAction::SecondFactorSucceeded),
        recovery_code_used: own(JournalAction::RecoveryCodeUsed),
        failed: own(JournalAction::SecondFactorFailed),
        locked: Entry::new(JournalAction::LoginLocked)
            .on("account", &account.id)
            .from_ip(ip)
            .in_employer(employer.as_deref()),
    };
    let checked = login::check_code(
        &state.db,
        &counts,
        account.id.as_str(),
        &signed_in.session.token_hash,
        &code,
        entries,
    )
    .await?;
    Ok(match checked {
        CodeCheck::Locked => {
            return locked_out(&state, &signed_in, &csrf, Lock::Account, next).await;
        }
        CodeCheck::Accepted => {
            let mut response = Redirect::to(&next).into_response();
            if form.confiance.is_some() && super::trusted_device::may_trust(&signed_in.roles) {
                let (token, _) = passerelle_store::identity::trusted_device::trust(
                    &state.db,
                    account.id.as_str(),
                    own(JournalAction::DeviceTrusted),
                )
                .await?;
                response.headers_mut().append(
                    header::SET_COOKIE,
                    super::trusted_device::device_cookie(&state, &token),
                );
            }
            response
        }
        CodeCheck::Refused {
            lock: Some(lock), ..
        } => locked_page(&state, &csrf, lock, next),
        CodeCheck::Refused {
            outcome,
            lock: None,
        } => (
            StatusCode::UNAUTHORIZED,
            SecondFactorPage {
                shell: Shell::for_signed_in("Second facteur", &account.display_name, &csrf),
                next,
                error: Some(second_factor::message(outcome).to_string()),
                may_trust: super::trusted_device::may_trust(&signed_in.roles),
            },
        )
            .into_response(),
    })
}
