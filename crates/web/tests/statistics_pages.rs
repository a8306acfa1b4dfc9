//! The pages of figures show before they tell, on both backends: headline tiles first (the
//! delay to first contact and the share unknown to social services leading), a table of
//! contents, a chart beside every table, French numbers, no total that adds different
//! things; the observatory compares the years and places the reader's département beside
//! the nation. And the steering's tables: empty ones say so, none twice, every wide table
//! reachable from the keyboard.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_domain::statistics::{TOTAL, indicator};
use passerelle_web::http::route_table::Method;

async fn page(app: &TestApp, who: Option<Role>, path: &str) -> String {
    let response = match who {
        Some(role) => app.send_as(Some(role), Method::Get, path, &[]).await,
        None => app.get(path).await,
    };
    assert_eq!(response.status().as_u16(), 200, "{who:?} {path}");
    response
        .text()
        .await
        .unwrap()
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
}

/// The ids of the elements of `page` whose id starts with `prefix`, in order.
fn ids(page: &str, element: &str, prefix: &str) -> Vec<String> {
    let opening = format!("<{element} id=\"{prefix}");
    page.split(&opening)
        .skip(1)
        .map(|rest| format!("{prefix}{}", &rest[..rest.find('"').unwrap()]))
        .collect()
}

/// The value of a headline tile and what is placed beside it, as printed.
fn tile(page: &str, id: &str) -> (String, Option<String>) {
    let tile = &page[page.find(&format!("id=\"{id}\"")).expect(id)..];
    let tile = &tile[..tile.find("</li>").unwrap()];
    let between = |open: &str, close: &str| {
        tile.find(open).map(|start| {
            let rest = &tile[start + open.len()..];
            rest[..rest.find(close).unwrap()].to_string()
        })
    };
    (
        between("statistics-tile__value\">", "</span>").unwrap(),
        between("fr-tile__detail\">", "</p>"),
    )
}

/// The cells of a table's row, as shown.
fn row(page: &str, table: &str, label: &str) -> Vec<String> {
    let table = &page[page.find(&format!("id=\"{table}\"")).expect(table)..];
    let table = &table[..table.find("</table>").unwrap()];
    let start = table
        .find(&format!("<th scope=\"row\">{label}</th>"))
        .unwrap_or_else(|| panic!("row {label} in {table}"));
    let line = &table[start..table[start..].find("</tr>").unwrap() + start];
    line.split("<td>")
        .skip(1)
        .map(|cell| cell[..cell.find("</td>").unwrap()].to_string())
        .collect()
}

/// What every page of figures opens on and holds, whoever reads it.
fn shows_before_it_tells(page: &str, who: &str) {
    let tiles: Vec<String> = page
        .split(" id=\"tile-")
        .skip(1)
        .map(|rest| format!("tile-{}", &rest[..rest.find('"').unwrap()]))
        .collect();
    assert_eq!(
        tiles[..2],
        ["tile-delai", "tile-inconnues"],
        "{who}: the delay and the share unknown to social services lead"
    );
    assert_eq!(tiles.len(), 8, "{who}: {tiles:?}");
    let summary = page
        .find("class=\"fr-summary")
        .expect("a table of contents");
    let essentiel = page.find("id=\"essentiel\"").unwrap();
    assert!(
        essentiel < page.find("id=\"period-form\"").unwrap() && essentiel < summary,
        "{who}: the tiles come first, under the title"
    );
    assert!(
        summary < page.find("<table").unwrap(),
        "{who}: the table of contents comes before every table"
    );
    // Every link of the table of contents leads somewhere on the page.
    let nav = &page[summary..page[summary..].find("</nav>").unwrap() + summary];
    let anchors: Vec<&str> = nav
        .split("href=\"#")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(anchors.len() >= 6, "{who}: {anchors:?}");
    for anchor in anchors {
        assert!(
            page.contains(&format!("id=\"{anchor}\"")),
            "{who}: #{anchor}"
        );
    }
    // A chart beside every table, drawn as SVG and named.
    let tables = ids(page, "table", "table-");
    assert!(tables.len() > 10, "{who}: {tables:?}");
    for table in &tables {
        let chart = format!("chart-{}", table.trim_start_matches("table-"));
        let svg = &page[page
            .find(&format!("<svg id=\"{chart}\""))
            .unwrap_or_else(|| panic!("{who}: no chart for {table}"))..];
        assert!(
            svg[..svg.find('>').unwrap()].contains(&format!("aria-labelledby=\"{chart}-title\""))
        );
        assert!(
            svg.contains(&format!("<title id=\"{chart}-title\">")),
            "{who}: {chart}"
        );
        assert!(
            page[page.find(&format!("id=\"{table}\"")).unwrap()..]
                .starts_with(&format!("id=\"{table}\" tabindex=\"0\"")),
            "{who}: {table} scrolls from the keyboard"
        );
    }
    assert_eq!(
        ids(page, "svg", "chart-").len(),
        tables.len(),
        "{who}: one chart per table"
    );
    // The activity's rows count different things: no total adds them up.
    let activity = row(page, "table-activite", "Signalements");
    assert!(!activity.is_empty());
    let table = &page[page.find("id=\"table-activite\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(
        !table.contains("<th scope=\"row\">Total</th>"),
        "{who}: {table}"
    );
}

#[tokio::test]
async fn every_dashboard_and_the_observatory_open_on_tiles_a_table_of_contents_and_a_chart_per_table()
 {
    for app in spawn_all().await {
        for _ in 0..6 {
            app.case_for(true).await;
        }
        for role in [
            Role::SocialWorker,
            Role::Employer,
            Role::Prevention,
            Role::National,
        ] {
            let shown = page(&app, Some(role), "/statistiques").await;
            shows_before_it_tells(&shown, &format!("{role:?} {}", app.backend));
        }
        let public = page(&app, None, "/observatoire").await;
        shows_before_it_tells(&public, "the observatory");
        // The post reads its own exact figures: six referrals.
        let worker = page(&app, Some(Role::SocialWorker), "/statistiques").await;
        assert_eq!(tile(&worker, "tile-saisines").0, "6", "{}", app.backend);
        assert_eq!(tile(&worker, "tile-saisines").1, None);
        // The département reads its figures against the nation's, and the observatory
        // places the prevention referent's département beside the nation's.
        let prevention = page(&app, Some(Role::Prevention), "/statistiques").await;
        let (value, beside) = tile(&prevention, "tile-saisines");
        assert_eq!(value, "6");
        assert_eq!(beside.as_deref(), Some("France entière : 6"));
        let code = app.scope(Role::Prevention);
        let observed = page(&app, Some(Role::Prevention), "/observatoire").await;
        let (_, beside) = tile(&observed, "tile-saisines");
        assert_eq!(
            beside,
            Some(format!("Votre département ({code}) : 6")),
            "{}",
            app.backend
        );
        assert_eq!(
            tile(&public, "tile-saisines").1,
            None,
            "no département for the public"
        );
        let national = page(&app, Some(Role::National), "/observatoire").await;
        assert_eq!(
            tile(&national, "tile-saisines").1,
            None,
            "the nation has no département"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn large_counts_are_grouped_by_thousands_and_the_observatory_compares_the_years() {
    for app in spawn_all().await {
        for _ in 0..6 {
            app.case_for(true).await;
        }
        let today = passerelle_web::http::clock::paris_today();
        let (year, month) = (today.year(), today.month() as u8);
        // The same month a year earlier counted twice as many referrals.
        for table in [
            "INSERT INTO activity_rollups (post_id, month, indicator, dimension, value, count) \
             SELECT post_id, $1, indicator, dimension, value, count * 2 FROM activity_rollups WHERE month = $2",
            "INSERT INTO nation_rollups (grouping, group_value, indicator, dimension, month, value, count) \
             SELECT grouping, group_value, indicator, dimension, $1, value, count * 2 FROM nation_rollups WHERE month = $2",
        ] {
            sqlx::query(table)
                .bind(format!("{}-{month:02}", year - 1))
                .bind(format!("{year}-{month:02}"))
                .execute(app.db.pool())
                .await
                .unwrap();
        }
        let public = page(&app, None, "/observatoire").await;
        let columns = format!(">{}</th><th scope=\"col\">{year}</th>", year - 1);
        assert!(public.contains(&columns), "{} {public}", app.backend);
        assert_eq!(
            row(&public, "table-evolution", "Signalements"),
            ["12", "6", "\u{2212}50,0\u{202f}%"],
            "{}",
            app.backend
        );
        assert!(public.contains(&format!(
            "href=\"#evolution\">Évolution depuis {}",
            year - 1
        )));
        assert!(public.contains("<svg id=\"chart-evolution\""));
        // Asked for the first year, there is nothing to compare yet.
        let first = page(&app, None, &format!("/observatoire?annee={}", year - 1)).await;
        assert!(!first.contains("id=\"table-evolution\""));

        // Thousands: a narrow no-break space, in the tables, the tiles and the charts.
        sqlx::query("UPDATE activity_rollups SET count = 34658 WHERE indicator = $1 AND dimension = $2 AND month = $3")
            .bind(indicator::REFERRALS)
            .bind(TOTAL)
            .bind(format!("{year}-{month:02}"))
            .execute(app.db.pool())
            .await
            .unwrap();
        let worker = page(&app, Some(Role::SocialWorker), "/statistiques").await;
        let grouped = "34\u{202f}658";
        let referrals = row(&worker, "table-activite", "Signalements");
        assert_eq!(
            referrals[usize::from(month) - 1],
            grouped,
            "{}",
            app.backend
        );
        assert_eq!(referrals[12], grouped);
        assert_eq!(tile(&worker, "tile-saisines").0, grouped);
        let chart = &worker[worker.find("<svg id=\"chart-activite\"").unwrap()..];
        assert!(chart[..chart.find("</svg>").unwrap()].contains(&format!(">{grouped}</text>")));
        assert!(!worker.contains("34658"), "no figure without its separator");
        // The files a spreadsheet reads keep plain numbers.
        let csv = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Get,
                "/statistiques/activite.csv",
                &[],
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains(";34658;"), "{csv}");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_pipeline_says_when_a_table_is_empty_and_shows_each_table_once() {
    for app in spawn_all().await {
        // Before any post existed: every table of that date is empty, and says so.
        sqlx::query("UPDATE posts SET created_on = $1 WHERE created_on < $1")
            .bind("2005-01-01")
            .execute(app.db.pool())
            .await
            .unwrap();
        let long_ago = page(&app, Some(Role::National), "/pilotage?au=01/01/2001").await;
        assert!(
            long_ago.contains("<tr><td colspan=\"2\">Aucun poste existant à cette date.</td></tr>"),
            "{} {}",
            app.backend,
            &long_ago[long_ago.find("situation-employeurs").unwrap_or(0)..][..600]
        );
        assert!(long_ago.contains("Postes par statut au 01/01/2001 et aujourd'hui"));
        for who in [Role::National, Role::Prevention] {
            let today = page(&app, Some(who), "/pilotage").await;
            assert_eq!(
                today.matches("Postes par statut").count(),
                1,
                "{who:?}: the table by status, once"
            );
            // Every table has a body row: a line, or the sentence saying there is none.
            for body in today.split("<tbody>").skip(1) {
                let body = &body[..body.find("</tbody>").unwrap()];
                assert!(
                    body.contains("<tr>"),
                    "{who:?}: an empty table says so: {today}"
                );
            }
            for table in today.split("<table").skip(1) {
                assert!(
                    table[..table.find('>').unwrap()].contains("tabindex=\"0\""),
                    "{who:?}: <table{}",
                    &table[..table.find('>').unwrap()]
                );
            }
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn the_wide_tables_of_the_departement_and_the_open_data_scroll_from_the_keyboard() {
    for app in spawn_all().await {
        for path in ["/departements/35", "/donnees"] {
            let shown = page(&app, None, path).await;
            let tables: Vec<&str> = shown.split("<table").skip(1).collect();
            assert!(!tables.is_empty(), "{path}");
            for table in tables {
                let opening = &table[..table.find('>').unwrap()];
                assert!(
                    opening.contains("tabindex=\"0\""),
                    "{path}: <table{opening}>"
                );
                assert!(table.contains("<caption>"), "{path}: named by its caption");
            }
        }
        app.finish().await;
    }
}
