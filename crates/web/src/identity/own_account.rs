//! The person's own account: roles and the role switcher, second-factor enrolment, password,
//! sessions ("log out everywhere").

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken, SESSION_COOKIE, SignedIn, set_cookie};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::identity::login::{Counts, Lock};
use crate::identity::second_factor;
use crate::journal::entry::own_event;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::identity::account::check_new_password;
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::second_factor as stored_second_factor;
use passerelle_store::identity::{account, session};
use passerelle_store::journal::Entry;
use serde::Deserialize;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/compte", show_account)
        .form("/compte/role", show_role_chooser, switch_role)
        .get("/compte/sans-role", show_no_role)
        .form("/compte/second-facteur", show_enrolment, confirm_enrolment)
        .form("/compte/mot-de-passe", show_password, change_password)
        .post("/deconnexion/partout", logout_everywhere)
}

/// A role of the person, for the pages.
pub struct RoleLine {
    pub id: String,
    pub role_label: &'static str,
    pub scope_label: String,
    pub active: bool,
}

async fn role_lines(
    state: &AppState,
    roles: &[account::RoleRow],
    active: Option<&str>,
) -> WebResult<Vec<RoleLine>> {
    let mut lines = Vec::new();
    for row in roles {
        lines.push(RoleLine {
            id: row.id.clone(),
            role_label: row.role()?.label(),
            scope_label: account::scope_label(&state.db, &row.scope()?).await?,
            active: active == Some(row.id.as_str()),
        });
    }
    Ok(lines)
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/account.html")]
pub struct AccountPage {
    shell: Shell,
    email: String,
    display_name: String,
    roles: Vec<RoleLine>,
    totp_enabled: bool,
    recovery_codes_left: i64,
    sessions: i64,
    /// Devices trusted now for a shift (officers only).
    trusted_devices: i64,
}

async fn show_account(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
) -> WebResult<AccountPage> {
    auth.require(Action::View, &Resource::OwnAccount)?;
    Ok(AccountPage {
        shell: Shell::for_actor("Mon compte", &auth, &csrf).at("/compte"),
        email: auth.account.email.clone(),
        display_name: auth.account.display_name.clone(),
        roles: role_lines(&state, &auth.roles, Some(&auth.active_role.id)).await?,
        totp_enabled: auth.account.has_totp(),
        recovery_codes_left: stored_second_factor::unused_recovery_codes(
            &state.db,
            auth.account.id.as_str(),
        )
        .await?,
        sessions: session::count_for_account(&state.db, auth.account.id.as_str()).await?,
        trusted_devices: passerelle_store::identity::trusted_device::count_for_account(
            &state.db,
            auth.account.id.as_str(),
        )
        .await?,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/role_chooser.html")]
pub struct RoleChooserPage {
    shell: Shell,
    roles: Vec<RoleLine>,
}

/// Signed in with the second factor done (when needed): the role chooser.
fn fully_signed_in(signed_in: &SignedIn) -> WebResult<()> {
    if signed_in.needs_second_factor() && !signed_in.session.second_factor_done() {
        return Err(WebError::Redirect(if signed_in.account.has_totp() {
            "/connexion/second-facteur".into()
        } else {
            "/compte/second-facteur".into()
        }));
    }
    Ok(())
}

async fn show_role_chooser(
    State(state): State<AppState>,
    signed_in: SignedIn,
    csrf: CsrfToken,
) -> WebResult<RoleChooserPage> {
    fully_signed_in(&signed_in)?;
    Ok(RoleChooserPage {
        shell: Shell::for_signed_in("Choisir un rôle", &signed_in.account.display_name, &csrf),
        roles: role_lines(
            &state,
            &signed_in.roles,
            signed_in.session.active_role_id.as_deref(),
        )
        .await?,
    })
}

#[derive(Deserialize)]
pub struct SwitchRoleForm {
    role_id: String,
}

async fn switch_role(
    State(state): State<AppState>,
    signed_in: SignedIn,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<SwitchRoleForm>,
) -> WebResult<Response> {
    fully_signed_in(&signed_in)?;
    // Only one of the person's own roles: another account's role id is refused like garbage.
    let Some(role) = signed_in.roles.iter().find(|r| r.id == form.role_id) else {
        return Err(WebError::BadRequest(
            "Rôle : ce rôle ne vous appartient pas.".into(),
        ));
    };
    let employer = account::employer_of(&state.db, signed_in.account.id.as_str()).await?;
    session::switch_role(
        &state.db,
        &signed_in.session.token_hash,
        &role.id,
        Entry::new(JournalAction::RoleSwitched)
            .by(signed_in.account.id.as_str(), Some(&role.role))
            .on("account_role", &role.id)
            .from_ip(ip.as_deref())
            .in_employer(employer.as_deref()),
    )
    .await?;
    Ok(Redirect::to("/").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/no_role.html")]
pub struct NoRolePage {
    shell: Shell,
}

async fn show_no_role(signed_in: SignedIn, csrf: CsrfToken) -> NoRolePage {
    NoRolePage {
        shell: Shell::for_signed_in("Aucun rôle", &signed_in.account.display_name, &csrf),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/enrolment.html")]
pub struct EnrolmentPage {
    shell: Shell,
    qr_svg: String,
    secret: String,
    error: Option<String>,
    /// Shown once, right after activation.
    recovery_codes: Vec<String>,
    already_enabled: bool,
}

async fn show_enrolment(
    State(state): State<AppState>,
    signed_in: SignedIn,
    csrf: CsrfToken,
) -> WebResult<EnrolmentPage> {
    let shell = Shell::for_signed_in(
        "Second facteur d'authentification",
        &signed_in.account.display_name,
        &csrf,
    );
    if signed_in.account.has_totp() {
        if !signed_in.session.second_factor_done() {
            return Err(WebError::Redirect("/connexion/second-facteur".into()));
        }
        return Ok(EnrolmentPage {
            shell,
            qr_svg: String::new(),
            secret: String::new(),
            error: None,
            recovery_codes: Vec::new(),
            already_enabled: true,
        });
    }
    // A new secret each time the page is shown, until one is confirmed by a code.
    let secret = second_factor::new_secret();
    let sealed = second_factor::seal_secret(&state, signed_in.account.id.as_str(), &secret);
    stored_second_factor::start_enrolment(&state.db, signed_in.account.id.as_str(), &sealed)
        .await?;
    let totp = second_factor::totp(&secret, &signed_in.account.email)?;
    Ok(EnrolmentPage {
        shell,
        qr_svg: second_factor::qr_svg(&totp)?,
        secret: second_factor::secret_base32(&totp),
        error: None,
        recovery_codes: Vec::new(),
        already_enabled: false,
    })
}

#[derive(Deserialize)]
pub struct EnrolmentForm {
    code: String,
}

async fn confirm_enrolment(
    State(state): State<AppState>,
    signed_in: SignedIn,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<EnrolmentForm>,
) -> WebResult<Response> {
    let account = &signed_in.account;
    let shell = Shell::for_signed_in(
        "Second facteur d'authentification",
        &account.display_name,
        &csrf,
    );
    if account.has_totp() {
        return Ok(Redirect::to("/compte/second-facteur").into_response());
    }
    // A login stopped after the password, its enrolment pending, is half open: it cannot be
    // finished here while the account or the address is locked.
    if signed_in.needs_second_factor()
        && !signed_in.session.second_factor_done()
        && let Some(lock) = Counts::new(&account.email, ip.as_deref())
            .lock(&state.db)
            .await?
    {
        return crate::identity::login::locked_out(&state, &signed_in, &csrf, lock, "/".into())
            .await;
    }
    if account.totp_secret_sealed.is_none() {
        return Err(WebError::BadRequest("Aucune activation en cours : rechargez la page du second facteur et scannez le code affiché.".into()));
    }
    let secret = second_factor::open_secret(&state, account)?;
    let totp = second_factor::totp(&secret, &account.email)?;
    let code: String = form.code.chars().filter(char::is_ascii_digit).collect();
    let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0);
    let Some(step) = second_factor::matching_step(&totp, &code, now) else {
        let page = EnrolmentPage {
            shell,
            qr_svg: second_factor::qr_svg(&totp)?,
            secret: second_factor::secret_base32(&totp),
            error: Some(
                "Code : saisissez les 6 chiffres affichés par votre application pour confirmer."
                    .into(),
            ),
            recovery_codes: Vec::new(),
            already_enabled: false,
        };
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let codes = second_factor::new_recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| second_factor::recovery_hash(account.id.as_str(), c))
        .collect();
    let employer = account::employer_of(&state.db, account.id.as_str()).await?;
    stored_second_factor::enrol(
        &state.db,
        account.id.as_str(),
        step,
        &hashes,
        &signed_in.session.token_hash,
        own_event(
            JournalAction::SecondFactorEnrolled,
            account.id.as_str(),
            ip.as_deref(),
            employer.as_deref(),
        ),
    )
    .await?;
    Ok(EnrolmentPage {
        shell,
        qr_svg: String::new(),
        secret: String::new(),
        error: None,
        recovery_codes: codes,
        already_enabled: true,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/password.html")]
pub struct PasswordPage {
    shell: Shell,
    error: Option<String>,
    done: bool,
}

async fn show_password(auth: Authenticated, csrf: CsrfToken) -> WebResult<PasswordPage> {
    auth.require(Action::Manage, &Resource::OwnAccount)?;
    Ok(PasswordPage {
        shell: Shell::for_actor("Changer de mot de passe", &auth, &csrf)
            .under("Mon compte", "/compte"),
        error: None,
        done: false,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    password: String,
    confirmation: String,
}

async fn change_password(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<PasswordForm>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::OwnAccount)?;
    let shell =
        Shell::for_actor("Changer de mot de passe", &auth, &csrf).under("Mon compte", "/compte");
    let refuse = |message: &str| {
        (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            PasswordPage {
                shell: shell.clone(),
                error: Some(message.to_string()),
                done: false,
            },
        )
            .into_response()
    };
    // Guessing the current password from an open session counts like guessing it at login.
    let counts = Counts::new(&auth.account.email, ip.as_deref());
    if let Some(lock) = counts.lock(&state.db).await? {
        return locked(&state, &auth, shell.clone(), lock, ip.as_deref()).await;
    }
    // Counted before the (slow) check and taken back if right, as at login.
    let reserved = match counts.reserve(&state.db).await? {
        Ok(reserved) => reserved,
        Err(lock) => return locked(&state, &auth, shell.clone(), lock, ip.as_deref()).await,
    };
    let current_hash = auth.account.password_hash.clone().unwrap_or_default();
    let right = verify(&form.current, &current_hash).await;
    let lock = counts.settle(&state.db, &reserved, right).await?;
    if let Some(lock) = lock {
        return locked(&state, &auth, shell.clone(), lock, ip.as_deref()).await;
    }
    if !right {
        return Ok(refuse("Mot de passe actuel : il est incorrect."));
    }
    if form.password != form.confirmation {
        return Ok(refuse(
            "Confirmation du mot de passe : les deux saisies sont différentes.",
        ));
    }
    if verify(&form.password, &current_hash).await {
        return Ok(refuse(
            "Nouveau mot de passe : il doit être différent du mot de passe actuel.",
        ));
    }
    if let Err(error) = check_new_password(
        &form.password,
        &[&auth.account.email, &auth.account.display_name],
    ) {
        return Ok(refuse(&error.to_string()));
    }
    let password = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || account::hash_password(&password))
        .await
        .map_err(|e| WebError::Internal(e.into()))?
        .map_err(|e| WebError::Internal(e.into()))?;
    let employer = account::employer_of(&state.db, auth.account.id.as_str()).await?;
    // Whoever else was signed in with the old password is out; this session stays.
    account::change_password(
        &state.db,
        auth.account.id.as_str(),
        &hash,
        &auth.session.token_hash,
        |ended| {
            Entry::new(JournalAction::PasswordChanged)
                .by(auth.account.id.as_str(), Some(auth.role().code()))
                .on("account", &auth.account.id)
                .detail(format!("{ended} autre(s) session(s) fermée(s)"))
                .from_ip(ip.as_deref())
                .in_employer(employer.as_deref())
        },
    )
    .await?;
    Ok(PasswordPage {
        shell,
        error: None,
        done: true,
    }
    .into_response())
}

async fn verify(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || account::verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Too many wrong current passwords: the account is locked as after wrong logins, and the
/// session that guessed is closed.
async fn locked(
    state: &AppState,
    auth: &Authenticated,
    shell: Shell,
    lock: Lock,
    ip: Option<&str>,
) -> WebResult<Response> {
    let employer = account::employer_of(&state.db, auth.account.id.as_str()).await?;
    let entry = (lock == Lock::Account).then(|| {
        Entry::new(JournalAction::LoginLocked)
            .by(auth.account.id.as_str(), Some(auth.role().code()))
            .on("account", &auth.account.id)
            .detail("mot de passe actuel")
            .from_ip(ip)
            .in_employer(employer.as_deref())
    });
    session::end(&state.db, &auth.session.token_hash, entry).await?;
    let mut response = (
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        PasswordPage {
            shell,
            error: Some(crate::identity::login::lockout::message(lock).to_string()),
            done: false,
        },
    )
        .into_response();
    response.headers_mut().append(
        axum::http::header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", state.config.secure_cookies, Some(0)),
    );
    Ok(response)
}

async fn logout_everywhere(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::OwnAccount)?;
    let employer = account::employer_of(&state.db, auth.account.id.as_str()).await?;
    session::end_all(&state.db, auth.account.id.as_str(), |ended| {
        Entry::new(JournalAction::LogoutEverywhere)
            .by(auth.account.id.as_str(), Some(auth.role().code()))
            .on("account", &auth.account.id)
            .detail(format!("{ended} session(s)"))
            .from_ip(ip.as_deref())
            .in_employer(employer.as_deref())
    })
    .await?;
    Ok(Redirect::to("/connexion").into_response())
}
