//! What the browser keeps and sends: no page with personal data in its caches, HSTS and
//! `__Host-` cookies behind HTTPS, and anti-forgery tokens bound to their session.

use crate::helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

fn assert_not_kept(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    assert_eq!(
        headers.get("cache-control").map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "{what}"
    );
    assert_eq!(
        headers.get("pragma").map(|v| v.to_str().unwrap()),
        Some("no-cache"),
        "{what}"
    );
}

#[tokio::test]
async fn no_page_or_download_with_personal_data_stays_in_the_browser() {
    for app in spawn_all().await {
        let (person, case) = app.person_for(true).await;
        let appointment = app.appointment_for(true).await;
        let post = app.scope(Role::SocialWorker);
        for (path, what) in [
            (format!("/dossiers/{case}"), "a case"),
            (format!("/personnes/{person}"), "a person"),
            (format!("/dossiers/{case}/journal"), "who read a case"),
            (format!("/personnes/{person}/journal"), "who read a person"),
            (
                format!("/postes/{post}/rendez-vous"),
                "the appointments of a day",
            ),
            (format!("/rendez-vous/{appointment}"), "an appointment"),
            (
                format!("/postes/{post}/rendez-vous/semaine"),
                "the appointments of a week",
            ),
            (
                format!("/dossiers/{case}/rendez-vous"),
                "booking from a case",
            ),
            ("/dossiers".to_string(), "the inbox"),
            ("/aujourdhui".to_string(), "the social worker's home"),
            ("/statistiques/activite.csv".to_string(), "a download"),
        ] {
            let response = app
                .send_as(Some(Role::SocialWorker), Method::Get, &path, &[])
                .await;
            assert_eq!(response.status(), 200, "{what} ({})", app.backend);
            assert_not_kept(&response, what);
        }
        // The officer's own referrals show the procedure references they typed.
        let response = app
            .send_as(Some(Role::Officer), Method::Get, "/signalements", &[])
            .await;
        assert_eq!(
            response.status(),
            200,
            "the officer's referrals ({})",
            app.backend
        );
        assert_not_kept(&response, "the officer's referrals");
        // Public pages, redirects and error pages too: one rule, nothing to forget.
        for path in ["/", "/connexion", "/dossiers", "/page-qui-nexiste-pas"] {
            assert_not_kept(&app.get(path).await, path);
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn behind_https_browsers_keep_to_it_and_cookies_are_host_only() {
    let secure = passerelle_web::Config {
        secure_cookies: true,
        ..passerelle_web::Config::default()
    };
    let app = TestApp::spawn_with(passerelle_store::testing::sqlite().await, secure).await;
    let page = app.get("/connexion").await;
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-passerelle_csrf="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("; Path=/"),
        "{cookie}"
    );
    assert!(!cookie.to_lowercase().contains("domain="), "{cookie}");

    // Only the `__Host-` session cookie is read: a plain one could come from a subdomain.
    let session = app.session_for(Role::SocialWorker).await;
    let with = |cookie: String| {
        app.client
            .get(app.url("/compte"))
            .header("cookie", cookie)
            .send()
    };
    let plain = with(format!("passerelle_session={session}")).await.unwrap();
    assert_eq!(plain.status(), 303);
    assert!(
        plain.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/connexion")
    );
    let prefixed = with(format!("__Host-passerelle_session={session}"))
        .await
        .unwrap();
    assert_eq!(prefixed.status(), 200);
    // The logout form works with the prefixed cookies and clears the prefixed one.
    let logout = app
        .client
        .post(app.url("/deconnexion"))
        .header("cookie", format!("__Host-passerelle_session={session}"))
        .form(&[("csrf", app.csrf_for(&session))])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 303);
    assert!(
        logout.headers().get_all("set-cookie").iter().any(|c| c
            .to_str()
            .unwrap()
            .starts_with("__Host-passerelle_session=;")),
        "the session cookie is cleared under its own name"
    );
    app.finish().await;

    // On a laptop over plain HTTP: plain names, no HSTS.
    let app = TestApp::spawn(passerelle_store::testing::sqlite().await).await;
    let page = app.get("/connexion").await;
    assert!(page.headers().get("strict-transport-security").is_none());
    let cookie = page.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("passerelle_csrf=") && !cookie.contains("Secure"),
        "{cookie}"
    );
    app.finish().await;
}

/// The `csrf` value of the first form of a page.
fn form_token(html: &str) -> String {
    html.split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form with its token")
        .to_string()
}

#[tokio::test]
async fn a_form_token_is_worth_nothing_outside_its_own_session() {
    for app in spawn_all().await {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mine = app.session_for(Role::SocialWorker).await;
        let theirs = app.session_for(Role::SocialWorker).await;
        let page = |session: String| {
            client
                .get(app.url("/compte"))
                .header("cookie", format!("passerelle_session={session}"))
                .send()
        };
        let my_token = form_token(&page(mine.clone()).await.unwrap().text().await.unwrap());
        let their_token = form_token(&page(theirs.clone()).await.unwrap().text().await.unwrap());
        assert_ne!(my_token, their_token);
        assert_eq!(my_token, app.csrf_for(&mine));
        let logout = |token: String| {
            client
                .post(app.url("/deconnexion"))
                .header(
                    "cookie",
                    format!("passerelle_csrf={token}; passerelle_session={mine}"),
                )
                .form(&[("csrf", token)])
                .send()
        };
        // Another session's token, or the double-submit of a value of one's choosing.
        assert_eq!(logout(their_token).await.unwrap().status(), 403);
        assert_eq!(logout("ab".repeat(32)).await.unwrap().status(), 403);
        assert_eq!(
            page(mine.clone()).await.unwrap().status(),
            200,
            "still signed in"
        );
        assert_eq!(logout(my_token).await.unwrap().status(), 303);

        // Before a session: the login form's token is bound to the browser's own cookie.
        let login_page = client
            .get(app.url("/connexion"))
            .header("cookie", format!("passerelle_csrf={}", "c".repeat(64)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let anonymous = form_token(&login_page);
        let login = |cookie: String, token: &str| {
            client
                .post(app.url("/connexion"))
                .header("cookie", format!("passerelle_csrf={cookie}"))
                .form(&[
                    ("email", "personne@exemple.fr"),
                    ("password", "pas le bon"),
                    ("csrf", token),
                ])
                .send()
        };
        assert_eq!(
            login("d".repeat(64), &anonymous).await.unwrap().status(),
            403
        );
        assert_eq!(
            login("c".repeat(64), &anonymous).await.unwrap().status(),
            401
        );
        app.finish().await;
    }
}
