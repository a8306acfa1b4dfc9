//! The partner directory over HTTP on both backends: a partner typed in, refused when wrong;
//! an import refused whole with each wrong line named, then accepted, then re-imported as
//! updates; another département's directory closed to the social worker.

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

async fn upload(
    app: &TestApp,
    who: Role,
    departement: &str,
    name: &str,
    bytes: &[u8],
) -> (u16, String) {
    let session = app.session_for(who).await;
    let form = reqwest::multipart::Form::new().text("csrf", CSRF).part(
        "fichier",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
    );
    let response = reqwest::Client::new()
        .post(app.url(&format!("/partenaires/import?departement={departement}")))
        .header(
            "cookie",
            format!("passerelle_csrf={CSRF}; passerelle_session={session}"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        response.text().await.unwrap().replace("&#x27;", "'"),
    )
}

async fn partners(app: &TestApp, departement: &str) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT name, partner_type, phone FROM partners WHERE departement_code = $1 ORDER BY name",
    )
    .bind(departement)
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn the_directory_is_kept_by_hand_and_by_import_with_nothing_half_written() {
    for app in spawn_all().await {
        let departement = app.departement_for(true).await;
        let form = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        let response = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Post,
                "/partenaires",
                &form(&[
                    ("departement", &departement),
                    ("partner_type", "siao"),
                    ("name", "SIAO du département"),
                    ("phone", "115"),
                    ("hours", "24 h/24"),
                ]),
            )
            .await;
        assert_eq!(response.status().as_u16(), 303);
        let response = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Post,
                "/partenaires",
                &form(&[
                    ("departement", &departement),
                    ("partner_type", "cidff"),
                    ("name", ""),
                    ("email", "non"),
                ]),
            )
            .await;
        assert_eq!(response.status().as_u16(), 422);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("Nom : ") && page.contains("Courriel : "),
            "{page}"
        );

        // One wrong line: nothing written, each error named with its line.
        let bad = "type;nom;telephone;courriel\ncidff;CIDFF du département;02 99 30 80 89;accueil@cidff.fr\nmairie;Mairie;;\nccas;CCAS de la ville;12;\n";
        let (status, page) = upload(
            &app,
            Role::SocialWorker,
            &departement,
            "annuaire.csv",
            bad.as_bytes(),
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("ligne 3, colonne « type »"), "{page}");
        assert!(page.contains("ligne 4, colonne « telephone »"), "{page}");
        assert_eq!(
            partners(&app, &departement).await.len(),
            1,
            "nothing from the refused file"
        );
        let (status, page) = upload(
            &app,
            Role::SocialWorker,
            &departement,
            "annuaire.csv",
            b"type;nom;inconnue\ncidff;X;1\n",
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("colonne inconnue"), "{page}");

        let good = "type;nom;telephone;courriel;horaires\ncidff;CIDFF du département;02 99 30 80 89;accueil@cidff.fr;lun.-ven. 9 h-17 h\nccas;CCAS de la ville;02 99 00 00 00;;\n";
        let (status, page) = upload(
            &app,
            Role::SocialWorker,
            &departement,
            "annuaire.csv",
            good.as_bytes(),
        )
        .await;
        assert_eq!(status, 200, "{page}");
        assert!(
            page.contains("2 partenaire(s) ajouté(s), 0 mis à jour"),
            "{page}"
        );
        let updated = good.replace("02 99 00 00 00", "02 99 11 11 11");
        let (_, page) = upload(
            &app,
            Role::Employer,
            &departement,
            "annuaire.csv",
            updated.as_bytes(),
        )
        .await;
        assert!(
            page.contains("0 partenaire(s) ajouté(s), 2 mis à jour"),
            "{page}"
        );
        let listed = partners(&app, &departement).await;
        assert_eq!(listed.len(), 3);
        assert!(listed.contains(&(
            "CCAS de la ville".into(),
            "ccas".into(),
            Some("+33299111111".into())
        )));

        let response = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Get,
                &format!("/partenaires?departement={departement}&type=cidff"),
                &[],
            )
            .await;
        let page = response.text().await.unwrap();
        assert!(page.contains("CIDFF du département") && !page.contains("CCAS de la ville"));
        let other = app.departement_for(false).await;
        let (status, _) = upload(
            &app,
            Role::SocialWorker,
            &other,
            "annuaire.csv",
            good.as_bytes(),
        )
        .await;
        assert_eq!(status, 403);
        assert!(partners(&app, &other).await.is_empty());
        app.finish().await;
    }
}
