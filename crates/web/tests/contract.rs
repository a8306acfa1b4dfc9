//! The JSON API against its own OpenAPI document (`/api/openapi.json`), by schemathesis
//! (pinned in scripts/test-requirements.txt, installed by scripts/test.sh): every operation,
//! with valid and invalid parameters, for a token of each role a token may hold, on both
//! backends. No server error, every answer as documented (status, content type, schema),
//! invalid input refused. The test fails, never skips, when schemathesis is missing.

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use std::process::Command;

/// A token of `role` in `scope` (the account form's scope value), made on the
/// administrator's page as a person would.
async fn token(app: &TestApp, role: &str, scope: &str) -> String {
    let admin = app.session_for(Role::Admin).await;
    let last_day = passerelle_web::http::clock::french_date(
        passerelle_web::http::clock::paris_today() + time::Duration::days(30),
    );
    let page = reqwest::Client::new()
        .post(app.url("/jetons-api"))
        .header(
            "cookie",
            format!("passerelle_csrf={CSRF}; passerelle_session={admin}"),
        )
        .form(&[
            ("csrf", CSRF),
            ("name", &format!("Contrat {role}")),
            ("role", role),
            ("scope", scope),
            ("last_day", last_day.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "{role} {scope}");
    let html = page.text().await.unwrap();
    html.split("<code id=\"jeton-cree\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no token shown for {role}: {html}"))
        .to_string()
}

/// Runs schemathesis on the app's document with `token`; panics with its report on any
/// failure.
fn schemathesis(app: &TestApp, token: &str, label: &str) {
    let output = Command::new("schemathesis")
        .args(["run", &app.url("/api/openapi.json")])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args([
            "--checks",
            "all",
            "--max-examples",
            "20",
            "--seed",
            "20261206",
        ])
        .args(["--workers", "1", "--no-color"])
        .env("SCHEMATHESIS_HOOKS", "")
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "schemathesis cannot run ({error}): install scripts/test-requirements.txt \
                 (scripts/test.sh does)"
            )
        });
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found failures ({label}, {}):\n{report}\n{}",
        app.backend,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        report.contains("Tested:"),
        "schemathesis tested nothing ({label}):\n{report}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_json_api_answers_as_its_openapi_document_says() {
    for app in spawn_all().await {
        let departement = "departement:35".to_string();
        for (role, scope) in [
            ("national", "nation:".to_string()),
            ("prevention", departement),
        ] {
            let token = token(&app, role, &scope).await;
            let label = format!("{role} {scope}");
            let app_ref = &app;
            tokio::task::block_in_place(|| schemathesis(app_ref, &token, &label));
        }
    }
}
