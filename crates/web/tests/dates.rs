//! Dates at the edges of the calendar over HTTP on both backends: a day list, a booking and
//! every other form or link that takes a date answer `9999-12-31` or `0001-01-01` with a
//! French message naming the field, never a panic (500); the last accepted day still works.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::date_field::DateField;
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

const FAR: [&str; 4] = ["9999-12-31", "31/12/9999", "0001-01-01", "01/01/1899"];

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The status and the text of a page, with HTML's escaped apostrophes read back.
async fn body(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.replace("&#x27;", "'").replace("&#39;", "'"))
}

async fn answer(
    app: &TestApp,
    who: Role,
    method: Method,
    path: &str,
    pairs: &[(&str, &str)],
) -> (u16, String) {
    body(app.send_as(Some(who), method, path, &form(pairs)).await).await
}

/// Refused with the field named and the accepted years said (links) or the field's window
/// (forms, see `passerelle_domain::date_field`), as a 4xx or a page that shows the form again
/// with the message.
fn refused_by_name(app: &TestApp, what: &str, (status, text): &(u16, String), field: &str) {
    assert!(
        (200..500).contains(status),
        "{} {what}: {status}\n{text}",
        app.backend
    );
    assert!(
        text.contains(&format!(
            "« {field} » doit être une date entre 1900 et 2200"
        )) || text.contains(&format!("{field} : la date doit être comprise entre"))
            || text.contains(&format!("{field} : pas avant")),
        "{} {what}: {status}, no French message naming « {field} »\n{text}",
        app.backend
    );
}

#[tokio::test]
async fn the_appointments_day_list_refuses_far_days_by_name_and_shows_the_last_one() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        for far in FAR {
            let path = format!("/postes/{post}/rendez-vous?jour={far}");
            let answered = answer(&app, Role::SocialWorker, Method::Get, &path, &[]).await;
            assert_eq!(answered.0, 400, "{} {path}", app.backend);
            refused_by_name(&app, &path, &answered, "jour");
        }
        let path = format!("/postes/{post}/rendez-vous?jour=2200-12-31");
        let (status, text) = answer(&app, Role::SocialWorker, Method::Get, &path, &[]).await;
        assert_eq!(status, 200, "{} {path}\n{text}", app.backend);
        assert!(
            text.contains("Rendez-vous du 31/12/2200"),
            "{} {path}",
            app.backend
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_booking_on_a_far_day_is_refused_by_name() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let unit = app.scope(Role::Officer);
        let path = format!("/postes/{post}/rendez-vous");
        for who in [Role::Officer, Role::SocialWorker] {
            for far in FAR {
                let booking = [
                    ("mode", "in_person"),
                    ("unit", unit.as_str()),
                    ("date", far),
                    ("start", "9:30"),
                    ("end", "10:00"),
                    ("person", "Mme Témoin"),
                    ("safe_contact", "Appeler après 18 h"),
                    ("consent", "1"),
                ];
                let answered = answer(&app, who, Method::Post, &path, &booking).await;
                refused_by_name(
                    &app,
                    &format!("{who:?} {far}"),
                    &answered,
                    DateField::Appointment.label(),
                );
            }
        }
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM appointments WHERE post_id = $1 AND starts_at >= '2201'",
        )
        .bind(&post)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(count, 0, "{}", app.backend);
        app.finish().await;
    }
}

/// Every other link or form that reads a date, as the role that may use it.
#[tokio::test]
async fn every_other_date_field_refuses_far_days_by_name() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let unit = app.scope(Role::Officer);
        let departement = app.departement_for(true).await;
        let case = app.case_for(true).await;
        for far in FAR {
            let links = [
                (
                    Role::Officer,
                    format!("/presence/unites/{unit}?semaine={far}"),
                    "semaine",
                ),
                (
                    Role::Prevention,
                    format!("/presence/departements/{departement}?semaine={far}"),
                    "semaine",
                ),
                (Role::National, format!("/pilotage?au={far}"), "au"),
            ];
            for (who, path, field) in links {
                let answered = answer(&app, who, Method::Get, &path, &[]).await;
                refused_by_name(&app, &path, &answered, field);
            }
            let slot = |from: &str, until: &str| {
                vec![
                    ("unit", unit.clone()),
                    ("weekday", "3".into()),
                    ("start", "9h".into()),
                    ("end", "12h".into()),
                    ("valid_from", from.to_string()),
                    ("valid_until", until.to_string()),
                    ("time_zone", "Europe/Paris".into()),
                ]
            };
            let owned = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
                pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
            };
            let presence = format!("/postes/{post}/presence");
            let forms = [
                (
                    Role::SocialWorker,
                    format!("{presence}/creneaux"),
                    slot(far, ""),
                    DateField::PresenceFrom.label(),
                ),
                (
                    Role::SocialWorker,
                    format!("{presence}/creneaux"),
                    slot("2026-01-05", far),
                    DateField::PresenceUntil.label(),
                ),
                (
                    Role::SocialWorker,
                    format!("{presence}/absences"),
                    owned(&[
                        ("kind", "leave"),
                        ("starts_on", far),
                        ("ends_on", "2026-01-09"),
                    ]),
                    DateField::AbsenceFirst.label(),
                ),
                (
                    Role::SocialWorker,
                    format!("{presence}/absences"),
                    owned(&[
                        ("kind", "leave"),
                        ("starts_on", "2026-01-05"),
                        ("ends_on", far),
                    ]),
                    DateField::AbsenceLast.label(),
                ),
                (
                    Role::SocialWorker,
                    format!("{presence}/annonce"),
                    owned(&[("message", "Fermé"), ("until", far)]),
                    DateField::NoticeUntil.label(),
                ),
                (
                    Role::Employer,
                    format!("/postes/{post}/statut"),
                    owned(&[("status", "vacant"), ("date", far)]),
                    DateField::PostStep.label(),
                ),
                (
                    Role::Employer,
                    format!("/postes/{post}/conventions"),
                    owned(&[
                        ("parties", "État, commune"),
                        ("starts_on", "2026-01-01"),
                        ("ends_on", far),
                        ("renewal", "tacit"),
                    ]),
                    DateField::AgreementEnd.label(),
                ),
                (
                    Role::SocialWorker,
                    format!("/dossiers/{case}/entretiens"),
                    owned(&[("held_on", far), ("place", "at_unit"), ("minutes", "30")]),
                    DateField::Interview.label(),
                ),
                (
                    Role::SocialWorker,
                    format!("/dossiers/{case}/actions"),
                    owned(&[("done_on", far), ("kind", "listening")]),
                    DateField::Action.label(),
                ),
                (
                    Role::SocialWorker,
                    format!("/dossiers/{case}/orientations"),
                    owned(&[
                        ("proposed_on", far),
                        ("partner_type", "cidff"),
                        ("partner_name", ""),
                    ]),
                    DateField::Orientation.label(),
                ),
                (
                    Role::SocialWorker,
                    format!("/dossiers/{case}/prochaine-etape"),
                    owned(&[("text", "Rappeler"), ("on", far)]),
                    DateField::NextStep.label(),
                ),
            ];
            for (who, path, pairs, field) in forms {
                let pairs: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let answered = answer(&app, who, Method::Post, &path, &pairs).await;
                refused_by_name(&app, &format!("{path} {far}"), &answered, field);
            }
        }
        app.finish().await;
    }
}
