//! The import page's flow over HTTP on both backends (issue 21): every error of a line in a
//! table (line, column, error), capped with its total said; the chosen kind kept; the
//! anti-forgery token only in the form body; each template, example line included, goes
//! back in without an error.

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;

/// A multipart upload as the page sends it (the token first); the status, the `Location`
/// header if any, the final URL and the page (apostrophes unescaped).
async fn upload(
    app: &TestApp,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
    dry_run: bool,
) -> (u16, Option<String>, String, String) {
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
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
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
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let url = response.url().to_string();
    let text = response.text().await.unwrap();
    (
        status,
        location,
        url,
        text.replace("&#x27;", "'").replace("&#39;", "'"),
    )
}

async fn get_as_national(app: &TestApp, path: &str) -> reqwest::Response {
    let session = app.session_for(Role::National).await;
    reqwest::Client::new()
        .get(app.url(path))
        .header("cookie", format!("passerelle_session={session}"))
        .send()
        .await
        .unwrap()
}

/// The rows of the errors' table: (line, column, error).
fn error_rows(page: &str) -> Vec<(String, String, String)> {
    let Some(start) = page.find(r#"id="import-errors""#) else {
        return Vec::new();
    };
    let table = &page[start..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .split("<td>")
                .skip(1)
                .map(|cell| cell.split("</td>").next().unwrap().to_string())
                .collect();
            (cells[0].clone(), cells[1].clone(), cells[2].clone())
        })
        .collect()
}

fn kind_checked(page: &str, kind: &str) -> bool {
    page.contains(&format!(r#"name="type" value="{kind}" checked"#))
}

async fn post_count(app: &TestApp) -> i64 {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM posts")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    count
}

#[tokio::test]
async fn a_row_with_five_errors_shows_all_five_and_keeps_the_kind() {
    for app in spawn_all().await {
        let before = post_count(&app).await;
        let file = "code;zone;departement;employeur;etp;statut;date\n\
                    ;lune;01;Inconnu de l'Ain;3;ouvert;31/02/2021\n";
        for dry_run in [true, false] {
            let (status, location, url, page) = upload(
                &app,
                "postes",
                "postes.csv",
                file.as_bytes().to_vec(),
                dry_run,
            )
            .await;
            assert_eq!(status, 422, "{}: {page}", app.backend);
            assert_eq!(location, None);
            assert!(!url.contains("csrf="), "{url}");
            let rows = error_rows(&page);
            let columns: Vec<&str> = rows.iter().map(|(_, c, _)| c.as_str()).collect();
            assert_eq!(
                columns,
                ["zone", "employeur", "etp", "statut", "date"],
                "{}: {page}",
                app.backend
            );
            assert!(rows.iter().all(|(line, _, _)| line == "2"), "{rows:?}");
            assert!(rows[0].2.contains("« lune » n'est pas une valeur connue"));
            assert!(
                rows[1]
                    .2
                    .contains("« Inconnu de l'Ain » n'est pas un employeur")
            );
            assert!(rows[4].2.contains("« 31/02/2021 »"));
            assert!(page.contains("5 erreur(s) : rien n'a été enregistré"));
            // The kind sent stays chosen, not « Des employeurs ».
            assert!(kind_checked(&page, "postes"), "{page}");
            assert!(!kind_checked(&page, "employeurs"));
        }
        assert_eq!(post_count(&app).await, before, "nothing half-written");
        // Refused before reading (no file): the kind stays chosen too.
        let (status, _, _, page) = upload(&app, "unites", "", Vec::new(), true).await;
        assert_eq!(status, 422);
        assert!(page.contains("Fichier : choisissez un fichier"), "{page}");
        assert!(kind_checked(&page, "unites"), "{page}");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_file_wrong_throughout_lists_the_first_500_errors_and_says_the_total() {
    for app in spawn_all().await {
        let mut file = String::from("type;nom;departement\n");
        for _ in 0..600 {
            file.push_str("association;Sans département;\n");
        }
        let (status, _, _, page) =
            upload(&app, "employeurs", "e.csv", file.into_bytes(), true).await;
        assert_eq!(status, 422, "{}", app.backend);
        assert_eq!(error_rows(&page).len(), 500);
        assert!(page.contains("600 erreur(s)"), "{page}");
        assert!(page.contains("Les 500 premières sont listées"));
        assert_eq!(error_rows(&page)[499].0, "501");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_token_travels_in_the_form_body_never_in_a_url() {
    for app in spawn_all().await {
        let page = get_as_national(&app, "/registre/import")
            .await
            .text()
            .await
            .unwrap();
        assert!(!page.contains("csrf="), "{page}");
        // The first field of the upload: the middleware reads only that part of the body.
        let form = &page[page.find(r#"action="/registre/import""#).unwrap()..];
        let first_input = &form[form.find("<input").unwrap()..];
        assert!(
            first_input.starts_with(r#"<input type="hidden" name="csrf" value=""#),
            "{first_input}"
        );
        assert!(form.contains(r#"enctype="multipart/form-data""#));
        let (status, location, url, page) = upload(
            &app,
            "employeurs",
            "e.csv",
            "type;nom;departement\nassociation;Asso;29\n".into(),
            true,
        )
        .await;
        assert_eq!(status, 200, "{}: {page}", app.backend);
        assert_eq!(location, None, "the result is the page itself, no redirect");
        assert!(!url.contains("csrf=") && !page.contains("csrf="), "{url}");
        app.finish().await;
    }
}

#[tokio::test]
async fn every_template_goes_back_in_without_an_error() {
    for app in spawn_all().await {
        let page = get_as_national(&app, "/registre/import")
            .await
            .text()
            .await
            .unwrap();
        let before = post_count(&app).await;
        // In order: the post's example names the employers' example.
        for extension in ["csv", "xlsx"] {
            for kind in ["unites", "employeurs", "postes"] {
                let path = format!("/registre/import/modele/{kind}.{extension}");
                assert!(page.contains(&format!(r#"href="{path}""#)), "{path}");
                let response = get_as_national(&app, &path).await;
                assert_eq!(response.status(), 200, "{path}");
                let bytes = response.bytes().await.unwrap().to_vec();
                if extension == "csv" {
                    let text = String::from_utf8(bytes.clone()).unwrap();
                    let lines: Vec<&str> = text.lines().collect();
                    assert!(lines[0].starts_with('\u{feff}'), "{path}: BOM");
                    assert_eq!(lines.len(), 2, "{path}: header and example");
                    assert!(lines[1].contains(";01;"), "{path}: {text}");
                }
                let name = format!("modele.{extension}");
                let (status, _, _, dry) = upload(&app, kind, &name, bytes.clone(), true).await;
                assert_eq!(status, 200, "{} {path}: {dry}", app.backend);
                assert!(error_rows(&dry).is_empty());
                if extension == "csv" {
                    // Written once, then the XLSX's example updates what the CSV's created.
                    assert!(dry.contains("Essai à blanc : 1 création(s)"), "{path}");
                    let (status, _, _, real) = upload(&app, kind, &name, bytes, false).await;
                    assert_eq!(status, 200, "{path}: {real}");
                    assert!(real.contains("Import enregistré : 1 création(s)"), "{real}");
                } else {
                    assert!(
                        dry.contains("0 création(s) et 1 mise(s) à jour"),
                        "{path}: {dry}"
                    );
                }
            }
        }
        assert_eq!(post_count(&app).await, before + 1);
        app.finish().await;
    }
}
