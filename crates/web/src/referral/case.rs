//! The case page: what the referral transmitted, the persons, the chronology (oldest first,
//! with Paris times), the notes the reader may read (each saying who may) and the forms of
//! the case's work, in `<details>` sections that open without JavaScript. Every read of it is journaled before
//! anything is shown; the case's writes (case_work.rs) answer a refusal with this page.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::french_day_of;
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::referral::access::case_for;
use crate::referral::words::{label_of, status_words};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use passerelle_domain::access::Action;
use passerelle_domain::ids::CaseId;
use passerelle_domain::ids::PersonId;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::case::{
    ActionKind, InterviewPlace, NoteVisibility, OrientationStatus, PartnerType,
};
use passerelle_domain::referral::{ClosureOutcome, PersonRole, ReferralSource, ReferralStatus};
use passerelle_store::referral as store_referral;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/dossiers/{id}", show_case)
}

pub struct PersonLine {
    /// The case's line, to identify a transmitted person.
    pub line_id: String,
    pub role: &'static str,
    pub name: String,
    pub phone: String,
    /// The post's person, once identified.
    pub person_id: Option<String>,
}

fn national_phone(phone: Option<&str>) -> String {
    phone
        .and_then(|p| passerelle_domain::referral::PhoneNumber::parse(p).ok())
        .map(|p| p.national())
        .unwrap_or_default()
}

/// The persons of a case as its page shows them: the identified person's identity, or what
/// the referral transmitted.
/// `read` is the journaled read of the case's post that opens its persons' identities.
pub(crate) async fn person_lines(
    state: &AppState,
    auth: &Authenticated,
    case_id: &str,
    read: &passerelle_store::journal::read::Journaled,
) -> WebResult<Vec<PersonLine>> {
    use passerelle_store::journal::read::Read;
    use passerelle_store::referral::person as store_person;
    let mut lines = Vec::new();
    for line in
        store_referral::persons_of(&state.db, &state.keys, &CaseId::new(case_id), read).await?
    {
        let person = match &line.person_id {
            Some(id) => match store_person::post_of(&state.db, id.as_str()).await? {
                Some(found) if found.post_id == *read.post_id() => {
                    store_person::find(&state.db, &state.keys, id, Read::Journaled(read)).await?
                }
                // A person who stayed with the post that sent this case (another of its
                // cases still links them): the read is journaled in that post too.
                Some(found) => {
                    let entry =
                        passerelle_store::journal::Entry::new(JournalAction::PersonalDataRead)
                            .by(auth.account.id.as_str(), Some(auth.role().code()))
                            .on("person", id)
                            .detail("identité lue depuis un dossier transféré")
                            .in_post(Some(found.post_id.as_str()));
                    store_person::find(&state.db, &state.keys, id, Read::Entry(entry)).await?
                }
                None => None,
            },
            None => None,
        };
        let (name, phone) = match &person {
            Some(person) => (
                person.identity.display_name(),
                national_phone(person.identity.phone.as_deref()),
            ),
            None => (
                [
                    line.transmitted.first_name.as_deref(),
                    line.transmitted.last_name.as_deref(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
                national_phone(line.transmitted.phone.as_deref()),
            ),
        };
        lines.push(PersonLine {
            role: label_of(&line.role, PersonRole::parse, PersonRole::label)?,
            name,
            phone,
            person_id: line.person_id.map(PersonId::into_string),
            line_id: line.id,
        });
    }
    Ok(lines)
}

pub struct NoteLine {
    pub author: String,
    pub at: String,
    /// Who may read it, in words: said on every note, as when it was saved.
    pub readers: &'static str,
    pub text: String,
}

/// Who reads a note of this visibility, as the page says it (`access::reads_note`).
pub(crate) fn note_readers(visibility: NoteVisibility) -> &'static str {
    match visibility {
        NoteVisibility::Team => "l'équipe du poste (ses intervenants sociaux)",
        NoteVisibility::Author => "vous seul(e)",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/case.html")]
pub struct CasePage {
    shell: Shell,
    id: String,
    urgency: &'static str,
    source: &'static str,
    status: String,
    categories: String,
    received: String,
    unit: String,
    context: Option<String>,
    safe_contact: Option<String>,
    procedure_reference: Option<String>,
    /// The danger grid's result, in words (opened with the facts).
    danger: Option<String>,
    /// The grid characterised a danger: shown first.
    danger_characterised: bool,
    persons: Vec<PersonLine>,
    /// Everything that happened, oldest first: (when, in Paris time, what).
    timeline: Vec<(String, String)>,
    /// The case's appointments still to come (booked from it).
    appointments: Vec<crate::presence::reservation::CaseAppointment>,
    /// Who may read the note just saved.
    note_saved: Option<&'static str>,
    notes: Vec<NoteLine>,
    next_statuses: Vec<ReferralStatus>,
    outcomes: &'static [ClosureOutcome],
    visibilities: &'static [NoteVisibility],
    work: Vec<WorkLine>,
    criminal: &'static str,
    places: &'static [InterviewPlace],
    actions: &'static [ActionKind],
    partner_types: &'static [PartnerType],
    transfer_targets: Vec<(String, String, String)>,
    /// The directory's partners of the post's département, offered when orienting.
    partner_names: Vec<String>,
    /// (text, day "jj/mm/aaaa", ISO day for the date field, overdue).
    next_step: Option<(String, String, String, bool)>,
    open: bool,
    today: String,
    error: Option<String>,
}

/// The case's chronology, oldest first: statuses, interviews, actions, orientations and the
/// notes the reader may read (named, not quoted). An instant shows its day and time in Paris;
/// work recorded for a day shows the day.
fn timeline(
    history: &[(String, String)],
    work: &[passerelle_store::referral::case_work::WorkLine],
    notes: &[store_referral::Note],
) -> WebResult<Vec<(String, String)>> {
    let mut events: Vec<(String, String)> = history
        .iter()
        .map(|(status, at)| {
            Ok((
                at.clone(),
                format!(
                    "Statut : {}",
                    label_of(status, ReferralStatus::parse, ReferralStatus::label)?
                ),
            ))
        })
        .chain(
            work.iter()
                .map(|line| Ok((line.on.clone(), work_line(line.clone())?.what))),
        )
        .chain(notes.iter().map(|note| {
            Ok((
                note.at.clone(),
                format!(
                    "Note de {} (lisible par {})",
                    note.author,
                    note_readers(note.visibility)
                ),
            ))
        }))
        .collect::<WebResult<_>>()?;
    // ISO days and instants sort as text; a day sorts before the instants of that day.
    events.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(events
        .into_iter()
        .map(|(at, what)| (when(&at), what))
        .collect())
}

/// "jj/mm/aaaa à hh:mm" (Paris) of a stored instant, "jj/mm/aaaa" of a stored day.
fn when(stored: &str) -> String {
    if stored.len() <= 10 {
        return french_day_of(stored);
    }
    match crate::http::clock::french_instant_of(stored).split_once(' ') {
        Some((day, time)) => format!("{day} à {time}"),
        None => french_day_of(stored),
    }
}

/// A line of the case's work, in words.
pub struct WorkLine {
    pub on: String,
    pub what: String,
    /// For an orientation still moving: its id and the statuses it may take.
    pub orientation: Option<(String, Vec<OrientationStatus>)>,
}

pub(crate) fn work_line(
    line: passerelle_store::referral::case_work::WorkLine,
) -> WebResult<WorkLine> {
    use passerelle_store::referral::case_work::WorkKind;
    let on = french_day_of(&line.on);
    Ok(match line.kind {
        WorkKind::Interview { place, minutes } => WorkLine {
            on,
            what: format!(
                "Entretien — {} — {minutes} min",
                label_of(&place, InterviewPlace::parse, InterviewPlace::label)?
            ),
            orientation: None,
        },
        WorkKind::Action { kind } => WorkLine {
            on,
            what: format!(
                "Action — {}",
                label_of(&kind, ActionKind::parse, ActionKind::label)?
            ),
            orientation: None,
        },
        WorkKind::Orientation {
            id,
            partner_type,
            partner_name,
            status,
            changed_on,
        } => {
            let current = OrientationStatus::parse(&status).map_err(|error| {
                WebError::Internal(anyhow::anyhow!("valeur enregistrée inconnue : {error}"))
            })?;
            let partner_type = label_of(&partner_type, PartnerType::parse, PartnerType::label)?;
            let partner = match partner_name.as_str() {
                "" => partner_type.to_string(),
                name => format!("{partner_type} ({name})"),
            };
            WorkLine {
                on,
                what: format!(
                    "Orientation — {partner} — {} le {}",
                    current.label(),
                    french_day_of(&changed_on)
                ),
                orientation: Some((
                    id,
                    OrientationStatus::ALL
                        .iter()
                        .copied()
                        .filter(|next| current.can_move_to(*next))
                        .collect(),
                )),
            }
        }
    })
}

async fn case_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    error: Option<String>,
    note_saved: Option<NoteVisibility>,
    ip: Option<&str>,
) -> WebResult<CasePage> {
    let (case, post) = case_for(state, auth, id, Action::View).await?;
    // Every read of a case is journaled, before anything is shown.
    let read = store_referral_read(state, auth, &post, case.id.as_str(), ip).await?;
    // Shown to one who works on the post's cases: no longer « Nouveau ». The lists it left
    // are read again at once, as after a form.
    if store_referral::mark_opened(&state.db, case.id.as_str()).await? {
        state.case_lists.poll_now(&state.db).await;
    }
    let keys = &state.keys;
    let current = case.status;
    let history = store_referral::status_history(&state.db, &case.id).await?;
    let work =
        passerelle_store::referral::case_work::work_of(&state.db, keys, &case.id, &read).await?;
    let notes =
        store_referral::notes_for(&state.db, keys, &case.id, &auth.account.id, &read).await?;
    Ok(CasePage {
        shell: Shell::for_actor("Dossier", auth, csrf)
            .under("Dossiers du poste", "/dossiers")
            .here(format!(
                "Dossier reçu le {}",
                french_day_of(&case.received_at)
            ))
            .at("/dossiers"),
        urgency: case.urgency.label(),
        source: case.source.map(ReferralSource::label).unwrap_or("—"),
        status: status_words(case.status, case.closure_outcome),
        categories: crate::referral::category::grid(state)
            .await?
            .labels(&case.categories),
        received: french_day_of(&case.received_at),
        unit: case
            .unit_name
            .clone()
            .unwrap_or_else(|| "Ouverture directe".into()),
        context: case.context(keys, &read)?,
        safe_contact: case.safe_contact(keys, &read)?,
        procedure_reference: case.procedure_reference(keys, &read)?,
        danger: case
            .danger_assessment(keys, &read)?
            .map(|danger| danger.summary()),
        danger_characterised: case.danger_grid
            == Some(passerelle_domain::referral::danger::DangerGridResult::Characterised),
        persons: person_lines(state, auth, case.id.as_str(), &read).await?,
        timeline: timeline(&history, &work, &notes)?,
        appointments: crate::presence::reservation::case_appointments(
            state,
            case.id.as_str(),
            post.departement_code.as_str(),
        )
        .await?,
        note_saved: note_saved.map(note_readers),
        notes: notes
            .into_iter()
            .map(|note| NoteLine {
                author: note.author,
                at: when(&note.at),
                readers: note_readers(note.visibility),
                text: note.text,
            })
            .collect(),
        next_statuses: ReferralStatus::ALL
            .iter()
            .copied()
            .filter(|s| current.can_move_to(*s))
            .collect(),
        outcomes: ClosureOutcome::ALL,
        visibilities: NoteVisibility::ALL,
        work: work.into_iter().map(work_line).collect::<WebResult<_>>()?,
        criminal: match case.criminal {
            Some(0) => "no",
            Some(_) => "yes",
            None => "unknown",
        },
        places: InterviewPlace::ALL,
        actions: ActionKind::ALL,
        partner_types: PartnerType::ALL,
        transfer_targets: passerelle_store::referral::case_work::transfer_targets(
            &state.db,
            &case.post_id,
        )
        .await?,
        partner_names: passerelle_store::referral::partner::of_departement(
            &state.db,
            post.departement_code.as_str(),
            None,
        )
        .await?
        .into_iter()
        .map(|partner| partner.name)
        .collect(),
        next_step: match (case.next_step(keys, &read)?, case.next_step_on.as_deref()) {
            (Some(text), Some(on)) => Some((
                text,
                french_day_of(on),
                on.to_string(),
                on < crate::http::clock::paris_today().to_string().as_str(),
            )),
            _ => None,
        },
        open: current != ReferralStatus::Closed,
        today: crate::http::clock::paris_today().to_string(),
        error,
        id: case.id.to_string(),
    })
}

async fn store_referral_read(
    state: &AppState,
    auth: &Authenticated,
    post: &passerelle_store::registry::post::PostRow,
    case_id: &str,
    ip: Option<&str>,
) -> WebResult<passerelle_store::journal::read::Journaled> {
    let entry = crate::journal::entry::post_entry(
        auth,
        post,
        JournalAction::PersonalDataRead,
        "dossier consulté".into(),
        ip,
    )
    .on("case", case_id);
    Ok(passerelle_store::journal::read::journal_read(&state.db, &post.id, entry).await?)
}

/// After a note is saved, the page says who may read it (`?note=` its visibility's code).
#[derive(serde::Deserialize, Default)]
pub struct CaseQuery {
    #[serde(default)]
    note: String,
}

async fn show_case(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<CaseQuery>,
) -> WebResult<CasePage> {
    // An unknown code says nothing rather than refusing the page.
    let saved = NoteVisibility::parse(&query.note).ok();
    case_page(&state, &auth, &csrf, &id, None, saved, ip.as_deref()).await
}

pub(crate) async fn refuse_on_case(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    message: String,
    ip: Option<&str>,
) -> WebResult<Response> {
    let page = case_page(state, auth, csrf, id, Some(message), None, ip).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
