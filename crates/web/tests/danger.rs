//! The danger grid's result on a domestic violence referral, over HTTP on both backends:
//! refused in French naming the field when its combination is not valid (nothing written),
//! sealed with the facts, shown on the case page under a journaled read, ranked before every
//! urgency in the inbox and « Aujourd'hui », and counted by the statistics.

mod helpers;

use helpers::spawn_all;
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

async fn send(
    app: &helpers::TestApp,
    who: Role,
    method: Method,
    path: &str,
    pairs: &[(&str, &str)],
) -> (u16, String) {
    let fields: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let response = app.send_as(Some(who), method, path, &fields).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.replace("&#x27;", "'").replace("&#39;", "'"))
}

async fn scalar(app: &helpers::TestApp, sql: &str, bind: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(bind)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

fn referral<'a>(urgency: &'a str, danger: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("consent", "yes"),
        ("urgency", urgency),
        ("source", "intervention"),
        ("category", "domestic_violence"),
        ("context", "Dispute au domicile, voisins inquiets"),
        ("person_1_role", "victim"),
        ("person_1_last_name", "Quillivic"),
        ("person_1_first_name", "Nolwenn"),
        ("person_1_phone", ""),
    ];
    form.extend_from_slice(danger);
    form
}

async fn newest_case(app: &helpers::TestApp) -> String {
    let (id,): (String,) =
        sqlx::query_as("SELECT id FROM cases ORDER BY created_at DESC, id DESC LIMIT 1")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    id
}

const DANGER_REFERRALS: &str = "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM activity_rollups WHERE indicator = 'referrals' AND dimension = 'danger_grid' AND value = $1";

#[tokio::test]
async fn the_danger_grid_is_checked_sealed_shown_ranked_first_and_counted() {
    for app in spawn_all().await {
        let cases = "SELECT COUNT(*) FROM cases WHERE post_id <> $1";
        let before = scalar(&app, cases, "").await;
        // Refused, each naming its field, nothing written.
        for (danger, expected) in [
            (
                vec![
                    ("danger_filled", "no"),
                    ("danger_conclusion", "characterised"),
                ],
                "Conclusion de la grille : seulement si la grille a été remplie",
            ),
            (
                vec![
                    ("danger_filled", "yes"),
                    ("danger_conclusion", "characterised"),
                    ("danger_criteria", "30"),
                ],
                "Critères d'alarme : un nombre entier de 0 à 23",
            ),
            (
                vec![("danger_filled", "yes")],
                "Conclusion de la grille : indiquez si la grille conclut à un danger caractérisé",
            ),
            (
                vec![("danger_criteria", "4")],
                "Grille d'évaluation du danger : indiquez si la grille a été remplie",
            ),
        ] {
            let (status, page) = send(
                &app,
                Role::Officer,
                Method::Post,
                "/signalements",
                &referral("normal", &danger),
            )
            .await;
            assert_eq!(status, 422, "{}", app.backend);
            assert!(page.contains(expected), "{expected} missing: {page}");
            // The grid is given back open, with what was typed.
            assert!(page.contains("id=\"danger-grid\" open"), "{page}");
        }
        assert_eq!(scalar(&app, cases, "").await, before, "nothing written");

        let danger_counted = scalar(&app, DANGER_REFERRALS, "danger").await;
        // An immediate referral without the grid, then a normal one whose grid
        // characterised a danger: the second comes first.
        let (status, _) = send(
            &app,
            Role::Officer,
            Method::Post,
            "/signalements",
            &referral("immediate", &[]),
        )
        .await;
        assert_eq!(status, 303);
        let immediate = newest_case(&app).await;
        let (status, _) = send(
            &app,
            Role::Officer,
            Method::Post,
            "/signalements",
            &referral(
                "normal",
                &[
                    ("danger_filled", "yes"),
                    ("danger_conclusion", "characterised"),
                    ("danger_criteria", "7"),
                ],
            ),
        )
        .await;
        assert_eq!(status, 303);
        let danger = newest_case(&app).await;
        assert_ne!(danger, immediate);

        // Sealed: the number of criteria is nowhere in clear; the result's code is.
        let (code, sealed): (Option<String>, Vec<u8>) =
            sqlx::query_as("SELECT danger_grid, danger_assessment_sealed FROM cases WHERE id = $1")
                .bind(&danger)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(code.as_deref(), Some("danger"));
        assert!(!String::from_utf8_lossy(&sealed).contains("characterised:7"));

        // Counted.
        assert_eq!(
            scalar(&app, DANGER_REFERRALS, "danger").await,
            danger_counted + 1
        );

        // The inbox and « Aujourd'hui »: the danger first, shown as such.
        for (path, line_start) in [("/dossiers", "<tr>"), ("/aujourdhui", "<li")] {
            let (status, page) = send(&app, Role::SocialWorker, Method::Get, path, &[]).await;
            assert_eq!(status, 200);
            let at = |case: &str| page.find(&format!("/dossiers/{case}\""));
            let first = at(&danger).unwrap_or_else(|| panic!("{path}: danger case missing"));
            if let Some(second) = at(&immediate) {
                assert!(first < second, "{path}: the danger comes before immediate");
            }
            let line = &page[page[..first].rfind(line_start).unwrap()..first];
            assert!(line.contains("Danger caractérisé"), "{path}: {line}");
        }

        // The case page shows the whole result, under a journaled read.
        let reads =
            "SELECT COUNT(*) FROM journal WHERE action = 'personal_data.read' AND target_id = $1";
        let read_before = scalar(&app, reads, &danger).await;
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/dossiers/{danger}"),
            &[],
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            page.contains("Danger caractérisé — 7 critères d'alarme sur 23"),
            "{page}"
        );
        assert_eq!(scalar(&app, reads, &danger).await, read_before + 1);
        // Another category keeps nothing of the grid, whatever was sent.
        let mut housing = referral(
            "normal",
            &[
                ("danger_filled", "yes"),
                ("danger_conclusion", "characterised"),
            ],
        );
        housing.retain(|(key, _)| *key != "category");
        housing.push(("category", "housing"));
        let (status, _) = send(&app, Role::Officer, Method::Post, "/signalements", &housing).await;
        assert_eq!(status, 303);
        let other = newest_case(&app).await;
        let (code,): (Option<String>,) =
            sqlx::query_as("SELECT danger_grid FROM cases WHERE id = $1")
                .bind(&other)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(code, None);
    }
}
