//! The activity dashboard over HTTP on both backends: exact counts for the post's social
//! workers, small cells suppressed for the employer, the département and the nation, none for
//! the officer; bad periods refused in French.

mod helpers;

use helpers::{TestApp, libreoffice_sheets, pdf_text, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

async fn page(app: &TestApp, who: Role, path: &str) -> (u16, String) {
    let response = app.send_as(Some(who), Method::Get, path, &[]).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.replace("&lt;", "<").replace("&#60;", "<"))
}

/// The cells of a table's row, as shown.
fn row(page: &str, table: &str, label: &str) -> Vec<String> {
    let table = &page[page.find(&format!("id=\"{table}\"")).expect(table)..];
    let start = table
        .find(&format!("<th scope=\"row\">{label}</th>"))
        .unwrap_or_else(|| panic!("row {label} in {table}"));
    let line = &table[start..table[start..].find("</tr>").unwrap() + start];
    line.split("<td>")
        .skip(1)
        .map(|cell| cell[..cell.find("</td>").unwrap()].to_string())
        .collect()
}

/// The value of a headline tile, as printed.
fn tile(page: &str, id: &str) -> String {
    let tile = &page[page.find(&format!("id=\"{id}\"")).expect(id)..];
    let value = &tile[tile.find("statistics-tile__value\">").unwrap() + 24..];
    value[..value.find("</span>").unwrap()].to_string()
}

/// The cells of a one-row table.
fn row_cells(page: &str, table: &str) -> Vec<String> {
    let table = &page[page.find(&format!("id=\"{table}\"")).expect(table)..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<td>")
        .skip(1)
        .map(|cell| cell[..cell.find("</td>").unwrap()].to_string())
        .collect()
}

#[tokio::test]
async fn the_post_sees_exact_counts_and_wider_scopes_see_small_cells_suppressed() {
    for app in spawn_all().await {
        let mut cases = Vec::new();
        for _ in 0..3 {
            cases.push(app.case_for(true).await);
        }
        // Two are contacted the day they came: the delay is measured on them.
        for case in &cases[..2] {
            let response = app
                .send_as(
                    Some(Role::SocialWorker),
                    Method::Post,
                    &format!("/dossiers/{case}/statut"),
                    &[
                        ("status".into(), "contact_attempted".into()),
                        ("outcome".into(), String::new()),
                    ],
                )
                .await;
            assert_eq!(response.status().as_u16(), 303);
        }
        let month = passerelle_web::http::clock::paris_today().month() as usize;
        let quarter = (month - 1) / 3;
        let (status, worker) = page(&app, Role::SocialWorker, "/statistiques").await;
        assert_eq!(status, 200);
        let referrals = row(&worker, "table-activite", "Signalements");
        assert_eq!(referrals[month - 1], "3", "{} — {referrals:?}", app.backend);
        assert_eq!(referrals[12], "3", "the year's total");
        assert!(!worker.contains("Secret statistique"));
        assert!(
            !worker.contains("table-zones"),
            "one post: no breakdown by zone"
        );
        let delay = row_cells(&worker, "table-delai");
        assert_eq!(delay, ["2", "0 j", "0 j"], "{}", app.backend);
        let categories = row(&worker, "table-motifs", "Violences conjugales");
        assert_eq!(categories[4], "3");
        // Each breakdown of the referrals totals them.
        for table in [
            "table-origines",
            "table-urgences",
            "table-penal",
            "table-danger",
        ] {
            assert_eq!(row(&worker, table, "Total")[4], "3", "{table}");
        }
        assert_eq!(row(&worker, "table-issues", "Total")[4], "0");

        for role in [Role::Employer, Role::Prevention, Role::National] {
            let (status, shown) = page(&app, role, "/statistiques").await;
            assert_eq!(status, 200, "{role:?}");
            assert!(shown.contains("Secret statistique"), "{role:?}");
            let referrals = row(&shown, "table-activite", "Signalements");
            // Published by quarter: every published table repeats the same totals, hidden alike.
            assert_eq!(referrals.len(), 5, "four quarters and the year");
            for table in [
                "table-origines",
                "table-urgences",
                "table-penal",
                "table-danger",
                "table-zones",
                "table-employeurs",
            ] {
                assert_eq!(
                    row(&shown, table, "Total"),
                    referrals,
                    "{role:?}: the referrals of {table} total what the activity table shows"
                );
            }
            // The three referrals came from one post: its zone's line is as small.
            let zone_lines: Vec<Vec<String>> = [
                "Zone police",
                "Zone gendarmerie",
                "Mixte police-gendarmerie",
            ]
            .iter()
            .map(|zone| row(&shown, "table-zones", zone))
            .collect();
            assert!(
                zone_lines
                    .iter()
                    .all(|line| !line.contains(&"3".to_string())),
                "{role:?} {zone_lines:?}"
            );
            assert_eq!(referrals[quarter], "s", "{role:?} {referrals:?}");
            assert_eq!(referrals[4], "s", "{role:?}: the total would give it away");
            // Whatever is published, the 3 cannot be recovered from this row.
            assert!(
                !referrals.iter().any(|cell| cell == "3"),
                "{role:?} {referrals:?}"
            );
            assert_eq!(
                row_cells(&shown, "table-delai"),
                ["s", "—", "—"],
                "{role:?}"
            );
            // The activity's rows count different things: no « Total » row adds them up.
            let activity = &shown[shown.find("id=\"table-activite\"").unwrap()..];
            let activity = &activity[..activity.find("</table>").unwrap()];
            assert!(
                !activity.contains("<th scope=\"row\">Total</th>"),
                "{role:?} {activity}"
            );
        }
        // The CSV exports hold the same cells: `;`, UTF-8 byte-order mark, suppressed alike.
        let csv = |who: Role| {
            let app = &app;
            async move {
                let response = app
                    .send_as(Some(who), Method::Get, "/statistiques/activite.csv", &[])
                    .await;
                assert_eq!(response.status().as_u16(), 200);
                String::from_utf8(response.bytes().await.unwrap().to_vec()).unwrap()
            }
        };
        let exact = csv(Role::SocialWorker).await;
        assert!(exact.starts_with('\u{feff}'), "byte-order mark");
        let line = exact
            .lines()
            .find(|l| l.starts_with("Signalements;"))
            .unwrap();
        assert_eq!(line.split(';').nth(month).unwrap(), "3", "{line}");
        let published = csv(Role::Prevention).await;
        let line = published
            .lines()
            .find(|l| l.starts_with("Signalements;"))
            .unwrap();
        assert_eq!(line.split(';').nth(quarter + 1).unwrap(), "s", "{line}");
        assert!(!line.split(';').any(|cell| cell == "3"), "{line}");
        assert_eq!(
            app.send_as(
                Some(Role::SocialWorker),
                Method::Get,
                "/statistiques/inconnu.csv",
                &[]
            )
            .await
            .status()
            .as_u16(),
            404
        );
        // The public observatory: the nation, suppressed, without logging in.
        let public = app.get("/observatoire").await;
        assert_eq!(public.status().as_u16(), 200);
        let public = public
            .text()
            .await
            .unwrap()
            .replace("&#60;", "<")
            .replace("&lt;", "<");
        let referrals = row(&public, "table-activite", "Signalements");
        assert_eq!(referrals[quarter], "s", "{referrals:?}");
        assert!(!referrals.iter().any(|cell| cell == "3"));
        assert!(
            !public.contains("/statistiques/activite.csv"),
            "no export link for the public"
        );
        // The JSON API says the same, and its OpenAPI document describes it.
        let json = |response: reqwest::Response| async move {
            assert_eq!(response.status().as_u16(), 200);
            response.json::<serde_json::Value>().await.unwrap()
        };
        let activity_cell = |figures: &serde_json::Value, column: usize| {
            let table = figures["tableaux"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["id"] == "activite")
                .unwrap()
                .clone();
            let line = table["lignes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["libelle"] == "Signalements")
                .unwrap()
                .clone();
            line["valeurs"][column].clone()
        };
        let public = json(app.get("/api/observatoire").await).await;
        assert_eq!(public["secret_statistique"], true);
        assert_eq!(
            activity_cell(&public, quarter),
            serde_json::json!({ "secret": "secret_statistique" })
        );
        let own = json(
            app.send_as(
                Some(Role::SocialWorker),
                Method::Get,
                "/api/statistiques",
                &[],
            )
            .await,
        )
        .await;
        assert_eq!(
            activity_cell(&own, month - 1),
            serde_json::json!({ "effectif": 3 })
        );
        let openapi = json(app.get("/api/openapi.json").await).await;
        assert_eq!(openapi["openapi"], "3.1.0");
        for path in ["/api/observatoire", "/api/statistiques"] {
            assert!(
                openapi["paths"][path]["get"].is_object(),
                "{path} documented"
            );
        }
        let bad = app.get("/api/observatoire?annee=abc").await;
        assert_eq!(bad.status().as_u16(), 400);
        // The annual report: the same figures, as PDF.
        let report = |who: Role| {
            let app = &app;
            async move {
                let response = app
                    .send_as(Some(who), Method::Get, "/statistiques/rapport.pdf", &[])
                    .await;
                assert_eq!(response.status().as_u16(), 200);
                let bytes = response.bytes().await.unwrap();
                std::fs::write(format!("/tmp/rapport-{who:?}.pdf"), &bytes).ok();
                pdf_text(&bytes).replace('’', "'")
            }
        };
        let exact = report(Role::SocialWorker).await;
        let year = passerelle_web::http::clock::paris_today().year();
        assert!(
            exact.contains(&format!("Rapport d'activité {year}")),
            "{exact}"
        );
        let summary = exact.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            summary.contains("3 signalements reçus") || summary.contains("3 3"),
            "{summary}"
        );
        assert!(!exact.contains("Secret statistique"));
        let published = report(Role::Prevention).await;
        assert!(published.contains("Secret statistique"), "{published}");
        assert!(!published.contains("< 5"), "{published}");
        // The map of the posts, the scope's département outlined; the nation's outlines none.
        let flat = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        for text in [&exact, &published] {
            assert!(flat(text).contains("Carte des postes"), "{text}");
            assert!(
                flat(text).contains("entouré en rouge : le département"),
                "{text}"
            );
        }
        let national = flat(&report(Role::National).await);
        assert!(national.contains("Postes d'intervenant social par département"));
        assert!(!national.contains("entouré en rouge"));
        for role in [Role::Officer, Role::Admin] {
            assert_eq!(page(&app, role, "/statistiques").await.0, 403, "{role:?}");
        }
        for bad in ["1999", "20x6", "3000"] {
            let (status, body) = page(
                &app,
                Role::SocialWorker,
                &format!("/statistiques?annee={bad}"),
            )
            .await;
            assert_eq!(status, 400, "{bad}");
            assert!(body.contains("Filtre « année »"), "{body}");
        }
        app.finish().await;
    }
}

/// Identifies a person in a case through its form (a new person, or one already known).
async fn add_person(app: &TestApp, case: &str, fields: &[(&str, &str)]) {
    let mut form: Vec<(String, String)> = vec![("role".into(), "victim".into())];
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let response = app
        .send_as(
            Some(Role::SocialWorker),
            Method::Post,
            &format!("/dossiers/{case}/personnes"),
            &form,
        )
        .await;
    assert_eq!(response.status().as_u16(), 303, "{fields:?}");
}

#[tokio::test]
async fn persons_count_once_a_year_by_sex_age_and_intake_knowledge_and_returns_count_as_recurrences()
 {
    for app in spawn_all().await {
        let mut cases = vec![app.case_for(true).await, app.case_for(true).await];
        add_person(
            &app,
            &cases[0],
            &[
                ("last_name", "Martin"),
                ("first_names", "Lou"),
                ("sex", "female"),
                ("known", "no"),
                ("birth_date", "01/02/1990"),
                ("decision", "new"),
            ],
        )
        .await;
        add_person(
            &app,
            &cases[1],
            &[
                ("last_name", "Bernard"),
                ("first_names", "Noé"),
                ("sex", "male"),
                ("known", "yes"),
                ("decision", "new"),
            ],
        )
        .await;
        // Lou's case closes; she comes back in the third case, the same year.
        let response = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Post,
                &format!("/dossiers/{}/statut", cases[0]),
                &[
                    ("status".into(), "closed".into()),
                    ("outcome".into(), "resolved".into()),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 303);
        cases.push(app.case_for(true).await);
        let (lou,): (String,) = sqlx::query_as(
            "SELECT person_id FROM case_persons WHERE case_id = $1 AND person_id IS NOT NULL",
        )
        .bind(&cases[0])
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        add_person(
            &app,
            &cases[2],
            &[
                ("last_name", "Martin"),
                ("first_names", "Lou"),
                ("decision", lou.as_str()),
            ],
        )
        .await;

        let (_, worker) = page(&app, Role::SocialWorker, "/statistiques").await;
        let total = |page: &str, table: &str, label: &str| row(page, table, label)[4].clone();
        assert_eq!(
            total(&worker, "table-personnes-sexe", "Femme"),
            "1",
            "{}",
            app.backend
        );
        assert_eq!(total(&worker, "table-personnes-sexe", "Homme"), "1");
        assert_eq!(
            total(&worker, "table-personnes-sexe", "Total"),
            "2",
            "Lou counts once in the year, whatever her cases"
        );
        assert_eq!(total(&worker, "table-personnes-age", "25–59"), "1");
        assert_eq!(total(&worker, "table-personnes-age", "Non renseigné"), "1");
        assert_eq!(total(&worker, "table-personnes-connues", "Non"), "1");
        assert_eq!(total(&worker, "table-recidives", "Dans les 6 mois"), "1");
        assert_eq!(tile(&worker, "tile-personnes"), "2", "{}", app.backend);
        assert_eq!(tile(&worker, "tile-inconnues"), "50,0\u{202f}%");
        // Outside the post, the same small numbers are secret, and so is the share.
        let (_, published) = page(&app, Role::Prevention, "/statistiques").await;
        assert_eq!(total(&published, "table-personnes-sexe", "Total"), "s");
        assert!(!row(&published, "table-personnes-sexe", "Femme").contains(&"1".to_string()));
        assert_eq!(total(&published, "table-recidives", "Total"), "s");
        assert_eq!(tile(&published, "tile-inconnues"), "—");
        let public = app
            .get("/api/observatoire")
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(public["part_inconnues_des_services_sociaux"], "—");
        assert!(
            public["tableaux"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["id"] == "recidives")
        );
        app.finish().await;
    }
}

/// The line of `label` in a sheet saved as CSV by LibreOffice, without its label.
fn sheet_line(sheet: &str, label: &str) -> Vec<String> {
    let line = sheet
        .lines()
        .find(|l| l.starts_with(&format!("{label};")))
        .unwrap_or_else(|| panic!("{label} in {sheet}"));
    line.split(';')
        .skip(1)
        .map(|cell| cell.trim_matches('"').to_string())
        .collect()
}

#[tokio::test]
async fn every_table_downloads_as_xlsx_and_ods_that_libreoffice_opens_with_the_dashboards_cells() {
    for app in spawn_all().await {
        for _ in 0..3 {
            app.case_for(true).await;
        }
        for who in [Role::SocialWorker, Role::Prevention] {
            let (_, dashboard) = page(&app, who, "/statistiques").await;
            assert!(dashboard.contains("/statistiques/tableaux.xlsx"));
            for (extension, content_type) in [
                (
                    "xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
            ] {
                let response = app
                    .send_as(
                        Some(who),
                        Method::Get,
                        &format!("/statistiques/tableaux.{extension}"),
                        &[],
                    )
                    .await;
                assert_eq!(response.status().as_u16(), 200, "{who:?} {extension}");
                assert_eq!(response.headers()["content-type"], content_type);
                let sheets = libreoffice_sheets(&response.bytes().await.unwrap(), extension);
                for (sheet, table, label) in [
                    ("activite", "table-activite", "Signalements"),
                    ("activite", "table-activite", "Entretiens"),
                    ("motifs", "table-motifs", "Violences conjugales"),
                    ("motifs", "table-motifs", "Total"),
                ] {
                    let opened = sheets
                        .get(sheet)
                        .unwrap_or_else(|| panic!("sheet {sheet} in {:?}", sheets.keys()));
                    assert_eq!(
                        sheet_line(opened, label),
                        row(&dashboard, table, label),
                        "{} {who:?} {extension} {sheet} {label}",
                        app.backend
                    );
                }
            }
        }
        app.finish().await;
    }
}

async fn legacy_rows(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM legacy_activity")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

async fn upload_grid(app: &TestApp, who: Role, name: &str, bytes: &[u8]) -> (u16, String) {
    let session = app.session_for(who).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", helpers::CSRF)
        .part(
            "fichier",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    let response = reqwest::Client::new()
        .post(app.url("/statistiques/historique"))
        .header(
            "cookie",
            format!(
                "passerelle_csrf={}; passerelle_session={session}",
                helpers::CSRF
            ),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        text.replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&#60;", "<"),
    )
}

#[tokio::test]
async fn the_years_before_passerelle_are_imported_whole_or_not_at_all_and_shown_apart() {
    for app in spawn_all().await {
        // Wrong: a year that is not one, an unknown line, a count that is not a number.
        let wrong =
            "\u{feff}Indicateur;2019;deux mille\nSaisines;212;3\nAppels;4;5\nEntretiens;x;2\n";
        let (status, answer) =
            upload_grid(&app, Role::SocialWorker, "ancien.csv", wrong.as_bytes()).await;
        assert_eq!(status, 422, "{answer}");
        for expected in [
            "« deux mille »",
            "ligne 3",
            "« Appels »",
            "ligne 4, colonne « 2019 »",
        ] {
            assert!(answer.contains(expected), "{expected}: {answer}");
        }
        assert_eq!(legacy_rows(&app).await, 0, "nothing is written");

        // A year Passerelle already computes for the post is refused.
        app.case_for(true).await;
        let this_year = passerelle_web::http::clock::paris_today().year();
        let overlap = format!("Indicateur;{}\nSaisines;10\n", this_year - 1);
        let rolled: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM activity_rollups")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert!(rolled.0 > 0);
        sqlx::query("UPDATE activity_rollups SET month = $1 WHERE month = $2")
            .bind(format!("{}-06", this_year - 1))
            .bind(format!(
                "{this_year}-{:02}",
                passerelle_web::http::clock::paris_today().month() as u8
            ))
            .execute(app.db.pool())
            .await
            .unwrap();
        let (status, answer) =
            upload_grid(&app, Role::SocialWorker, "ancien.csv", overlap.as_bytes()).await;
        assert_eq!(status, 422);
        assert!(
            answer.contains("Passerelle calcule déjà cette année"),
            "{answer}"
        );
        assert_eq!(legacy_rows(&app).await, 0);

        let good = "Indicateur;2019;2020\nSaisines;212;240\nEntretiens;380;\nOrientations;3;7\n";
        let (status, answer) =
            upload_grid(&app, Role::SocialWorker, "ancien.csv", good.as_bytes()).await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer.contains("5 chiffres importés"), "{answer}");
        assert_eq!(legacy_rows(&app).await, 5);

        let (_, worker) = page(&app, Role::SocialWorker, "/statistiques").await;
        let signalements = row(&worker, "table-historique", "Signalements");
        assert_eq!(signalements, ["212", "240", "452"]);
        assert!(worker.contains("Chiffres déclarés, non calculés par Passerelle"));
        assert!(worker.contains("« ancien.csv »"));
        // Outside the post, the small declared counts are suppressed like the computed ones.
        let (_, prevention) = page(&app, Role::Prevention, "/statistiques").await;
        let orientations = row(&prevention, "table-historique", "Orientations");
        assert_eq!(orientations[0], "s", "{orientations:?}");
        // Only the post's social worker imports.
        let (status, _) = upload_grid(&app, Role::Employer, "ancien.csv", good.as_bytes()).await;
        assert_eq!(status, 403);
        app.finish().await;
    }
}

/// The tables of a page but the filtered one, as shown.
fn tables_but_filtered(page: &str) -> Vec<String> {
    page.split("<table id=\"")
        .skip(1)
        .filter(|table| !table.starts_with("table-activite-filtree"))
        .map(|table| table[..table.find("</table>").unwrap()].to_string())
        .collect()
}

#[tokio::test]
async fn the_activity_narrows_to_a_category_or_to_the_posts_of_a_zone_and_hides_what_the_whole_hides()
 {
    for app in spawn_all().await {
        for _ in 0..6 {
            app.case_for(true).await;
        }
        let month = passerelle_web::http::clock::paris_today().month() as usize;

        // The post: exact, by month; only categories to choose from.
        let (status, worker) = page(
            &app,
            Role::SocialWorker,
            "/statistiques?filtre=motif:domestic_violence",
        )
        .await;
        assert_eq!(status, 200, "{}", app.backend);
        let filtered = row(&worker, "table-activite-filtree", "Signalements");
        assert_eq!(filtered[month - 1], "6", "{} {filtered:?}", app.backend);
        assert_eq!(filtered[12], "6");
        assert!(worker.contains("motif « Violences conjugales »"));
        assert!(
            !worker.contains("value=\"zone:"),
            "one post: no zone to choose"
        );
        let (_, other) = page(
            &app,
            Role::SocialWorker,
            "/statistiques?filtre=motif:neighbour_conflict",
        )
        .await;
        assert_eq!(
            row(&other, "table-activite-filtree", "Signalements")[12],
            "0"
        );
        let (_, whole) = page(&app, Role::SocialWorker, "/statistiques").await;
        assert!(!whole.contains("table-activite-filtree"));
        assert_eq!(
            tables_but_filtered(&worker),
            tables_but_filtered(&whole),
            "the other tables are the whole activity's"
        );
        // The filter follows the downloads.
        let csv = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Get,
                "/statistiques/activite-filtree.csv?filtre=motif%3Adomestic_violence",
                &[],
            )
            .await;
        assert_eq!(csv.status().as_u16(), 200);
        let csv = csv.text().await.unwrap();
        assert!(csv.contains("Signalements;"), "{csv}");
        assert!(worker.contains("rapport.pdf?annee="), "{}", app.backend);
        assert!(worker.contains("filtre=motif%3Adomestic_violence"));

        // Published: every zone's line of every indicator is suppressed with the whole, so the
        // filtered table shows the zone's line of the referrals' table by zone, and nothing
        // else on the page changes.
        for role in [Role::Prevention, Role::National] {
            let (_, whole) = page(&app, role, "/statistiques").await;
            let zones = ["police", "gendarmerie", "mixed"];
            let labels = [
                "Zone police",
                "Zone gendarmerie",
                "Mixte police-gendarmerie",
            ];
            for (zone, label) in zones.iter().zip(labels) {
                let (status, narrowed) =
                    page(&app, role, &format!("/statistiques?filtre=zone:{zone}")).await;
                assert_eq!(status, 200, "{role:?} {zone}");
                assert_eq!(
                    row(&narrowed, "table-activite-filtree", "Signalements"),
                    row(&whole, "table-zones", label),
                    "{role:?} {zone}"
                );
                assert_eq!(tables_but_filtered(&narrowed), tables_but_filtered(&whole));
                for line in ["Clôtures", "Entretiens", "Actions", "Orientations"] {
                    let cells = row(&narrowed, "table-activite-filtree", line);
                    assert_eq!(cells.len(), 5, "{role:?} {zone} {line}: quarters and total");
                }
            }
            let (status, by_category) =
                page(&app, role, "/statistiques?filtre=motif:domestic_violence").await;
            assert_eq!(status, 200);
            assert_eq!(
                row(&by_category, "table-activite-filtree", "Signalements"),
                row(&whole, "table-motifs", "Violences conjugales"),
                "{role:?}: the same line as the table by category, hidden alike"
            );
        }

        // Bad filters are named in French, for every scope.
        for (role, filter) in [
            (Role::SocialWorker, "zone:police"),
            (Role::SocialWorker, "motif:inconnu"),
            (Role::Prevention, "employeur:banque"),
            (Role::Prevention, "n'importe-quoi"),
        ] {
            let (status, text) = page(&app, role, &format!("/statistiques?filtre={filter}")).await;
            assert_eq!(status, 400, "{role:?} {filter}");
            assert!(text.contains("Filtre « "), "{role:?} {filter}");
        }
        let (status, _) = page(&app, Role::Prevention, "/api/observatoire?filtre=zone:lune").await;
        assert_eq!(status, 400);
        app.finish().await;
    }
}

/// The cells of a table's row as marked up, `<td…>…</td>` whole: a class, a label or a title
/// that told one hidden cell from another would show here.
fn row_markup(page: &str, table: &str, label: &str) -> Vec<String> {
    let table = &page[page.find(&format!("id=\"{table}\"")).expect(table)..];
    let start = table
        .find(&format!("<th scope=\"row\">{label}</th>"))
        .unwrap_or_else(|| panic!("row {label} in {table}"));
    let line = &table[start..table[start..].find("</tr>").unwrap() + start];
    line.split("<td")
        .skip(1)
        .map(|cell| {
            format!(
                "<td{}",
                &cell[..cell.find("</td>").unwrap() + "</td>".len()]
            )
        })
        .collect()
}

/// What the former publication printed for a small count, in any of its spellings (a PDF's
/// text reads « < 5 » as « <5 »), and the API's two former values.
const FORMER_SIGNS: [&str; 6] = ["< 5", "<5", "&lt; 5", "&lt;5", "moins_de_5", "\"masque\""];

fn no_former_sign(what: &str, text: &str) {
    for sign in FORMER_SIGNS {
        assert!(!text.contains(sign), "{what} prints « {sign} »: {text}");
    }
}

/// The cells of a line of `pdftotext -layout`, without its label.
fn pdf_cells(text: &str, label: &str) -> Vec<String> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("{label} in {text}"));
    line.trim_start()[label.len()..]
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// This quarter, six referrals for domestic violence and two for addictions: outside the
/// post the two are secret (from 1 to 4), and the six are hidden to protect them (the
/// category's total would give the two away). Returns the quarter.
async fn small_and_masked(app: &TestApp) -> usize {
    for _ in 0..6 {
        app.case_with_categories(&["domestic_violence"]).await;
    }
    for _ in 0..2 {
        app.case_with_categories(&["addiction"]).await;
    }
    let quarter = (passerelle_web::http::clock::paris_today().month() as usize - 1) / 3;
    let (_, worker) = page(app, Role::SocialWorker, "/statistiques").await;
    assert_eq!(row(&worker, "table-motifs", MASKED_ROW)[quarter], "6");
    assert_eq!(row(&worker, "table-motifs", SMALL_ROW)[quarter], "2");
    quarter
}

/// The rows of `small_and_masked` in the table by category.
const MASKED_ROW: &str = "Violences conjugales";
const SMALL_ROW: &str = "Addictions";
const LEGEND_START: &str = "Secret statistique : « s » remplace un effectif de 1 à 4";

#[tokio::test]
async fn a_small_cell_and_the_cell_masked_to_protect_it_print_alike_on_the_pages_and_the_chart() {
    for app in spawn_all().await {
        let quarter = small_and_masked(&app).await;
        for (who, path) in [
            (Some(Role::Prevention), "/statistiques"),
            (Some(Role::National), "/statistiques"),
            (None, "/observatoire"),
        ] {
            let shown = match who {
                Some(role) => page(&app, role, path).await.1,
                None => app.get(path).await.text().await.unwrap(),
            };
            // The markup whole: no class, label or title tells them apart.
            let small = row_markup(&shown, "table-motifs", SMALL_ROW);
            let masked = row_markup(&shown, "table-motifs", MASKED_ROW);
            assert_eq!(small[quarter], "<td>s</td>", "{who:?} {}", app.backend);
            assert_eq!(small[4], "<td>s</td>", "{who:?}: the year's total");
            assert_eq!(masked, small, "{who:?}: the six print as the two do");
            assert!(shown.contains(LEGEND_START), "{who:?}: the legend");
            no_former_sign(path, &shown);
        }
        // The chart narrowed to either category: the same bars, the same labels.
        let chart = |filter: &'static str| {
            let app = &app;
            async move {
                let (_, shown) = page(
                    app,
                    Role::Prevention,
                    &format!("/statistiques?filtre=motif:{filter}"),
                )
                .await;
                let svg = &shown[shown.find("<svg id=\"chart-activite-filtree\"").unwrap()..];
                let drawn = &svg[svg.find("</title>").unwrap()..svg.find("</svg>").unwrap()];
                assert!(drawn.contains(">s</text>"), "{filter}: {drawn}");
                drawn.to_string()
            }
        };
        assert_eq!(chart("domestic_violence").await, chart("addiction").await);
        app.finish().await;
    }
}

#[tokio::test]
async fn every_csv_file_prints_a_small_cell_and_the_cell_masked_to_protect_it_alike() {
    for app in spawn_all().await {
        let quarter = small_and_masked(&app).await;
        let (_, published) = page(&app, Role::Prevention, "/statistiques").await;
        let ids: Vec<&str> = published
            .split("<table id=\"table-")
            .skip(1)
            .map(|t| &t[..t.find('"').unwrap()])
            .filter(|id| *id != "delai")
            .collect();
        assert!(ids.contains(&"motifs"), "{ids:?}");
        for id in ids {
            let response = app
                .send_as(
                    Some(Role::Prevention),
                    Method::Get,
                    &format!("/statistiques/{id}.csv"),
                    &[],
                )
                .await;
            assert_eq!(response.status().as_u16(), 200, "{id}");
            let csv = response.text().await.unwrap();
            no_former_sign(id, &csv);
            // Quoted: the legend holds a « ; ».
            let last = csv.lines().last().unwrap().trim_start_matches('"');
            assert!(last.starts_with(LEGEND_START), "{id}: {csv}");
            if id == "motifs" {
                let cells = |label: &str| sheet_line(&csv, label);
                assert_eq!(cells(SMALL_ROW)[quarter], "s", "{} {csv}", app.backend);
                assert_eq!(cells(MASKED_ROW), cells(SMALL_ROW), "{csv}");
            }
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn the_workbooks_read_back_print_a_small_cell_and_the_cell_masked_to_protect_it_alike() {
    for app in spawn_all().await {
        let quarter = small_and_masked(&app).await;
        for extension in ["xlsx", "ods"] {
            let response = app
                .send_as(
                    Some(Role::Prevention),
                    Method::Get,
                    &format!("/statistiques/tableaux.{extension}"),
                    &[],
                )
                .await;
            let sheets = libreoffice_sheets(&response.bytes().await.unwrap(), extension);
            for (name, sheet) in &sheets {
                no_former_sign(&format!("{extension} {name}"), sheet);
                assert!(sheet.contains(LEGEND_START), "{extension} {name}: {sheet}");
            }
            let motifs = &sheets["motifs"];
            assert_eq!(sheet_line(motifs, SMALL_ROW)[quarter], "s", "{motifs}");
            assert_eq!(
                sheet_line(motifs, MASKED_ROW),
                sheet_line(motifs, SMALL_ROW),
                "{} {extension}",
                app.backend
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn the_annual_report_prints_a_small_cell_and_the_cell_masked_to_protect_it_alike() {
    for app in spawn_all().await {
        let quarter = small_and_masked(&app).await;
        let response = app
            .send_as(
                Some(Role::Prevention),
                Method::Get,
                "/statistiques/rapport.pdf",
                &[],
            )
            .await;
        let report = pdf_text(&response.bytes().await.unwrap());
        no_former_sign("the report", &report);
        let flat = report.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(LEGEND_START), "{report}");
        assert_eq!(pdf_cells(&report, SMALL_ROW)[quarter], "s", "{report}");
        assert_eq!(
            pdf_cells(&report, MASKED_ROW),
            pdf_cells(&report, SMALL_ROW),
            "{} {report}",
            app.backend
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_api_answers_a_small_cell_and_the_cell_masked_to_protect_it_alike() {
    for app in spawn_all().await {
        let quarter = small_and_masked(&app).await;
        let scoped = app
            .send_as(
                Some(Role::Prevention),
                Method::Get,
                "/api/statistiques",
                &[],
            )
            .await;
        let public = app.get("/api/observatoire").await;
        for answer in [scoped, public] {
            let figures: serde_json::Value = answer.json().await.unwrap();
            no_former_sign("the API", &figures.to_string());
            let motifs = figures["tableaux"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["id"] == "motifs")
                .unwrap()
                .clone();
            let values = |label: &str| {
                motifs["lignes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|l| l["libelle"] == label)
                    .unwrap()["valeurs"]
                    .clone()
            };
            assert_eq!(
                values(SMALL_ROW)[quarter],
                serde_json::json!({ "secret": "secret_statistique" }),
                "{}",
                app.backend
            );
            assert_eq!(values(MASKED_ROW), values(SMALL_ROW));
        }
        // Its description allows the one value only, and says the version changed.
        let openapi: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
        let secret = &openapi["components"]["schemas"]["Cell"]["oneOf"][1]["properties"]["secret"];
        assert_eq!(secret["enum"], serde_json::json!(["secret_statistique"]));
        assert_eq!(openapi["info"]["version"], "2");
        app.finish().await;
    }
}
