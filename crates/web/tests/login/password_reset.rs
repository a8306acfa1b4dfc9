//! « Mot de passe oublié » : the same answer whether the address exists or not, an e-mailed
//! link (read from the outbox's folder) that works once and for 30 minutes, the password
//! rules, every session ended, the second factor still asked; limits per address and per
//! network; the ProConnect-only account told so; each request and use journaled.

use super::*;

const NEW: &str = "cheval agrafe lumière boussole";

fn mailer(folder: &std::path::Path, app: &TestApp) -> passerelle_web::mail::Mailer {
    passerelle_web::mail::Mailer::folder(
        folder.to_path_buf(),
        "Passerelle <ne-pas-repondre@passerelle.invalid>",
        "https://passerelle.example",
    )
    .unwrap()
    .with_keys(app.state.keys.clone())
}

/// Sends what the outbox holds into a new folder; returns (subject, text) of each message.
async fn delivered(app: &TestApp) -> Vec<(String, String)> {
    let folder = tempfile::tempdir().unwrap();
    passerelle_web::mail::deliver_due(&app.db, &mailer(folder.path(), app))
        .await
        .unwrap();
    std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .map(|raw| {
            let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
            (
                message.subject().unwrap_or_default().to_string(),
                message.body_text(0).unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The path of the link in a message's text.
fn link_in(text: &str) -> String {
    let start = text
        .find("https://passerelle.example/mot-de-passe-oublie/")
        .unwrap_or_else(|| panic!("a link in {text}"))
        + "https://passerelle.example".len();
    text[start..].split_whitespace().next().unwrap().to_string()
}

async fn ask(client: &reqwest::Client, app: &TestApp, email: &str) -> (u16, String) {
    let answer = post(client, app, "/mot-de-passe-oublie", &[("email", email)]).await;
    (answer.status().as_u16(), answer.text().await.unwrap())
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(bind)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    count
}

#[tokio::test]
async fn the_mailed_link_sets_a_new_password_once_ends_every_session_and_the_second_factor_stays() {
    for app in spawn_all().await {
        let worker = app.login(Role::SocialWorker).clone();
        let secret = enrol_totp(&browser(&app), &app, &worker.email, &worker.password).await;
        let other_session = app.session_for(Role::SocialWorker).await;

        let client = browser(&app);
        let login_page = client.get(app.url("/connexion")).send().await.unwrap();
        assert!(
            login_page
                .text()
                .await
                .unwrap()
                .contains(r#"href="/mot-de-passe-oublie">Mot de passe oublié ?</a>"#)
        );
        let (status, known) = ask(&client, &app, &worker.email).await;
        assert_eq!(status, 200);
        assert!(
            known.contains("Si un compte Passerelle a l'adresse"),
            "{known}"
        );
        let (status, unknown) = ask(&client, &app, "personne@exemple.fr").await;
        assert_eq!(status, 200);
        assert_eq!(
            known.replace(&worker.email, "X"),
            unknown.replace("personne@exemple.fr", "X"),
            "the same answer whether an account has the address or not"
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM journal WHERE action = $1",
                "account.password_reset_requested"
            )
            .await,
            2,
            "both requests journaled"
        );

        let mails = delivered(&app).await;
        assert_eq!(mails.len(), 1, "only the account's address gets a message");
        let (subject, text) = &mails[0];
        assert_eq!(subject, "Passerelle — choisir un nouveau mot de passe");
        assert!(text.contains("expire le "), "{text}");
        let link = link_in(text);
        let secret_in_link = link.rsplit('/').next().unwrap();
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM password_resets WHERE token_hash = $1",
                secret_in_link
            )
            .await,
            0,
            "the database keeps only the token's hash"
        );
        assert!(delivered(&app).await.is_empty(), "a message is sent once");

        let form = client.get(app.url(&link)).send().await.unwrap();
        assert_eq!(form.status(), 200);
        assert_eq!(form.headers()["cache-control"], "no-store");
        assert_eq!(
            form.headers()["referrer-policy"],
            "same-origin",
            "the link leaves no trace elsewhere"
        );
        let form = form.text().await.unwrap();
        assert!(form.contains("Choisir un nouveau mot de passe") && form.contains(&worker.email));
        let different = post(
            &client,
            &app,
            &link,
            &[("password", NEW), ("confirmation", "autre chose")],
        )
        .await;
        assert_eq!(different.status(), 422);
        assert!(
            different
                .text()
                .await
                .unwrap()
                .contains("Confirmation du mot de passe : les deux saisies sont différentes.")
        );
        let weak = post(
            &client,
            &app,
            &link,
            &[
                ("password", "motdepasse12"),
                ("confirmation", "motdepasse12"),
            ],
        )
        .await;
        assert_eq!(weak.status(), 422);
        assert!(
            weak.text()
                .await
                .unwrap()
                .contains("mot de passe : il est trop courant")
        );
        let done = post(
            &client,
            &app,
            &link,
            &[("password", NEW), ("confirmation", NEW)],
        )
        .await;
        assert_eq!(done.status(), 303);
        assert_eq!(
            done.headers()["location"],
            "/connexion?reinitialisation=faite"
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM sessions WHERE account_id = $1",
                &worker.id
            )
            .await,
            0,
            "every session of the account ended"
        );
        let old = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(app.url("/compte"))
            .header("cookie", format!("passerelle_session={other_session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(old.status(), 303);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM journal WHERE action = $1",
                "account.password_reset"
            )
            .await,
            1
        );

        let again = client.get(app.url(&link)).send().await.unwrap();
        assert_eq!(again.status(), 400, "the link works once");
        assert!(
            again
                .text()
                .await
                .unwrap()
                .contains("Lien expiré ou déjà utilisé")
        );
        let replayed = post(
            &client,
            &app,
            &link,
            &[
                ("password", "autre phrase assez longue pour passer"),
                ("confirmation", "autre phrase assez longue pour passer"),
            ],
        )
        .await;
        assert_eq!(replayed.status(), 400);

        // The old password opens nothing; the new one asks the second factor.
        assert_eq!(
            login(&browser(&app), &app, &worker.email, &worker.password)
                .await
                .status(),
            401
        );
        let fresh = browser(&app);
        assert_eq!(login(&fresh, &app, &worker.email, NEW).await.status(), 303);
        let home = fresh.get(app.url("/compte")).send().await.unwrap();
        assert_eq!(home.headers()["location"], "/connexion/second-facteur");
        let code = fresh_code(&app, &worker.id, &secret).await;
        assert_eq!(
            post(
                &fresh,
                &app,
                "/connexion/second-facteur",
                &[("code", &code)]
            )
            .await
            .status(),
            303
        );
        assert_eq!(
            fresh.get(app.url("/compte")).send().await.unwrap().status(),
            200
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn an_expired_or_altered_link_gets_a_clear_page_and_a_late_message_is_never_sent() {
    for app in spawn_all().await {
        let officer = app.login(Role::Officer).clone();
        let client = browser(&app);
        ask(&client, &app, &officer.email).await;
        let mails = delivered(&app).await;
        let link = link_in(&mails[0].1);
        let altered = format!("{}0", &link[..link.len() - 1]);
        let altered = if altered == link {
            format!("{}1", &link[..link.len() - 1])
        } else {
            altered
        };
        let page = client.get(app.url(&altered)).send().await.unwrap();
        assert_eq!(page.status(), 400);
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("Demander un nouveau lien")
        );
        assert_eq!(
            client.get(app.url(&link)).send().await.unwrap().status(),
            200
        );
        app.clock.advance(std::time::Duration::from_secs(31 * 60));
        let expired = client.get(app.url(&link)).send().await.unwrap();
        assert_eq!(expired.status(), 400);
        assert!(
            expired
                .text()
                .await
                .unwrap()
                .contains("dépassé ses 30 minutes")
        );
        let refused = post(
            &client,
            &app,
            &link,
            &[("password", NEW), ("confirmation", NEW)],
        )
        .await;
        assert_eq!(refused.status(), 400);
        assert_eq!(
            login(&browser(&app), &app, &officer.email, &officer.password)
                .await
                .status(),
            303,
            "the password is unchanged"
        );

        // Asked, then not sent before its expiry: never sent.
        ask(&client, &app, &officer.email).await;
        app.clock.advance(std::time::Duration::from_secs(31 * 60));
        assert!(delivered(&app).await.is_empty());
        app.finish().await;
    }
}

#[tokio::test]
async fn requests_are_limited_per_address_silently_and_per_network_openly() {
    for app in spawn_all().await {
        let officer = app.login(Role::Officer).clone();
        let client = browser(&app);
        let mut answers = Vec::new();
        for _ in 0..4 {
            answers.push(ask(&client, &app, &officer.email).await);
        }
        assert!(answers.iter().all(|(status, _)| *status == 200));
        assert_eq!(
            answers[3].1, answers[0].1,
            "the fourth is answered as the first"
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM password_resets WHERE account_id = $1",
                &officer.id
            )
            .await,
            3,
            "three links an hour for an address, no more"
        );
        for n in 4..10 {
            assert_eq!(ask(&client, &app, &format!("x{n}@exemple.fr")).await.0, 200);
        }
        let (status, page) = ask(&client, &app, "encore@exemple.fr").await;
        assert_eq!(status, 429, "ten an hour from one network");
        assert!(page.contains("Trop de demandes de réinitialisation depuis votre réseau"));
        app.clock.advance(std::time::Duration::from_secs(61 * 60));
        assert_eq!(ask(&client, &app, &officer.email).await.0, 200);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM password_resets WHERE account_id = $1",
                &officer.id
            )
            .await,
            4,
            "an hour later, a new link"
        );
        let bad = ask(&client, &app, "pas-une-adresse").await;
        assert_eq!(bad.0, 422);
        assert!(bad.1.contains("adresse électronique : il manque le « @ »"));
        app.finish().await;
    }
}

#[tokio::test]
async fn an_account_that_signs_in_with_proconnect_only_is_told_so_without_a_link() {
    for app in spawn_all().await {
        let (id, _) = app
            .new_account(Role::Officer, Some(&app.scope(Role::Officer)))
            .await;
        sqlx::query("UPDATE accounts SET oidc_subject = 'sujet-proconnect', invitation_token_hash = NULL WHERE id = $1")
            .bind(&id)
            .execute(app.db.pool())
            .await
            .unwrap();
        let (email,): (String,) = sqlx::query_as("SELECT email FROM accounts WHERE id = $1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let client = browser(&app);
        let (status, page) = ask(&client, &app, &email).await;
        assert_eq!(status, 200);
        assert!(page.contains("Si votre compte se connecte avec ProConnect"));
        let mails = delivered(&app).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(
            mails[0].0,
            "Passerelle — votre compte se connecte avec ProConnect"
        );
        assert!(
            mails[0].1.contains("il n'a pas de mot de passe"),
            "{}",
            mails[0].1
        );
        assert!(!mails[0].1.contains("/mot-de-passe-oublie/"), "no link");
        app.finish().await;
    }
}
