//! A coordinator's real spreadsheet goes in (issue 17, point 7), over HTTP on both backends:
//! a national-census-style file in Windows-1252 CSV and in XLSX — a title above the header,
//! « n° dépt », département « 1 », zones « Gendarmerie », « G », « Mixte », « P/G », French
//! statuses, FTE « 100% », host units, posts without a code — imported, re-imported as
//! updates, and refused with every error of every line at once (a table: line, column,
//! error); the templates to fill; the open data as XLSX with its codes typed as text (point 8).

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;

async fn upload(
    app: &TestApp,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
    dry_run: bool,
) -> (u16, String) {
    let session = app.session_for(Role::National).await;
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", CSRF)
        .text("type", kind.to_string())
        .part(
            "fichier",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    if dry_run {
        form = form.text("essai", "1");
    }
    let response = reqwest::Client::new()
        .post(app.url("/registre/import"))
        .header(
            "cookie",
            format!("passerelle_csrf={CSRF}; passerelle_session={session}"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.replace("&#x27;", "'").replace("&#39;", "'"))
}

async fn get_as(app: &TestApp, who: Option<Role>, path: &str) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(app.url(path));
    if let Some(who) = who {
        let session = app.session_for(who).await;
        request = request.header("cookie", format!("passerelle_session={session}"));
    }
    request.send().await.unwrap()
}

fn windows_1252(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// Host units of département 01, as the referential import would have put them.
async fn units_of_ain(app: &TestApp) {
    for (kind, force, name) in [
        ("bta", "gendarmerie", "BTA de Belley"),
        ("cob", "gendarmerie", "COB de Nantua"),
        ("commissariat", "police", "Commissariat de Bourg-en-Bresse"),
    ] {
        sqlx::query("INSERT INTO units (id, kind, force, name, parent_id, departement_code, commune_code, created_at) VALUES ($1, $2, $3, $4, NULL, '01', NULL, $5)")
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(kind)
            .bind(force)
            .bind(name)
            .bind(passerelle_store::db::time_text::now_text())
            .execute(app.db.pool())
            .await
            .unwrap();
    }
}

const EMPLOYERS: &str = "Recensement national des ISCG — employeurs;;\r\n\
Type;Nom de l'employeur;N° dépt\r\n\
Conseil départemental;Département de l'Ain;1\r\n\
association;Association Pôle Écoute;01\r\n";

const CENSUS: &str = "Recensement national des intervenants sociaux en commissariat et gendarmerie (ISCG) — 2026;;;;;;;\r\n\
;;;;;;;\r\n\
n° dépt;Zone;Employeur;ETP;Statut;Date;Unités d'accueil;Observations\r\n\
1;Gendarmerie;Département de l'Ain;100%;pourvu;01/09/2021;\"BTA de Belley; COB de Nantua\";poste historique\r\n\
1;G;Association Pôle Écoute;0,5;En recrutement;15/03/2022;bta de belley;\r\n\
01;Mixte;département de l'ain;50 %;Financé;01/01/2023;\"Commissariat de Bourg-en-Bresse, BTA de Belley\";\r\n\
1;P/G;ASSOCIATION PÔLE ÉCOUTE;1;vacant;01/06/2020;Commissariat de Bourg-en-Bresse;\r\n";

async fn posts_of_ain(app: &TestApp) -> Vec<(String, String, f64, String, i64)> {
    sqlx::query_as(
        "SELECT p.zone, e.name, p.fte, p.status, CAST((SELECT COUNT(*) FROM post_host_units h WHERE h.post_id = p.id) AS BIGINT) \
         FROM posts p JOIN employers e ON e.id = p.employer_id WHERE p.departement_code = '01' \
         AND e.name IN ('Département de l''Ain', 'Association Pôle Écoute') ORDER BY p.fte, p.zone, e.name",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_census_in_windows_1252_goes_in_then_updates_without_duplicates() {
    for app in spawn_all().await {
        units_of_ain(&app).await;
        let (status, page) = upload(
            &app,
            "employeurs",
            "employeurs.csv",
            windows_1252(EMPLOYERS),
            false,
        )
        .await;
        assert_eq!(status, 200, "{}: {page}", app.backend);
        assert!(page.contains("Import enregistré : 2 création(s)"), "{page}");
        assert!(page.contains("Windows-1252"), "{page}");
        assert!(
            page.contains("« 1 » lu comme le département « 01 »"),
            "{page}"
        );
        let kinds: Vec<(String,)> = sqlx::query_as(
            "SELECT kind FROM employers WHERE departement_code = '01' AND name IN ('Département de l''Ain', 'Association Pôle Écoute') ORDER BY kind",
        )
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        assert_eq!(
            kinds,
            [("association".into(),), ("conseil_departemental".into(),)]
        );

        // « Observations » is no column of Passerelle: set aside, with a notice.
        let before = posts_of_ain(&app).await.len();
        let file = windows_1252(CENSUS);
        let (status, page) = upload(&app, "postes", "recensement.csv", file.clone(), true).await;
        assert_eq!(status, 200, "{}: {page}", app.backend);
        assert!(page.contains("Essai à blanc : 4 création(s)"), "{page}");
        assert!(
            page.contains(r#"value="postes" checked"#),
            "the dry run keeps the kind chosen"
        );
        assert!(page.contains("colonne « observations » ignorée"), "{page}");
        assert_eq!(
            posts_of_ain(&app).await.len(),
            before,
            "a dry run writes nothing"
        );

        let (status, page) = upload(&app, "postes", "recensement.csv", file.clone(), false).await;
        assert_eq!(status, 200, "{}: {page}", app.backend);
        assert!(page.contains("Import enregistré : 4 création(s)"), "{page}");
        let posts = posts_of_ain(&app).await;
        assert_eq!(
            posts,
            [
                (
                    "gendarmerie".into(),
                    "Association Pôle Écoute".into(),
                    0.5,
                    "recruiting".into(),
                    1
                ),
                (
                    "mixed".into(),
                    "Département de l'Ain".into(),
                    0.5,
                    "funded".into(),
                    2
                ),
                (
                    "gendarmerie".into(),
                    "Département de l'Ain".into(),
                    1.0,
                    "filled".into(),
                    2
                ),
                (
                    "mixed".into(),
                    "Association Pôle Écoute".into(),
                    1.0,
                    "vacant".into(),
                    1
                ),
            ],
            "{}",
            app.backend
        );

        // The same file again: the posts without a code are recognised, not duplicated.
        let (status, page) = upload(&app, "postes", "recensement.csv", file, false).await;
        assert_eq!(status, 200, "{}: {page}", app.backend);
        assert!(
            page.contains("Import enregistré : 0 création(s), 4 mise(s) à jour"),
            "{page}"
        );
        assert_eq!(posts_of_ain(&app).await.len(), 4);
    }
}

#[tokio::test]
async fn every_error_of_every_line_is_shown_at_once() {
    for app in spawn_all().await {
        units_of_ain(&app).await;
        upload(&app, "employeurs", "e.csv", windows_1252(EMPLOYERS), false).await;
        let file = "Recensement;;;;;;\n\
n° dépt;Zone;Employeur;ETP;Statut;Date;Unités d'accueil\n\
1;Marine;Département de l'Ain;150%;ouvert;31/02/2021;Brigade fantôme\n\
1;G;Association Pôle Écoute;1;pourvu;01/09/2021;BTA de Belley\n\
1;G;Association Pôle Écoute;1;pourvu;01/09/2021;BTA de Belley\n\
96;P;Inconnue;1;pourvu;01/09/21;\n";
        let (status, page) =
            upload(&app, "postes", "postes.csv", file.as_bytes().to_vec(), true).await;
        assert_eq!(status, 422, "{}: {page}", app.backend);
        for expected in [
            "<tr><td>3</td><td>zone</td><td>« Marine » n'est pas une valeur connue",
            "<tr><td>3</td><td>etp</td><td>« 150% »",
            "<tr><td>3</td><td>statut</td><td>« ouvert » n'est pas une valeur connue (valeurs possibles : En projet, Financé",
            "<tr><td>3</td><td>date</td><td>« 31/02/2021 »",
            "<tr><td>3</td><td>unites</td><td>« Brigade fantôme » : pas une unité d'accueil enregistrée dans le département 01",
            "<tr><td>5</td><td>code</td><td>poste sans code en double avec la ligne 4",
            "<tr><td>6</td><td>departement</td><td>« 96 » n'est pas un code de département",
            "<tr><td>6</td><td>date</td><td>« 01/09/21 »",
        ] {
            assert!(
                page.contains(expected),
                "{}: {expected}\n{page}",
                app.backend
            );
        }
        assert!(page.contains("8 erreur(s)"), "{page}");
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM posts p JOIN employers e ON e.id = p.employer_id WHERE e.name IN ('Département de l''Ain', 'Association Pôle Écoute')")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(count, 0);
    }
}

#[tokio::test]
async fn a_census_workbook_goes_in_with_its_typed_cells() {
    for app in spawn_all().await {
        units_of_ain(&app).await;
        upload(&app, "employeurs", "e.csv", windows_1252(EMPLOYERS), false).await;
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "Recensement 2026").unwrap();
        let headers = [
            "Code",
            "N° DÉPT",
            "Zone",
            "Employeur",
            "E.T.P.",
            "Statut du poste",
            "Date",
            "Unités d'accueil",
        ];
        for (column, header) in headers.iter().enumerate() {
            sheet.write_string(2, column as u16, *header).unwrap();
        }
        sheet.write_string(3, 0, "ISCG-01-900").unwrap();
        sheet.write_number(3, 1, 1).unwrap();
        sheet.write_string(3, 2, "P").unwrap();
        sheet.write_string(3, 3, "Département de l'Ain").unwrap();
        sheet.write_number(3, 4, 0.5).unwrap();
        sheet.write_string(3, 5, "Vacant").unwrap();
        sheet.write_string(3, 6, "01/02/2024").unwrap();
        sheet
            .write_string(3, 7, "Commissariat de Bourg-en-Bresse")
            .unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let (status, page) = upload(&app, "postes", "recensement.xlsx", bytes.clone(), true).await;
        assert_eq!(status, 200, "{}: {page}", app.backend);
        assert!(page.contains("Essai à blanc : 1 création(s)"), "{page}");
        let (status, page) = upload(&app, "postes", "recensement.xlsx", bytes, false).await;
        assert_eq!(status, 200, "{}: {page}", app.backend);
        let post: (String, String, f64, String) = sqlx::query_as(
            "SELECT zone, departement_code, fte, status FROM posts WHERE code = 'ISCG-01-900'",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(post, ("police".into(), "01".into(), 0.5, "vacant".into()));

        // The open data keeps « 01 » as text in its workbook.
        let response = get_as(&app, None, "/donnees/postes.xlsx").await;
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.unwrap().to_vec();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let at = header.iter().position(|h| h == "departement_code").unwrap();
        let code_at = header.iter().position(|h| h == "code").unwrap();
        let row = range
            .rows()
            .find(|r| r[code_at] == "ISCG-01-900")
            .expect("the imported post is in the open data");
        assert_eq!(row[at], calamine::Data::String("01".into()));
        let page = get_as(&app, None, "/donnees").await.text().await.unwrap();
        assert!(page.contains(r#"href="/donnees/postes.xlsx""#));
    }
}

#[tokio::test]
async fn each_kind_has_a_template_to_fill() {
    for app in spawn_all().await {
        let page = get_as(&app, Some(Role::National), "/registre/import")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("/registre/import/modele/postes.xlsx"));
        let csv = get_as(
            &app,
            Some(Role::National),
            "/registre/import/modele/postes.csv",
        )
        .await;
        assert_eq!(csv.status(), 200);
        let csv = csv.bytes().await.unwrap();
        assert!(
            csv.starts_with(
                "\u{feff}code;zone;departement;employeur;etp;statut;date;unites".as_bytes()
            ),
            "{}",
            String::from_utf8_lossy(&csv)
        );
        for kind in ["unites", "employeurs", "postes"] {
            let response = get_as(
                &app,
                Some(Role::National),
                &format!("/registre/import/modele/{kind}.xlsx"),
            )
            .await;
            assert_eq!(response.status(), 200, "{kind}");
            let bytes = response.bytes().await.unwrap().to_vec();
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            let mut sheet = String::new();
            std::io::Read::read_to_string(
                &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
                &mut sheet,
            )
            .unwrap();
            assert!(sheet.contains("<dataValidation"), "{kind}: drop-down lists");
            let mut strings = String::new();
            std::io::Read::read_to_string(
                &mut archive.by_name("xl/sharedStrings.xml").unwrap(),
                &mut strings,
            )
            .unwrap();
            let label = match kind {
                "postes" => "Pourvu",
                "employeurs" => "Conseil départemental",
                _ => "Brigade territoriale autonome",
            };
            assert!(strings.contains(label), "{kind}: {label}");
        }
        let refused = get_as(
            &app,
            Some(Role::SocialWorker),
            "/registre/import/modele/postes.xlsx",
        )
        .await;
        assert_eq!(refused.status(), 403);
    }
}
