//! Where `suite` may send a browser after login: only a plain path of this site.

use super::*;

/// The audit's four forms, and a newline (once a 500).
const HOSTILE: [&str; 5] = [
    "/\t/evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "/comptes\n/evil.example",
];

#[tokio::test]
async fn suite_sends_only_to_plain_local_paths() {
    for app in spawn_all().await {
        let officer = app.session_for(Role::Officer).await;
        let signed_in = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let cookies = format!("passerelle_csrf={CSRF}; passerelle_session={officer}");
        for hostile in HOSTILE {
            let path = format!(
                "/connexion/second-facteur?suite={}",
                passerelle_web::http::auth::encode_component(hostile)
            );
            let response = signed_in
                .get(app.url(&path))
                .header("cookie", &cookies)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 303, "{hostile:?}");
            assert_eq!(response.headers()["location"], "/", "{hostile:?}");

            let page = browser(&app)
                .get(app.url(&format!(
                    "/connexion?suite={}",
                    passerelle_web::http::auth::encode_component(hostile)
                )))
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), 200, "{hostile:?}");
            assert!(!page.text().await.unwrap().contains("evil.example"));

            let client = browser(&app);
            let login = post(
                &client,
                &app,
                "/connexion",
                &[
                    ("email", app.login(Role::Officer).email.as_str()),
                    ("password", app.login(Role::Officer).password.as_str()),
                    ("suite", hostile),
                ],
            )
            .await;
            assert_eq!(login.status(), 303, "{hostile:?}");
            assert_eq!(
                login.headers()["location"],
                "/connexion/second-facteur?suite=%2F",
                "{hostile:?}"
            );
            let onwards = client
                .get(app.url(&format!(
                    "/connexion/second-facteur?suite={}",
                    passerelle_web::http::auth::encode_component(hostile)
                )))
                .send()
                .await
                .unwrap();
            assert_eq!(onwards.headers()["location"], "/", "{hostile:?}");
        }
        // Our own paths are still followed, with their filters.
        let own = signed_in
            .get(app.url("/connexion/second-facteur?suite=%2Fcompte%3Fonglet%3Da"))
            .header("cookie", &cookies)
            .send()
            .await
            .unwrap();
        assert_eq!(own.headers()["location"], "/compte?onglet=a");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_newline_in_the_post_of_the_public_name_form_is_refused_in_french() {
    for app in spawn_all().await {
        let before = journal_rows(&app).await;
        let response = app
            .send_as(
                Some(Role::SocialWorker),
                passerelle_web::http::route_table::Method::Post,
                "/compte/nom-public",
                &[
                    (
                        "post".into(),
                        format!("{}\nx", app.scope(Role::SocialWorker)),
                    ),
                    ("shown".into(), "1".into()),
                ],
            )
            .await;
        assert_eq!(response.status(), 400);
        assert!(response.text().await.unwrap().contains("Poste : "));
        assert_eq!(journal_rows(&app).await, before, "nothing saved");
        let fine = app
            .send_as(
                Some(Role::SocialWorker),
                passerelle_web::http::route_table::Method::Post,
                "/compte/nom-public",
                &[
                    ("post".into(), app.scope(Role::SocialWorker)),
                    ("shown".into(), "1".into()),
                ],
            )
            .await;
        assert_eq!(fine.status(), 303);
        app.finish().await;
    }
}
