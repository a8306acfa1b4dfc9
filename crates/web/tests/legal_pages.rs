//! The legal pages every State site carries (accessibility, legal notice, personal data,
//! cookies, site map), on both backends: public, with their key content and the deploying
//! organisation's settings, and linked from the footer of every page with the accessibility
//! status computed from the audit.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::home::legal::rgaa;
use passerelle_web::http::route_table::Method;

/// The page's text with the entities askama writes for apostrophes read back.
async fn page_of(app: &TestApp, who: Option<Role>, path: &str) -> String {
    let response = app.send_as(who, Method::Get, path, &[]).await;
    assert_eq!(
        response.status().as_u16(),
        200,
        "{path} as {who:?} on {}",
        app.backend
    );
    response
        .text()
        .await
        .unwrap()
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
}

/// The footer's links at the bottom: (href, text).
fn footer_links(page: &str) -> Vec<(String, String)> {
    let start = page
        .find("fr-footer__bottom-list")
        .expect("the footer's bottom list");
    let list = &page[start..start + page[start..].find("</ul>").unwrap()];
    list.split("<a ")
        .skip(1)
        .map(|link| {
            let href = link.split("href=\"").nth(1).unwrap();
            let href = &href[..href.find('"').unwrap()];
            let text = &link[link.find('>').unwrap() + 1..link.find("</a>").unwrap()];
            (href.to_string(), text.trim().to_string())
        })
        .collect()
}

/// The links of the list `id` on a page: hrefs.
fn links_of_list(page: &str, id: &str) -> Vec<String> {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no list {id}"));
    let list = &page[start..start + page[start..].find("</ul>").unwrap()];
    list.split("href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .collect()
}

const LEGAL_PAGES: [(&str, &str); 5] = [
    ("/plan-du-site", "Plan du site"),
    ("/accessibilite", "Accessibilité : "),
    ("/mentions-legales", "Mentions légales"),
    ("/donnees-personnelles", "Données personnelles"),
    ("/cookies", "Gestion des cookies"),
];

fn assert_footer(page: &str, at: &str) {
    let links = footer_links(page);
    let hrefs: Vec<&str> = links.iter().map(|(href, _)| href.as_str()).collect();
    assert_eq!(
        hrefs,
        LEGAL_PAGES.map(|(href, _)| href),
        "the footer's links on {at}"
    );
    for ((_, text), (_, label)) in links.iter().zip(LEGAL_PAGES) {
        assert!(text.starts_with(label), "« {text} » on {at}");
    }
    let status = format!("Accessibilité : {}", rgaa::current_status().label());
    assert_eq!(links[1].1, status, "the computed status on {at}");
    assert_eq!(links[1].1, "Accessibilité : partiellement conforme");
}

#[tokio::test]
async fn each_legal_page_answers_publicly_with_its_key_content() {
    for app in spawn_all().await {
        let accessibility = page_of(&app, None, "/accessibilite").await;
        let tally = rgaa::Tally::of(rgaa::CHECKED);
        for expected in [
            "Déclaration d'accessibilité",
            "RGAA",
            "<strong>partiellement conforme</strong>",
            &format!("<span id=\"criteres-conformes\">{}</span>", tally.conformes),
            &format!(
                "<span id=\"criteres-non-conformes\">{}</span>",
                tally.non_conformes
            ),
            &format!(
                "<strong id=\"taux-conformite\">{}\u{a0}%</strong>",
                tally.rate_percent().unwrap()
            ),
            "Critère 13.3",
            "axe-core",
            "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07",
            "https://formulaire.defenseurdesdroits.fr/",
            "mailto:passerelle@interieur.gouv.fr",
        ] {
            assert!(
                accessibility.contains(expected),
                "/accessibilite shows « {expected} » on {}",
                app.backend
            );
        }
        for failing in rgaa::CHECKED
            .iter()
            .filter(|c| c.outcome == rgaa::Outcome::NonConforme)
        {
            assert!(accessibility.contains(&format!("Critère {}</strong>", failing.number)));
        }

        let notice = page_of(&app, None, "/mentions-legales").await;
        for expected in [
            "Éditeur",
            "Directeur de la publication",
            "Hébergement",
            "etalab-2.0",
            "DSFR",
        ] {
            assert!(
                notice.contains(expected),
                "/mentions-legales: « {expected} »"
            );
        }

        let data = page_of(&app, None, "/donnees-personnelles").await;
        for expected in [
            "Comptes et authentification",
            "Signalements et suivi des situations, sous secret professionnel",
            "Rendez-vous",
            "Journal des accès",
            "Statistiques de l'activité",
            "Courriels",
            "deux ans après le dernier contact",
            "Base légale",
            "Destinataires",
            "rectification",
            "Délégué à la protection des données",
            "https://www.cnil.fr/fr/plaintes",
        ] {
            assert!(
                data.contains(expected),
                "/donnees-personnelles: « {expected} »"
            );
        }
        assert_eq!(data.matches("<dt><strong>Finalité</strong>").count(), 6);

        let cookies = page_of(&app, None, "/cookies").await;
        for expected in [
            "strictement nécessaires",
            "pas de bandeau",
            "<code>passerelle_session</code>",
            "<code>passerelle_csrf</code>",
            "<code>passerelle_appareil</code>",
        ] {
            assert!(cookies.contains(expected), "/cookies: « {expected} »");
        }

        let map = page_of(&app, None, "/plan-du-site").await;
        let public = links_of_list(&map, "plan-public");
        for path in ["/", "/carte", "/observatoire", "/donnees", "/connexion"]
            .into_iter()
            .chain(LEGAL_PAGES.map(|(href, _)| href))
        {
            assert!(
                public.iter().any(|href| href == path),
                "the site map lists {path}"
            );
        }
        for href in &public {
            page_of(&app, None, href).await;
        }
        assert!(
            !map.contains("id=\"plan-role\""),
            "no role's pages for a visitor"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_footer_of_every_page_links_the_legal_pages_with_the_computed_status() {
    for app in spawn_all().await {
        for path in ["/", "/carte", "/connexion", "/accessibilite"] {
            let page = page_of(&app, None, path).await;
            assert_footer(&page, &format!("{path} (public, {})", app.backend));
        }
        for (role, path) in [
            (Role::National, "/"),
            (Role::SocialWorker, "/dossiers"),
            (Role::Officer, "/compte"),
        ] {
            let page = page_of(&app, Some(role), path).await;
            assert_footer(&page, &format!("{path} ({role:?}, {})", app.backend));
        }
        // An error page carries it too.
        let missing = app.get("/page-qui-nexiste-pas").await;
        assert_eq!(missing.status().as_u16(), 404);
        assert_footer(&missing.text().await.unwrap(), "the 404 page");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_site_map_lists_the_pages_of_the_visitor_s_role_and_they_open() {
    for app in spawn_all().await {
        for role in [
            Role::SocialWorker,
            Role::Officer,
            Role::Admin,
            Role::National,
        ] {
            let map = page_of(&app, Some(role), "/plan-du-site").await;
            assert!(map.contains(role.label()), "the role is named for {role:?}");
            let own = links_of_list(&map, "plan-role");
            assert!(own.contains(&"/compte".to_string()));
            assert!(own.len() >= 2, "{role:?} has pages of its own: {own:?}");
            for href in &own {
                // A page, or a page that sends on (the social worker's appointments open on
                // the week): never a refusal, a login or a missing page.
                let response = app.send_as(Some(role), Method::Get, href, &[]).await;
                let status = response.status().as_u16();
                let location = response
                    .headers()
                    .get("location")
                    .map(|l| l.to_str().unwrap().to_string());
                assert!(
                    status == 200
                        || (status == 303
                            && !location
                                .as_deref()
                                .unwrap_or("/connexion")
                                .starts_with("/connexion")),
                    "{href} as {role:?} on {}: {status} {location:?}",
                    app.backend
                );
            }
        }
        let officer = links_of_list(
            &page_of(&app, Some(Role::Officer), "/plan-du-site").await,
            "plan-role",
        );
        assert!(officer.contains(&"/signalements".to_string()));
        assert!(!officer.iter().any(|href| href.starts_with("/dossiers")));
        app.finish().await;
    }
}

#[tokio::test]
async fn the_deploying_organisation_s_settings_are_shown() {
    for test_db in passerelle_store::testing::all_backends().await {
        let config = passerelle_web::Config {
            legal: passerelle_web::home::legal::LegalNotice {
                publisher: "Conseil départemental d'Ille-et-Vilaine, 1 avenue de la Préfecture, 35000 Rennes".into(),
                publication_director: "Le président du conseil départemental".into(),
                host: "Hébergeur Exemple SAS, 1 rue du Serveur, 59000 Lille".into(),
                contact: "accessibilite@exemple.fr".into(),
                dpo_contact: "DPD du département, dpd@exemple.fr".into(),
            },
            retention_years: 3,
            secure_cookies: false,
            ..passerelle_web::Config::default()
        };
        let app = TestApp::spawn_with(test_db, config).await;
        let notice = page_of(&app, None, "/mentions-legales").await;
        assert!(notice.contains("Conseil départemental d'Ille-et-Vilaine"));
        assert!(notice.contains("Le président du conseil départemental"));
        assert!(notice.contains("Hébergeur Exemple SAS, 1 rue du Serveur, 59000 Lille"));
        let data = page_of(&app, None, "/donnees-personnelles").await;
        assert!(data.contains("DPD du département, dpd@exemple.fr"));
        assert!(
            data.contains("3 ans après le dernier contact"),
            "the retention setting"
        );
        assert!(!data.contains("deux ans"));
        let accessibility = page_of(&app, None, "/accessibilite").await;
        assert!(accessibility.contains("mailto:accessibilite@exemple.fr"));
        app.finish().await;
    }
}
