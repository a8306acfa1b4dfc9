//! The server's check of the published statistics: equal to a recount after the demo, and a
//! drifted cell raised on the metrics gauge, on both backends.

mod helpers;

use helpers::spawn_all;

#[tokio::test]
async fn a_drifted_statistics_cell_is_raised_by_the_servers_check() {
    for app in spawn_all().await {
        app.case_for(true).await;
        let gauge = |app: &helpers::TestApp| {
            app.state
                .metrics
                .encode(1, 0)
                .lines()
                .find(|l| l.starts_with("passerelle_statistics_differing_cells "))
                .map(str::to_string)
        };
        let differing = passerelle_web::statistics::check::verify_once(&app.state)
            .await
            .unwrap();
        assert_eq!(
            differing, 0,
            "{}: the demo's figures are exact",
            app.backend
        );
        assert_eq!(
            gauge(&app).as_deref(),
            Some("passerelle_statistics_differing_cells 0")
        );
        let (cells,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM activity_rollups")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert!(cells > 0, "{}: a referral was counted", app.backend);
        sqlx::query("UPDATE activity_rollups SET count = count + 3 WHERE indicator = 'referrals' AND dimension = 'total'")
            .execute(app.db.pool())
            .await
            .unwrap();
        let differing = passerelle_web::statistics::check::verify_once(&app.state)
            .await
            .unwrap();
        assert!(differing >= 1, "{}: the drift is found", app.backend);
        assert_eq!(
            gauge(&app),
            Some(format!("passerelle_statistics_differing_cells {differing}"))
        );
        app.finish().await;
    }
}
