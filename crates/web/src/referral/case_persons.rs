//! Adding a person to a case: the identity form (from scratch, or from what the referral
//! transmitted), then the fuzzy search for look-alikes among the post's persons (accents,
//! typos, compound and birth names, birth date), and the social worker's choice between one
//! of them and a new person.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::referral::access::case_for;
use crate::referral::person::{CANDIDATES, CandidateLine, candidate_line};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::Action;
use passerelle_domain::ids::PersonId;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::PersonRole;
use passerelle_domain::referral::case::{KnownToSocialServices, Sex};
use passerelle_domain::referral::person::{PersonForm, validate_person};
use passerelle_store::journal::read::{Read, journal_read};
use passerelle_store::referral::person::{self as store_person, CaseLink};
use std::collections::HashMap;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/dossiers/{id}/personnes/nouvelle", new_person_form)
        .post("/dossiers/{id}/personnes", add_person)
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/person_form.html")]
pub struct PersonFormPage {
    shell: Shell,
    case_id: String,
    roles: &'static [PersonRole],
    sexes: &'static [Sex],
    knowns: &'static [KnownToSocialServices],
    typed: HashMap<String, String>,
    errors: Vec<String>,
    candidates: Vec<CandidateLine>,
}

impl PersonFormPage {
    fn value(&self, name: &str) -> String {
        self.typed.get(name).cloned().unwrap_or_default()
    }

    fn is(&self, name: &str, value: &str) -> bool {
        self.typed.get(name).is_some_and(|v| v == value)
    }
}

#[derive(serde::Deserialize, Default)]
pub struct LineQuery {
    #[serde(default)]
    ligne: String,
}

async fn new_person_form(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Query(query): Query<LineQuery>,
) -> WebResult<PersonFormPage> {
    let (case, post) = case_for(&state, &auth, &id, Action::Manage).await?;
    let mut typed = HashMap::new();
    // Identifying a transmitted person: the form starts from what the officer typed, a read
    // of personal data journaled (the line, never the identity) before it is unsealed.
    if !query.ligne.is_empty() {
        let entry = crate::journal::entry::post_entry(
            &auth,
            &post,
            JournalAction::PersonalDataRead,
            "identité transmise reprise dans le formulaire de personne".into(),
            ip.as_deref(),
        )
        .on("case", &case.id);
        let read = journal_read(&state.db, &post.id, entry).await?;
        let line = passerelle_store::referral::persons_of(&state.db, &state.keys, &case.id, &read)
            .await?
            .into_iter()
            .find(|line| line.id == query.ligne && line.person_id.is_none())
            .ok_or_else(|| {
                WebError::BadRequest(
                    "Cette personne du dossier est déjà identifiée ou n'existe pas.".into(),
                )
            })?;
        typed.insert("line".into(), line.id);
        typed.insert("role".into(), line.role);
        for (field, value) in [
            ("last_name", line.transmitted.last_name),
            ("first_names", line.transmitted.first_name),
            ("phone", line.transmitted.phone),
        ] {
            typed.insert(field.into(), value.unwrap_or_default());
        }
    }
    Ok(form_page(
        &auth,
        &csrf,
        case.id.as_str(),
        typed,
        Vec::new(),
        Vec::new(),
    ))
}

fn form_page(
    auth: &Authenticated,
    csrf: &CsrfToken,
    case_id: &str,
    typed: HashMap<String, String>,
    errors: Vec<String>,
    candidates: Vec<CandidateLine>,
) -> PersonFormPage {
    PersonFormPage {
        shell: Shell::for_actor("Personne du dossier", auth, csrf)
            .under("Dossiers du poste", "/dossiers")
            .under("Dossier", format!("/dossiers/{case_id}"))
            .at("/dossiers"),
        case_id: case_id.to_string(),
        roles: PersonRole::ALL,
        sexes: Sex::ALL,
        knowns: KnownToSocialServices::ALL,
        typed,
        errors,
        candidates,
    }
}

fn person_form(typed: &HashMap<String, String>) -> PersonForm {
    let field = |name: &str| typed.get(name).cloned().unwrap_or_default();
    PersonForm {
        last_name: field("last_name"),
        birth_name: field("birth_name"),
        first_names: field("first_names"),
        sex: field("sex"),
        birth_date: field("birth_date"),
        phone: field("phone"),
        commune: field("commune"),
        known_to_social_services: field("known"),
    }
}

/// Adds a person to a case. First pass (no `decision`): the identity is checked, then the
/// post's look-alikes are proposed; the social worker then picks one (`decision` = its id)
/// or creates a new person (`decision` = `new`).
async fn add_person(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(fields): FrenchForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (case, post) = case_for(&state, &auth, &id, Action::Manage).await?;
    let typed: HashMap<String, String> = fields
        .into_iter()
        .filter(|(key, _)| key != "csrf")
        .collect();
    let refuse = |errors: Vec<String>, candidates: Vec<CandidateLine>| {
        let status = if errors.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        };
        (
            status,
            form_page(
                &auth,
                &csrf,
                case.id.as_str(),
                typed.clone(),
                errors,
                candidates,
            ),
        )
            .into_response()
    };
    let role = typed.get("role").map(String::as_str).unwrap_or("");
    let role = match PersonRole::parse(role) {
        Ok(role) => role,
        Err(error) => return Ok(refuse(vec![format!("{error}.")], Vec::new())),
    };
    let line = typed.get("line").filter(|l| !l.is_empty()).cloned();
    if let Some(line) = &line {
        if !passerelle_store::referral::line_is_open(&state.db, &case.id, line).await? {
            return Ok(refuse(
                vec!["Cette personne du dossier est déjà identifiée ou n'existe pas.".into()],
                Vec::new(),
            ));
        }
    }
    let to = match &line {
        Some(line) => CaseLink::ReferredLine {
            case_id: &case.id,
            case_person_id: line,
        },
        None => CaseLink::NewLine {
            case_id: &case.id,
            role,
        },
    };
    let today = crate::http::clock::paris_today();
    let person = match validate_person(&person_form(&typed), today) {
        Ok(person) => person,
        Err(errors) => {
            return Ok(refuse(
                errors.iter().map(|e| format!("{e}.")).collect(),
                Vec::new(),
            ));
        }
    };
    let entry = |detail: &str| {
        crate::journal::entry::post_entry(
            &auth,
            &post,
            JournalAction::PersonalDataWritten,
            detail.into(),
            ip.as_deref(),
        )
        .on("case", &case.id)
    };
    match typed.get("decision").map(String::as_str).unwrap_or("") {
        "" => {
            // Proposing look-alikes reads the post's persons: one journal row naming the
            // search (for this case), never the identity typed.
            let read = crate::journal::entry::post_entry(
                &auth,
                &post,
                JournalAction::PersonalDataRead,
                "personnes ressemblantes proposées pour le dossier".into(),
                ip.as_deref(),
            )
            .on("case", &case.id);
            let candidates = store_person::search(
                &state.db,
                &state.keys,
                &post.id,
                &person.identity.key(),
                CANDIDATES,
                Read::Entry(read),
            )
            .await?;
            crate::referral::record_journal::record_shown(
                &state,
                &auth,
                &post,
                ip.as_deref(),
                &[(
                    "identité proposée comme ressemblante en ajoutant une personne à un dossier",
                    candidates.iter().map(|c| c.person.id.as_str()).collect(),
                )],
            )
            .await?;
            if !candidates.is_empty() {
                return Ok(refuse(
                    Vec::new(),
                    candidates.iter().map(candidate_line).collect(),
                ));
            }
        }
        "new" => {}
        existing => {
            // Where the chosen person is, nothing unsealed.
            let found = store_person::post_of(&state.db, existing).await?;
            if !found.is_some_and(|p| p.post_id == post.id && p.merged_into.is_none()) {
                return Ok(refuse(
                    vec![
                        "Personne : choisissez une personne proposée ou « nouvelle personne »."
                            .into(),
                    ],
                    Vec::new(),
                ));
            }
            store_person::add_to_case(
                &state.db,
                &PersonId::new(existing),
                to,
                entry("personne existante rattachée"),
            )
            .await?;
            return Ok(Redirect::to(&format!("/dossiers/{}", case.id)).into_response());
        }
    }
    store_person::create_in_case(
        &state.db,
        &state.keys,
        &post.id,
        &person,
        today,
        to,
        entry("personne créée"),
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{}", case.id)).into_response())
}
