//! The login's second step: the code of an account with a second factor. Wrong codes count
//! with wrong passwords (see `lockout`); while the account or the address is locked, a
//! session that passed the password before the lock cannot finish: it is closed.

use super::{Counts, Lock, LoginPage, NextQuery, safe_next};
use crate::AppState;
use crate::http::auth::{ClientIp, CsrfToken, SESSION_COOKIE, SignedIn, set_cookie};
use crate::http::error::WebResult;
use crate::http::forms::FrenchForm;
use crate::journal::entry::own_event;
use crate::http::layout::Shell;
use crate::identity::second_factor;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::journal::JournalAction;
use passerelle_store::journal::{self, Entry};
use passerelle_store::identity::{account, session};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "identity/second_factor.html")]
pub struct SecondFactorPage {
    shell: Shell,
    next: String,
    error: Option<String>,
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
    let mut tx = state.db.begin_write().await?;
    session::delete(&mut tx, &signed_in.session.token_hash).await?;
    tx.commit().await?;
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
            error: Some(lock.message().to_string()),
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
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct SecondFactorForm {
    code: String,
    suite: Option<String>,
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
    let employer = account::employer_of(&state.db, &account.id).await?;
    let mut tx = state.db.begin_write().await?;
    // And again, held: parallel codes on one account are checked one after the other, each
    // seeing the failures before it.
    if counts.hold_account(&mut tx).await? {
        tx.commit().await?;
        return locked_out(&state, &signed_in, &csrf, Lock::Account, next).await;
    }
    let outcome = second_factor::verify(&state, account, &form.code, &mut tx).await?;
    let response = match outcome {
        second_factor::Outcome::Accepted { recovery_code } => {
            session::mark_second_factor_done(&mut tx, &signed_in.session.token_hash).await?;
            let action = if recovery_code {
                JournalAction::RecoveryCodeUsed
            } else {
                JournalAction::SecondFactorSucceeded
            };
            journal::append(
                &mut tx,
                Entry::new(action)
                    .by(&account.id, None)
                    .on("account", &account.id)
                    .from_ip(ip)
                    .in_employer(employer.as_deref()),
            )
            .await?;
            counts.login_completed(&mut tx).await?;
            Redirect::to(&next).into_response()
        }
        refused => {
            journal::append(
                &mut tx,
                own_event(
                    JournalAction::SecondFactorFailed,
                    &account.id,
                    ip,
                    employer.as_deref(),
                ),
            )
            .await?;
            match counts.count_failure(&mut tx).await? {
                Some(lock) => {
                    session::delete(&mut tx, &signed_in.session.token_hash).await?;
                    if lock == Lock::Account {
                        journal::append(
                            &mut tx,
                            Entry::new(JournalAction::LoginLocked)
                                .on("account", &account.id)
                                .from_ip(ip)
                                .in_employer(employer.as_deref()),
                        )
                        .await?;
                    }
                    locked_page(&state, &csrf, lock, next)
                }
                None => (
                    StatusCode::UNAUTHORIZED,
                    SecondFactorPage {
                        shell: Shell::for_signed_in("Second facteur", &account.display_name, &csrf),
                        next,
                        error: Some(refused.message().to_string()),
                    },
                )
                    .into_response(),
            }
        }
    };
    tx.commit().await?;
    Ok(response)
}
