//! « Trouver l'intervenant social » and the public links to the units' pages, over HTTP, on
//! both backends: a commune by name (accents, case, typos), INSEE code or postcode, homonyms,
//! a commune without a unit, and the département and unit pages linking each other.

mod helpers;

use helpers::{TestApp, spawn_all};

async fn body(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path} on {}", app.backend);
    response.text().await.unwrap()
}

/// A unit of Ille-et-Vilaine hosting a filled post, moved to La Mézière (35177), and its post.
async fn unit_in_la_meziere(app: &TestApp) -> (String, String) {
    let (unit, post): (String, String) = sqlx::query_as(
        "SELECT u.id, p.id FROM post_host_units h JOIN posts p ON p.id = h.post_id \
         JOIN units u ON u.id = h.unit_id WHERE p.status = 'filled' AND u.departement_code = '35' \
         ORDER BY u.name, u.id LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("the demo has a filled post in Ille-et-Vilaine");
    sqlx::query("UPDATE units SET commune_code = '35177' WHERE id = $1")
        .bind(&unit)
        .execute(app.db.pool())
        .await
        .unwrap();
    (unit, post)
}

/// The part of the answer about the commune itself (before the département's units).
fn commune_part(page: &str) -> &str {
    let end = page
        .find("id=\"departement-units\"")
        .expect("the département's units");
    &page[..end]
}

#[tokio::test]
async fn a_commune_is_found_by_name_in_any_case_with_typos_by_insee_code_or_postcode() {
    for app in spawn_all().await {
        let (unit, _) = unit_in_la_meziere(&app).await;
        let presence = format!("href=\"/presence/unites/{unit}\"");
        let poster = format!("href=\"/presence/unites/{unit}/affiche\"");
        for query in [
            "la+meziere",
            "LA%20M%C3%89ZI%C3%88RE",
            "La-M%C3%A9zi%C3%A8re",
            "35177",
        ] {
            let page = body(&app, &format!("/trouver?q={query}")).await;
            let local = commune_part(&page);
            assert!(local.contains("La Mézière (35177)"), "{query}: {page}");
            assert!(local.contains(&presence), "{query} on {}", app.backend);
            assert!(local.contains(&poster), "{query} on {}", app.backend);
            assert!(page.contains("Dans le département Ille-et-Vilaine (35)"));
            assert!(
                local.contains("Prochaine présence") || local.contains("Pas de présence prévue"),
                "{query}"
            );
        }
        // A typo: the close names are offered, La Mézière first; choosing it answers.
        let typo = body(&app, "/trouver?q=la+mezeire").await;
        assert!(typo.contains("Vouliez-vous dire"), "{typo}");
        let first_choice = typo.find("/trouver?commune=").expect("a choice");
        assert!(
            typo[first_choice..].starts_with("/trouver?commune=35177"),
            "{typo}"
        );
        let chosen = body(&app, "/trouver?commune=35177").await;
        assert!(commune_part(&chosen).contains(&presence));
        // Postcodes are not in the referential: the département's units, and it says so.
        let postcode = body(&app, "/trouver?q=35520").await;
        assert!(
            postcode.contains("Les codes postaux ne figurent pas"),
            "{postcode}"
        );
        assert!(postcode.contains(&presence) && postcode.contains(&poster));
        // An empty query and a name that matches nothing get a French message, not an error.
        let empty = body(&app, "/trouver?q=+").await;
        assert!(
            empty.contains("saisissez le nom de votre commune"),
            "{empty}"
        );
        assert!(!empty.contains("id=\"departement-units\""));
        let nothing = body(&app, "/trouver?q=qwxzqwxz").await;
        assert!(
            nothing.contains("Aucune commune ne correspond à « qwxzqwxz »"),
            "{nothing}"
        );
        let unknown = body(&app, "/trouver?commune=99999").await;
        assert!(unknown.contains("Aucune commune ne correspond au code « 99999 »"));
        // The first visit shows the form alone.
        let form = body(&app, "/trouver").await;
        assert!(form.contains("name=\"q\"") && !form.contains("fr-alert"));
        app.finish().await;
    }
}

#[tokio::test]
async fn homonyms_are_listed_with_their_departement_to_choose() {
    for app in spawn_all().await {
        let page = body(&app, "/trouver?q=maizieres").await;
        assert!(
            page.contains("Plusieurs communes s&#39;appellent « maizieres »"),
            "{page}"
        );
        for (code, departement) in [
            ("14394", "Calvados (14)"),
            ("52302", "Haute-Marne (52)"),
            ("54336", "Meurthe-et-Moselle (54)"),
            ("62542", "Pas-de-Calais (62)"),
            ("70325", "Haute-Saône (70)"),
        ] {
            let link = format!("href=\"/trouver?commune={code}\">Maizières — {departement}</a>");
            assert!(page.contains(&link), "{link} on {}", app.backend);
        }
        // Not the communes that merely contain the name.
        assert!(!page.contains("Maizières-lès-Metz"));
        let chosen = body(&app, "/trouver?commune=54336").await;
        assert!(chosen.contains("Maizières (54336)"));
        assert!(chosen.contains("Dans le département Meurthe-et-Moselle (54)"));
        app.finish().await;
    }
}

#[tokio::test]
async fn a_commune_without_a_unit_answers_with_the_units_of_its_departement() {
    for app in spawn_all().await {
        let (unit, _) = unit_in_la_meziere(&app).await;
        let page = body(&app, "/trouver?q=mezieres+sur+couesnon").await;
        assert!(page.contains("Mézières-sur-Couesnon (35178)"), "{page}");
        let local = commune_part(&page);
        assert!(
            local.contains("Pas d'intervenant social dans une unité de cette commune"),
            "{local}"
        );
        assert!(!local.contains("/presence/unites/"));
        assert!(page.contains(&format!("href=\"/presence/unites/{unit}\"")));
        // Only units hosting a filled post.
        let (without,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM units u WHERE u.departement_code = '35' AND NOT EXISTS \
             (SELECT 1 FROM post_host_units h JOIN posts p ON p.id = h.post_id \
              WHERE h.unit_id = u.id AND p.status = 'filled')",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert!(without > 0);
        let (listed,): (i64,) = sqlx::query_as(
            "SELECT COUNT(DISTINCT h.unit_id) FROM post_host_units h JOIN posts p ON p.id = h.post_id \
             JOIN units u ON u.id = h.unit_id WHERE p.status = 'filled' AND u.departement_code = '35'",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(
            page.matches("/affiche\"").count() as i64,
            listed,
            "{}",
            app.backend
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_social_worker_is_named_only_once_she_chose_to_be() {
    for app in spawn_all().await {
        // A filled post with its social worker's account, and one of its host units.
        let (post, name, unit, commune): (String, String, String, Option<String>) = sqlx::query_as(
            "SELECT p.id, a.display_name, u.id, u.commune_code FROM account_roles r \
             JOIN accounts a ON a.id = r.account_id JOIN posts p ON p.id = r.scope_id \
             JOIN post_host_units h ON h.post_id = p.id JOIN units u ON u.id = h.unit_id \
             WHERE r.role = 'social_worker' AND p.status = 'filled' AND a.disabled = 0 \
             ORDER BY p.code, u.id LIMIT 1",
        )
        .fetch_one(app.db.pool())
        .await
        .expect("the demo has a social worker on a filled post");
        let commune = commune.expect("the demo's units are in a commune");
        let set_public = |shown: i64| {
            sqlx::query(
                "UPDATE accounts SET public_name = $1 WHERE id IN (SELECT account_id FROM account_roles \
                 WHERE role = 'social_worker' AND scope_id = $2)",
            )
            .bind(shown)
            .bind(post.clone())
        };
        let path = format!("/trouver?commune={commune}");
        set_public(0).execute(app.db.pool()).await.unwrap();
        let hidden = body(&app, &path).await;
        assert!(
            hidden.contains(&format!("/presence/unites/{unit}\"")),
            "{}",
            app.backend
        );
        assert!(!hidden.contains(&name), "{} on {}", name, app.backend);
        set_public(1).execute(app.db.pool()).await.unwrap();
        let shown = body(&app, &path).await;
        assert!(
            commune_part(&shown).contains(&name),
            "{} on {}",
            name,
            app.backend
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_departement_page_links_its_units_and_posters_and_the_unit_page_links_back() {
    for app in spawn_all().await {
        let (unit, _) = unit_in_la_meziere(&app).await;
        let departement = body(&app, "/departements/35").await;
        assert!(departement.contains(&format!("<a href=\"/presence/unites/{unit}\">")));
        assert!(departement.contains(&format!(
            "<a href=\"/presence/unites/{unit}/affiche\">affiche"
        )));
        assert!(departement.contains("href=\"/trouver\""));
        let unit_page = body(&app, &format!("/presence/unites/{unit}")).await;
        assert!(
            unit_page.contains(
                "href=\"/departements/35\">Les postes du département Ille-et-Vilaine (35)"
            ),
            "{}",
            app.backend
        );
        assert!(unit_page.contains("href=\"/carte\""));
        let poster = app.get(&format!("/presence/unites/{unit}/affiche")).await;
        assert_eq!(poster.status(), 200);
        // The home page and the map lead to the search.
        assert!(body(&app, "/").await.contains("href=\"/trouver\""));
        let map = body(&app, "/carte").await;
        assert!(map.contains("action=\"/trouver\"") && map.contains("href=\"/departements/35\""));
        app.finish().await;
    }
}
