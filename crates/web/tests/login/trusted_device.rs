//! A shift on a phone: an officer who ticks « Faire confiance à cet appareil pendant mon
//! service (12 h) » after the second factor logs in again on that device with the password
//! only, until 12 hours after that second factor; another device, the end of the shift or
//! « se déconnecter partout » ask the code again. Social workers are never offered it.

use super::*;
use std::time::Duration;

const MINUTE: Duration = Duration::from_secs(60);

/// The officer with a second factor, signed out: (id, e-mail, password, TOTP secret).
async fn officer_with_totp(app: &TestApp) -> (String, String, String, String) {
    let officer = app.login(Role::Officer).clone();
    let client = browser(app);
    let secret = enrol_totp(&client, app, &officer.email, &officer.password).await;
    post(&client, app, "/deconnexion", &[]).await;
    (
        officer.id.to_string(),
        officer.email.clone(),
        officer.password.clone(),
        secret,
    )
}

/// Password then code, ticking the trust box or not; returns the code step's answer.
async fn full_login(
    client: &reqwest::Client,
    app: &TestApp,
    (id, email, password): (&str, &str, &str),
    secret: &str,
    trust: bool,
) -> reqwest::Response {
    assert_eq!(login(client, app, email, password).await.status(), 303);
    let page = client
        .get(app.url("/connexion/second-facteur"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.contains("Faire confiance à cet appareil pendant mon service (12 h)"),
        trust,
        "the box is offered to officers only"
    );
    let code = fresh_code(app, id, secret).await;
    let mut fields = vec![("code", code.as_str())];
    if trust {
        fields.push(("confiance", "oui"));
    }
    post(client, app, "/connexion/second-facteur", &fields).await
}

/// Where a signed-in page sends this browser: 200 when it is fully signed in.
async fn account_page(client: &reqwest::Client, app: &TestApp) -> (u16, String) {
    let answer = client.get(app.url("/compte")).send().await.unwrap();
    let location = answer
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (answer.status().as_u16(), location)
}

/// Keeps the session alive through `minutes` of a shift, a page every 20 minutes.
async fn work_for(client: &reqwest::Client, app: &TestApp, minutes: u64) {
    for _ in 0..minutes / 20 {
        app.clock.advance(20 * MINUTE);
        assert_eq!(account_page(client, app).await.0, 200);
    }
}

#[tokio::test]
async fn on_the_trusted_phone_the_password_is_enough_until_twelve_hours_after_the_code() {
    for app in spawn_all().await {
        let (id, email, password, secret) = officer_with_totp(&app).await;
        let who = (id.as_str(), email.as_str(), password.as_str());
        let phone = browser(&app);
        let trusted = full_login(&phone, &app, who, &secret, true).await;
        assert_eq!(trusted.status(), 303);
        let cookie = trusted
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap().to_string())
            .find(|c| c.starts_with("passerelle_appareil="))
            .expect("the device's cookie");
        assert!(
            cookie.contains("Max-Age=43200") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        let token = cookie["passerelle_appareil=".len()..cookie.find(';').unwrap()].to_string();
        let (stored,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM trusted_devices WHERE token_hash = $1")
                .bind(&token)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(stored, 0, "the table keeps the token's hash only");
        assert_eq!(
            sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM journal WHERE action = 'second_factor.device_trusted' AND target_id = $1")
                .bind(&id)
                .fetch_one(app.db.pool())
                .await
                .unwrap()
                .0,
            1
        );

        // 31 idle minutes: signed out; the password alone signs in again on this phone.
        app.clock.advance(31 * MINUTE);
        let (status, location) = account_page(&phone, &app).await;
        assert_eq!(status, 303);
        assert!(location.starts_with("/connexion?suite="), "{location}");
        assert_eq!(login(&phone, &app, &email, &password).await.status(), 303);
        assert_eq!(account_page(&phone, &app).await.0, 200, "no code asked");

        // On another device, the code is asked.
        let desk = browser(&app);
        assert_eq!(login(&desk, &app, &email, &password).await.status(), 303);
        assert_eq!(
            account_page(&desk, &app).await.1,
            "/connexion/second-facteur"
        );

        // A shift: 10 h of work, a pause, 11 h 02 after the code still the password alone…
        work_for(&phone, &app, 10 * 60).await;
        app.clock.advance(31 * MINUTE);
        assert_eq!(account_page(&phone, &app).await.0, 303);
        assert_eq!(login(&phone, &app, &email, &password).await.status(), 303);
        work_for(&phone, &app, 40).await;
        // …and that session ends with the trust, 12 hours after the code, busy or not.
        app.clock.advance(20 * MINUTE);
        assert_eq!(
            account_page(&phone, &app).await.0,
            303,
            "never beyond 12 hours"
        );
        assert_eq!(login(&phone, &app, &email, &password).await.status(), 303);
        assert_eq!(
            account_page(&phone, &app).await.1,
            "/connexion/second-facteur"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn logging_out_everywhere_ends_the_trust_and_another_account_cannot_use_it() {
    for app in spawn_all().await {
        let (id, email, password, secret) = officer_with_totp(&app).await;
        let who = (id.as_str(), email.as_str(), password.as_str());
        let phone = browser(&app);
        assert_eq!(
            full_login(&phone, &app, who, &secret, true).await.status(),
            303
        );
        let page = phone
            .get(app.url("/compte"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Appareils de confiance pour votre service : 1"),
            "{page}"
        );
        // A plain logout keeps the device's trust: the password is enough again.
        post(&phone, &app, "/deconnexion", &[]).await;
        login(&phone, &app, &email, &password).await;
        assert_eq!(account_page(&phone, &app).await.0, 200);

        // Another officer on the same phone: the cookie is bound to the first account.
        let (other, _) = app
            .new_account(Role::Officer, Some(&app.scope(Role::Officer)))
            .await;
        let hash = tokio::task::spawn_blocking(|| {
            passerelle_store::identity::account::hash_password("phrase du second officier").unwrap()
        })
        .await
        .unwrap();
        // Its second factor is on: the login asks it unless the device is trusted for it.
        sqlx::query("UPDATE accounts SET password_hash = $1, totp_enabled = 1 WHERE id = $2")
            .bind(&hash)
            .bind(&other)
            .execute(app.db.pool())
            .await
            .unwrap();
        let (other_email,): (String,) = sqlx::query_as("SELECT email FROM accounts WHERE id = $1")
            .bind(&other)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let shared = browser(&app);
        assert_eq!(
            full_login(&shared, &app, who, &secret, true).await.status(),
            303
        );
        post(&shared, &app, "/deconnexion", &[]).await;
        login(&shared, &app, &other_email, "phrase du second officier").await;
        assert_eq!(
            account_page(&shared, &app).await.1,
            "/connexion/second-facteur"
        );

        // « Se déconnecter partout »: every device's trust ends with the sessions.
        let out = post(&phone, &app, "/deconnexion/partout", &[]).await;
        assert!(out.status().is_redirection() || out.status().is_success());
        let (left,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM trusted_devices WHERE account_id = $1")
                .bind(&id)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(left, 0);
        login(&phone, &app, &email, &password).await;
        assert_eq!(
            account_page(&phone, &app).await.1,
            "/connexion/second-facteur"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_social_worker_is_never_offered_the_trust_and_cannot_force_it() {
    for app in spawn_all().await {
        let worker = app.login(Role::SocialWorker).clone();
        let client = browser(&app);
        let secret = enrol_totp(&client, &app, &worker.email, &worker.password).await;
        post(&client, &app, "/deconnexion", &[]).await;
        let who = (
            worker.id.as_str(),
            worker.email.as_str(),
            worker.password.as_str(),
        );
        // The page offers no box (asserted inside); a forged field is ignored.
        let done = full_login(&client, &app, who, &secret, false).await;
        assert_eq!(done.status(), 303);
        post(&client, &app, "/deconnexion", &[]).await;
        login(&client, &app, &worker.email, &worker.password).await;
        let code = fresh_code(&app, &worker.id, &secret).await;
        let forced = post(
            &client,
            &app,
            "/connexion/second-facteur",
            &[("code", &code), ("confiance", "oui")],
        )
        .await;
        assert_eq!(forced.status(), 303);
        assert!(
            forced
                .headers()
                .get_all("set-cookie")
                .iter()
                .all(|c| !c.to_str().unwrap().starts_with("passerelle_appareil=")),
            "no device cookie for a social worker"
        );
        let (trusted,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM trusted_devices WHERE account_id = $1")
                .bind(&worker.id)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(trusted, 0);
        app.finish().await;
    }
}
