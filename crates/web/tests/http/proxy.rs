//! Behind a reverse proxy: the client's address comes from the forwarding header only when
//! the proxy is trusted, so the address lockout and the journal see each real client.

use crate::helpers::{CSRF, TestApp};
#[path = "../support/nginx.rs"]
mod nginx;
use nginx::{Nginx, nginx_binary};
use passerelle_domain::identity::role::Role;
use std::net::IpAddr;

fn trusting(proxies: &str) -> passerelle_web::Config {
    passerelle_web::Config {
        trusted_proxies: passerelle_web::http::forwarded::TrustedProxies::parse(
            proxies,
            passerelle_web::http::forwarded::ForwardedHeader::XForwardedFor,
        )
        .unwrap(),
        ..passerelle_web::Config::default()
    }
}

/// Reads a case with forged forwarding headers; returns the address its journal row holds.
async fn address_journaled_for_a_case_read(app: &TestApp) -> Option<String> {
    let case = app.case_for(true).await;
    let session = app.session_for(Role::SocialWorker).await;
    let response = app
        .client
        .get(app.url(&format!("/dossiers/{case}")))
        .header("cookie", format!("passerelle_session={session}"))
        .header("x-forwarded-for", "198.51.100.7")
        .header("forwarded", "for=198.51.100.8")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (ip,): (Option<String>,) =
        sqlx::query_as("SELECT ip FROM journal WHERE target_id = $1 ORDER BY seq DESC LIMIT 1")
            .bind(&case)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    ip
}

#[tokio::test]
async fn a_forwarding_header_counts_only_from_a_trusted_proxy() {
    for test_db in passerelle_store::testing::all_backends().await {
        let app = TestApp::spawn(test_db).await;
        let address = address_journaled_for_a_case_read(&app).await;
        assert_eq!(address.as_deref(), Some("127.0.0.1"), "no proxy trusted");
        app.finish().await;
    }
    let app = TestApp::spawn_with(
        passerelle_store::testing::sqlite().await,
        trusting("10.0.0.0/8, fd00::/8"),
    )
    .await;
    let address = address_journaled_for_a_case_read(&app).await;
    assert_eq!(
        address.as_deref(),
        Some("127.0.0.1"),
        "the peer is not one of them"
    );
    app.finish().await;
    let app = TestApp::spawn_with(
        passerelle_store::testing::sqlite().await,
        trusting("127.0.0.1"),
    )
    .await;
    let address = address_journaled_for_a_case_read(&app).await;
    assert_eq!(
        address.as_deref(),
        Some("198.51.100.7"),
        "the trusted proxy's word"
    );
    app.finish().await;
}

/// A browser on this machine connecting from `address` (any of 127.0.0.0/8 is loopback).
fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(address.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn log_in(client: &reqwest::Client, nginx: &Nginx, email: &str, password: &str) -> u16 {
    client
        .post(nginx.url("/connexion"))
        .header("cookie", format!("passerelle_csrf={CSRF}"))
        .form(&[("email", email), ("password", password), ("csrf", CSRF)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_nginx_failed_logins_are_counted_per_real_client() {
    let Some(binary) = nginx_binary() else {
        eprintln!("nginx absent: test skipped (required under CI)");
        return;
    };
    for test_db in passerelle_store::testing::all_backends().await {
        // nginx connects from 127.0.0.1; the browsers from 127.0.0.2 and 127.0.0.3.
        let app = TestApp::spawn_with(test_db, trusting("127.0.0.1, ::1")).await;
        let nginx = Nginx::start(&binary, &[app.address]);
        let (guesser, colleague) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
        let limit = passerelle_domain::identity::account::ADDRESS_LOCKOUT_THRESHOLD;
        for attempt in 0..limit {
            let email = format!("inconnu-{attempt}@exemple.fr");
            let status = log_in(&guesser, &nginx, &email, "devine").await;
            assert_eq!(status, 401, "attempt {attempt} ({})", app.backend);
        }
        let locked = guesser
            .post(nginx.url("/connexion"))
            .header("cookie", format!("passerelle_csrf={CSRF}"))
            .form(&[
                ("email", "encore@exemple.fr"),
                ("password", "x"),
                ("csrf", CSRF),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(locked.status(), 429);
        assert!(
            locked
                .text()
                .await
                .unwrap()
                .contains(passerelle_web::identity::login::ADDRESS_LOCKED)
        );
        // The colleague at the next workstation, through the same balancer, is not locked out.
        let officer = app.login(Role::Officer).clone();
        let status = log_in(&colleague, &nginx, &officer.email, &officer.password).await;
        assert_eq!(status, 303, "another client logs in ({})", app.backend);
        let (failures_from_guesser,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM journal WHERE action = 'login.failed' AND ip = '127.0.0.2'",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(
            failures_from_guesser, limit,
            "the journal names the real client"
        );
        drop(nginx);
        app.finish().await;
    }
}
