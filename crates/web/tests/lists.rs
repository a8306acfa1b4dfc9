//! Lists that scale, over HTTP on both backends: the posts list a page at a time with its
//! filters and search kept in the URL, its counts, its CSV export under the same filters,
//! and « Créer un poste », the one-line import.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_domain::registry::post::PostStatus;
use passerelle_store::registry::post::{PostRow, PostScope, posts_in};
use passerelle_web::http::listing::PAGE_SIZE;
use passerelle_web::http::route_table::Method;

async fn page(app: &TestApp, who: Role, path: &str) -> (u16, String) {
    let response = app.send_as(Some(who), Method::Get, path, &[]).await;
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

fn summary(total: usize, page: usize) -> String {
    let pages = total.div_ceil(PAGE_SIZE as usize).max(1);
    let noun = if total > 1 { "postes" } else { "poste" };
    format!("{total} {noun}, page {page} sur {pages}")
}

/// Whether a post's line is in the page's list (its link in the list's table, not in the
/// agreements ending below it).
fn shows(html: &str, post: &PostRow) -> bool {
    let list = html
        .split_once("id=\"liste-postes\"")
        .and_then(|(_, rest)| rest.split_once("</table>"))
        .map(|(table, _)| table)
        .unwrap_or_default();
    list.contains(&format!("href=\"/postes/{}\">{}</a>", post.id, post.code))
}

#[tokio::test]
async fn the_national_team_filters_posts_by_departement_and_status() {
    for app in spawn_all().await {
        let all = posts_in(&app.db, &PostScope::Nation, None).await.unwrap();
        let probe = &all[all.len() / 2];
        let departement = probe.departement_code.to_string();
        let wanted: Vec<&PostRow> = all
            .iter()
            .filter(|p| p.departement_code == probe.departement_code && p.status == probe.status)
            .collect();
        let (status, html) = page(
            &app,
            Role::National,
            &format!(
                "/postes?departement={departement}&statut={}",
                probe.status.code()
            ),
        )
        .await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(html.contains(&summary(wanted.len(), 1)), "{}", app.backend);
        for post in wanted.iter().take(PAGE_SIZE as usize) {
            assert!(shows(&html, post), "{} missing", post.code);
        }
        for post in all.iter().filter(|p| !wanted.iter().any(|w| w.id == p.id)) {
            assert!(!shows(&html, post), "{} should be filtered out", post.code);
        }
        // The filters stay chosen in the form.
        assert!(html.contains(&format!("value=\"{departement}\" selected")));
        // The search finds a post by its code, whatever its case.
        let (_, found) = page(
            &app,
            Role::National,
            &format!("/postes?q={}", probe.code.to_lowercase()),
        )
        .await;
        assert!(shows(&found, probe), "search by code");
        assert!(!found.contains("0 poste,"));
        app.finish().await;
    }
}

#[tokio::test]
async fn pages_count_and_bad_queries_fall_back_in_french() {
    for app in spawn_all().await {
        let all = posts_in(&app.db, &PostScope::Nation, None).await.unwrap();
        assert!(all.len() > PAGE_SIZE as usize, "the demo fills two pages");
        let size = PAGE_SIZE as usize;
        let (_, first) = page(&app, Role::National, "/postes").await;
        assert!(first.contains(&summary(all.len(), 1)));
        assert!(first.contains("class=\"fr-pagination__list\""));
        assert!(shows(&first, &all[0]) && !shows(&first, &all[size]));
        let (_, second) = page(&app, Role::National, "/postes?page=2").await;
        assert!(second.contains(&summary(all.len(), 2)));
        assert!(shows(&second, &all[size]) && !shows(&second, &all[0]));
        let (status, bad) = page(&app, Role::National, "/postes?page=abc&statut=zz").await;
        assert_eq!(status, 200);
        assert!(bad.contains("Page : « abc »"), "{bad}");
        assert!(bad.contains("Statut : « zz »"));
        assert!(bad.contains(&summary(all.len(), 1)));
        let last = all.len().div_ceil(size);
        let (_, beyond) = page(&app, Role::National, "/postes?page=9999").await;
        assert!(beyond.contains(&summary(all.len(), last)));
        assert!(shows(&beyond, all.last().unwrap()));
        // The prevention referent's list holds its département only, counted as such.
        let scope = app.scope(Role::Prevention);
        let own = posts_in(&app.db, &PostScope::Departement(scope), None)
            .await
            .unwrap();
        let (_, prevention) = page(&app, Role::Prevention, "/postes").await;
        assert!(prevention.contains(&summary(own.len(), 1)));
        app.finish().await;
    }
}

#[tokio::test]
async fn the_export_is_french_csv_under_the_lists_filters() {
    for app in spawn_all().await {
        let vacant = posts_in(&app.db, &PostScope::Nation, Some(PostStatus::Vacant))
            .await
            .unwrap();
        let response = app
            .send_as(
                Some(Role::National),
                Method::Get,
                "/postes/export.csv?statut=vacant",
                &[],
            )
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("Poste;Zone;Statut;Depuis le;Département;Employeur;ETP")
        );
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), vacant.len());
        for (row, post) in rows.iter().zip(&vacant) {
            assert!(row.starts_with(&format!("{};", post.code)), "{row}");
            assert!(row.contains(";Vacant;"), "{row}");
        }
        app.finish().await;
    }
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    let (count,): (i64,) = sqlx::query_as(sql).fetch_one(app.db.pool()).await.unwrap();
    count
}

#[tokio::test]
async fn one_post_is_created_from_the_form_with_the_imports_rules() {
    for app in spawn_all().await {
        let (employer, departement): (String, String) =
            sqlx::query_as("SELECT name, departement_code FROM employers ORDER BY id LIMIT 1")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let form = |etp: &str, date: &str, employer: &str| -> Vec<(String, String)> {
            [
                ("code", "ISCG-TEST-001"),
                ("departement", departement.as_str()),
                ("zone", "police"),
                ("employeur", employer),
                ("etp", etp),
                ("statut", "project"),
                ("date", date),
                ("unites", ""),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
        };
        let posts = count(&app, "SELECT COUNT(*) FROM posts").await;
        let journal = count(&app, "SELECT COUNT(*) FROM journal").await;
        // Wrong: each error at its field, in French, and nothing written.
        let refused = app
            .send_as(
                Some(Role::National),
                Method::Post,
                "/postes/nouveau",
                &form("3", "31/02/2024", "Employeur inconnu"),
            )
            .await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        for field in ["etp", "date", "employeur"] {
            assert!(
                html.contains(&format!("<p class=\"fr-error-text\" id=\"{field}-error\">")),
                "{field} in {html}"
            );
        }
        assert!(html.contains("Temps de travail (ETP) : "));
        assert!(
            html.contains("value=\"Employeur inconnu\""),
            "the form keeps what was typed"
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM posts").await, posts);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM journal").await, journal);
        // Right: the post exists, its page is shown next, the import's journal row is written.
        let created = app
            .send_as(
                Some(Role::National),
                Method::Post,
                "/postes/nouveau",
                &form("0,5", "02/01/2024", &employer),
            )
            .await;
        assert_eq!(created.status(), 303, "{}", app.backend);
        let (id, fte): (String, f64) =
            sqlx::query_as("SELECT id, fte FROM posts WHERE code = 'ISCG-TEST-001'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(fte, 0.5);
        assert_eq!(
            created.headers()["location"].to_str().unwrap(),
            format!("/postes/{id}")
        );
        let (action, detail): (String, Option<String>) =
            sqlx::query_as("SELECT action, detail FROM journal ORDER BY seq DESC LIMIT 1")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(action, "registry.import");
        assert!(detail.unwrap_or_default().contains("1 créés"));
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM journal").await,
            journal + 1
        );
        // The same code again is refused: the form creates, it never updates.
        let again = app
            .send_as(
                Some(Role::National),
                Method::Post,
                "/postes/nouveau",
                &form("1", "02/01/2024", &employer),
            )
            .await;
        assert_eq!(again.status(), 422);
        assert!(again.text().await.unwrap().contains("id=\"code-error\""));
        assert_eq!(count(&app, "SELECT COUNT(*) FROM posts").await, posts + 1);
        app.finish().await;
    }
}

#[tokio::test]
async fn units_are_listed_by_departement_and_kind_searched_by_name_and_exported() {
    for app in spawn_all().await {
        let in_35: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id, name, kind FROM units WHERE departement_code = '35' ORDER BY name, id",
        )
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        let kind = in_35[0].2.clone();
        let of_kind: Vec<&(String, String, String)> =
            in_35.iter().filter(|(_, _, k)| *k == kind).collect();
        let (status, html) = page(
            &app,
            Role::National,
            &format!("/registre/unites?departement=35&type={kind}"),
        )
        .await;
        assert_eq!(status, 200, "{}", app.backend);
        let noun = if of_kind.len() > 1 {
            "unités"
        } else {
            "unité"
        };
        let pages = of_kind.len().div_ceil(PAGE_SIZE as usize).max(1);
        assert!(
            html.contains(&format!("{} {noun}, page 1 sur {pages}", of_kind.len())),
            "{}",
            app.backend
        );
        for (id, _, k) in &in_35 {
            assert_eq!(
                html.contains(&format!("href=\"/registre/unites/{id}\"")),
                *k == kind
                    && of_kind
                        .iter()
                        .take(PAGE_SIZE as usize)
                        .any(|(i, _, _)| i == id),
                "{id} {k}"
            );
        }
        // The search by name, across départements.
        let wanted = &in_35[in_35.len() / 2];
        let (_, found) = page(
            &app,
            Role::National,
            &format!(
                "/registre/unites?departement=&{}",
                serde_urlencoded::to_string([("q", wanted.1.as_str())]).unwrap()
            ),
        )
        .await;
        assert!(found.contains(&format!("href=\"/registre/unites/{}\"", wanted.0)));
        // The export: every unit the filters keep, in French CSV.
        let export = app
            .send_as(
                Some(Role::Prevention),
                Method::Get,
                &format!("/registre/unites/export.csv?departement=35&type={kind}"),
                &[],
            )
            .await;
        assert_eq!(export.status(), 200);
        let bytes = export.bytes().await.unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("Unité;Type;Département;Commune;Unité de rattachement")
        );
        assert_eq!(lines.count(), of_kind.len());
        app.finish().await;
    }
}

/// The rows of a table of the page, by its id.
fn rows_of(html: &str, table: &str) -> usize {
    html.split_once(&format!("id=\"{table}\""))
        .and_then(|(_, rest)| rest.split_once("<tbody>"))
        .and_then(|(_, rest)| rest.split_once("</tbody>"))
        .map(|(body, _)| body.matches("<tr>").count())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_officers_referrals_go_a_page_at_a_time() {
    for app in spawn_all().await {
        let unit = passerelle_domain::ids::UnitId::new(app.scope(Role::Officer));
        let officer = passerelle_domain::ids::AccountId::new(&app.login(Role::Officer).id);
        let count =
            || passerelle_store::referral::referrer::count_sent_by(&app.db, &unit, &officer);
        while count().await.unwrap() <= PAGE_SIZE {
            app.case_for(true).await;
        }
        let total = count().await.unwrap() as usize;
        let pages = total.div_ceil(PAGE_SIZE as usize);
        let (status, first) = page(&app, Role::Officer, "/signalements").await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(first.contains(&format!("{total} signalements, page 1 sur {pages}")));
        assert_eq!(rows_of(&first, "my-referrals"), PAGE_SIZE as usize);
        assert!(first.contains("href=\"/signalements?page=2\""));
        let (_, last) = page(&app, Role::Officer, &format!("/signalements?page={pages}")).await;
        assert!(last.contains(&format!("page {pages} sur {pages}")));
        assert_eq!(
            rows_of(&last, "my-referrals"),
            total - (pages - 1) * PAGE_SIZE as usize
        );
        // The colleagues' list is the first page's, without the officer's own.
        assert!(!last.contains("id=\"unit-referrals\""));
        app.finish().await;
    }
}

/// The accounts the list showed before it had pages, for a demo role: the remit's query,
/// then the policy on each account in full.
async fn expected_accounts(app: &TestApp, who: Role) -> Vec<(String, String)> {
    use passerelle_domain::access::{Action, Actor, Resource, decide};
    use passerelle_domain::ids::AccountId;
    use passerelle_store::identity::account;
    let login = app.login(who);
    let role = account::roles_of(&app.db, &AccountId::new(&login.id))
        .await
        .unwrap()
        .remove(0);
    let actor = Actor {
        account_id: AccountId::new(&login.id),
        grant: passerelle_domain::access::Grant {
            role: who,
            scope: role.scope().unwrap(),
        },
    };
    let mut shown = Vec::new();
    for row in account::accounts_in_remit(&app.db, who, &actor.grant.scope)
        .await
        .unwrap()
    {
        let roles = account::roles_with_places(&app.db, &row.id).await.unwrap();
        if decide(&actor, Action::View, &Resource::Account { roles: &roles }).is_allowed() {
            shown.push((row.id.to_string(), row.email));
        }
    }
    shown
}

#[tokio::test]
async fn accounts_are_listed_within_the_remit_by_role_and_searched() {
    for app in spawn_all().await {
        for who in [Role::Admin, Role::Prevention, Role::Employer] {
            let expected = expected_accounts(&app, who).await;
            let (status, html) = page(&app, who, "/comptes").await;
            assert_eq!(status, 200, "{who:?} {}", app.backend);
            let noun = if expected.len() > 1 {
                "comptes"
            } else {
                "compte"
            };
            let pages = expected.len().div_ceil(PAGE_SIZE as usize).max(1);
            assert!(
                html.contains(&format!("{} {noun}, page 1 sur {pages}", expected.len())),
                "{who:?} {}: {} expected",
                app.backend,
                expected.len()
            );
            // Each one found by its address, on its own.
            let (id, email) = &expected[expected.len() / 2];
            let (_, found) = page(
                &app,
                who,
                &format!(
                    "/comptes?{}",
                    serde_urlencoded::to_string([("q", email.to_uppercase())]).unwrap()
                ),
            )
            .await;
            assert!(
                found.contains(&format!("href=\"/comptes/{id}\"")),
                "{email}"
            );
        }
        // The administrator filters by role and state.
        let (officers,): (i64,) = sqlx::query_as(
            "SELECT COUNT(DISTINCT a.id) FROM accounts a JOIN account_roles r ON r.account_id = a.id \
             WHERE r.role = 'officer' AND a.disabled = 0 AND a.invitation_token_hash IS NULL",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let (_, html) = page(&app, Role::Admin, "/comptes?role=officer&etat=actif").await;
        let noun = if officers > 1 { "comptes" } else { "compte" };
        assert!(
            html.contains(&format!("{officers} {noun}, page 1 sur")),
            "{}",
            app.backend
        );
        let (_, bad) = page(&app, Role::Admin, "/comptes?role=roi").await;
        assert!(bad.contains("Rôle : « roi »"));
        app.finish().await;
    }
}
