//! The authorization matrix: every route of the router × every role (and anonymous) × inside
//! and outside the actor's scope, with the expected outcome. A route without its row fails
//! the test. Runs on SQLite and PostgreSQL.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;
use std::collections::BTreeSet;

/// What a request may come to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Served or done (2xx, or a redirect elsewhere than the login page).
    Allow,
    /// Past the policy, but the input was refused (400, 401, 422, 429).
    Refused,
    /// The policy said no (403).
    Deny,
    /// Sent to the login page.
    Login,
    /// Not there (404): a feature this installation has not configured.
    Absent,
}
use Outcome::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Inside,
    Outside,
}

impl From<Side> for bool {
    fn from(side: Side) -> bool {
        side == Side::Inside
    }
}

/// Who asks: anonymous or one of the demo roles.
type Who = Option<Role>;

struct Request {
    path: String,
    form: Vec<(String, String)>,
}

impl Request {
    fn get(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            form: Vec::new(),
        }
    }
    fn post(path: impl Into<String>, form: &[(&str, &str)]) -> Self {
        Self {
            path: path.into(),
            form: form
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }
}

/// The remit of an administrator role over accounts: (inside, outside).
fn account_admin(who: Who) -> (Outcome, Outcome) {
    match who {
        None => (Login, Login),
        Some(Role::Admin) => (Allow, Allow),
        Some(Role::Employer | Role::Prevention) => (Allow, Deny),
        Some(_) => (Deny, Deny),
    }
}

fn signed_in(who: Who, outcome: Outcome) -> (Outcome, Outcome) {
    if who.is_none() {
        (Login, Login)
    } else {
        (outcome, outcome)
    }
}

fn only(who: Who, roles: &[Role]) -> (Outcome, Outcome) {
    match who {
        None => (Login, Login),
        Some(role) if roles.contains(&role) => (Allow, Allow),
        Some(_) => (Deny, Deny),
    }
}

async fn build(app: &TestApp, method: Method, path: &str, who: Who, side: Side) -> Request {
    let target = || async { app.fixture_target(who, side).await };
    match (method, path) {
        (Method::Get, "/")
        | (Method::Get, "/healthz")
        | (Method::Get, "/metrics")
        | (Method::Get, "/connexion")
        | (Method::Get, "/connexion/proconnect")
        | (Method::Get, "/carte")
        | (Method::Get, "/observatoire")
        | (Method::Get, "/api/observatoire")
        | (Method::Get, "/api/openapi.json")
        | (Method::Get, "/api/statistiques")
        | (Method::Get, "/donnees")
        | (Method::Get, "/donnees/postes.csv")
        | (Method::Get, "/donnees/postes.xlsx")
        | (Method::Get, "/donnees/postes.json")
        | (Method::Get, "/postes")
        | (Method::Get, "/pilotage") => Request::get(path),
        (Method::Get, "/registre/import") => Request::get(path),
        (Method::Get, "/registre/import/modele/{fichier}") => {
            Request::get("/registre/import/modele/postes.xlsx")
        }
        (Method::Get, "/registre/unites") | (Method::Get, "/registre/employeurs") => {
            Request::get(path)
        }
        (Method::Get, "/registre/unites/{id}") => Request::get(format!(
            "/registre/unites/{}",
            if side == Side::Inside {
                app.scope(Role::Officer)
            } else {
                "inconnue".into()
            }
        )),
        (Method::Get, "/registre/employeurs/{id}") => Request::get(format!(
            "/registre/employeurs/{}",
            if side == Side::Inside {
                app.scope(Role::Employer)
            } else {
                "inconnu".into()
            }
        )),
        // Invalid forms (an empty name): allowed actors get the form's error, nothing changes.
        (Method::Post, "/registre/unites") => Request::post(
            path,
            &[
                ("departement", "35"),
                ("kind", "bta"),
                ("name", ""),
                ("parent", ""),
                ("commune", ""),
            ],
        ),
        (Method::Post, "/registre/employeurs") => Request::post(
            path,
            &[
                ("departement", "35"),
                ("kind", "association"),
                ("name", ""),
                ("commune", ""),
            ],
        ),
        (Method::Post, "/registre/unites/{id}") => Request::post(
            format!(
                "/registre/unites/{}",
                if side == Side::Inside {
                    app.scope(Role::Officer)
                } else {
                    "inconnue".into()
                }
            ),
            &[("name", ""), ("commune", "")],
        ),
        (Method::Post, "/registre/employeurs/{id}") => Request::post(
            format!(
                "/registre/employeurs/{}",
                if side == Side::Inside {
                    app.scope(Role::Employer)
                } else {
                    "inconnu".into()
                }
            ),
            &[("kind", "association"), ("name", ""), ("commune", "")],
        ),
        (Method::Post, "/registre/import") => Request::post(path, &[("type", "postes")]),
        (Method::Get, "/postes/{id}") => Request::get(format!("/postes/{}", app.post_for(side))),
        // An impossible step (back to project): allowed actors get the validation error, the
        // others the policy's refusal, and no demo post changes.
        (Method::Post, "/postes/{id}/unites") => Request::post(
            format!("/postes/{}/unites", app.post_for(side)),
            &[("unit", "nulle-part"), ("share", "500")],
        ),
        (Method::Post, "/postes/{id}/unites/{unit_id}/retirer") => Request::post(
            format!("/postes/{}/unites/nulle-part/retirer", app.post_for(side)),
            &[],
        ),
        (Method::Post, "/postes/{id}/conventions") => Request::post(
            format!("/postes/{}/conventions", app.post_for(side)),
            &[
                ("parties", ""),
                ("starts_on", "01/01/2026"),
                ("ends_on", "31/12/2028"),
                ("renewal", "expresse"),
            ],
        ),
        (Method::Post, "/postes/{id}/financements") => Request::post(
            format!("/postes/{}/financements", app.post_for(side)),
            &[("year", "2026"), ("funder", "fipd"), ("amount", "beaucoup")],
        ),
        (Method::Post, "/postes/{id}/statut") => Request::post(
            format!("/postes/{}/statut", app.post_for(side)),
            &[("status", "project"), ("date", "01/01/2026")],
        ),
        (Method::Get, "/departements/{code}") => Request::get(if side == Side::Inside {
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
        (Method::Post, "/connexion") => Request::post(
            path,
            &[
                ("email", "personne@exemple.fr"),
                ("password", "pas le bon mot de passe"),
            ],
        ),
        (Method::Get, "/connexion/second-facteur") => Request::get(path),
        (Method::Post, "/connexion/second-facteur") => Request::post(path, &[("code", "000000")]),
        (Method::Post, "/deconnexion") | (Method::Post, "/deconnexion/partout") => {
            Request::post(path, &[])
        }
        (Method::Get, "/invitation/{token}") | (Method::Post, "/invitation/{token}") => {
            let token = if side == Side::Inside {
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
        (Method::Get, "/compte")
        | (Method::Get, "/compte/role")
        | (Method::Get, "/compte/sans-role")
        | (Method::Get, "/compte/second-facteur")
        | (Method::Get, "/compte/mot-de-passe") => Request::get(path),
        (Method::Post, "/compte/role") => {
            let role_id = match (who, side) {
                (Some(role), Side::Inside) => app.demo_role_id(role).await,
                _ => app.fixture_target(Some(Role::Admin), Side::Outside).await.1,
            };
            Request::post(path, &[("role_id", &role_id)])
        }
        (Method::Post, "/compte/second-facteur") => Request::post(path, &[("code", "000000")]),
        (Method::Post, "/compte/mot-de-passe") => Request::post(
            path,
            &[
                ("current", "faux"),
                ("password", "x"),
                ("confirmation", "x"),
            ],
        ),
        (Method::Get, "/comptes")
        | (Method::Get, "/comptes/inviter")
        | (Method::Get, "/journal/securite")
        | (Method::Get, "/journal/acces") => Request::get(path),
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
        (Method::Get, "/comptes/{id}") => Request::get(format!("/comptes/{}", target().await.0)),
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
        // Presence: invalid forms (end before start, unknown slot…) so that nothing changes.
        (Method::Get, "/postes/{id}/presence") => {
            Request::get(format!("/postes/{}/presence", app.post_for(side)))
        }
        (Method::Post, "/postes/{id}/presence/creneaux") => Request::post(
            format!("/postes/{}/presence/creneaux", app.post_for(side)),
            &[
                ("unit", &app.scope(Role::Officer)),
                ("weekday", "1"),
                ("start", "12:00"),
                ("end", "09:00"),
                ("valid_from", "01/01/2026"),
                ("valid_until", ""),
                ("time_zone", "Europe/Paris"),
            ],
        ),
        (Method::Post, "/postes/{id}/presence/creneaux/{slot_id}/retirer") => Request::post(
            format!(
                "/postes/{}/presence/creneaux/aucun/retirer",
                app.post_for(side)
            ),
            &[],
        ),
        (Method::Post, "/postes/{id}/presence/absences") => Request::post(
            format!("/postes/{}/presence/absences", app.post_for(side)),
            &[
                ("kind", "leave"),
                ("starts_on", "10/12/2026"),
                ("ends_on", "01/12/2026"),
            ],
        ),
        (Method::Post, "/postes/{id}/presence/absences/{absence_id}/retirer") => Request::post(
            format!(
                "/postes/{}/presence/absences/aucune/retirer",
                app.post_for(side)
            ),
            &[],
        ),
        (Method::Post, "/postes/{id}/presence/annonce") => Request::post(
            format!("/postes/{}/presence/annonce", app.post_for(side)),
            &[("message", "Absente"), ("until", "pas une date")],
        ),
        (Method::Post, "/compte/nom-public") => {
            Request::post(path, &[("post", &app.scope(Role::SocialWorker))])
        }
        (Method::Get, "/presence") => Request::get(path),
        (Method::Get, "/presence/unites/{id}")
        | (Method::Get, "/presence/unites/{id}/affiche")
        | (Method::Get, "/presence/unites/{id}/affiche.pdf")
        | (Method::Get, "/presence/unites/{id}/agenda.ics") => Request::get(path.replace(
            "{id}",
            &if side == Side::Inside {
                app.scope(Role::Officer)
            } else {
                "inconnue".into()
            },
        )),
        (Method::Get, "/presence/departements/{code}") => Request::get(format!(
            "/presence/departements/{}",
            if side == Side::Inside {
                app.scope(Role::Prevention)
            } else {
                "2A".into()
            }
        )),
        // Appointments: bookings refused (no consent), moves refused (bad date); a fresh
        // appointment for each cancellation.
        (Method::Get, "/postes/{id}/rendez-vous") => {
            Request::get(format!("/postes/{}/rendez-vous", app.post_for(side)))
        }
        (Method::Post, "/postes/{id}/rendez-vous") => Request::post(
            format!("/postes/{}/rendez-vous", app.post_for(side)),
            &[
                ("mode", "visio"),
                ("unit", ""),
                ("date", "01/01/2030"),
                ("start", "10:00"),
                ("end", "11:00"),
                ("person", "Personne"),
                ("safe_contact", "Le matin"),
            ],
        ),
        (Method::Get, "/rendez-vous") => Request::get(path),
        (Method::Get, "/rendez-vous/{id}") => {
            Request::get(format!("/rendez-vous/{}", app.appointment_for(side).await))
        }
        (Method::Post, "/rendez-vous/{id}/annuler") => Request::post(
            format!("/rendez-vous/{}/annuler", app.appointment_for(side).await),
            &[],
        ),
        (Method::Post, "/rendez-vous/{id}/deplacer") => Request::post(
            format!("/rendez-vous/{}/deplacer", app.appointment_for(side).await),
            &[("date", "31/02/2030"), ("start", "10:00"), ("end", "11:00")],
        ),
        (Method::Post, "/compte/agenda") | (Method::Post, "/compte/agenda/revoquer") => {
            Request::post(path, &[])
        }
        (Method::Get, "/agenda/{token}") => Request::get(format!(
            "/agenda/{}.ics",
            if side == Side::Inside {
                app.feed_token().await
            } else {
                "inconnu".into()
            }
        )),
        // Referrals and cases: invalid forms, so that nothing changes.
        (Method::Get, "/signalements")
        | (Method::Get, "/signalements/nouveau")
        | (Method::Get, "/dossiers")
        | (Method::Get, "/dossiers/nouveau") => Request::get(path),
        (Method::Post, "/dossiers") => Request::post(path, &[("context", "")]),
        (Method::Post, "/signalements") => Request::post(path, &[("context", "")]),
        (Method::Get, "/dossiers/{id}") => {
            Request::get(format!("/dossiers/{}", app.case_for(side).await))
        }
        (Method::Post, "/dossiers/{id}/statut") => Request::post(
            format!("/dossiers/{}/statut", app.case_for(side).await),
            &[("status", "inconnu")],
        ),
        (Method::Post, "/dossiers/{id}/notes") => Request::post(
            format!("/dossiers/{}/notes", app.case_for(side).await),
            &[("text", ""), ("visibility", "team")],
        ),
        (Method::Post, "/dossiers/{id}/entretiens") => Request::post(
            format!("/dossiers/{}/entretiens", app.case_for(side).await),
            &[
                ("held_on", "31/02/2020"),
                ("place", "phone"),
                ("minutes", "30"),
            ],
        ),
        (Method::Post, "/dossiers/{id}/actions") => Request::post(
            format!("/dossiers/{}/actions", app.case_for(side).await),
            &[("done_on", "01/01/2020"), ("kind", "inconnue")],
        ),
        (Method::Post, "/dossiers/{id}/orientations") => Request::post(
            format!("/dossiers/{}/orientations", app.case_for(side).await),
            &[("proposed_on", "01/01/2020"), ("partner_type", "inconnu")],
        ),
        (Method::Post, "/dossiers/{id}/orientations/{orientation}/statut") => Request::post(
            format!(
                "/dossiers/{}/orientations/inconnue/statut",
                app.case_for(side).await
            ),
            &[("status", "inconnu")],
        ),
        (Method::Post, "/dossiers/{id}/penal") => Request::post(
            format!("/dossiers/{}/penal", app.case_for(side).await),
            &[("criminal", "peut-être")],
        ),
        (Method::Post, "/dossiers/{id}/transfert") => Request::post(
            format!("/dossiers/{}/transfert", app.case_for(side).await),
            &[("post", "inconnu"), ("reason", "")],
        ),
        (Method::Get, "/dossiers/{id}/personnes/nouvelle") => Request::get(format!(
            "/dossiers/{}/personnes/nouvelle",
            app.case_for(side).await
        )),
        (Method::Post, "/dossiers/{id}/personnes") => Request::post(
            format!("/dossiers/{}/personnes", app.case_for(side).await),
            &[("role", "victim"), ("last_name", ""), ("first_names", "")],
        ),
        (Method::Get, "/personnes") => Request::get(path),
        (Method::Get, "/personnes/{id}") => {
            Request::get(format!("/personnes/{}", app.person_for(side).await.0))
        }
        (Method::Get, "/dossiers/{id}/journal") => {
            Request::get(format!("/dossiers/{}/journal", app.case_for(side).await))
        }
        (Method::Get, "/personnes/{id}/journal") => Request::get(format!(
            "/personnes/{}/journal",
            app.person_for(side).await.0
        )),
        // The person's copy: produced (a PDF) where allowed, one disclosure each time.
        (Method::Post, "/personnes/{id}/releve-rgpd") => Request::post(
            format!("/personnes/{}/releve-rgpd", app.person_for(side).await.0),
            &[],
        ),
        (Method::Post, "/personnes/{id}/fusion") => Request::post(
            format!("/personnes/{}/fusion", app.person_for(side).await.0),
            &[("duplicate", "inconnue")],
        ),
        (Method::Get, "/partenaires") | (Method::Get, "/partenaires/import") => Request::get(
            format!("{path}?departement={}", app.departement_for(side).await),
        ),
        (Method::Post, "/partenaires") => Request::post(
            path,
            &[
                ("departement", app.departement_for(side).await.as_str()),
                ("partner_type", "inconnu"),
                ("name", ""),
            ],
        ),
        (Method::Post, "/partenaires/import") => Request::post(
            format!("{path}?departement={}", app.departement_for(side).await),
            &[("fichier", "pas un envoi de fichier")],
        ),
        (Method::Post, "/partenaires/{id}/supprimer") => Request::post(
            format!("/partenaires/{}/supprimer", app.partner_for(side).await),
            &[],
        ),
        (Method::Post, "/dossiers/{id}/information-preoccupante") => Request::post(
            format!(
                "/dossiers/{}/information-preoccupante",
                app.case_for(side).await
            ),
            &[],
        ),
        (Method::Post, "/postes/{id}/remplacements") => Request::post(
            format!("/postes/{}/remplacements", app.post_for(side)),
            &[
                ("email", ""),
                ("reason", ""),
                ("starts_on", ""),
                ("ends_on", ""),
            ],
        ),
        (Method::Post, "/postes/{id}/remplacements/{replacement}/retirer") => Request::post(
            format!(
                "/postes/{}/remplacements/inconnu/retirer",
                app.post_for(side)
            ),
            &[],
        ),
        // An unknown proposal: who may read the post gets the form's refusal, nothing changes
        // (crates/web/tests/case_access.rs confirms and refuses real ones, as every role).
        (Method::Post, "/postes/{id}/acces/{proposal}/confirmer")
        | (Method::Post, "/postes/{id}/acces/{proposal}/refuser") => Request::post(
            path.replace("{id}", &app.post_for(side))
                .replace("{proposal}", "inconnue"),
            &[],
        ),
        (Method::Post, "/dossiers/{id}/prochaine-etape") => Request::post(
            format!("/dossiers/{}/prochaine-etape", app.case_for(side).await),
            &[("text", "Rappeler"), ("on", "31/02/2030")],
        ),
        (Method::Post, "/personnes/{id}/foyer") => Request::post(
            format!("/personnes/{}/foyer", app.person_for(side).await.0),
            &[("other", "inconnue"), ("relation", "inconnue")],
        ),
        (Method::Get, "/referentiels/categories") => Request::get(path),
        (Method::Get, "/statistiques") => Request::get(path),
        (Method::Get, "/statistiques/historique") => Request::get(path),
        // Not a file upload: the post's social worker is told to send a file.
        (Method::Post, "/statistiques/historique") => Request::post(path, &[]),
        (Method::Get, "/statistiques/{file}") => Request::get("/statistiques/activite.csv"),
        // Invalid forms: allowed actors get the form's error, the grid does not change.
        (Method::Post, "/referentiels/categories") => {
            Request::post(path, &[("code", ""), ("label", "Violences numériques")])
        }
        (Method::Post, "/referentiels/categories/{code}") => match side {
            Side::Inside => Request::post("/referentiels/categories/other", &[("action", "?")]),
            Side::Outside => Request::post(
                "/referentiels/categories/inconnue",
                &[("action", "retirer")],
            ),
        },
        other => panic!("route {other:?} has no row in the authorization matrix: add one"),
    }
}

fn expected(method: Method, path: &str, who: Who) -> (Outcome, Outcome) {
    match (method, path) {
        (
            Method::Get,
            "/" | "/healthz" | "/metrics" | "/connexion" | "/assets/{version}/{*path}",
        ) => (Allow, Allow),
        // OpenID Connect is not configured here (its flow is tested in the browser against a
        // real provider): both legs answer 404 to everyone.
        (Method::Get, "/connexion/proconnect" | "/connexion/proconnect/retour") => (Absent, Absent),
        // Public registry pages: the map, each real département, open data.
        (
            Method::Get,
            "/carte"
            | "/observatoire"
            | "/api/observatoire"
            | "/api/openapi.json"
            | "/donnees"
            | "/donnees/postes.csv"
            | "/donnees/postes.xlsx"
            | "/donnees/postes.json",
        ) => (Allow, Allow),
        (Method::Get, "/departements/{code}") => (Allow, Absent),
        (Method::Get, "/postes") => only(who, &[Role::National, Role::Prevention, Role::Employer]),
        (Method::Get, "/registre/import" | "/registre/import/modele/{fichier}") => {
            only(who, &[Role::National, Role::Admin])
        }
        (Method::Get, "/registre/unites" | "/registre/employeurs") => {
            only(who, &[Role::National, Role::Admin, Role::Prevention])
        }
        (Method::Get, "/registre/unites/{id}" | "/registre/employeurs/{id}") => match who {
            None => (Login, Login),
            Some(Role::National | Role::Admin | Role::Prevention) => (Allow, Absent),
            Some(_) => (Deny, Deny),
        },
        (Method::Post, "/registre/unites" | "/registre/employeurs") => match who {
            None => (Login, Login),
            Some(Role::National | Role::Admin) => (Refused, Refused),
            Some(_) => (Deny, Deny),
        },
        (Method::Post, "/registre/unites/{id}" | "/registre/employeurs/{id}") => match who {
            None => (Login, Login),
            Some(Role::National | Role::Admin) => (Refused, Absent),
            Some(_) => (Deny, Deny),
        },
        // An empty upload: allowed actors get the form's error, nothing is imported.
        (Method::Post, "/registre/import") => match who {
            None => (Login, Login),
            Some(Role::National | Role::Admin) => (Refused, Refused),
            Some(_) => (Deny, Deny),
        },
        (Method::Get, "/referentiels/categories") => only(who, &[Role::National, Role::Admin]),
        // Each role sees its own scope's counts: there is no outside to ask for.
        (Method::Get, "/statistiques/historique") => only(who, &[Role::SocialWorker]),
        (Method::Post, "/statistiques/historique") => match who {
            None => (Login, Login),
            Some(Role::SocialWorker) => (Refused, Refused),
            Some(_) => (Deny, Deny),
        },
        (Method::Get, "/statistiques" | "/statistiques/{file}" | "/api/statistiques") => only(
            who,
            &[
                Role::SocialWorker,
                Role::Employer,
                Role::Prevention,
                Role::National,
            ],
        ),
        (Method::Post, "/referentiels/categories" | "/referentiels/categories/{code}") => match who
        {
            None => (Login, Login),
            Some(Role::National | Role::Admin) => (Refused, Refused),
            Some(_) => (Deny, Deny),
        },
        (Method::Get, "/pilotage") => only(who, &[Role::National, Role::Prevention]),
        (Method::Get, "/postes/{id}") => match who {
            None => (Login, Login),
            Some(Role::National) => (Allow, Allow),
            Some(Role::Prevention | Role::Employer | Role::SocialWorker) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        (
            Method::Post,
            "/postes/{id}/statut"
            | "/postes/{id}/conventions"
            | "/postes/{id}/financements"
            | "/postes/{id}/unites"
            | "/postes/{id}/unites/{unit_id}/retirer",
        ) => match who {
            None => (Login, Login),
            Some(Role::National) => (Refused, Refused),
            Some(Role::Employer) => (Refused, Deny),
            Some(_) => (Deny, Deny),
        },
        (Method::Post, "/connexion") => (Refused, Refused),
        (Method::Post, "/deconnexion") => (Allow, Allow),
        (Method::Get, "/invitation/{token}") | (Method::Post, "/invitation/{token}") => {
            (Allow, Refused)
        }
        (Method::Get | Method::Post, "/connexion/second-facteur") => signed_in(who, Allow),
        (
            Method::Get,
            "/compte"
            | "/compte/role"
            | "/compte/sans-role"
            | "/compte/second-facteur"
            | "/compte/mot-de-passe",
        ) => signed_in(who, Allow),
        (Method::Post, "/compte/role") => {
            if who.is_none() {
                (Login, Login)
            } else {
                (Allow, Refused)
            }
        }
        (Method::Post, "/compte/second-facteur") => signed_in(who, Refused),
        (Method::Post, "/compte/mot-de-passe") => signed_in(who, Refused),
        (Method::Post, "/deconnexion/partout") => signed_in(who, Allow),
        (Method::Get, "/comptes" | "/comptes/inviter") => {
            only(who, &[Role::Admin, Role::Employer, Role::Prevention])
        }
        (Method::Get, "/journal/securite") => only(who, &[Role::Admin, Role::Employer]),
        (Method::Get, "/journal/acces") => only(who, &[Role::SocialWorker]),
        (Method::Post, "/comptes/inviter") => match who {
            // Viewing the form is allowed; granting outside the remit is not.
            Some(Role::Officer | Role::SocialWorker | Role::National) => (Deny, Deny),
            other => account_admin(other),
        },
        (_, p) if p.starts_with("/comptes/{id}") => account_admin(who),
        // Schedules: read by the steering, the employer, the post and its host units' officers;
        // changed by the post's social worker and its employer.
        (Method::Get, "/postes/{id}/presence") => match who {
            None => (Login, Login),
            Some(Role::National) => (Allow, Allow),
            Some(Role::Prevention | Role::Employer | Role::SocialWorker | Role::Officer) => {
                (Allow, Deny)
            }
            Some(Role::Admin) => (Deny, Deny),
        },
        (
            Method::Post,
            "/postes/{id}/presence/creneaux"
            | "/postes/{id}/presence/creneaux/{slot_id}/retirer"
            | "/postes/{id}/presence/absences"
            | "/postes/{id}/presence/absences/{absence_id}/retirer"
            | "/postes/{id}/presence/annonce",
        ) => match who {
            None => (Login, Login),
            Some(Role::SocialWorker | Role::Employer) => (Refused, Deny),
            Some(_) => (Deny, Deny),
        },
        (Method::Post, "/compte/nom-public" | "/compte/agenda" | "/compte/agenda/revoquer") => {
            only(who, &[Role::SocialWorker])
        }
        (Method::Get, "/presence") => match who {
            None => (Login, Login),
            Some(Role::Employer | Role::Admin) => (Deny, Deny),
            Some(_) => (Allow, Allow),
        },
        // Public: a unit's presence page, poster and feed; an unknown unit is absent.
        (
            Method::Get,
            "/presence/unites/{id}"
            | "/presence/unites/{id}/affiche"
            | "/presence/unites/{id}/affiche.pdf"
            | "/presence/unites/{id}/agenda.ics",
        ) => (Allow, Absent),
        (Method::Get, "/presence/departements/{code}") => match who {
            None => (Login, Login),
            Some(Role::National) => (Allow, Allow),
            Some(Role::Prevention) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        // Appointments name persons: the post's social worker; the host unit's officer books
        // and handles the appointments they booked. Nobody above them.
        (Method::Get, "/postes/{id}/rendez-vous") => match who {
            None => (Login, Login),
            Some(Role::SocialWorker) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        (Method::Post, "/postes/{id}/rendez-vous" | "/rendez-vous/{id}/deplacer") => match who {
            None => (Login, Login),
            Some(Role::SocialWorker | Role::Officer) => (Refused, Deny),
            Some(_) => (Deny, Deny),
        },
        (Method::Get, "/rendez-vous") => only(who, &[Role::Officer, Role::SocialWorker]),
        (Method::Get, "/rendez-vous/{id}") | (Method::Post, "/rendez-vous/{id}/annuler") => {
            match who {
                None => (Login, Login),
                Some(Role::SocialWorker | Role::Officer) => (Allow, Deny),
                Some(_) => (Deny, Deny),
            }
        }
        // The token is the credential: anyone holding it reads the feed; others find nothing.
        (Method::Get, "/agenda/{token}") => (Allow, Absent),
        // The referral desk is the officer's; case content is the post's social workers', and
        // nobody else's: not the officer who referred, not the employer, not the steering.
        (Method::Get, "/signalements" | "/signalements/nouveau") => only(who, &[Role::Officer]),
        (Method::Post, "/signalements") => match who {
            None => (Login, Login),
            Some(Role::Officer) => (Refused, Refused),
            Some(_) => (Deny, Deny),
        },
        (Method::Get, "/dossiers" | "/dossiers/nouveau" | "/personnes") => {
            only(who, &[Role::SocialWorker])
        }
        (Method::Post, "/dossiers") => match who {
            None => (Login, Login),
            Some(Role::SocialWorker) => (Refused, Refused),
            Some(_) => (Deny, Deny),
        },
        (
            Method::Get | Method::Post,
            "/dossiers/{id}/personnes/nouvelle"
            | "/personnes/{id}"
            | "/dossiers/{id}/information-preoccupante",
        ) => match who {
            None => (Login, Login),
            Some(Role::SocialWorker) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        // Who read a record, and the person's copy of it, follow the record's content: its
        // post's social workers, nobody above them, not the officer who referred.
        (
            Method::Get | Method::Post,
            "/dossiers/{id}/journal" | "/personnes/{id}/journal" | "/personnes/{id}/releve-rgpd",
        ) => match who {
            None => (Login, Login),
            Some(Role::SocialWorker) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        (Method::Get, "/dossiers/{id}") => match who {
            None => (Login, Login),
            Some(Role::SocialWorker) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        (
            Method::Post,
            "/dossiers/{id}/statut"
            | "/dossiers/{id}/notes"
            | "/dossiers/{id}/entretiens"
            | "/dossiers/{id}/actions"
            | "/dossiers/{id}/orientations"
            | "/dossiers/{id}/orientations/{orientation}/statut"
            | "/dossiers/{id}/penal"
            | "/dossiers/{id}/transfert"
            | "/dossiers/{id}/personnes"
            | "/dossiers/{id}/prochaine-etape"
            | "/personnes/{id}/fusion"
            | "/personnes/{id}/foyer",
        ) => match who {
            None => (Login, Login),
            Some(Role::SocialWorker) => (Refused, Deny),
            Some(_) => (Deny, Deny),
        },
        // The partner directory: read by the territory's social workers, employers and
        // prevention, and the national steering; kept by its social workers and employers.
        (Method::Get, "/partenaires") => match who {
            None => (Login, Login),
            Some(Role::National) => (Allow, Allow),
            Some(Role::SocialWorker | Role::Employer | Role::Prevention) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        (Method::Get, "/partenaires/import") | (Method::Post, "/partenaires/{id}/supprimer") => {
            match who {
                None => (Login, Login),
                Some(Role::SocialWorker | Role::Employer) => (Allow, Deny),
                Some(_) => (Deny, Deny),
            }
        }
        (Method::Post, "/partenaires" | "/partenaires/import") => match who {
            None => (Login, Login),
            Some(Role::SocialWorker | Role::Employer) => (Refused, Deny),
            Some(_) => (Deny, Deny),
        },
        // Replacements are granted by the post's employer, or the national steering.
        (
            Method::Post,
            "/postes/{id}/remplacements" | "/postes/{id}/remplacements/{replacement}/retirer",
        ) => match who {
            None => (Login, Login),
            Some(Role::National) => (Refused, Refused),
            Some(Role::Employer) => (Refused, Deny),
            Some(_) => (Deny, Deny),
        },
        // Deciding on a case-access proposal: past the post's reading rule, the proposal
        // itself decides (here an unknown one).
        (
            Method::Post,
            "/postes/{id}/acces/{proposal}/confirmer" | "/postes/{id}/acces/{proposal}/refuser",
        ) => match who {
            None => (Login, Login),
            Some(Role::National) => (Refused, Refused),
            Some(Role::Prevention | Role::Employer | Role::SocialWorker) => (Refused, Deny),
            Some(Role::Officer | Role::Admin) => (Deny, Deny),
        },
        other => panic!("route {other:?} has no expectation in the authorization matrix: add one"),
    }
}

/// What the fixtures' case and person hold that no refusal may show.
const SENTINELS: &[&str] = &["Fictive", "Intervention au domicile"];

/// What a body must show or hide beyond its status: a refusal (403, or the way to the login
/// page) never carries the fixtures' personal data; a record's journal names who and when,
/// never the facts (nor, for a case, the identities); the person's copy is a PDF.
fn body_fault(
    method: Method,
    path: &str,
    got: Outcome,
    content_type: &str,
    body: &[u8],
) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let shown = |secrets: &[&'static str]| secrets.iter().find(|s| text.contains(**s)).copied();
    match (got, method, path) {
        (Deny | Login, _, _) => shown(SENTINELS).map(|s| format!("a refusal shows « {s} »")),
        (Allow, Method::Get, "/dossiers/{id}/journal") => match shown(SENTINELS) {
            Some(s) => Some(format!("the case's journal shows « {s} »")),
            None => (!text.contains("Qui a consulté ce dossier"))
                .then(|| "no case journal in the body".to_string()),
        },
        (Allow, Method::Get, "/personnes/{id}/journal") => {
            match shown(&["Intervention au domicile"]) {
                Some(s) => Some(format!("the person's journal shows « {s} »")),
                None => (!text.contains("Journal de cette fiche"))
                    .then(|| "no person journal in the body".to_string()),
            }
        }
        (Allow, Method::Post, "/personnes/{id}/releve-rgpd") => (content_type != "application/pdf"
            || !body.starts_with(b"%PDF-"))
        .then(|| format!("the copy is not a PDF ({content_type})")),
        _ => None,
    }
}

fn classify(status: u16, location: Option<&str>) -> Outcome {
    match status {
        403 => Deny,
        404 => Absent,
        400 | 401 | 422 | 429 => Refused,
        300..=399 if location.is_some_and(|l| l.starts_with("/connexion?suite=")) => Login,
        200..=399 => Allow,
        other => panic!("unexpected status {other}"),
    }
}

#[tokio::test]
async fn every_route_every_role_inside_and_outside_its_scope() {
    for app in spawn_all().await {
        // With the server's memories at work, as `passerelle serve` runs: every page is asked
        // twice, so a kept copy (a case list) answers the second time under the same rules.
        // The stamps are polled once here, so copies are kept from the first page on, then by
        // the background task.
        passerelle_web::referral::case_list_copies::watch(&app.state);
        app.state.case_lists.poll(&app.db).await;
        let declared: BTreeSet<(Method, &str)> = passerelle_web::route_table()
            .declared()
            .iter()
            .copied()
            .collect();
        let whos: Vec<Who> = std::iter::once(None)
            .chain(Role::ALL.iter().copied().map(Some))
            .collect();
        let mut cells = 0;
        let mut failures = Vec::new();
        for &(method, path) in &declared {
            for &who in &whos {
                let (inside, outside) = expected(method, path, who);
                for (side, expected) in [(Side::Inside, inside), (Side::Outside, outside)] {
                    let request = build(&app, method, path, who, side).await;
                    let asked = if method == Method::Get { 2 } else { 1 };
                    for _ in 0..asked {
                        let response = app.send_as(who, method, &request.path, &request.form).await;
                        let location = response
                            .headers()
                            .get("location")
                            .and_then(|l| l.to_str().ok())
                            .map(str::to_string);
                        let status = response.status();
                        let got = classify(status.as_u16(), location.as_deref());
                        let content_type = response
                            .headers()
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string();
                        let body = response.bytes().await.unwrap_or_default();
                        if let Some(fault) = body_fault(method, path, got, &content_type, &body) {
                            failures.push(format!(
                                "{} {} as {:?} {:?}: {fault} ({})",
                                method.as_str(),
                                path,
                                who,
                                side,
                                request.path
                            ));
                        }
                        if got != expected {
                            failures.push(format!(
                                "{} {} as {:?} {:?}: expected {:?}, got {:?} ({} → {})",
                                method.as_str(),
                                path,
                                who,
                                side,
                                expected,
                                got,
                                request.path,
                                status
                            ));
                        }
                    }
                    cells += 1;
                }
            }
        }
        println!(
            "authorization matrix on {}: {} routes × {} actors × 2 sides = {cells} cells",
            app.backend,
            declared.len(),
            whos.len()
        );
        assert!(
            failures.is_empty(),
            "{} cells differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
        let metrics = app.state.metrics.encode(0, 0);
        assert!(
            metrics
                .lines()
                .filter_map(|l| l.strip_prefix("passerelle_case_lists_total{source=\"memory\"} "))
                .any(|n| n.trim() != "0"),
            "the matrix ran with copies of case lists served ({})",
            app.backend
        );
        app.finish().await;
    }
}
