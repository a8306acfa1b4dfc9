//! What each cell sends: real identifiers, and valid forms with the anti-forgery token, so
//! that a refusal is the policy's and not the form's (the allowed actors' success proves the
//! form valid). Outside its scope a cell aims at the sentinel case file of another post.

use super::world::{World, day, letters, orientation_of, today};
use super::{Side, Who};
use crate::helpers::CSRF;
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

/// A request's body.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    Form(Vec<(String, String)>),
    /// A file upload: the anti-forgery token first (the server reads it from the first
    /// part), then the fields, then the file (field name, file name, bytes).
    Upload(Vec<(String, String)>, (String, String, Vec<u8>)),
}

/// One request of a cell, and how many personal-data reads its answer journals when the
/// actor is allowed (a page that names persons: exactly one row, unless it says otherwise).
#[derive(Debug, Clone)]
pub struct Ask {
    pub path: String,
    pub body: Body,
    pub reads: u64,
    /// Whose data the answer may show, when not the session's: a private feed's token is
    /// its social worker's credential, whoever sends it.
    pub reader: Option<Role>,
}

/// Every request of a cell: most have one; some ask a page several ways (a search, every
/// download of a route).
#[derive(Debug, Clone)]
pub struct Request {
    pub asks: Vec<Ask>,
    /// A change of password went through when this cell is allowed: remember the new one.
    pub password_to: Option<(Role, String)>,
}

impl Request {
    fn get(path: impl Into<String>) -> Self {
        Self {
            asks: vec![Ask {
                path: path.into(),
                body: Body::None,
                reads: 0,
                reader: None,
            }],
            password_to: None,
        }
    }

    fn post(path: impl Into<String>, form: &[(&str, &str)]) -> Self {
        Self {
            asks: vec![Ask {
                path: path.into(),
                body: Body::Form(
                    form.iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                reads: 0,
                reader: None,
            }],
            password_to: None,
        }
    }

    fn upload(path: impl Into<String>, fields: &[(&str, &str)], file: (&str, &[u8])) -> Self {
        Self {
            asks: vec![Ask {
                path: path.into(),
                body: Body::Upload(
                    fields
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                    ("fichier".into(), file.0.into(), file.1.to_vec()),
                ),
                reads: 0,
                reader: None,
            }],
            password_to: None,
        }
    }

    /// The last request journals `reads` reads of personal data when allowed.
    fn reading(mut self, reads: u64) -> Self {
        self.asks.last_mut().unwrap().reads = reads;
        self
    }

    /// The answer shows `role`'s data, whoever asks.
    fn read_by(mut self, role: Role) -> Self {
        self.asks.last_mut().unwrap().reader = Some(role);
        self
    }

    /// One more page asked in the same cell.
    fn and_get(mut self, path: impl Into<String>, reads: u64) -> Self {
        self.asks.push(Ask {
            path: path.into(),
            body: Body::None,
            reads,
            reader: None,
        });
        self
    }
}

/// What the searches type: the start every sentinel name shares, never a whole sentinel
/// (the page gives the search back in its box, which is no leak).
const SEARCHED: &str = "SENTINELLE-persons-identity";

/// The referral form as the officer's desk or the social worker's "new case" sends it, naming
/// the demo's fictitious person (recognised as the inside post's personal data).
fn referral_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("source", "intervention"),
        ("urgency", "within_48h"),
        ("category", "domestic_violence"),
        (
            "context",
            "Intervention au domicile pour un différend conjugal.",
        ),
        ("person_1_role", "victim"),
        ("person_1_last_name", "Fictive"),
        ("person_1_first_name", "Camille"),
        ("person_1_phone", "06 12 34 56 78"),
        ("consent", "yes"),
        ("contact_channel", "phone_call"),
        ("contact_hours", "après 18 h"),
        ("procedure_reference", ""),
    ]
}

pub async fn build(w: &World<'_>, method: Method, path: &str, who: Who, side: Side) -> Request {
    let app = w.app;
    let far = w.sentinels.far();
    let inside = side == Side::Inside;
    let target = || async { app.fixture_target(who, side).await };
    // The case, person and appointment a cell aims at: fresh ones of the demo post inside,
    // the sentinel ones of the far post outside.
    let case = || async {
        if inside {
            app.case_for(true).await
        } else {
            far.case.clone()
        }
    };
    let person = || async {
        if inside {
            app.person_for(true).await.0
        } else {
            far.persons[0].clone()
        }
    };
    let appointment = || async {
        if inside {
            app.appointment_for(true).await
        } else {
            far.appointment.clone()
        }
    };
    let unknown = |inside_value: String, outside: &str| {
        if inside {
            inside_value
        } else {
            outside.to_string()
        }
    };
    match (method, path) {
        (Method::Get, "/")
        | (Method::Get, "/menu")
        | (Method::Get, "/healthz")
        | (Method::Get, "/metrics")
        | (Method::Get, "/connexion")
        | (Method::Get, "/connexion/proconnect")
        | (Method::Get, "/accessibilite")
        | (Method::Get, "/mentions-legales")
        | (Method::Get, "/donnees-personnelles")
        | (Method::Get, "/cookies")
        | (Method::Get, "/plan-du-site")
        | (Method::Get, "/carte")
        | (Method::Get, "/observatoire")
        | (Method::Get, "/api/observatoire")
        | (Method::Get, "/api/openapi.json")
        | (Method::Get, "/api/statistiques")
        | (Method::Get, "/donnees")
        | (Method::Get, "/donnees/postes.csv")
        | (Method::Get, "/donnees/postes.xlsx")
        | (Method::Get, "/donnees/postes.json")
        | (Method::Get, "/donnees/data-inclusion/structures.json")
        | (Method::Get, "/donnees/data-inclusion/services.json")
        | (Method::Get, "/postes")
        | (Method::Get, "/pilotage") => Request::get(path),
        (Method::Get, "/registre/import") => Request::get(path),
        (Method::Get, "/jetons-api") => Request::get(path),
        (Method::Post, "/jetons-api") => Request::post(
            path,
            &[
                ("name", "Tableau de bord national"),
                ("role", "national"),
                ("scope", "nation:"),
                ("last_day", &day(30)),
            ],
        ),
        (Method::Post, "/jetons-api/{id}/revoquer") => {
            let id = unknown(
                app.api_token_for(Role::National, true).await.1,
                "0123456789abcdef0123456789abcdef",
            );
            Request::post(format!("/jetons-api/{id}/revoquer"), &[])
        }
        (Method::Get, "/postes/export.csv") => Request::get("/postes/export.csv?statut=vacant&q=a"),
        (Method::Get, "/postes/nouveau") => Request::get(path),
        (Method::Get, "/registre/unites/export.csv") => {
            Request::get("/registre/unites/export.csv?departement=35&type=bta")
        }
        // A new post of the demo département under a code nobody took, with one of its
        // employers.
        (Method::Post, "/postes/nouveau") => {
            let departement = app.departement_for(true).await;
            let (employer,): (String,) = sqlx::query_as(
                "SELECT name FROM employers WHERE departement_code = $1 ORDER BY id LIMIT 1",
            )
            .bind(&departement)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
            Request::post(
                path,
                &[
                    ("code", &format!("ISCG-T-{}", letters())),
                    ("departement", &departement),
                    ("zone", "gendarmerie"),
                    ("employeur", &employer),
                    ("etp", "1"),
                    ("statut", "project"),
                    ("date", "02/01/2024"),
                    ("unites", ""),
                ],
            )
        }
        (Method::Get, "/registre/import/modele/{fichier}") => {
            Request::get("/registre/import/modele/postes.xlsx")
        }
        (Method::Get, "/registre/unites") | (Method::Get, "/registre/employeurs") => {
            Request::get(path)
        }
        (Method::Get, "/registre/unites/{id}") => Request::get(format!(
            "/registre/unites/{}",
            unknown(app.scope(Role::Officer), "inconnue")
        )),
        (Method::Get, "/registre/employeurs/{id}") => Request::get(format!(
            "/registre/employeurs/{}",
            unknown(app.scope(Role::Employer), "inconnu")
        )),
        // A new unit and employer of the demo département, under names nobody took; the
        // unit of the demo officer's kind, under the same parent.
        (Method::Post, "/registre/unites") => {
            let (kind, parent): (String, Option<String>) =
                sqlx::query_as("SELECT kind, parent_id FROM units WHERE id = $1")
                    .bind(app.scope(Role::Officer))
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap();
            Request::post(
                path,
                &[
                    ("departement", &app.departement_for(true).await),
                    ("kind", &kind),
                    ("name", &format!("Unité témoin {}", letters())),
                    ("parent", &parent.unwrap_or_default()),
                    ("commune", ""),
                ],
            )
        }
        (Method::Post, "/registre/employeurs") => Request::post(
            path,
            &[
                ("departement", &app.departement_for(true).await),
                ("kind", "association"),
                ("name", &format!("Association témoin {}", letters())),
                ("commune", ""),
            ],
        ),
        // The demo unit and employer saved as they are; the nation has no outside, so the
        // outside is a unit or employer that does not exist.
        (Method::Post, "/registre/unites/{id}") => {
            let (name, commune): (String, Option<String>) =
                sqlx::query_as("SELECT name, commune_code FROM units WHERE id = $1")
                    .bind(app.scope(Role::Officer))
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap();
            Request::post(
                format!(
                    "/registre/unites/{}",
                    unknown(app.scope(Role::Officer), "inconnue")
                ),
                &[("name", &name), ("commune", &commune.unwrap_or_default())],
            )
        }
        (Method::Post, "/registre/employeurs/{id}") => {
            let (kind, name, commune): (String, String, Option<String>) =
                sqlx::query_as("SELECT kind, name, commune_code FROM employers WHERE id = $1")
                    .bind(app.scope(Role::Employer))
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap();
            Request::post(
                format!(
                    "/registre/employeurs/{}",
                    unknown(app.scope(Role::Employer), "inconnu")
                ),
                &[
                    ("kind", &kind),
                    ("name", &name),
                    ("commune", &commune.unwrap_or_default()),
                ],
            )
        }
        // An employer no import has named yet.
        (Method::Post, "/registre/import") => {
            let file = format!(
                "type;nom;departement\nassociation;Association importée {};29\n",
                letters()
            );
            Request::upload(path, &[("type", "employeurs")], ("e.csv", file.as_bytes()))
        }
        (Method::Get, "/postes/{id}") => Request::get(format!("/postes/{}", app.post_for(side))),
        // The registry's changes to a post: on a fresh post each time (inside, of the demo
        // employer; outside, of another employer and département), so that its lifecycle,
        // host units and funding are nobody else's.
        (Method::Post, "/postes/{id}/unites") => {
            let post = w.fresh_post(side, false).await;
            let unit = w.hostable_unit(&post).await;
            Request::post(
                format!("/postes/{post}/unites"),
                &[("unit", &unit), ("share", "50")],
            )
        }
        (Method::Post, "/postes/{id}/unites/{unit_id}/retirer") => {
            let post = w.fresh_post(side, true).await;
            let unit = w
                .host_of(&post)
                .await
                .expect("the fresh post has a host unit");
            Request::post(format!("/postes/{post}/unites/{unit}/retirer"), &[])
        }
        (Method::Post, "/postes/{id}/conventions") => Request::post(
            format!("/postes/{}/conventions", w.fresh_post(side, false).await),
            &[
                ("parties", "Préfecture, département"),
                ("starts_on", &day(-300)),
                ("ends_on", &day(700)),
                ("renewal", "expresse"),
            ],
        ),
        (Method::Post, "/postes/{id}/financements") => Request::post(
            format!("/postes/{}/financements", w.fresh_post(side, false).await),
            &[
                ("year", &today().year().to_string()),
                ("funder", "caf"),
                ("amount", "12 000,50"),
            ],
        ),
        (Method::Post, "/postes/{id}/statut") => Request::post(
            format!("/postes/{}/statut", w.fresh_post(side, false).await),
            &[("status", "vacant"), ("date", &day(0))],
        ),
        (Method::Get, "/trouver") => Request::get(if inside {
            "/trouver?q=la+meziere"
        } else {
            "/trouver?q=maizieres"
        }),
        (Method::Get, "/departements/{code}") => Request::get(if inside {
            "/departements/2A"
        } else {
            "/departements/99"
        }),
        (Method::Get, "/connexion/proconnect/retour") => {
            Request::get(format!("{path}?code=x&state=y"))
        }
        (Method::Get, "/assets/{version}/{*path}") => Request::get(format!(
            "/assets/{}/passerelle.css",
            passerelle_web::http::assets::version()
        )),
        // The right password of a demo account (the officer's for an anonymous visitor).
        (Method::Post, "/connexion") => {
            let role = who.unwrap_or(Role::Officer);
            Request::post(
                path,
                &[
                    ("email", &app.login(role).email),
                    ("password", &w.passwords_of(role).0),
                ],
            )
        }
        (Method::Get, "/connexion/second-facteur") => Request::get(path),
        // The code the account's authenticator shows now.
        (Method::Post, "/connexion/second-facteur") => {
            let code = match who {
                Some(role) => w.second_factor_code(role).await,
                None => "000000".into(),
            };
            Request::post(path, &[("code", &code)])
        }
        (Method::Post, "/deconnexion") | (Method::Post, "/deconnexion/partout") => {
            Request::post(path, &[])
        }
        // The token is the credential: outside, one that was never issued.
        (Method::Get, "/invitation/{token}") | (Method::Post, "/invitation/{token}") => {
            let token = if inside {
                app.fresh_invitation().await
            } else {
                "0".repeat(64)
            };
            if method == Method::Get {
                Request::get(format!("/invitation/{token}"))
            } else {
                Request::post(
                    format!("/invitation/{token}"),
                    &[
                        ("password", "cheval agrafe lumière boussole"),
                        ("confirmation", "cheval agrafe lumière boussole"),
                    ],
                )
            }
        }
        (Method::Get, "/mot-de-passe-oublie") => Request::get(path),
        // An account's address inside, an address nobody has outside: the same answer. The
        // requests counted so far are forgotten, so that the network's hourly limit (which
        // `tests/login/password_reset.rs` checks) does not answer the cells after the tenth.
        (Method::Post, "/mot-de-passe-oublie") => {
            sqlx::query("DELETE FROM password_reset_requests")
                .execute(app.db.pool())
                .await
                .unwrap();
            let email = if inside {
                app.login(who.unwrap_or(Role::Officer)).email.clone()
            } else {
                "personne@exemple.fr".to_string()
            };
            Request::post(path, &[("email", &email)])
        }
        // Outside, a link never issued.
        (Method::Get | Method::Post, "/mot-de-passe-oublie/{id}/{secret}") => {
            let link = if inside {
                app.fresh_reset_link().await
            } else {
                format!(
                    "/mot-de-passe-oublie/{}/{}",
                    uuid::Uuid::now_v7(),
                    "0".repeat(32)
                )
            };
            if method == Method::Get {
                Request::get(link)
            } else {
                Request::post(
                    link,
                    &[
                        ("password", "cheval agrafe lumière boussole"),
                        ("confirmation", "cheval agrafe lumière boussole"),
                    ],
                )
            }
        }
        (Method::Get, "/compte")
        | (Method::Get, "/compte/role")
        | (Method::Get, "/compte/sans-role")
        | (Method::Get, "/compte/second-facteur")
        | (Method::Get, "/compte/mot-de-passe") => Request::get(path),
        // Outside: a role of another account, which nobody may take.
        (Method::Post, "/compte/role") => {
            let role_id = match (who, side) {
                (Some(role), Side::Inside) => app.demo_role_id(role).await,
                _ => app.fixture_target(Some(Role::Admin), Side::Outside).await.1,
            };
            Request::post(path, &[("role_id", &role_id)])
        }
        // An enrolment started (a pending secret) and the code of that secret now.
        (Method::Post, "/compte/second-facteur") => {
            let code = match who {
                Some(role) => w.enrolment_code(role).await,
                None => "000000".into(),
            };
            Request::post(path, &[("code", &code)])
        }
        (Method::Post, "/compte/mot-de-passe") => {
            let (current, next) = who.map(|role| w.passwords_of(role)).unwrap_or_default();
            let mut request = Request::post(
                path,
                &[
                    ("current", &current),
                    ("password", &next),
                    ("confirmation", &next),
                ],
            );
            request.password_to = who.map(|role| (role, next));
            request
        }
        (Method::Get, "/comptes")
        | (Method::Get, "/comptes/inviter")
        | (Method::Get, "/journal/securite")
        | (Method::Get, "/journal/securite/export.csv")
        | (Method::Get, "/journal/acces")
        | (Method::Get, "/journal/acces/export.csv") => Request::get(path),
        (Method::Post, "/comptes/inviter") => {
            let (role, scope) = app.grantable(who, side);
            let email = format!("invite-{}@exemple.fr", uuid::Uuid::new_v4().simple());
            Request::post(
                path,
                &[
                    ("email", &email),
                    ("display_name", "Personne invitée"),
                    ("role", role.code()),
                    ("scope", &scope),
                ],
            )
        }
        // The accounts whose second-factor secret is a sentinel, where the actor administers
        // them: the far post's social worker for the technical administrator (who administers
        // every account), the demo département's other post's for its employer.
        (Method::Get, "/comptes/{id}") => {
            let near = w.sentinels.near();
            let account = match (who, side) {
                (Some(Role::Admin), Side::Outside) => far.social_worker.clone(),
                (Some(Role::Employer), Side::Inside) if w.employs(&near.post).await => {
                    near.social_worker.clone()
                }
                _ => target().await.0,
            };
            Request::get(format!("/comptes/{account}"))
        }
        (Method::Post, "/comptes/{id}/roles") => {
            let (role, scope) = app.grantable(who, Side::Inside);
            Request::post(
                format!("/comptes/{}/roles", target().await.0),
                &[("role", role.code()), ("scope", &scope)],
            )
        }
        (Method::Post, "/comptes/{id}/roles/{role_id}/retirer") => {
            let (account, role_id) = target().await;
            Request::post(format!("/comptes/{account}/roles/{role_id}/retirer"), &[])
        }
        (Method::Post, "/comptes/{id}/desactiver")
        | (Method::Post, "/comptes/{id}/reactiver")
        | (Method::Post, "/comptes/{id}/debloquer") => {
            Request::post(path.replace("{id}", &target().await.0), &[])
        }
        // Presence: the demo post's schedule inside, the sentinel post's outside; slots on
        // Saturdays and absences two years ahead, at times nobody else takes.
        (Method::Get, "/postes/{id}/presence") => {
            Request::get(format!("/postes/{}/presence", w.post(side)))
        }
        (Method::Post, "/postes/{id}/presence/creneaux") => {
            let post = w.post(side);
            let unit = w
                .host_of(&post)
                .await
                .unwrap_or_else(|| app.scope(Role::Officer));
            let (start, end) = w.free_half_hour();
            Request::post(
                format!("/postes/{post}/presence/creneaux"),
                &[
                    ("unit", &unit),
                    ("weekday", "6"),
                    ("start", &start),
                    ("end", &end),
                    ("valid_from", &day(0)),
                    ("valid_until", ""),
                    ("time_zone", "Europe/Paris"),
                ],
            )
        }
        (Method::Post, "/postes/{id}/presence/creneaux/{slot_id}/retirer") => {
            let post = w.post(side);
            let slot = match w.host_of(&post).await {
                Some(unit) => w.fresh_slot(&post, &unit).await,
                None => "aucun".into(),
            };
            Request::post(
                format!("/postes/{post}/presence/creneaux/{slot}/retirer"),
                &[],
            )
        }
        (Method::Post, "/postes/{id}/presence/absences") => {
            let (first, last) = w.free_days();
            Request::post(
                format!("/postes/{}/presence/absences", w.post(side)),
                &[
                    ("kind", "training"),
                    (
                        "starts_on",
                        &passerelle_web::http::clock::french_date(first),
                    ),
                    ("ends_on", &passerelle_web::http::clock::french_date(last)),
                ],
            )
        }
        (Method::Post, "/postes/{id}/presence/absences/{absence_id}/retirer") => {
            let post = w.post(side);
            let absence = w.fresh_absence(&post).await;
            Request::post(
                format!("/postes/{post}/presence/absences/{absence}/retirer"),
                &[],
            )
        }
        (Method::Post, "/postes/{id}/presence/annonce") => Request::post(
            format!("/postes/{}/presence/annonce", w.post(side)),
            &[
                ("message", "Permanence exceptionnelle à la mairie"),
                ("until", &day(10)),
            ],
        ),
        (Method::Post, "/compte/nom-public") => {
            Request::post(path, &[("post", &app.scope(Role::SocialWorker))])
        }
        (Method::Get, "/presence") => Request::get(path),
        (Method::Get, "/presence/unites/{id}")
        | (Method::Get, "/presence/unites/{id}/affiche")
        | (Method::Get, "/presence/unites/{id}/affiche.pdf")
        | (Method::Get, "/presence/unites/{id}/agenda.ics") => {
            Request::get(path.replace("{id}", &unknown(app.scope(Role::Officer), "inconnue")))
        }
        (Method::Get, "/presence/departements/{code}") => Request::get(format!(
            "/presence/departements/{}",
            unknown(app.scope(Role::Prevention), "2A")
        )),
        // Appointments: the day list of a day with an appointment (it names a person, one
        // read); a visio booking with consent on a day nobody took; moves to such a day.
        (Method::Get, "/postes/{id}/rendez-vous") => {
            let day = if inside {
                w.inside_day.clone()
            } else {
                far.appointment_day.clone()
            };
            Request::get(format!("/postes/{}/rendez-vous?jour={day}", w.post(side))).reading(1)
        }
        // The week holding that day: the same appointment, one read for the week.
        (Method::Get, "/postes/{id}/rendez-vous/semaine") => {
            let day = if inside {
                w.inside_day.clone()
            } else {
                far.appointment_day.clone()
            };
            Request::get(format!(
                "/postes/{}/rendez-vous/semaine?semaine={day}",
                w.post(side)
            ))
            .reading(1)
        }
        // Booking from a case reads the case (its persons, its safe contact): one read, for
        // the form as for the booking (a visio on a day nobody took, for a mark typed).
        (Method::Get, "/dossiers/{id}/rendez-vous") => {
            Request::get(format!("/dossiers/{}/rendez-vous", case().await)).reading(1)
        }
        (Method::Post, "/dossiers/{id}/rendez-vous") => Request::post(
            format!("/dossiers/{}/rendez-vous", case().await),
            &[
                ("slot", "autre"),
                ("mode", "visio"),
                ("unit", ""),
                ("date", &w.free_appointment_day()),
                ("start", "11:00"),
                ("end", "11:30"),
                ("person_line", ""),
                ("person", "Personne fictive"),
                ("safe_contact", "Appeler le matin uniquement"),
                ("consent", "1"),
            ],
        )
        .reading(1),
        (Method::Post, "/postes/{id}/rendez-vous") => Request::post(
            format!("/postes/{}/rendez-vous", w.post(side)),
            &[
                ("mode", "visio"),
                ("unit", ""),
                ("date", &w.free_appointment_day()),
                ("start", "10:00"),
                ("end", "10:30"),
                ("person", "Personne fictive"),
                ("safe_contact", "Appeler le matin uniquement"),
                ("consent", "1"),
            ],
        ),
        // The officer's desk names each appointment they booked and may still read: one read
        // each. The social worker is sent to their day list.
        (Method::Get, "/rendez-vous") => {
            let names = if who == Some(Role::Officer) {
                w.names_on_the_officers_desk().await
            } else {
                0
            };
            Request::get(path).reading(names)
        }
        (Method::Get, "/rendez-vous/{id}") => {
            Request::get(format!("/rendez-vous/{}", appointment().await)).reading(1)
        }
        (Method::Post, "/rendez-vous/{id}/annuler") => {
            Request::post(format!("/rendez-vous/{}/annuler", appointment().await), &[])
        }
        (Method::Post, "/rendez-vous/{id}/deplacer") => Request::post(
            format!("/rendez-vous/{}/deplacer", appointment().await),
            &[
                ("date", &w.free_appointment_day()),
                ("start", "15:00"),
                ("end", "15:30"),
            ],
        ),
        (Method::Post, "/compte/agenda") | (Method::Post, "/compte/agenda/revoquer") => {
            Request::post(path, &[])
        }
        // A private feed with names: its appointments are read, one row per download.
        (Method::Get, "/agenda/{token}") => Request::get(format!(
            "/agenda/{}.ics",
            if inside {
                app.feed_token().await
            } else {
                "inconnu".into()
            }
        ))
        .reading(1)
        .read_by(Role::SocialWorker),
        (Method::Get, "/signalements")
        | (Method::Get, "/signalements/nouveau")
        | (Method::Get, "/dossiers/nouveau") => Request::get(path),
        // The inbox (the names of its cases' persons: one read for the view), then a search
        // for the sentinel persons' names among the post's own persons and referrals (nobody
        // found; the search is a read); outside, the sentinel posts' inboxes, asked for by
        // address.
        (Method::Get, "/dossiers") => {
            let name = SEARCHED;
            if inside {
                // A fresh referral of the demo post, so that the list names someone.
                case().await;
                Request::get(path)
                    .reading(1)
                    .and_get(format!("/dossiers?statut=tous&q={name}"), 1)
            } else {
                Request::get(format!("/dossiers?poste={}&statut=tous", far.post)).and_get(
                    format!(
                        "/dossiers?poste={}&statut=tous&q={name}",
                        w.sentinels.near().post
                    ),
                    1,
                )
            }
        }
        (Method::Post, "/dossiers") => {
            let mut form = referral_form();
            form.retain(|(key, _)| *key != "consent");
            form[0].1 = "spontaneous";
            Request::post(path, &form)
        }
        (Method::Post, "/signalements") => Request::post(path, &referral_form()),
        (Method::Get, "/dossiers/{id}") => {
            Request::get(format!("/dossiers/{}", case().await)).reading(1)
        }
        (Method::Get, "/dossiers/{id}/journal") => {
            Request::get(format!("/dossiers/{}/journal", case().await)).reading(1)
        }
        (Method::Post, "/dossiers/{id}/statut") => Request::post(
            format!("/dossiers/{}/statut", case().await),
            &[("status", "contact_attempted"), ("outcome", "")],
        ),
        (Method::Post, "/dossiers/{id}/notes") => Request::post(
            format!("/dossiers/{}/notes", case().await),
            &[("text", "Appel de suivi passé."), ("visibility", "team")],
        ),
        (Method::Post, "/dossiers/{id}/entretiens") => Request::post(
            format!("/dossiers/{}/entretiens", case().await),
            &[("held_on", &day(0)), ("place", "phone"), ("minutes", "30")],
        ),
        (Method::Post, "/dossiers/{id}/actions") => Request::post(
            format!("/dossiers/{}/actions", case().await),
            &[("done_on", &day(0)), ("kind", "listening")],
        ),
        (Method::Post, "/dossiers/{id}/orientations") => Request::post(
            format!("/dossiers/{}/orientations", case().await),
            &[
                ("proposed_on", &day(0)),
                ("partner_type", "cidff"),
                ("partner_name", "CIDFF du département"),
            ],
        ),
        (Method::Post, "/dossiers/{id}/orientations/{orientation}/statut") => {
            let case = case().await;
            let orientation = if inside {
                w.fresh_orientation(&case).await
            } else {
                orientation_of(app, &case).await
            };
            Request::post(
                format!("/dossiers/{case}/orientations/{orientation}/statut"),
                &[("status", "accepted")],
            )
        }
        (Method::Post, "/dossiers/{id}/penal") => Request::post(
            format!("/dossiers/{}/penal", case().await),
            &[("criminal", "yes")],
        ),
        // Inside, to the sentinel post; outside, the sentinel case to the demo post: were it
        // allowed, the demo social worker would then read it.
        (Method::Post, "/dossiers/{id}/transfert") => {
            let to = if inside {
                far.post.clone()
            } else {
                app.scope(Role::SocialWorker)
            };
            Request::post(
                format!("/dossiers/{}/transfert", case().await),
                &[("post", &to), ("reason", "La personne a déménagé")],
            )
        }
        // The form filled from a transmitted line: a read of its identity.
        (Method::Get, "/dossiers/{id}/personnes/nouvelle") => {
            let case = case().await;
            let line = if inside {
                w.open_line(&case).await
            } else {
                far.case_person_lines[1].clone()
            };
            Request::get(format!("/dossiers/{case}/personnes/nouvelle?ligne={line}")).reading(1)
        }
        // A person nobody resembles: the look-alike search (a read) finds none, and the person
        // is created.
        (Method::Post, "/dossiers/{id}/personnes") => Request::post(
            format!("/dossiers/{}/personnes", case().await),
            &[
                ("role", "other"),
                ("last_name", &format!("Fictive {}", letters())),
                ("birth_name", ""),
                ("first_names", &letters()),
                ("sex", "unknown"),
                ("birth_date", "03/03/1933"),
                ("phone", ""),
                ("commune", ""),
                ("known", "unknown"),
            ],
        )
        .reading(1),
        // The home names the persons of the new, late and silent cases: one read per view.
        // A fresh referral of the demo post (the social worker's own, on either side: the page
        // has no other post to ask for) is new, hence named.
        (Method::Get, "/aujourdhui") => {
            app.case_for(true).await;
            Request::get(path).reading(1)
        }
        (Method::Get, "/personnes") => Request::get(path)
            .reading(1)
            .and_get(format!("/personnes?q={SEARCHED}"), 1),
        // The person, and each of the two persons of the post its page shows beside them
        // (look-alikes to merge, household to link): each read is journaled on its own
        // record, so that every person's journal finds it.
        (Method::Get, "/personnes/{id}") => {
            Request::get(format!("/personnes/{}", person().await)).reading(3)
        }
        // Who read the record: the reading of its journal is journaled on it.
        (Method::Get, "/personnes/{id}/journal") => {
            Request::get(format!("/personnes/{}/journal", person().await)).reading(1)
        }
        // The person's copy: one disclosure, and the read of the post's appointment names
        // that finds theirs.
        (Method::Post, "/personnes/{id}/releve-rgpd") => {
            Request::post(format!("/personnes/{}/releve-rgpd", person().await), &[]).reading(1)
        }
        // Two persons of the same post: merged, or linked in one household.
        (Method::Post, "/personnes/{id}/fusion") => {
            let (kept, duplicate) = if inside {
                (app.person_for(true).await.0, app.person_for(true).await.0)
            } else {
                (far.persons[0].clone(), far.persons[1].clone())
            };
            Request::post(
                format!("/personnes/{kept}/fusion"),
                &[("duplicate", &duplicate)],
            )
        }
        (Method::Post, "/personnes/{id}/foyer") => {
            let (one, other) = if inside {
                (app.person_for(true).await.0, app.person_for(true).await.0)
            } else {
                (far.persons[1].clone(), far.persons[0].clone())
            };
            Request::post(
                format!("/personnes/{one}/foyer"),
                &[("other", &other), ("relation", "sibling")],
            )
        }
        (Method::Get, "/partenaires") | (Method::Get, "/partenaires/import") => Request::get(
            format!("{path}?departement={}", app.departement_for(side).await),
        ),
        (Method::Post, "/partenaires") => Request::post(
            path,
            &[
                ("departement", app.departement_for(side).await.as_str()),
                ("partner_type", "ccas"),
                ("name", &format!("CCAS témoin {}", letters())),
                ("address", ""),
                ("phone", ""),
                ("email", ""),
                ("hours", ""),
            ],
        ),
        (Method::Post, "/partenaires/import") => {
            let file = format!(
                "type;nom;telephone;courriel;horaires\nccas;CCAS importé {};;;\n",
                letters()
            );
            Request::upload(
                format!("{path}?departement={}", app.departement_for(side).await),
                &[],
                ("annuaire.csv", file.as_bytes()),
            )
        }
        (Method::Post, "/partenaires/{id}/supprimer") => Request::post(
            format!("/partenaires/{}/supprimer", app.partner_for(side).await),
            &[],
        ),
        // The document names the case's persons: their read, then the disclosure.
        (Method::Post, "/dossiers/{id}/information-preoccupante") => Request::post(
            format!("/dossiers/{}/information-preoccupante", case().await),
            &[],
        )
        .reading(1),
        // A social worker of the same post replaces for a month (a proposal, confirmed by a
        // second person on the post's page).
        (Method::Post, "/postes/{id}/remplacements") => {
            let post = app.post_for(side);
            let email = w.email_of(&w.fresh_social_worker(&post).await).await;
            Request::post(
                format!("/postes/{post}/remplacements"),
                &[
                    ("email", &email),
                    ("reason", "Congé de l'intervenante"),
                    ("starts_on", &day(0)),
                    ("ends_on", &day(30)),
                ],
            )
        }
        (Method::Post, "/postes/{id}/remplacements/{replacement}/retirer") => {
            let post = app.post_for(side);
            let replacement = w.fresh_replacement(&post).await;
            Request::post(
                format!("/postes/{post}/remplacements/{replacement}/retirer"),
                &[],
            )
        }
        // A real proposal, made by the technical administrator, waiting for a second person.
        (Method::Post, "/postes/{id}/acces/{proposal}/confirmer")
        | (Method::Post, "/postes/{id}/acces/{proposal}/refuser") => {
            let post = app.post_for(side);
            let proposal = w.fresh_proposal(&post).await;
            Request::post(
                path.replace("{id}", &post).replace("{proposal}", &proposal),
                &[],
            )
        }
        (Method::Post, "/dossiers/{id}/prochaine-etape") => Request::post(
            format!("/dossiers/{}/prochaine-etape", case().await),
            &[("text", "Rappeler la personne"), ("on", &day(7))],
        ),
        (Method::Get, "/reseau" | "/reseau/annonces/nouvelle") => Request::get(path),
        (Method::Get, "/reseau/annonces/{id}") => {
            Request::get(format!("/reseau/annonces/{}", w.announcement(inside).await))
        }
        // A text of the trade, nothing of a person; the national team publishes to the nation
        // inside, to a département outside.
        (Method::Post, "/reseau/annonces") => Request::post(
            path,
            &[
                ("title", "Réunion du réseau le 12/03 à 14h"),
                (
                    "text",
                    "Rappel : article 226-13 du code pénal.\n\nNuméro utile : 3919.",
                ),
                ("portee", if inside { "nation" } else { "2A" }),
                ("dest_social_worker", "1"),
                ("dest_officer", "1"),
            ],
        ),
        (Method::Get, "/referentiels/categories") => Request::get(path),
        (Method::Get, "/statistiques") => Request::get(path),
        (Method::Get, "/statistiques/historique") => Request::get(path),
        // The post's grid of the years before Passerelle.
        (Method::Post, "/statistiques/historique") => Request::upload(
            path,
            &[],
            (
                "ancien.csv",
                b"Indicateur;2019;2020\nSaisines;212;240\nEntretiens;380;\n",
            ),
        ),
        // Every kind of download: a table (CSV), the workbooks (XLSX, ODS), the report (PDF).
        // Each role downloads its own scope's figures: the outside asks the same, so once.
        (Method::Get, "/statistiques/{file}") if inside => {
            Request::get("/statistiques/activite.csv")
                .and_get("/statistiques/personnes-age.csv", 0)
                .and_get("/statistiques/tableaux.xlsx", 0)
                .and_get("/statistiques/tableaux.ods", 0)
                .and_get("/statistiques/rapport.pdf", 0)
        }
        (Method::Get, "/statistiques/{file}") => Request::get("/statistiques/activite.csv"),
        (Method::Post, "/referentiels/categories") => Request::post(
            path,
            &[
                ("code", &format!("temoin_{}", letters())),
                ("label", "Violences numériques"),
            ],
        ),
        (Method::Post, "/referentiels/categories/{code}") => Request::post(
            format!("/referentiels/categories/{}", w.fresh_category().await),
            &[
                ("action", "renommer"),
                ("label", "Catégorie témoin renommée"),
            ],
        ),
        other => panic!("route {other:?} has no row in the authorization matrix: add one"),
    }
}

/// The multipart body of an upload, the anti-forgery token first.
pub fn multipart(
    fields: &[(String, String)],
    file: &(String, String, Vec<u8>),
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("csrf", CSRF);
    for (name, value) in fields {
        form = form.text(name.clone(), value.clone());
    }
    form.part(
        file.0.clone(),
        reqwest::multipart::Part::bytes(file.2.clone()).file_name(file.1.clone()),
    )
}
