//! API tokens end to end: the administrator creates one on its page (shown once), a machine
//! reads the JSON with it, every call is journaled with its name, a revocation answers 401 at
//! once, as an expired or unknown token does; a token opens no page.

mod helpers;

use helpers::{CSRF, spawn_all};
use passerelle_domain::identity::role::Role;

#[tokio::test]
async fn a_token_reads_its_scope_until_revoked_and_opens_no_page() {
    for app in spawn_all().await {
        let admin = app.session_for(Role::Admin).await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let last_day = passerelle_web::http::clock::french_date(
            passerelle_web::http::clock::paris_today() + time::Duration::days(30),
        );
        let page = client
            .post(app.url("/jetons-api"))
            .header(
                "cookie",
                format!("passerelle_csrf={CSRF}; passerelle_session={admin}"),
            )
            .form(&[
                ("csrf", CSRF),
                ("name", "Tableau de bord"),
                ("role", "national"),
                ("scope", "nation:"),
                ("last_day", last_day.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{}", app.backend);
        let html = page.text().await.unwrap();
        let token = html
            .split("<code id=\"jeton-cree\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap()
            .to_string();
        assert!(token.starts_with("psr_"));
        let call = |token: String, path: &'static str| {
            let client = client.clone();
            let url = app.url(path);
            async move { client.get(url).bearer_auth(token).send().await.unwrap() }
        };
        let answer = call(token.clone(), "/api/statistiques").await;
        assert_eq!(answer.status(), 200);
        let figures: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(figures["perimetre"], "France entière");
        // A page with the token: as anybody without a session, to the login page.
        let page = call(token.clone(), "/statistiques").await;
        assert!(page.status().is_redirection());
        assert!(
            page.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/connexion")
        );
        let (calls,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM journal WHERE action = 'api_token.call' AND detail LIKE 'jeton « Tableau de bord » (national) : GET /api/statistiques'",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(calls, 1, "{}", app.backend);
        // Revoked on the page: refused at the very next call.
        let (id,): (String,) =
            sqlx::query_as("SELECT id FROM api_tokens WHERE name = 'Tableau de bord'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let revoked = client
            .post(app.url(&format!("/jetons-api/{id}/revoquer")))
            .header(
                "cookie",
                format!("passerelle_csrf={CSRF}; passerelle_session={admin}"),
            )
            .form(&[("csrf", CSRF)])
            .send()
            .await
            .unwrap();
        assert!(revoked.status().is_redirection());
        let refused = call(token.clone(), "/api/statistiques").await;
        assert_eq!(refused.status(), 401);
        assert!(refused.headers().contains_key("www-authenticate"));
        let error: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(error["erreur"], "Jeton d'API révoqué.");
        let unknown = call("psr_nimportequoi".into(), "/donnees/postes.json").await;
        assert_eq!(unknown.status(), 401);
        // Expired: the day after its last day.
        let (employer, _) = app.api_token_for(Role::Employer, true).await;
        assert_eq!(
            call(employer.clone(), "/api/statistiques").await.status(),
            200
        );
        app.clock
            .advance(std::time::Duration::from_secs(3 * 86_400));
        let expired = call(employer, "/api/observatoire").await;
        assert_eq!(expired.status(), 401);
        let error: serde_json::Value = expired.json().await.unwrap();
        assert!(
            error["erreur"]
                .as_str()
                .unwrap()
                .starts_with("Jeton d'API expiré")
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_bearer_scheme_and_every_json_endpoint() {
    for app in spawn_all().await {
        let document: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
        assert_eq!(
            document["components"]["securitySchemes"]["jeton"]["scheme"],
            "bearer"
        );
        for path in [
            "/api/statistiques",
            "/api/observatoire",
            "/donnees/postes.json",
            "/api/openapi.json",
        ] {
            assert!(document["paths"][path]["get"].is_object(), "{path}");
        }
        app.finish().await;
    }
}
