//! The web application driven over HTTP, on SQLite and on PostgreSQL.

mod helpers;
// Beside this file, not in tests/ (where each file is a test program of its own).
#[path = "http/privacy.rs"]
mod privacy;
#[path = "http/proxy.rs"]
mod proxy;

use helpers::{TestApp, spawn_all};

#[tokio::test]
async fn the_home_page_shows_the_live_national_counts_in_the_dsfr_shell() {
    for app in spawn_all().await {
        let response = app.get("/").await;
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"<html lang="fr""#));
        assert!(
            html.contains("fr-header") && html.contains("Passerelle") && html.contains("fr-footer")
        );
        let counts = passerelle_store::registry::post::counts_on(
            &app.db,
            passerelle_web::http::clock::paris_today(),
        )
        .await
        .unwrap();
        assert!(counts.total() > 349);
        assert!(
            html.contains(&format!(r#"id="national-posts-count">{}<"#, counts.total())),
            "{}",
            app.backend
        );
        assert!(html.contains(&format!(
            r#"id="gendarmerie-posts-count">{}<"#,
            counts.gendarmerie
        )));
        for number in ["17", "112", "15", "18", "114", "119", "3919", "3977"] {
            assert!(
                html.contains(&format!(r#"href="tel:{number}""#)),
                "emergency number {number}"
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn unknown_pages_get_the_dsfr_404_page() {
    for app in spawn_all().await {
        let response = app.get("/page-qui-nexiste-pas").await;
        assert_eq!(response.status(), 404);
        let html = response.text().await.unwrap();
        assert!(html.contains("Page non trouvée") && html.contains("fr-header"));
        assert_eq!(app.get("/assets/x/../../Cargo.toml").await.status(), 404);
        app.finish().await;
    }
}

#[tokio::test]
async fn health_check_answers_while_the_database_does() {
    for app in spawn_all().await {
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 200);
        app.db.close().await;
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 503);
        assert_eq!(
            response.text().await.unwrap(),
            "base de données indisponible"
        );
        app.finish().await;
    }
}

fn with_metrics_token(token: &str) -> passerelle_web::Config {
    passerelle_web::Config {
        metrics_token: passerelle_web::http::metrics::BearerToken::new(token),
        ..passerelle_web::Config::default()
    }
}

const METRICS_TOKEN: &str = "jeton-du-collecteur-prometheus";

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_with_latency_and_pool_usage() {
    for test_db in passerelle_store::testing::all_backends().await {
        let app = TestApp::spawn_with(test_db, with_metrics_token(METRICS_TOKEN)).await;
        app.get("/").await;
        app.get("/nulle-part").await;
        let text = app
            .client
            .get(app.url("/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            text.contains(
                r#"passerelle_http_requests_total{method="GET",route="/",status="200"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"status="404""#));
        assert!(text.contains("passerelle_http_request_duration_seconds_bucket"));
        assert!(text.contains("passerelle_db_pool_connections "));
        // Raw paths never become labels.
        assert!(!text.contains("nulle-part"));
        app.finish().await;
    }
}

#[tokio::test]
async fn metrics_are_never_public() {
    // Without a token, the public listener has no /metrics at all.
    let app = TestApp::spawn(passerelle_store::testing::sqlite().await).await;
    assert_eq!(app.get("/metrics").await.status(), 404);
    let session = app
        .session_for(passerelle_domain::identity::role::Role::Admin)
        .await;
    let signed_in = app
        .client
        .get(app.url("/metrics"))
        .header("cookie", format!("passerelle_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 404, "not even for an administrator");
    // Its own listener (--metrics-listen) serves it, to the private network it listens on.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let metrics = passerelle_web::http::metrics::listener_app(app.state.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, metrics).await;
    });
    let scraped = app
        .client
        .get(format!("http://{address}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(
        scraped
            .text()
            .await
            .unwrap()
            .contains("passerelle_http_requests_total")
    );
    assert_eq!(
        app.client
            .get(format!("http://{address}/"))
            .send()
            .await
            .unwrap()
            .status(),
        404,
        "the metrics listener serves nothing else"
    );
    server.abort();
    app.finish().await;

    // With a token, the public listener answers only to whoever presents it.
    let app = TestApp::spawn_with(
        passerelle_store::testing::sqlite().await,
        with_metrics_token(METRICS_TOKEN),
    )
    .await;
    let without = app.get("/metrics").await;
    assert_eq!(without.status(), 401);
    assert_eq!(without.headers()["www-authenticate"], "Bearer");
    for wrong in ["jeton-du-collecteur-prometheuX", "jeton", ""] {
        let response = app
            .client
            .get(app.url("/metrics"))
            .bearer_auth(wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{wrong}");
    }
    let with = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 200);
    app.finish().await;
    assert!(
        passerelle_web::http::metrics::BearerToken::new("court").is_none(),
        "a guessable token is refused"
    );
}

#[tokio::test]
async fn assets_are_cached_for_a_year_under_their_version() {
    let app = TestApp::spawn(passerelle_store::testing::sqlite().await).await;
    let html = app.get("/").await.text().await.unwrap();
    let stylesheet = html
        .split('"')
        .find(|part| part.ends_with("dsfr.min.css"))
        .expect("DSFR stylesheet linked")
        .to_string();
    let response = app.get(&stylesheet).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/css");
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let stale = stylesheet.replacen(passerelle_web::http::assets::version(), "0ld", 1);
    assert_eq!(app.get(&stale).await.headers()["cache-control"], "no-cache");
    app.finish().await;
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_security_headers() {
    let app = TestApp::spawn(passerelle_store::testing::sqlite().await).await;
    let response = app.get("/").await;
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36);
    assert!(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let echoed = app
        .client
        .get(app.url("/"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");
    app.finish().await;
}
