//! The import page over HTTP on both backends: dry run, real run, bad file, anti-forgery.

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;

async fn upload(
    app: &TestApp,
    who: Role,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
    dry_run: bool,
    // The anti-forgery token as the body's first field, as the page sends it.
    with_token: bool,
) -> reqwest::Response {
    let session = app.session_for(who).await;
    let mut form = reqwest::multipart::Form::new();
    if with_token {
        form = form.text("csrf", CSRF);
    }
    let mut form = form.text("type", kind.to_string()).part(
        "fichier",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    if dry_run {
        form = form.text("essai", "1");
    }
    reqwest::Client::new()
        .post(app.url("/registre/import"))
        .header(
            "cookie",
            format!("passerelle_csrf={CSRF}; passerelle_session={session}"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_national_steering_checks_then_imports_employers() {
    for app in spawn_all().await {
        let file = "type;nom;departement\nassociation;Association importée;29\n"
            .as_bytes()
            .to_vec();
        let (before,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM employers")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let dry = upload(
            &app,
            Role::National,
            "employeurs",
            "e.csv",
            file.clone(),
            true,
            true,
        )
        .await;
        assert_eq!(dry.status(), 200, "{}", app.backend);
        assert!(
            dry.text()
                .await
                .unwrap()
                .contains("Essai à blanc : 1 création(s)")
        );
        let real = upload(
            &app,
            Role::National,
            "employeurs",
            "e.csv",
            file.clone(),
            false,
            true,
        )
        .await;
        assert!(
            real.text()
                .await
                .unwrap()
                .contains("Import enregistré : 1 création(s)")
        );
        let (after,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM employers")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(after, before + 1);
        let bad = upload(
            &app,
            Role::National,
            "postes",
            "p.csv",
            "code;zone\nX;lune\n".as_bytes().to_vec(),
            false,
            true,
        )
        .await;
        assert_eq!(bad.status(), 422);
        assert!(
            bad.text()
                .await
                .unwrap()
                .contains("colonne obligatoire absente")
        );
        let forged = upload(
            &app,
            Role::National,
            "employeurs",
            "e.csv",
            file.clone(),
            false,
            false,
        )
        .await;
        assert_eq!(forged.status(), 403);
        // A token in the URL is no longer read: it would stay in logs and the history.
        let session = app.session_for(Role::National).await;
        let in_url = reqwest::Client::new()
            .post(app.url(&format!("/registre/import?csrf={CSRF}")))
            .header(
                "cookie",
                format!("passerelle_csrf={CSRF}; passerelle_session={session}"),
            )
            .multipart(
                reqwest::multipart::Form::new()
                    .text("type", "employeurs")
                    .part(
                        "fichier",
                        reqwest::multipart::Part::bytes(file.clone()).file_name("e.csv"),
                    ),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(in_url.status(), 403, "the token in the URL is refused");
        let officer = upload(
            &app,
            Role::Officer,
            "employeurs",
            "e.csv",
            file,
            false,
            true,
        )
        .await;
        assert_eq!(officer.status(), 403);
        let (last,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM employers")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(last, after, "nothing more written");
        app.finish().await;
    }
}
