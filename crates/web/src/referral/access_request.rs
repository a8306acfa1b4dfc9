//! The person's right of access (RGPD art. 15): « Produire le relevé RGPD (art. 15) » on a
//! person's page gives, as a PDF, everything the post holds on them: identity, each case of
//! the post with its statuses, work and notes written for the team, household, appointments
//! booked under their name, and the journal of who read or changed all of it.
//!
//! The copy is a disclosure of case content out of the post (to the person), so it is
//! journaled as one, on the person, before anything sealed is opened; what it then reads is
//! read under that row. It leaves out what is not the person's to receive from this post:
//! the working notes a professional keeps for themself, the identities of the other persons
//! of their cases (secret partagé, and their safety), the content of cases another post holds.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp};
use crate::http::clock::{french_date, french_date_time, french_day_of, french_instant_of};
use crate::http::error::{WebError, WebResult};
use crate::http::route_table::RouteTable;
use crate::referral::access::record_post;
use crate::referral::record_journal::{journal_lines, person_row_object};
use crate::referral::words::{label_of, status_words};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use passerelle_documents::subject_access::{
    CaseCopy, Field, JournalEntry, NoteCopy, SubjectAccess, subject_access_pdf,
};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::ids::PersonId;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::case::NoteVisibility;
use passerelle_domain::referral::person_name::{LIKELY_DUPLICATE, match_score};
use passerelle_domain::referral::{PersonRole, ReferralStatus};
use passerelle_store::journal::Row;
use passerelle_store::journal::read::{Journaled, Read, journal_read};
use passerelle_store::referral::person::{self as store_person, Person};
use passerelle_store::referral::record_journal::{self, Record};
use passerelle_store::referral::subject_access::{PersonCase, cases_of_person};
use passerelle_store::registry::post::PostRow;

pub fn routes() -> RouteTable {
    RouteTable::new().post("/personnes/{id}/releve-rgpd", produce)
}

/// The journal rows a copy prints, at most: years of daily reads fit; beyond, the most recent.
const JOURNAL_ROWS: i64 = 2_000;

fn field(label: &str, value: Option<String>) -> Field {
    Field {
        label: label.into(),
        value: value
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "Non renseigné".into()),
    }
}

fn national_phone(phone: Option<&str>) -> Option<String> {
    phone.map(|p| {
        passerelle_domain::referral::PhoneNumber::parse(p)
            .map(|p| p.national())
            .unwrap_or_else(|_| p.to_string())
    })
}

/// Every field of the sealed identity, and the attributes counted in the statistics.
fn identity_fields(person: &Person) -> WebResult<Vec<Field>> {
    let identity = &person.identity;
    Ok(vec![
        field("Nom", identity.last_name.clone()),
        field("Nom de naissance", identity.birth_name.clone()),
        field("Prénoms", identity.first_names.clone()),
        field("Date de naissance", identity.birth_date.map(french_date)),
        field("Téléphone", national_phone(identity.phone.as_deref())),
        field("Commune", identity.commune.clone()),
        field("Sexe", Some(person.sex.label().into())),
        field(
            "Tranche d'âge à l'arrivée",
            person.age_band.map(|band| band.label().to_string()),
        ),
        field(
            "Connue d'un service social à l'arrivée",
            Some(person.known_to_social_services.label().into()),
        ),
    ])
}

/// One case of the post as the copy prints it: what was referred, its statuses, its work and
/// the notes written for the team (never a professional's own working notes, whoever reads).
async fn case_copy(
    state: &AppState,
    auth: &Authenticated,
    line: &PersonCase,
    roles: &[&str],
    read: &Journaled,
) -> WebResult<CaseCopy> {
    let keys = &state.keys;
    let case = passerelle_store::referral::find_case(&state.db, &line.case_id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let next_step = match (case.next_step(keys, read)?, case.next_step_on.as_deref()) {
        (Some(text), Some(on)) => Some(format!("pour le {} : {text}", french_day_of(on))),
        (text, _) => text,
    };
    let fields = vec![
        field(
            "Statut",
            Some(status_words(case.status, case.closure_outcome)),
        ),
        field(
            "Votre rôle",
            Some(
                roles
                    .iter()
                    .map(|role| label_of(role, PersonRole::parse, PersonRole::label))
                    .collect::<WebResult<Vec<_>>>()?
                    .join(", "),
            ),
        ),
        field("Origine", case.source.map(|s| s.label().to_string())),
        field("Urgence", Some(case.urgency.label().into())),
        field(
            "Unité",
            Some(
                case.unit_name
                    .clone()
                    .unwrap_or_else(|| "Ouverture directe par le poste".into()),
            ),
        ),
        field(
            "Motifs",
            Some(
                crate::referral::category::grid(state)
                    .await?
                    .labels(&case.categories),
            ),
        ),
        field(
            "Situation pénale",
            Some(
                match case.criminal {
                    Some(0) => "Hors champ pénal",
                    Some(_) => "Dans le champ pénal",
                    None => "Non renseignée",
                }
                .into(),
            ),
        ),
        field("Faits signalés", case.context(keys, read)?),
        field("Consignes de contact", case.safe_contact(keys, read)?),
        field(
            "Référence de procédure",
            case.procedure_reference(keys, read)?,
        ),
        field("Prochaine étape", next_step),
    ];
    let statuses = passerelle_store::referral::status_history(&state.db, &case.id)
        .await?
        .into_iter()
        .map(|(status, at)| {
            Ok(format!(
                "{} : {}",
                french_day_of(&at),
                label_of(&status, ReferralStatus::parse, ReferralStatus::label)?
            ))
        })
        .collect::<WebResult<_>>()?;
    let mut work: Vec<_> =
        passerelle_store::referral::case_work::work_of(&state.db, keys, &case.id, read)
            .await?
            .into_iter()
            .map(|line| {
                let line = crate::referral::case::work_line(line)?;
                Ok(format!("{} : {}", line.on, line.what))
            })
            .collect::<WebResult<_>>()?;
    work.reverse();
    let notes =
        passerelle_store::referral::notes_for(&state.db, keys, &case.id, &auth.account.id, read)
            .await?
            .into_iter()
            .filter(|note| note.visibility == NoteVisibility::Team)
            .map(|note| NoteCopy {
                author: note.author,
                on: french_day_of(&note.at),
                text: note.text,
            })
            .collect();
    Ok(CaseCopy {
        title: format!("Dossier reçu le {}", french_day_of(&case.received_at)),
        fields,
        statuses,
        work,
        notes,
    })
}

/// The appointment's name as a person key: civilities dropped, then read as the person
/// search reads a name.
fn booked_name_key(text: &str) -> passerelle_domain::referral::person_name::PersonKey {
    const CIVILITIES: &[&str] = &[
        "m",
        "m.",
        "mr",
        "mme",
        "mlle",
        "monsieur",
        "madame",
        "mademoiselle",
    ];
    let kept: Vec<&str> = text
        .split_whitespace()
        .filter(|word| !CIVILITIES.contains(&word.to_lowercase().as_str()))
        .collect();
    crate::referral::person::query_key(&kept.join(" "))
}

/// The post's appointments booked under the person's name (likely the same person), as
/// lines, and their ids (for their journal rows). Every name of the post is read to find
/// them: that read is journaled on the post.
async fn appointments_of(
    state: &AppState,
    auth: &Authenticated,
    post: &PostRow,
    person: &Person,
    read: &Journaled,
    ip: Option<&str>,
) -> WebResult<(Vec<String>, Vec<String>)> {
    use passerelle_domain::presence::appointment::AppointmentMode;
    let entry = crate::journal::entry::post_entry(
        auth,
        post,
        JournalAction::PersonalDataRead,
        "noms des rendez-vous du poste lus pour retrouver ceux d'une personne (relevé RGPD art. 15)"
            .into(),
        ip,
    );
    let named = passerelle_store::presence::appointment::named_of_post(
        &state.db,
        &state.keys,
        &post.id,
        Read::Entry(entry),
    )
    .await?;
    let zone =
        passerelle_domain::presence::time_zone_of_departement(post.departement_code.as_str());
    let key = person.identity.key();
    let mut lines = Vec::new();
    let mut ids = Vec::new();
    for (row, name) in named {
        if match_score(&booked_name_key(&name), &key).is_none_or(|s| s < LIKELY_DUPLICATE) {
            continue;
        }
        let starts = passerelle_store::presence::appointment::text_to_unix(&row.starts_at)?;
        let place = match (&row.unit_name, row.mode) {
            (Some(unit), AppointmentMode::InPerson) => format!("à l'unité {unit}"),
            (_, mode) => mode.label().to_lowercase(),
        };
        lines.push(format!(
            "{} — {place} — {} — consignes de contact : {}",
            french_date_time(starts, zone),
            row.status.label(),
            row.safe_contact(&state.keys, read)?
        ));
        ids.push(row.id);
    }
    Ok((lines, ids))
}

/// Everything the post holds on the person, read under the disclosure's row.
async fn gather(
    state: &AppState,
    auth: &Authenticated,
    post: &PostRow,
    read: &Journaled,
    person_id: &str,
    cases: &[PersonCase],
    ip: Option<&str>,
) -> WebResult<SubjectAccess> {
    let person = store_person::find(
        &state.db,
        &state.keys,
        &PersonId::new(person_id),
        Read::Journaled(read),
    )
    .await?
    .ok_or(WebError::Forbidden)?;
    let mut copies = Vec::new();
    let mut elsewhere = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for line in cases {
        if done.contains(&line.case_id.as_str()) {
            continue;
        }
        done.push(line.case_id.as_str());
        let roles: Vec<&str> = cases
            .iter()
            .filter(|other| other.case_id == line.case_id)
            .map(|other| other.role.as_str())
            .collect();
        // The policy let the actor work on the person's post, hence on its cases. A case
        // transferred to another post is that post's to give: named, not copied.
        if line.post_id == post.id {
            copies.push(case_copy(state, auth, line, &roles, read).await?);
        } else {
            let holder = passerelle_store::registry::post::find(&state.db, line.post_id.as_str())
                .await?
                .map(|other| other.code)
                .unwrap_or_else(|| "inconnu".into());
            elsewhere.push(format!(
                "Dossier reçu le {}, tenu par le poste {holder}",
                french_day_of(&line.received_at)
            ));
        }
    }
    let household = store_person::household_of(&state.db, &state.keys, &person.id, read)
        .await?
        .into_iter()
        .map(|(other, relation)| {
            format!("{} : {}", relation.label(), other.identity.display_name())
        })
        .collect();
    let (appointments, appointment_ids) =
        appointments_of(state, auth, post, &person, read, ip).await?;
    let (journal, journal_note) = journal_of(state, person.id.as_str(), &appointment_ids).await?;
    Ok(SubjectAccess {
        person: person.identity.display_name(),
        post: format!("{} — département {}", post.code, post.departement_code),
        produced_by: format!(
            "{} ({})",
            auth.account.display_name,
            auth.role().label().to_lowercase()
        ),
        produced_at: french_instant_of(&passerelle_store::db::time_text::now_text()),
        identity: identity_fields(&person)?,
        cases: copies,
        elsewhere,
        household,
        appointments,
        journal,
        journal_note,
    })
}

/// The journal of the person and their cases (this copy's disclosure first, as the newest),
/// with the rows of the appointments found under their name.
async fn journal_of(
    state: &AppState,
    person_id: &str,
    appointment_ids: &[String],
) -> WebResult<(Vec<JournalEntry>, Option<String>)> {
    let (mut rows, total) =
        record_journal::rows_about(&state.db, Record::Person(person_id), JOURNAL_ROWS, 0).await?;
    rows.extend(record_journal::rows_about_appointments(&state.db, appointment_ids).await?);
    rows.sort_by_key(|row: &Row| std::cmp::Reverse(row.seq));
    let note = (total > JOURNAL_ROWS).then(|| {
        format!("Les {JOURNAL_ROWS} événements les plus récents sur {total} : le journal complet est conservé par le poste.")
    });
    let cases = store_person::cases_of(&state.db, person_id).await?;
    let lines = journal_lines(state, &rows, person_row_object(person_id, &cases)).await?;
    Ok((
        lines
            .into_iter()
            .map(|line| JournalEntry {
                at: line.at,
                who: line.who,
                role: line.role.into(),
                action: line.action,
                object: line.object.map(|(words, _)| words).unwrap_or_default(),
                detail: line.detail,
            })
            .collect(),
        note,
    ))
}

/// Produces the copy: the policy first (nothing read), then the disclosure journaled, then
/// the reads, then the PDF laid out off the async runtime.
async fn produce(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let found = store_person::post_of(&state.db, &id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let (post, place) = record_post(&state, found.post_id.as_str()).await?;
    auth.require(Action::Manage, &Resource::SubjectAccess { post: &place })?;
    if found.merged_into.is_some() {
        return Err(WebError::BadRequest(
            "Relevé RGPD : cette fiche a été fusionnée dans une autre ; produisez-le depuis la fiche retenue.".into(),
        ));
    }
    // Which cases, from clear columns only, so that the disclosure names what it gives.
    let cases = cases_of_person(&state.db, found.id.as_str()).await?;
    let entry = crate::journal::entry::post_entry(
        &auth,
        &post,
        JournalAction::Disclosure,
        format!(
            "relevé RGPD (art. 15) produit pour la personne : identité, {} ligne(s) de dossier, foyer, rendez-vous, journal des accès",
            cases.len()
        ),
        ip.as_deref(),
    )
    .on("person", &found.id);
    let read = journal_read(&state.db, &post.id, entry).await?;
    let document = gather(
        &state,
        &auth,
        &post,
        &read,
        found.id.as_str(),
        &cases,
        ip.as_deref(),
    )
    .await?;
    // Typst lays out on the blocking pool: a copy of many pages takes CPU time.
    let pdf = tokio::task::spawn_blocking(move || subject_access_pdf(&document))
        .await
        .map_err(|e| WebError::Internal(e.into()))?
        .map_err(|e| WebError::Internal(e.into()))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"releve-rgpd-{}.pdf\"",
                    crate::http::clock::paris_today()
                ),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        pdf,
    )
        .into_response())
}
