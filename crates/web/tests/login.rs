//! Logging in over HTTP, on both backends: password, second factor, replay, lockout,
//! anti-forgery token, bad input. Nothing refused is written.

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;

async fn journal_rows(app: &TestApp) -> i64 {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM journal")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    count
}

/// A browser: its own cookie jar, starting with the anti-forgery cookie.
fn browser(app: &TestApp) -> reqwest::Client {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    jar.add_cookie_str(
        &format!("passerelle_csrf={CSRF}"),
        &app.url("/").parse().unwrap(),
    );
    reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields: Vec<(&str, &str)> = fields.to_vec();
    fields.push(("csrf", CSRF));
    client
        .post(app.url(path))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

async fn login(
    client: &reqwest::Client,
    app: &TestApp,
    email: &str,
    password: &str,
) -> reqwest::Response {
    post(
        client,
        app,
        "/connexion",
        &[("email", email), ("password", password)],
    )
    .await
}

fn totp_code(secret_base32: &str, unix: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .with_digits(6)
        .with_step_duration(30)
        .build()
        .unwrap();
    totp.generate(unix).to_string()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Signs `email` in with `password` in `client` and enrols a second factor; returns its
/// secret (base32). The browser is then signed in with the second factor done.
async fn enrol_totp(
    client: &reqwest::Client,
    app: &TestApp,
    email: &str,
    password: &str,
) -> String {
    assert_eq!(login(client, app, email, password).await.status(), 303);
    let page = client
        .get(app.url("/compte/second-facteur"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let secret = between(&page, r#"<code id="totp-secret">"#, "</code>").to_string();
    let code = totp_code(&secret, now());
    let enrolled = post(client, app, "/compte/second-facteur", &[("code", &code)]).await;
    assert_eq!(enrolled.status(), 200);
    secret
}

/// A code the server accepts now: the account's last accepted step is forgotten first, so
/// that a code of the same 30 seconds as the previous one is not a replay.
async fn fresh_code(app: &TestApp, account_id: &str, secret: &str) -> String {
    sqlx::query("UPDATE accounts SET totp_last_step = 0 WHERE id = $1")
        .bind(account_id)
        .execute(app.db.pool())
        .await
        .unwrap();
    totp_code(secret, now())
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        + start.len();
    &html[from..from + html[from..].find(end).unwrap()]
}

#[tokio::test]
async fn password_then_totp_enrolment_then_replay_refused_and_recovery_code_once() {
    for app in spawn_all().await {
        let national = app.login(Role::National).clone();
        let client = browser(&app);
        let response = login(&client, &app, &national.email, &national.password).await;
        assert_eq!(response.status(), 303);
        // National must enrol a second factor before anything else.
        assert_eq!(
            client
                .get(app.url("/compte"))
                .send()
                .await
                .unwrap()
                .headers()["location"],
            "/compte/second-facteur"
        );
        let page = client
            .get(app.url("/compte/second-facteur"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("<svg"), "QR code inline");
        let secret = between(&page, r#"<code id="totp-secret">"#, "</code>").to_string();
        let wrong = post(
            &client,
            &app,
            "/compte/second-facteur",
            &[("code", "123456")],
        )
        .await;
        assert_eq!(wrong.status(), 422);
        let code = totp_code(&secret, now());
        let enrolled = post(&client, &app, "/compte/second-facteur", &[("code", &code)])
            .await
            .text()
            .await
            .unwrap();
        let recovery: Vec<String> = enrolled
            .split("<li><code>")
            .skip(1)
            .map(|part| part[..part.find("</code>").unwrap()].to_string())
            .collect();
        assert_eq!(recovery.len(), 10, "{enrolled}");
        assert_eq!(
            client
                .get(app.url("/compte"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        // The raw database never holds the secret in clear.
        let (sealed,): (Vec<u8>,) =
            sqlx::query_as("SELECT totp_secret_sealed FROM accounts WHERE id = $1")
                .bind(&national.id)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let raw = totp_rs::Secret::try_from_base32(&secret).unwrap();
        assert!(
            !sealed
                .windows(raw.as_bytes().len())
                .any(|w| w == raw.as_bytes())
        );

        post(&client, &app, "/deconnexion", &[]).await;
        assert_eq!(
            client
                .get(app.url("/compte"))
                .send()
                .await
                .unwrap()
                .status(),
            303
        );
        login(&client, &app, &national.email, &national.password).await;
        let replay = post(
            &client,
            &app,
            "/connexion/second-facteur",
            &[("code", &code)],
        )
        .await;
        assert_eq!(replay.status(), 401);
        assert!(replay.text().await.unwrap().contains("déjà été utilisé"));
        let ok = post(
            &client,
            &app,
            "/connexion/second-facteur",
            &[("code", &recovery[0].to_uppercase())],
        )
        .await;
        assert_eq!(ok.status(), 303);
        assert_eq!(
            client
                .get(app.url("/compte"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        // A recovery code opens once.
        post(&client, &app, "/deconnexion", &[]).await;
        login(&client, &app, &national.email, &national.password).await;
        let again = post(
            &client,
            &app,
            "/connexion/second-facteur",
            &[("code", &recovery[0])],
        )
        .await;
        assert_eq!(again.status(), 401);
        app.finish().await;
    }
}

#[tokio::test]
async fn unknown_and_wrong_get_the_same_answer_then_five_failures_lock() {
    for app in spawn_all().await {
        let officer = app.login(Role::Officer).clone();
        let client = browser(&app);
        let unknown = login(&client, &app, "inconnu@exemple.fr", "mauvais mot de passe").await;
        let (unknown_status, unknown_text) = (unknown.status(), unknown.text().await.unwrap());
        let wrong = login(&client, &app, &officer.email, "mauvais mot de passe").await;
        assert_eq!(wrong.status(), unknown_status);
        let wrong_text = wrong.text().await.unwrap();
        let message = |html: &str| {
            between(
                html,
                r#"<div class="fr-alert fr-alert--error fr-mb-3w" role="alert">"#,
                "</div>",
            )
            .to_string()
        };
        assert_eq!(message(&wrong_text), message(&unknown_text));
        for _ in 0..4 {
            login(&client, &app, &officer.email, "mauvais mot de passe").await;
        }
        let locked = login(&client, &app, &officer.email, &officer.password).await;
        assert_eq!(locked.status(), 429);
        assert!(
            locked
                .text()
                .await
                .unwrap()
                .contains("bloquée pendant 15 minutes")
        );
        let (events,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM journal WHERE action = 'login.locked' AND target_id = $1",
        )
        .bind(&officer.id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(events, 1);
        // An administrator unlocks it.
        let admin = app.session_for(Role::Admin).await;
        let unlock = reqwest::Client::new()
            .post(app.url(&format!("/comptes/{}/debloquer", officer.id)))
            .header(
                "cookie",
                format!("passerelle_csrf={CSRF}; passerelle_session={admin}"),
            )
            .form(&[("csrf", CSRF)])
            .send()
            .await
            .unwrap();
        assert!(unlock.status().is_success() || unlock.status().is_redirection());
        assert_eq!(
            login(&browser(&app), &app, &officer.email, &officer.password)
                .await
                .status(),
            303
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn forms_without_the_anti_forgery_token_are_refused_and_change_nothing() {
    for app in spawn_all().await {
        let officer = app.login(Role::Officer).clone();
        let before = journal_rows(&app).await;
        let no_token = reqwest::Client::new()
            .post(app.url("/connexion"))
            .form(&[
                ("email", officer.email.as_str()),
                ("password", officer.password.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(no_token.status(), 403);
        assert!(no_token.text().await.unwrap().contains("jeton de sécurité"));
        let wrong_token = reqwest::Client::new()
            .post(app.url("/connexion"))
            .header("cookie", format!("passerelle_csrf={CSRF}"))
            .form(&[
                ("email", officer.email.as_str()),
                ("password", officer.password.as_str()),
                ("csrf", &"f".repeat(64)),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_token.status(), 403);
        let foreign_origin = browser(&app)
            .post(app.url("/connexion"))
            .header("origin", "https://ailleurs.example")
            .form(&[("email", "a@b.fr"), ("password", "x"), ("csrf", CSRF)])
            .send()
            .await
            .unwrap();
        assert_eq!(foreign_origin.status(), 403);
        assert_eq!(
            journal_rows(&app).await,
            before,
            "nothing journaled, nothing logged in"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn bad_input_gets_a_french_message_naming_the_field() {
    for app in spawn_all().await {
        let client = browser(&app);
        let long_email = format!("{}@exemple.fr", "a".repeat(300));
        let response = login(&client, &app, &long_email, "x").await;
        assert_eq!(response.status(), 422);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("adresse électronique : elle dépasse 254 caractères")
        );
        let body = format!("csrf={CSRF}&email=%C3%28&password=x");
        let response = client
            .post(app.url("/connexion"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Le champ « email » contient des caractères mal encodés")
        );
        let huge = format!("csrf={CSRF}&email=a%40b.fr&password={}", "x".repeat(70_000));
        let response = client
            .post(app.url("/connexion"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(huge)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413);
        let missing = client
            .post(app.url("/connexion"))
            .form(&[("csrf", CSRF), ("email", "a@b.fr")])
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 400);
        assert!(missing.text().await.unwrap().contains("incomplet"));
        app.finish().await;
    }
}

#[tokio::test]
async fn idle_sessions_end_and_logout_everywhere_ends_them_all() {
    for app in spawn_all().await {
        let token = app.session_for(Role::Officer).await;
        let other = app.session_for(Role::Officer).await;
        let with = |token: &str| format!("passerelle_csrf={CSRF}; passerelle_session={token}");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let account_page = |token: &str| {
            client
                .get(app.url("/compte"))
                .header("cookie", with(token))
                .send()
        };
        assert_eq!(account_page(&token).await.unwrap().status(), 200);
        let minutes = |n: u64| std::time::Duration::from_secs(n * 60);
        app.clock.advance(minutes(20));
        assert_eq!(account_page(&other).await.unwrap().status(), 200);
        // 31 minutes without a request: the session has ended, and the server's short memory
        // of who is signed in has let it go too; the one used 11 minutes ago lives on.
        app.clock.advance(minutes(11));
        assert_eq!(account_page(&other).await.unwrap().status(), 200);
        let expired = client
            .get(app.url("/compte"))
            .header("cookie", with(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(expired.headers()["location"], "/connexion?suite=%2Fcompte");
        let third = app.session_for(Role::Officer).await;
        let everywhere = client
            .post(app.url("/deconnexion/partout"))
            .header("cookie", with(&third))
            .form(&[("csrf", CSRF)])
            .send()
            .await
            .unwrap();
        assert_eq!(everywhere.status(), 303);
        for token in [&other, &third] {
            assert_eq!(
                client
                    .get(app.url("/compte"))
                    .header("cookie", with(token))
                    .send()
                    .await
                    .unwrap()
                    .status(),
                303
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn an_invitation_sets_a_password_that_follows_the_rules() {
    for app in spawn_all().await {
        let token = app.fresh_invitation().await;
        let client = browser(&app);
        let path = format!("/invitation/{token}");
        assert_eq!(
            client.get(app.url(&path)).send().await.unwrap().status(),
            200
        );
        let weak = post(
            &client,
            &app,
            &path,
            &[
                ("password", "motdepasse12"),
                ("confirmation", "motdepasse12"),
            ],
        )
        .await;
        assert_eq!(weak.status(), 422);
        assert!(weak.text().await.unwrap().contains("trop courant"));
        let strong = "cheval agrafe lumière boussole";
        let accepted = post(
            &client,
            &app,
            &path,
            &[("password", strong), ("confirmation", strong)],
        )
        .await;
        assert_eq!(accepted.status(), 303);
        assert_eq!(
            client.get(app.url(&path)).send().await.unwrap().status(),
            400,
            "a link opens once"
        );
        // A link not used within its week has expired.
        let late = format!("/invitation/{}", app.fresh_invitation().await);
        app.clock
            .advance(std::time::Duration::from_secs(7 * 24 * 3600 - 60));
        assert_eq!(
            client.get(app.url(&late)).send().await.unwrap().status(),
            200
        );
        app.clock.advance(std::time::Duration::from_secs(60));
        let expired = client.get(app.url(&late)).send().await.unwrap();
        assert_eq!(expired.status(), 400);
        assert!(expired.text().await.unwrap().contains("a expiré"));
        app.finish().await;
    }
}

#[tokio::test]
async fn one_address_guessing_many_names_is_throttled() {
    let app = TestApp::spawn(passerelle_store::testing::sqlite().await).await;
    let client = browser(&app);
    for index in 0..passerelle_domain::identity::account::ADDRESS_LOCKOUT_THRESHOLD {
        let response = login(
            &client,
            &app,
            &format!("nom{index}@exemple.fr"),
            "mauvais mot de passe",
        )
        .await;
        assert_eq!(response.status(), 401, "failure {index}");
    }
    let officer = app.login(Role::Officer).clone();
    let throttled = login(&client, &app, &officer.email, &officer.password).await;
    assert_eq!(throttled.status(), 429);
    assert!(
        throttled
            .text()
            .await
            .unwrap()
            .contains("depuis votre réseau")
    );
    app.finish().await;
}

#[path = "login/lockout.rs"]
mod lockout;
#[path = "login/password.rs"]
mod password;
#[path = "login/password_reset.rs"]
mod password_reset;
#[path = "login/redirects.rs"]
mod redirects;
#[path = "login/trusted_device.rs"]
mod trusted_device;
