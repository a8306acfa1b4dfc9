//! The journal pages in words, over HTTP on both backends: accounts by name and role, records
//! by their label, actions and details in French; the filters kept in the address (who, what,
//! record, dates, a bad date named in French); keyset pages; the CSV export (BOM, `;`, French
//! headers, the filters applied) and its own journal row.

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_domain::journal::JournalAction;
use passerelle_store::journal::{Entry, record};

/// GET `path` as `role`'s demo account: (status, body with HTML apostrophes read back).
async fn get_as(app: &TestApp, role: Role, path: &str) -> (u16, String) {
    let session = app.session_for(role).await;
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(path))
        .header(
            "cookie",
            format!("passerelle_csrf={CSRF}; passerelle_session={session}"),
        )
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        text.replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
            .replace("&#38;", "&"),
    )
}

/// The table's body, as text a reader sees (tags removed).
fn table_text(body: &str) -> String {
    let start = body.find("<tbody>").expect("a table body");
    let end = body[start..].find("</tbody>").unwrap() + start;
    let mut text = String::new();
    let mut in_tag = false;
    for character in body[start..end].chars() {
        match character {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(character),
            _ => {}
        }
    }
    text
}

/// The href of the link whose text is `label` (none for a disabled one, without href).
fn link_to(body: &str, label: &str) -> Option<String> {
    let at = body.find(&format!(">{label}</a>"))?;
    let anchor = &body[body[..at].rfind("<a ")?..at];
    let start = anchor.find("href=\"")? + 6;
    let end = anchor[start..].find('"')? + start;
    Some(anchor[start..end].replace("&amp;", "&"))
}

/// The href of the first link that filters on a row's record.
fn record_link(body: &str) -> Option<String> {
    let at = body.find("\" title=\"Filtrer sur cet enregistrement\"")?;
    let start = body[..at].rfind("href=\"")? + 6;
    Some(body[start..at].replace("&amp;", "&"))
}

/// The row numbers a page shows, in order.
fn row_numbers(body: &str) -> Vec<i64> {
    body.split("<tr><td>")
        .skip(1)
        .filter_map(|row| row.split("</td>").next()?.trim().parse().ok())
        .collect()
}

async fn security_event(app: &TestApp, action: JournalAction, role: Role, detail: &str) {
    let account = &app.login(role).id;
    record(
        &app.db,
        Entry::new(action)
            .by(account, Some(role.code()))
            .on("account", account)
            .detail(detail),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn security_journal_names_accounts_and_filters_them() {
    for app in spawn_all().await {
        let worker = app.login(Role::SocialWorker).clone();
        let employer = app.login(Role::Employer).clone();
        security_event(&app, JournalAction::AccountUnlocked, Role::SocialWorker, "").await;
        security_event(&app, JournalAction::PasswordChanged, Role::Employer, "").await;
        security_event(
            &app,
            JournalAction::RoleGranted,
            Role::Employer,
            "officer (x)",
        )
        .await;

        let (status, body) = get_as(&app, Role::Admin, "/journal/securite").await;
        assert_eq!(status, 200, "{}", app.backend);
        let table = table_text(&body);
        assert!(table.contains(&worker.email), "{}: {table}", app.backend);
        assert!(table.contains("Compte débloqué"), "{}", app.backend);
        assert!(
            table.contains("Intervenant social"),
            "{}: role in words",
            app.backend
        );
        assert!(
            table.contains("Gendarme ou policier (x)"),
            "{}: {table}",
            app.backend
        );
        assert!(
            !table.contains(&worker.id),
            "{}: an id in words",
            app.backend
        );
        assert!(
            !table.contains("officer (x)"),
            "{}: a code in the table",
            app.backend
        );
        assert!(body.contains("fr-breadcrumb"), "{}", app.backend);

        // Who: by address (the link on a name), or by part of a name.
        let (_, body) = get_as(
            &app,
            Role::Admin,
            &format!("/journal/securite?qui={}", worker.email),
        )
        .await;
        let table = table_text(&body);
        assert!(table.contains("Compte débloqué"), "{}", app.backend);
        assert!(!table.contains("Mot de passe changé"), "{}", app.backend);
        assert!(
            body.contains(&format!("value=\"{}\"", worker.email)),
            "{}: the filter stays in the form",
            app.backend
        );
        // What.
        let (_, body) = get_as(
            &app,
            Role::Admin,
            "/journal/securite?quoi=account.password_changed",
        )
        .await;
        let table = table_text(&body);
        assert!(table.contains("Mot de passe changé"), "{}", app.backend);
        assert!(table.contains(&employer.email), "{}", app.backend);
        assert!(!table.contains("Compte débloqué"), "{}", app.backend);
        // Record: the link on a row's record keeps only the rows about it.
        let link = record_link(&body).expect("a link on the account acted on");
        assert!(link.contains("sur="), "{}: {link}", app.backend);
        let (_, body) = get_as(
            &app,
            Role::Admin,
            &link.replace("quoi=account.password_changed&", ""),
        )
        .await;
        let table = table_text(&body);
        assert!(table.contains("Mot de passe changé"), "{}", app.backend);
        assert!(
            !table.contains("Compte débloqué"),
            "{}: {link} {table}",
            app.backend
        );
        assert!(body.contains("retirer ce filtre"), "{}", app.backend);

        // Dates: a day with nothing, then a day that is not one, named by its field.
        let (status, body) = get_as(
            &app,
            Role::Admin,
            "/journal/securite?du=01/01/2001&au=31/12/2001",
        )
        .await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(
            body.contains("Aucun événement pour ces filtres"),
            "{}",
            app.backend
        );
        let (status, body) = get_as(&app, Role::Admin, "/journal/securite?du=31/02/2026").await;
        assert_eq!(status, 400, "{}", app.backend);
        assert!(
            body.contains("Du : « 31/02/2026 » n'est pas une date"),
            "{}: {body}",
            app.backend
        );
        let (status, body) = get_as(
            &app,
            Role::Admin,
            "/journal/securite?du=05/12/2026&au=01/12/2026",
        )
        .await;
        assert_eq!(status, 400, "{}", app.backend);
        assert!(body.contains("Au : la date de fin"), "{}", app.backend);

        // An employer reads only its own accounts' events: none of these were in its scope.
        let (status, body) = get_as(&app, Role::Employer, "/journal/securite").await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(
            !table_text(&body).contains("Compte débloqué"),
            "{}",
            app.backend
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn pages_follow_each_other_without_overlap() {
    for app in spawn_all().await {
        let worker = app.login(Role::SocialWorker).clone();
        for _ in 0..60 {
            security_event(&app, JournalAction::LoginFailed, Role::SocialWorker, "").await;
        }
        let first_path = format!("/journal/securite?qui={}&quoi=login.failed", worker.email);
        let (_, first) = get_as(&app, Role::Admin, &first_path).await;
        let first_rows = row_numbers(&first);
        assert_eq!(first_rows.len(), 50, "{}", app.backend);
        assert!(
            first_rows.windows(2).all(|w| w[0] > w[1]),
            "{}",
            app.backend
        );
        let next = link_to(&first, "Page suivante").expect("a next page");
        assert!(
            next.contains(&format!("avant={}", first_rows[49])),
            "{}: {next}",
            app.backend
        );
        assert!(
            next.contains("quoi=login.failed"),
            "{}: the filters go on",
            app.backend
        );
        let (_, second) = get_as(&app, Role::Admin, &next).await;
        let second_rows = row_numbers(&second);
        assert_eq!(second_rows.len(), 10, "{}", app.backend);
        assert!(second_rows[0] < first_rows[49], "{}", app.backend);
        assert!(
            link_to(&second, "Page suivante").is_none(),
            "{}",
            app.backend
        );
        // Back: the page before is the first one again.
        let previous = link_to(&second, "Page précédente").expect("a previous page");
        let (_, back) = get_as(&app, Role::Admin, &previous).await;
        assert_eq!(row_numbers(&back), first_rows, "{}", app.backend);
        // A page bound that is not one.
        let (status, body) = get_as(&app, Role::Admin, "/journal/securite?avant=abc").await;
        assert_eq!(status, 400, "{}", app.backend);
        assert!(
            body.contains("Page : lien de page invalide"),
            "{}",
            app.backend
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn access_journal_names_cases_by_day_and_details_in_french() {
    for app in spawn_all().await {
        let case = app.case_for(true).await;
        let post = app.scope(Role::SocialWorker);
        let worker = app.login(Role::SocialWorker).clone();
        record(
            &app.db,
            Entry::new(JournalAction::PersonalDataWritten)
                .by(&worker.id, Some(Role::SocialWorker.code()))
                .on("case", &case)
                .detail("orientation proposée (france_victimes)")
                .in_post(Some(&post)),
        )
        .await
        .unwrap();
        let (status, body) = get_as(&app, Role::SocialWorker, "/journal/acces").await;
        assert_eq!(status, 200, "{}", app.backend);
        let table = table_text(&body);
        assert!(
            table.contains("orientation proposée (Association France Victimes)"),
            "{}: {table}",
            app.backend
        );
        assert!(!table.contains("france_victimes"), "{}", app.backend);
        assert!(table.contains("dossier du "), "{}: {table}", app.backend);
        assert!(
            !table.contains(&case),
            "{}: the case by its id",
            app.backend
        );
        assert!(table.contains(&worker.display_name), "{}", app.backend);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_export_is_a_french_csv_of_the_filter_and_is_journaled() {
    for app in spawn_all().await {
        let worker = app.login(Role::SocialWorker).clone();
        security_event(&app, JournalAction::AccountUnlocked, Role::SocialWorker, "").await;
        security_event(&app, JournalAction::PasswordChanged, Role::Employer, "").await;
        let (status, body) = get_as(
            &app,
            Role::Admin,
            &format!("/journal/securite?qui={}", worker.email),
        )
        .await;
        assert_eq!(status, 200);
        let at = body
            .find("/journal/securite/export.csv")
            .expect("an export link");
        let export = body[at..body[at..].find('"').unwrap() + at].to_string();
        assert!(
            export.starts_with("/journal/securite/export.csv?qui="),
            "{export}"
        );

        let session = app.session_for(Role::Admin).await;
        let response = app
            .client
            .get(app.url(&export))
            .header("cookie", format!("passerelle_session={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", app.backend);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv"),
            "{}",
            app.backend
        );
        let bytes = response.bytes().await.unwrap();
        assert!(
            bytes.starts_with("\u{feff}".as_bytes()),
            "{}: a BOM",
            app.backend
        );
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(
            text.starts_with("N°;Date (heure de Paris);Événement;Par;Rôle;Sur;Détail;Adresse IP"),
            "{}: {text}",
            app.backend
        );
        assert!(text.contains("Compte débloqué"), "{}", app.backend);
        assert!(text.contains(&worker.email), "{}", app.backend);
        assert!(
            !text.contains("Mot de passe changé"),
            "{}: filtered",
            app.backend
        );

        let admin = &app.login(Role::Admin).id;
        let (detail,): (String,) = sqlx::query_as(
            "SELECT detail FROM journal WHERE action = 'export' AND actor_account_id = $1 \
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(admin)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert!(
            detail.starts_with("journal de sécurité exporté (filtré) : "),
            "{}: {detail}",
            app.backend
        );
        // A bad filter exports nothing, and says which field.
        let response = app
            .client
            .get(app.url("/journal/securite/export.csv?au=demain"))
            .header("cookie", format!("passerelle_session={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{}", app.backend);
        assert!(
            response.text().await.unwrap().contains("Au : "),
            "{}",
            app.backend
        );
        app.finish().await;
    }
}
