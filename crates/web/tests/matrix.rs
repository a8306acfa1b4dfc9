//! The authorization matrix: every route of the router × every role (and anonymous) × inside
//! and outside the actor's scope, with the expected outcome. A route without its row fails
//! the test. Runs on SQLite and PostgreSQL.
//!
//! Professional secrecy by construction: the world holds the sentinel case files of two posts
//! the demo accounts do not work in (tests/helpers/sentinels.rs: every sealed column of the
//! schema, each field a distinct value), and every answer of every cell (pages, downloads read
//! as text, feeds, API answers, redirects and headers) is searched for them: none may appear.
//! Every answer that names a person of the demo post leaves exactly its journal rows of reads
//! of personal data, and a refused one none. Forms are valid (real identifiers, the
//! anti-forgery token), so that a refusal is the policy's: the allowed actors' success proves
//! the form valid.

mod helpers;
#[path = "matrix/requests.rs"]
mod requests;
#[path = "matrix/world.rs"]
mod world;

use helpers::bodies::readable_text;
use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;
use requests::{Ask, Body, build};
use std::collections::BTreeSet;
use world::World;

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

fn expected(method: Method, path: &str, who: Who) -> (Outcome, Outcome) {
    match (method, path) {
        (
            Method::Get,
            "/" | "/menu" | "/healthz" | "/metrics" | "/connexion" | "/assets/{version}/{*path}",
        ) => (Allow, Allow),
        // The legal pages every State site carries: public, for everyone.
        (
            Method::Get,
            "/accessibilite"
            | "/mentions-legales"
            | "/donnees-personnelles"
            | "/cookies"
            | "/plan-du-site",
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
            | "/donnees/postes.json"
            | "/donnees/data-inclusion/structures.json"
            | "/donnees/data-inclusion/services.json",
        ) => (Allow, Allow),
        (Method::Get, "/departements/{code}") => (Allow, Absent),
        // The public search of the social worker by commune.
        (Method::Get, "/trouver") => (Allow, Allow),
        (Method::Get, "/postes" | "/postes/export.csv") => {
            only(who, &[Role::National, Role::Prevention, Role::Employer])
        }
        // Creating one post is importing one line: as the import.
        (Method::Get | Method::Post, "/postes/nouveau") => only(who, &[Role::National, Role::Admin]),
        (Method::Get, "/registre/import" | "/registre/import/modele/{fichier}") => {
            only(who, &[Role::National, Role::Admin])
        }
        (Method::Get, "/registre/unites" | "/registre/employeurs" | "/registre/unites/export.csv") => {
            only(who, &[Role::National, Role::Admin, Role::Prevention])
        }
        (Method::Get, "/registre/unites/{id}" | "/registre/employeurs/{id}") => match who {
            None => (Login, Login),
            Some(Role::National | Role::Admin | Role::Prevention) => (Allow, Absent),
            Some(_) => (Deny, Deny),
        },
        (Method::Post, "/registre/unites" | "/registre/employeurs" | "/registre/import") => {
            only(who, &[Role::National, Role::Admin])
        }
        (Method::Post, "/registre/unites/{id}" | "/registre/employeurs/{id}") => match who {
            None => (Login, Login),
            Some(Role::National | Role::Admin) => (Allow, Absent),
            Some(_) => (Deny, Deny),
        },
        (Method::Get, "/referentiels/categories") => only(who, &[Role::National, Role::Admin]),
        // Each role sees its own scope's counts: there is no outside to ask for.
        (Method::Get, "/statistiques/historique") => only(who, &[Role::SocialWorker]),
        (Method::Post, "/statistiques/historique") => only(who, &[Role::SocialWorker]),
        (Method::Get, "/statistiques" | "/statistiques/{file}" | "/api/statistiques") => only(
            who,
            &[
                Role::SocialWorker,
                Role::Employer,
                Role::Prevention,
                Role::National,
            ],
        ),
        (Method::Post, "/referentiels/categories" | "/referentiels/categories/{code}") => {
            only(who, &[Role::National, Role::Admin])
        }
        (Method::Get, "/pilotage") => only(who, &[Role::National, Role::Prevention]),
        // The network: its members and the officers; an announcement not addressed to the
        // reader does not exist for them. Publishing: each publisher to its own scope (the
        // form offers no other; the national team chooses the nation or a département).
        (Method::Get, "/reseau") => only(
            who,
            &[
                Role::SocialWorker,
                Role::Employer,
                Role::Prevention,
                Role::National,
                Role::Officer,
            ],
        ),
        (Method::Get, "/reseau/annonces/{id}") => match who {
            None => (Login, Login),
            Some(Role::Admin) => (Deny, Deny),
            Some(_) => (Allow, Absent),
        },
        (Method::Get, "/reseau/annonces/nouvelle") | (Method::Post, "/reseau/annonces") => {
            only(who, &[Role::National, Role::Prevention, Role::Employer])
        }
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
            Some(Role::National) => (Allow, Allow),
            Some(Role::Employer) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        // The right password of a demo account: signed in (or asked for the second factor).
        (Method::Post, "/connexion") => (Allow, Allow),
        (Method::Post, "/deconnexion") => (Allow, Allow),
        // The token is the credential: one never issued is refused, whoever asks.
        (Method::Get, "/invitation/{token}") | (Method::Post, "/invitation/{token}") => {
            (Allow, Refused)
        }
        // Asking for a link answers everyone alike, whether an account has the address or not.
        (Method::Get | Method::Post, "/mot-de-passe-oublie") => (Allow, Allow),
        // The link is the credential: one never issued is refused, whoever asks.
        (Method::Get | Method::Post, "/mot-de-passe-oublie/{id}/{secret}") => (Allow, Refused),
        (Method::Get | Method::Post, "/connexion/second-facteur") => signed_in(who, Allow),
        (
            Method::Get,
            "/compte"
            | "/compte/role"
            | "/compte/sans-role"
            | "/compte/second-facteur"
            | "/compte/mot-de-passe",
        ) => signed_in(who, Allow),
        // Outside: another account's role, which nobody may take.
        (Method::Post, "/compte/role") => {
            if who.is_none() {
                (Login, Login)
            } else {
                (Allow, Refused)
            }
        }
        (Method::Post, "/compte/second-facteur" | "/compte/mot-de-passe") => signed_in(who, Allow),
        (Method::Post, "/deconnexion/partout") => signed_in(who, Allow),
        (Method::Get, "/comptes" | "/comptes/inviter") => {
            only(who, &[Role::Admin, Role::Employer, Role::Prevention])
        }
        (Method::Get, "/journal/securite" | "/journal/securite/export.csv") => {
            only(who, &[Role::Admin, Role::Employer])
        }
        (Method::Get, "/journal/acces" | "/journal/acces/export.csv") => {
            only(who, &[Role::SocialWorker])
        }
        (Method::Post, "/comptes/inviter") => match who {
            // Viewing the form is allowed; granting outside the remit is not.
            Some(Role::Officer | Role::SocialWorker | Role::National) => (Deny, Deny),
            other => account_admin(other),
        },
        (_, p) if p.starts_with("/comptes/{id}") => account_admin(who),
        // The API tokens of machine clients: the technical administrator's.
        (Method::Get | Method::Post, "/jetons-api") => only(who, &[Role::Admin]),
        (Method::Post, "/jetons-api/{id}/revoquer") => match who {
            None => (Login, Login),
            Some(Role::Admin) => (Allow, Absent),
            Some(_) => (Deny, Deny),
        },
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
            Some(Role::SocialWorker | Role::Employer) => (Allow, Deny),
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
        (Method::Get, "/postes/{id}/rendez-vous" | "/postes/{id}/rendez-vous/semaine") => match who {
            None => (Login, Login),
            Some(Role::SocialWorker) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        (Method::Post, "/postes/{id}/rendez-vous" | "/rendez-vous/{id}/deplacer") => match who {
            None => (Login, Login),
            Some(Role::SocialWorker | Role::Officer) => (Allow, Deny),
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
        // The officer refers from their own unit: there is no outside to ask for.
        (Method::Post, "/signalements") => only(who, &[Role::Officer]),
        // The social worker's home: their own post's day, no other post to ask for.
        (Method::Get, "/aujourdhui") => only(who, &[Role::SocialWorker]),
        (Method::Get, "/dossiers/nouveau" | "/personnes") | (Method::Post, "/dossiers") => {
            only(who, &[Role::SocialWorker])
        }
        // Outside: another post's inbox, asked for by its address.
        (Method::Get, "/dossiers") => match who {
            None => (Login, Login),
            Some(Role::SocialWorker) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        (
            Method::Get | Method::Post,
            "/dossiers/{id}/personnes/nouvelle"
            // Booking from a case reads its persons: the case's social workers only.
            | "/dossiers/{id}/rendez-vous"
            | "/personnes/{id}"
            | "/dossiers/{id}/information-preoccupante"
            // Who read a record, and the person's copy under RGPD art. 15, follow the
            // record's content: its post's social workers, nobody above them.
            | "/dossiers/{id}/journal"
            | "/personnes/{id}/journal"
            | "/personnes/{id}/releve-rgpd",
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
            Some(Role::SocialWorker) => (Allow, Deny),
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
            Some(Role::SocialWorker | Role::Employer) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        // Replacements are granted by the post's employer, or the national steering.
        (
            Method::Post,
            "/postes/{id}/remplacements" | "/postes/{id}/remplacements/{replacement}/retirer",
        ) => match who {
            None => (Login, Login),
            Some(Role::National) => (Allow, Allow),
            Some(Role::Employer) => (Allow, Deny),
            Some(_) => (Deny, Deny),
        },
        // Deciding on a case-access proposal the technical administrator made: a social
        // worker of the post, its employer or the national steering, never the one who
        // proposed it; the prevention referent reads the post but does not decide.
        (
            Method::Post,
            "/postes/{id}/acces/{proposal}/confirmer" | "/postes/{id}/acces/{proposal}/refuser",
        ) => match who {
            None => (Login, Login),
            Some(Role::National) => (Allow, Allow),
            Some(Role::Employer | Role::SocialWorker) => (Allow, Deny),
            Some(Role::Prevention | Role::Officer | Role::Admin) => (Deny, Deny),
        },
        other => panic!("route {other:?} has no expectation in the authorization matrix: add one"),
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

/// Personal data the cells' fixtures write in the demo post (`helpers::TestApp::case_for`,
/// `person_for`, the forms of `requests.rs`): the content of a case, for its post's social
/// workers only…
const CASE_CONTENT: &[&str] = &["Fictive", "différend conjugal"];
/// …and an appointment's person and safe contact, also for the officer who booked it.
const APPOINTMENT_CONTENT: &[&str] = &["Personne fictive", "Appeler le matin uniquement"];

/// What one request got: status, redirect, the readable text of the body, every header.
struct Answer {
    /// A page (HTML), which the server's memories may serve the second time.
    page: bool,
    status: u16,
    location: Option<String>,
    text: String,
    headers: String,
}

async fn send(world: &World<'_>, client: &reqwest::Client, who: Who, ask: &Ask) -> Answer {
    send_as(world, client, who, None, ask).await
}

/// The same, with an API token in the `Authorization` header.
async fn send_as(
    world: &World<'_>,
    client: &reqwest::Client,
    who: Who,
    bearer: Option<&str>,
    ask: &Ask,
) -> Answer {
    let app = world.app;
    let mut cookies = format!("passerelle_csrf={CSRF}");
    if let Some(role) = who {
        cookies.push_str(&format!(
            "; passerelle_session={}",
            world.session_for(role).await
        ));
    }
    let request = match &ask.body {
        Body::None => client.get(app.url(&ask.path)),
        Body::Form(form) => {
            let mut fields = form.clone();
            fields.push(("csrf".into(), CSRF.into()));
            client
                .post(app.url(&ask.path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(&fields).unwrap())
        }
        Body::Upload(fields, file) => client
            .post(app.url(&ask.path))
            .multipart(requests::multipart(fields, file)),
    };
    let request = match bearer {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    let response = request.header("cookie", cookies).send().await.unwrap();
    let status = response.status().as_u16();
    let page = response
        .headers()
        .get("content-type")
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_string);
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| format!("{name}: {}\n", String::from_utf8_lossy(value.as_bytes())))
        .collect();
    let text = readable_text(&response.bytes().await.unwrap());
    Answer {
        page,
        status,
        location,
        text,
        headers,
    }
}

/// The journal's last row.
async fn journal_head(app: &TestApp) -> i64 {
    let (seq,): (i64,) =
        sqlx::query_as("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM journal")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    seq
}

/// The reads of personal data journaled after `head`, by anyone.
async fn reads_since(app: &TestApp, head: i64) -> u64 {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM journal WHERE seq > $1 AND action = 'personal_data.read'",
    )
    .bind(head)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    count as u64
}

/// The error a page shows, for a failure's message: ` — ` and its alert's text.
fn gist(text: &str) -> String {
    let Some(at) = text.find("fr-alert--error") else {
        return String::new();
    };
    let mut plain = String::new();
    let mut in_tag = false;
    for c in text[at..].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = plain.split_whitespace().skip(1).take(40).collect();
    format!(" — {}", words.join(" "))
}

/// Everything wrong with one answer, each line naming the cell.
fn check(
    world: &World<'_>,
    cell: &str,
    who: Who,
    expected: Outcome,
    ask: &Ask,
    answer: &Answer,
    reads: u64,
) -> Vec<String> {
    let mut failures = Vec::new();
    let at = format!("{cell} ({})", ask.path);
    let got = classify(answer.status, answer.location.as_deref());
    if got != expected {
        failures.push(format!(
            "{at}: expected {expected:?}, got {got:?} ({}{})",
            answer.status,
            gist(&answer.text)
        ));
    }
    for (place, text) in [("body", &answer.text), ("headers", &answer.headers)] {
        for sentinel in world.sentinels.found_in(text) {
            failures.push(format!(
                "{at}: LEAK in the {place}: sentinel of {} [{}] « {} »",
                sentinel.what,
                sentinel.column,
                sentinel.stored.as_deref().unwrap_or(&sentinel.shown[0])
            ));
        }
    }
    let journaled = if expected == Allow { ask.reads } else { 0 };
    if reads != journaled {
        failures.push(format!(
            "{at}: {reads} journal row(s) of personal data read, expected {journaled}"
        ));
    }
    let shown = |markers: &[&str]| {
        markers
            .iter()
            .find(|m| answer.text.contains(**m))
            .map(|m| m.to_string())
    };
    let reader = ask.reader.or(who);
    if let Some(marker) = shown(CASE_CONTENT)
        && reader != Some(Role::SocialWorker)
    {
        failures.push(format!(
            "{at}: shows case content of the demo post (« {marker} ») to {who:?}"
        ));
    }
    if let Some(marker) = shown(APPOINTMENT_CONTENT)
        && !matches!(reader, Some(Role::SocialWorker | Role::Officer))
    {
        failures.push(format!(
            "{at}: shows an appointment's person (« {marker} ») to {who:?}"
        ));
    }
    if let Some(marker) = shown(CASE_CONTENT).or_else(|| shown(APPOINTMENT_CONTENT))
        && reads == 0
    {
        failures.push(format!(
            "{at}: shows personal data (« {marker} ») without its journal row"
        ));
    }
    failures
}

/// Every page behind login says where it is (issue 20): a DSFR breadcrumb ending on the
/// current page.
fn breadcrumb_missing(cell: &str, ask: &Ask, answer: &Answer) -> Option<String> {
    let served_page = answer.page && answer.status == 200;
    let drawn = answer.text.contains(r#"class="fr-breadcrumb"#)
        && answer
            .text
            .contains(r#"class="fr-breadcrumb__link" aria-current="page""#);
    (served_page && !drawn).then(|| {
        format!(
            "{cell} ({}): a signed-in page without a breadcrumb",
            ask.path
        )
    })
}

/// What one backend's matrix asked.
struct Tally {
    cells: usize,
    requests: usize,
    sentinels: usize,
}

async fn run(app: &TestApp, world: &World<'_>) -> Tally {
    // With the server's memories at work, as `passerelle serve` runs: every page is asked
    // twice, so a kept copy (a case list) answers the second time under the same rules.
    // The stamps are polled once here, so copies are kept from the first page on, then by
    // the background task.
    world.check_the_search_finds_what_is_shown().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let declared: BTreeSet<(Method, &str)> = passerelle_web::route_table()
        .declared()
        .iter()
        .copied()
        .collect();
    let whos: Vec<Who> = std::iter::once(None)
        .chain(Role::ALL.iter().copied().map(Some))
        .collect();
    let (mut cells, mut requests) = (0, 0);
    let mut failures = Vec::new();
    let mut posts_nobody_may_send = Vec::new();
    for &(method, path) in &declared {
        let mut someone_may = false;
        // A page the public may see keeps its own header (a breadcrumb or none); but `/` is,
        // once signed in, the role's home.
        let public_page =
            method == Method::Get && expected(method, path, None).0 == Allow && path != "/";
        for &who in &whos {
            let (inside, outside) = expected(method, path, who);
            for (side, expected) in [(Side::Inside, inside), (Side::Outside, outside)] {
                someone_may |= expected == Allow;
                let cell = format!("{} {path} as {who:?} {side:?}", method.as_str());
                let request = build(&world, method, path, who, side).await;
                for ask in &request.asks {
                    // A page is asked twice (see above); a download, a feed or a form once.
                    for asked in 0..2 {
                        let head = journal_head(app).await;
                        let answer = send(&world, &client, who, ask).await;
                        let reads = reads_since(app, head).await;
                        failures.extend(check(&world, &cell, who, expected, ask, &answer, reads));
                        if who.is_some() && method == Method::Get && !public_page {
                            failures.extend(breadcrumb_missing(&cell, ask, &answer));
                        }
                        requests += 1;
                        // The password is the new one only if the change went through.
                        if let Some((role, password)) = &request.password_to
                            && classify(answer.status, answer.location.as_deref()) == Allow
                        {
                            world.password_changed(*role, password.clone());
                        }
                        if asked == 1 || method == Method::Post || !answer.page {
                            break;
                        }
                    }
                }
                cells += 1;
            }
        }
        if method == Method::Post && !someone_may {
            posts_nobody_may_send.push(path);
        }
    }
    assert!(
        posts_nobody_may_send.is_empty(),
        "forms no actor may send, so nothing proves them valid: {posts_nobody_may_send:?}"
    );
    println!(
        "authorization matrix on {}: {} routes × {} actors × 2 sides = {cells} cells, {requests} requests, {} sentinels searched in every answer",
        app.backend,
        declared.len(),
        whos.len(),
        world.sentinels.all.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures on {}:\n{}",
        failures.len(),
        app.backend,
        failures.join("\n")
    );
    // The copies of case lists are refreshed by a poller: on two loaded cores it may not have
    // caught up during the matrix's own requests. The social worker's inbox is asked again
    // (at most 10 s) until one list is served from a copy: the path must work, not race.
    let served_from_copies = || {
        app.state
            .metrics
            .encode(0, 0)
            .lines()
            .filter_map(|l| l.strip_prefix("passerelle_case_lists_total{source=\"memory\"} "))
            .any(|n| n.trim() != "0")
    };
    for _ in 0..20 {
        if served_from_copies() {
            break;
        }
        app.send_as(Some(Role::SocialWorker), Method::Get, "/dossiers", &[])
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(
        served_from_copies(),
        "the matrix ran with copies of case lists served ({})",
        app.backend
    );
    Tally {
        cells,
        requests,
        sentinels: world.sentinels.all.len(),
    }
}

/// The JSON endpoints a token is meant for; every call to them is journaled with its name.
const JSON_ROUTES: [&str; 4] = [
    "/api/statistiques",
    "/api/observatoire",
    "/api/openapi.json",
    "/donnees/postes.json",
];

/// What a token acting as a steering role gets: the figures of its own scope, and on every
/// other route no more than an anonymous visitor (a token opens no page, no form).
fn expected_for_token(method: Method, path: &str) -> (Outcome, Outcome) {
    match (method, path) {
        (Method::Get, "/api/statistiques") => (Allow, Allow),
        _ => expected(method, path, None),
    }
}

/// The calls of tokens journaled after `head`.
async fn token_calls_since(app: &TestApp, head: i64) -> u64 {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM journal WHERE seq > $1 AND action = 'api_token.call' AND detail LIKE 'jeton « Jeton %'",
    )
    .bind(head)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    count as u64
}

/// Every route × every role a token may hold × a token inside and outside the demo's scope.
async fn run_tokens(app: &TestApp, world: &World<'_>) -> usize {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let declared: BTreeSet<(Method, &str)> = passerelle_web::route_table()
        .declared()
        .iter()
        .copied()
        .collect();
    let roles: Vec<Role> = Role::ALL
        .iter()
        .copied()
        .filter(|r| passerelle_domain::access::token_may_hold(*r))
        .collect();
    assert_eq!(roles.len(), 3, "{roles:?}");
    let mut tokens = Vec::new();
    for &role in &roles {
        for side in [Side::Inside, Side::Outside] {
            tokens.push((role, side, app.api_token_for(role, side.into()).await.0));
        }
    }
    let mut failures = Vec::new();
    let mut cells = 0;
    for &(method, path) in &declared {
        let (inside, outside) = expected_for_token(method, path);
        for (role, side, token) in &tokens {
            let expected = if *side == Side::Inside {
                inside
            } else {
                outside
            };
            let cell = format!(
                "{} {path} with a token of {role:?} {side:?}",
                method.as_str()
            );
            let request = build(&world, method, path, None, *side).await;
            for ask in &request.asks {
                let head = journal_head(app).await;
                let answer = send_as(&world, &client, None, Some(token), ask).await;
                let reads = reads_since(app, head).await;
                failures.extend(check(&world, &cell, None, expected, ask, &answer, reads));
                let calls = token_calls_since(app, head).await;
                let journaled = u64::from(method == Method::Get && JSON_ROUTES.contains(&path));
                if calls != journaled {
                    failures.push(format!(
                        "{cell}: {calls} call(s) journaled, expected {journaled}"
                    ));
                }
            }
            cells += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures with tokens on {}:\n{}",
        failures.len(),
        app.backend,
        failures.join("\n")
    );
    println!("token matrix on {}: {cells} cells", app.backend);
    cells
}

#[tokio::test]
async fn every_route_every_role_inside_and_outside_its_scope() {
    for app in spawn_all().await {
        let started = std::time::Instant::now();
        passerelle_web::referral::case_list_copies::watch(&app.state);
        app.state.case_lists.poll(&app.db).await;
        let world = World::new(&app).await;
        let tally = run(&app, &world).await;
        let token_cells = run_tokens(&app, &world).await;
        drop(world);
        assert!(token_cells >= 750, "{token_cells} token cells");
        println!(
            "authorization matrix on {}: {:.1} s",
            app.backend,
            started.elapsed().as_secs_f64()
        );
        // Floors, so that a matrix that quietly asks less (a lost route, a sentinel post gone)
        // fails: 125 routes × 7 actors × 2 sides, two posts of sentinels.
        assert!(tally.cells >= 1_750, "{} cells", tally.cells);
        assert!(tally.requests > tally.cells, "{} requests", tally.requests);
        assert!(
            tally.sentinels >= 2 * passerelle_store::SEALED_COLUMNS.len(),
            "{} sentinels",
            tally.sentinels
        );
        app.finish().await;
    }
}
