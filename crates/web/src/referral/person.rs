//! The persons a post follows: the post's person list and search, a person's page with their
//! cases, look-alikes and household, and the journaled merge of two persons (adding a person
//! to a case, after the duplicate search, is in case_persons.rs).

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::Action;
use passerelle_domain::ids::PersonId;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::person::HouseholdRelation;
use passerelle_domain::referral::person_name::{LIKELY_DUPLICATE, POSSIBLE_DUPLICATE, PersonKey};
use passerelle_store::journal::read::{Read, journal_read};
use passerelle_store::referral::person::{self as store_person, Candidate};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/personnes", list)
        .get("/personnes/{id}", show)
        .post("/personnes/{id}/fusion", merge)
        .post("/personnes/{id}/foyer", link_household)
        .merge(crate::referral::case_persons::routes())
}

/// How many look-alikes a search shows.
pub(super) const CANDIDATES: usize = 8;

/// "12/03/1987" or nothing.
fn born(identity: &passerelle_domain::referral::person::Identity) -> String {
    identity
        .birth_date
        .map(crate::http::clock::french_date)
        .unwrap_or_default()
}

pub struct CandidateLine {
    pub id: String,
    pub name: String,
    pub born: String,
    pub commune: String,
    pub percent: u32,
    pub likely: bool,
}

pub(super) fn candidate_line(candidate: &Candidate) -> CandidateLine {
    let identity = &candidate.person.identity;
    CandidateLine {
        id: candidate.person.id.clone().to_string(),
        name: identity.display_name(),
        born: born(identity),
        commune: identity.commune.clone().unwrap_or_default(),
        percent: (candidate.score * 100.0).round() as u32,
        likely: candidate.score >= LIKELY_DUPLICATE,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/persons.html")]
pub struct PersonsPage {
    shell: Shell,
    query: String,
    lines: Vec<CandidateLine>,
    searched: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// The query box reads "first names last name" or "last name, first names", with an optional
/// birth date (jj/mm/aaaa) anywhere.
pub(crate) fn query_key(text: &str) -> PersonKey {
    let mut birth_date = None;
    let mut words = Vec::new();
    for word in text.split_whitespace() {
        match passerelle_domain::day::parse_day("date", word) {
            Ok(day) if word.contains('/') => birth_date = Some(day),
            _ => words.push(word),
        }
    }
    let joined = words.join(" ");
    let (last_name, first_names) = match joined.split_once(',') {
        Some((last, first)) => (last.trim().to_string(), first.trim().to_string()),
        None => match joined.rsplit_once(' ') {
            Some((first, last)) => (last.to_string(), first.to_string()),
            None => (joined.clone(), String::new()),
        },
    };
    PersonKey {
        last_name,
        birth_name: None,
        first_names,
        birth_date,
    }
}

async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Query(query): Query<SearchQuery>,
) -> WebResult<PersonsPage> {
    let post = crate::referral::access::acting_post(&state, &auth, Action::View).await?;
    let text = query.q.trim();
    if text.chars().count() > 200 {
        return Err(WebError::BadRequest(
            "La recherche dépasse 200 caractères.".into(),
        ));
    }
    // Listing names is reading personal data: journaled before anything is unsealed.
    let entry = crate::journal::entry::post_entry(
        &auth,
        &post,
        JournalAction::PersonalDataRead,
        "liste des personnes".into(),
        ip.as_deref(),
    );
    let lines: Vec<CandidateLine> = if text.is_empty() {
        store_person::latest_of_post(&state.db, &state.keys, &post.id, 50, Read::Entry(entry))
            .await?
            .iter()
            .map(|person| {
                candidate_line(&Candidate {
                    person: person.clone(),
                    score: 1.0,
                })
            })
            .collect()
    } else {
        store_person::search(
            &state.db,
            &state.keys,
            &post.id,
            &query_key(text),
            50,
            Read::Entry(entry),
        )
        .await?
        .iter()
        .map(candidate_line)
        .collect()
    };
    // The persons a search finds are each named in their own journal; the post's latest
    // persons (no search) stay under the list's one row on the post.
    if !text.is_empty() {
        crate::referral::record_journal::record_shown(
            &state,
            &auth,
            &post,
            ip.as_deref(),
            &[(
                "identité affichée dans une recherche de personnes",
                lines.iter().map(|line| line.id.as_str()).collect(),
            )],
        )
        .await?;
    }
    Ok(PersonsPage {
        shell: Shell::for_actor("Personnes suivies", &auth, &csrf).at("/personnes"),
        query: text.to_string(),
        searched: !text.is_empty(),
        lines,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/person.html")]
pub struct PersonPage {
    shell: Shell,
    id: String,
    name: String,
    born: String,
    phone: String,
    commune: String,
    sex: &'static str,
    known: &'static str,
    cases: Vec<(String, String, &'static str)>,
    look_alikes: Vec<CandidateLine>,
    /// (other person's id, name, relation read from this person).
    household: Vec<(String, String, &'static str)>,
    /// Persons sharing a case with this one, not yet in the household: (id, name).
    linkable: Vec<(String, String)>,
    relations: &'static [HouseholdRelation],
    merged_into: Option<String>,
    error: Option<String>,
}

/// A person of the acting social worker's post, or the policy's refusal (unknown and
/// forbidden look alike). Only where the person is is read: nothing is unsealed before the
/// policy allowed it.
async fn person_for(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
    action: Action,
) -> WebResult<(
    store_person::PersonPost,
    passerelle_store::registry::post::PostRow,
)> {
    let person = store_person::post_of(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let post =
        crate::referral::access::case_content_post(state, auth, person.post_id.as_str(), action)
            .await?;
    Ok((person, post))
}

async fn person_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    ip: Option<&str>,
    error: Option<String>,
) -> WebResult<PersonPage> {
    let (found, post) = person_for(state, auth, id, Action::View).await?;
    // The page's one journal row, before any identity is unsealed.
    let entry = crate::journal::entry::post_entry(
        auth,
        &post,
        JournalAction::PersonalDataRead,
        "fiche personne consultée".into(),
        ip,
    )
    .on("person", &found.id);
    let read = journal_read(&state.db, &post.id, entry).await?;
    let person = store_person::find(&state.db, &state.keys, &found.id, Read::Journaled(&read))
        .await?
        .ok_or(WebError::Forbidden)?;
    let look_alikes = if person.merged_into.is_none() {
        store_person::search(
            &state.db,
            &state.keys,
            &post.id,
            &person.identity.key(),
            CANDIDATES + 1,
            Read::Journaled(&read),
        )
        .await?
        .iter()
        .filter(|c| c.person.id != person.id && c.score >= POSSIBLE_DUPLICATE)
        .map(candidate_line)
        .collect()
    } else {
        Vec::new()
    };
    let household: Vec<(String, String, &'static str)> =
        store_person::household_of(&state.db, &state.keys, &person.id, &read)
            .await?
            .into_iter()
            .map(|(other, relation)| {
                (
                    other.id.into_string(),
                    other.identity.display_name(),
                    relation.label(),
                )
            })
            .collect();
    let linkable: Vec<(String, String)> =
        store_person::co_persons(&state.db, &state.keys, &person.id, &read)
            .await?
            .into_iter()
            .filter(|other| !household.iter().any(|(id, _, _)| *id == other.id))
            .map(|other| (other.id.into_string(), other.identity.display_name()))
            .collect();
    crate::referral::record_journal::record_shown(
        state,
        auth,
        &post,
        ip,
        &[
            (
                "identité proposée comme doublon possible sur une autre fiche",
                look_alikes.iter().map(|c| c.id.as_str()).collect(),
            ),
            (
                "identité affichée dans le foyer d'une autre fiche",
                household.iter().map(|(id, _, _)| id.as_str()).collect(),
            ),
            // The household form, hence its choices, is not shown on a merged record.
            (
                "identité proposée pour le foyer d'une autre fiche",
                linkable
                    .iter()
                    .filter(|_| person.merged_into.is_none())
                    .map(|(id, _)| id.as_str())
                    .collect(),
            ),
        ],
    )
    .await?;
    let identity = &person.identity;
    Ok(PersonPage {
        household,
        linkable,
        relations: HouseholdRelation::ALL,
        shell: Shell::for_actor("Personne", auth, csrf)
            .under("Personnes suivies", "/personnes")
            .here(identity.display_name())
            .at("/personnes"),
        name: identity.display_name(),
        born: born(identity),
        phone: identity
            .phone
            .as_deref()
            .and_then(|p| passerelle_domain::referral::PhoneNumber::parse(p).ok())
            .map(|p| p.national())
            .unwrap_or_default(),
        commune: identity.commune.clone().unwrap_or_default(),
        sex: person.sex.label(),
        known: person.known_to_social_services.label(),
        cases: store_person::cases_of(&state.db, person.id.as_str())
            .await?
            .into_iter()
            .map(|(case_id, received, status)| {
                let day = crate::http::clock::french_day_of(&received);
                (
                    case_id,
                    day,
                    passerelle_domain::referral::ReferralStatus::parse(&status)
                        .map(|s| s.label())
                        .unwrap_or("—"),
                )
            })
            .collect(),
        look_alikes,
        merged_into: person.merged_into.clone(),
        error,
        id: person.id.to_string(),
    })
}

async fn show(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<PersonPage> {
    person_page(&state, &auth, &csrf, &id, ip.as_deref(), None).await
}

#[derive(serde::Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    duplicate: String,
}

/// Merges the chosen look-alike into this person.
async fn merge(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<MergeForm>,
) -> WebResult<Response> {
    let (person, post) = person_for(&state, &auth, &id, Action::Manage).await?;
    let entry = crate::journal::entry::post_entry(
        &auth,
        &post,
        JournalAction::PersonsMerged,
        format!("personne {} fusionnée dans celle-ci", form.duplicate.trim()),
        ip.as_deref(),
    )
    .on("person", &person.id);
    match store_person::merge(&state.db, person.id.as_str(), form.duplicate.trim(), entry).await {
        Ok(()) => Ok(Redirect::to(&format!("/personnes/{}", person.id)).into_response()),
        Err(error) => {
            let message = crate::http::error::refusal(error)?;
            let page = person_page(&state, &auth, &csrf, &id, ip.as_deref(), Some(message)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(serde::Deserialize)]
pub struct HouseholdForm {
    #[serde(default)]
    other: String,
    #[serde(default)]
    relation: String,
}

/// Links another person of the post to this one's household ("X is this person's child").
async fn link_household(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<HouseholdForm>,
) -> WebResult<Response> {
    let (person, post) = person_for(&state, &auth, &id, Action::Manage).await?;
    let refuse = |message: String| async {
        let page = person_page(&state, &auth, &csrf, &id, ip.as_deref(), Some(message)).await?;
        Ok::<_, WebError>((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let relation = match HouseholdRelation::parse(&form.relation) {
        Ok(relation) => relation,
        Err(error) => return refuse(format!("{error}.")).await,
    };
    let entry = crate::journal::entry::post_entry(
        &auth,
        &post,
        JournalAction::PersonalDataWritten,
        format!("lien familial ({})", relation.code()),
        ip.as_deref(),
    )
    .on("person", &person.id);
    let other = PersonId::new(form.other.trim());
    match store_person::link_household(&state.db, &person.id, &other, relation, entry).await {
        Ok(()) => Ok(Redirect::to(&format!("/personnes/{}#foyer", person.id)).into_response()),
        Err(error) => refuse(crate::http::error::refusal(error)?).await,
    }
}
