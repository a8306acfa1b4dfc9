//! The web application driven over HTTP, on SQLite and on PostgreSQL.

mod helpers;

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
        let counts =
            passerelle_store::post::counts_on(&app.db, passerelle_web::clock::paris_today())
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

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_with_latency_and_pool_usage() {
    for app in spawn_all().await {
        app.get("/").await;
        app.get("/nulle-part").await;
        let text = app.get("/metrics").await.text().await.unwrap();
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
    let stale = stylesheet.replacen(passerelle_web::assets::version(), "0ld", 1);
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
