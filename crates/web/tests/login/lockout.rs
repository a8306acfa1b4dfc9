//! The audit's second-factor attack: wrong codes and wrong passwords count together, per
//! account and per address, across fresh logins; a lock stops a login already half open.

use super::*;

/// The demo national account with a second factor enrolled over HTTP; its TOTP secret.
/// Signed out afterwards, its failure count clean.
async fn enrolled_national(app: &TestApp) -> (passerelle_demo::DemoLogin, String) {
    let national = app.login(Role::National).clone();
    let client = browser(app);
    assert_eq!(
        login(&client, app, &national.email, &national.password)
            .await
            .status(),
        303
    );
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
    let enrolled = post(&client, app, "/compte/second-facteur", &[("code", &code)]).await;
    assert_eq!(enrolled.status(), 200);
    post(&client, app, "/deconnexion", &[]).await;
    (national, secret)
}

/// A six-digit code that is none of the codes valid around now.
fn wrong_code(secret: &str) -> String {
    let valid: Vec<String> = [now() - 30, now(), now() + 30, now() + 60]
        .iter()
        .map(|t| totp_code(secret, *t))
        .collect();
    (0..)
        .map(|n: u32| format!("{:06}", 314_159 + n))
        .find(|code| !valid.contains(code))
        .unwrap()
}

fn alert(html: &str) -> String {
    between(
        html,
        r#"<div class="fr-alert fr-alert--error fr-mb-3w" role="alert">"#,
        "</div>",
    )
    .to_string()
}

#[tokio::test]
async fn wrong_codes_across_fresh_logins_with_the_right_password_lock_within_ten_tries() {
    for app in spawn_all().await {
        let (national, secret) = enrolled_national(&app).await;
        let wrong = wrong_code(&secret);
        // The audit's round: log in with the right password, try four codes, start again.
        let mut tries = 0;
        let mut locked = None;
        'rounds: for _ in 0..10 {
            let client = browser(&app);
            let password = login(&client, &app, &national.email, &national.password).await;
            if password.status() == 429 {
                locked = Some(password.text().await.unwrap());
                break;
            }
            assert_eq!(password.status(), 303);
            for _ in 0..4 {
                let response = post(
                    &client,
                    &app,
                    "/connexion/second-facteur",
                    &[("code", &wrong)],
                )
                .await;
                tries += 1;
                if response.status() == 429 {
                    locked = Some(response.text().await.unwrap());
                    break 'rounds;
                }
                assert_eq!(response.status(), 401, "try {tries}");
            }
        }
        let locked = locked.expect("locked within ten wrong codes");
        assert!(tries <= 10, "{tries} codes tried before the lock");
        assert!(locked.contains("bloquée pendant 15 minutes"), "{locked}");

        // Locked: the right password and a wrong one get the same words and status.
        let right = login(&browser(&app), &app, &national.email, &national.password).await;
        assert_eq!(right.status(), 429);
        let right = alert(&right.text().await.unwrap());
        let wrong_password = login(&browser(&app), &app, &national.email, "pas le bon").await;
        assert_eq!(wrong_password.status(), 429);
        assert_eq!(alert(&wrong_password.text().await.unwrap()), right);
        assert!(right.contains("Trop de tentatives"), "French: {right}");
        let (events,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM journal WHERE action = 'login.locked' AND target_id = $1",
        )
        .bind(&national.id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(events, 1);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_login_half_open_before_the_lock_cannot_finish_it() {
    for app in spawn_all().await {
        let (national, secret) = enrolled_national(&app).await;
        let (first, second) = (browser(&app), browser(&app));
        for half_open in [&first, &second] {
            assert_eq!(
                login(half_open, &app, &national.email, &national.password)
                    .await
                    .status(),
                303
            );
        }
        // Meanwhile, someone else locks the account with wrong passwords.
        let other = browser(&app);
        for _ in 0..passerelle_domain::identity::account::LOCKOUT_THRESHOLD {
            login(&other, &app, &national.email, "pas le bon").await;
        }
        let page = first
            .get(app.url("/connexion/second-facteur"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 429, "the code form is not even shown");
        // Even the right code does not finish it, and the session is closed.
        let code = totp_code(&secret, now() + 30);
        let finished = post(
            &second,
            &app,
            "/connexion/second-facteur",
            &[("code", &code)],
        )
        .await;
        assert_eq!(finished.status(), 429);
        assert!(
            finished
                .text()
                .await
                .unwrap()
                .contains("bloquée pendant 15 minutes")
        );
        for half_open in [&first, &second] {
            let account = half_open.get(app.url("/compte")).send().await.unwrap();
            assert_eq!(account.status(), 303);
            assert!(
                account.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/connexion?")
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn wrong_codes_count_towards_the_address_limit() {
    for app in spawn_all().await {
        let (national, secret) = enrolled_national(&app).await;
        let client = browser(&app);
        for index in 1..passerelle_domain::identity::account::ADDRESS_LOCKOUT_THRESHOLD {
            let response = login(
                &client,
                &app,
                &format!("nom{index}@exemple.fr"),
                "mauvais mot de passe",
            )
            .await;
            assert_eq!(response.status(), 401, "failure {index}");
        }
        // The last failure the address is allowed is a wrong code.
        let client = browser(&app);
        assert_eq!(
            login(&client, &app, &national.email, &national.password)
                .await
                .status(),
            303
        );
        let wrong = post(
            &client,
            &app,
            "/connexion/second-facteur",
            &[("code", &wrong_code(&secret))],
        )
        .await;
        assert_eq!(wrong.status(), 429);
        assert!(wrong.text().await.unwrap().contains("depuis votre réseau"));
        let officer = app.login(Role::Officer).clone();
        let throttled = login(&browser(&app), &app, &officer.email, &officer.password).await;
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
}

#[tokio::test]
async fn parallel_wrong_codes_from_many_half_open_logins_are_checked_five_at_most() {
    for app in spawn_all().await {
        let (national, secret) = enrolled_national(&app).await;
        let wrong = wrong_code(&secret);
        let mut sessions = Vec::new();
        for _ in 0..12 {
            let client = browser(&app);
            assert_eq!(
                login(&client, &app, &national.email, &national.password)
                    .await
                    .status(),
                303
            );
            sessions.push(client);
        }
        // Every session sends its code at the same moment.
        let url = app.url("/connexion/second-facteur");
        let mut answers = tokio::task::JoinSet::new();
        for client in sessions {
            let (url, wrong) = (url.clone(), wrong.clone());
            answers.spawn(async move {
                let fields = [("code", wrong.as_str()), ("csrf", CSRF)];
                let response = client.post(url).form(&fields).send().await.unwrap();
                response.status().as_u16()
            });
        }
        let statuses = answers.join_all().await;
        let checked = statuses.iter().filter(|s| **s == 401).count();
        assert!(
            checked < passerelle_domain::identity::account::LOCKOUT_THRESHOLD as usize,
            "{checked} codes checked before the lock: {statuses:?}"
        );
        assert_eq!(statuses.len(), 12);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_login_half_open_at_enrolment_cannot_finish_it_once_locked() {
    for app in spawn_all().await {
        let national = app.login(Role::National).clone();
        let half_open = browser(&app);
        assert_eq!(
            login(&half_open, &app, &national.email, &national.password)
                .await
                .status(),
            303
        );
        let page = half_open
            .get(app.url("/compte/second-facteur"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let secret = between(&page, r#"<code id="totp-secret">"#, "</code>").to_string();
        let other = browser(&app);
        for _ in 0..passerelle_domain::identity::account::LOCKOUT_THRESHOLD {
            login(&other, &app, &national.email, "pas le bon").await;
        }
        let code = totp_code(&secret, now());
        let enrolled = post(
            &half_open,
            &app,
            "/compte/second-facteur",
            &[("code", &code)],
        )
        .await;
        assert_eq!(enrolled.status(), 429);
        assert_eq!(
            half_open
                .get(app.url("/compte"))
                .send()
                .await
                .unwrap()
                .status(),
            303,
            "signed out"
        );
        let (enabled,): (i64,) = sqlx::query_as("SELECT totp_enabled FROM accounts WHERE id = $1")
            .bind(&national.id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(enabled, 0, "nothing enrolled");
        app.finish().await;
    }
}

#[tokio::test]
async fn parallel_wrong_passwords_are_checked_five_at_most() {
    for app in spawn_all().await {
        let officer = app.login(Role::Officer).clone();
        let url = app.url("/connexion");
        let mut answers = tokio::task::JoinSet::new();
        for index in 0..12 {
            let (client, url, email) = (browser(&app), url.clone(), officer.email.clone());
            answers.spawn(async move {
                let password = format!("pas le bon {index}");
                let fields = [
                    ("email", email.as_str()),
                    ("password", password.as_str()),
                    ("csrf", CSRF),
                ];
                let response = client.post(url).form(&fields).send().await.unwrap();
                response.status().as_u16()
            });
        }
        let statuses = answers.join_all().await;
        let checked = statuses.iter().filter(|s| **s == 401).count();
        assert!(
            checked < passerelle_domain::identity::account::LOCKOUT_THRESHOLD as usize,
            "{checked} passwords checked before the lock: {statuses:?}"
        );
        assert_eq!(
            login(&browser(&app), &app, &officer.email, &officer.password)
                .await
                .status(),
            429
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_lock_lapses_after_fifteen_minutes_and_failures_before_the_window_are_forgotten() {
    for app in spawn_all().await {
        let officer = app.login(Role::Officer).clone();
        let attempt = |password: &str| {
            let (client, password) = (browser(&app), password.to_string());
            let email = officer.email.clone();
            let app = &app;
            async move { login(&client, app, &email, &password).await.status() }
        };
        let minutes = |n: u64| std::time::Duration::from_secs(n * 60);
        for _ in 0..4 {
            assert_eq!(attempt("pas le bon").await, 401);
        }
        // Sixteen minutes later, those four are forgotten: four more do not lock.
        app.clock.advance(minutes(16));
        for try_ in 0..4 {
            assert_eq!(
                attempt("pas le bon").await,
                401,
                "try {try_} after the window"
            );
        }
        // The fifth within fifteen minutes locks the account for fifteen minutes.
        attempt("pas le bon").await;
        assert_eq!(attempt(&officer.password).await, 429);
        app.clock.advance(minutes(14));
        assert_eq!(attempt(&officer.password).await, 429, "still locked");
        app.clock.advance(minutes(2));
        assert_eq!(
            attempt(&officer.password).await,
            303,
            "the lock lapsed ({})",
            app.backend
        );
        app.finish().await;
    }
}
