//! The work a social worker records in a case: interviews, actions, orientations to partners
//! and their outcome, criminal or not, and the transfer to another post. Each form answers
//! a refusal on the case page itself, in French, with nothing written.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::{refusal, WebError, WebResult};
use crate::http::forms::{DateField, FrenchForm};
use crate::referral::access::case_for;
use crate::referral::case::refuse_on_case;
use crate::http::route_table::RouteTable;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::Action;
use passerelle_domain::referral::case::{
    ActionKind, InterviewDuration, InterviewPlace, NoteVisibility, OrientationStatus, PartnerType,
};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::{ClosureOutcome, ReferralStatus};
use passerelle_store::WriteError;
use passerelle_store::referral::case_work;
use passerelle_store::journal::Entry;
use passerelle_store::referral::CaseRow;
use time::Date;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/dossiers/{id}/statut", move_case)
        .post("/dossiers/{id}/notes", add_note)
        .post("/dossiers/{id}/entretiens", record_interview)
        .post("/dossiers/{id}/actions", record_action)
        .post("/dossiers/{id}/orientations", propose_orientation)
        .post(
            "/dossiers/{id}/orientations/{orientation}/statut",
            move_orientation,
        )
        .post("/dossiers/{id}/penal", set_criminal)
        .post("/dossiers/{id}/transfert", transfer)
        .post(
            "/dossiers/{id}/information-preoccupante",
            information_preoccupante,
        )
        .post("/dossiers/{id}/prochaine-etape", set_next_step)
}

/// A partner's name is an organisation's, kept short.
const PARTNER_NAME_MAX_CHARS: usize = 200;
/// The reason of a transfer goes in a sealed team note.
const REASON_MAX_CHARS: usize = 1_000;

/// A write on a case by one of its social workers: the loaded case, and how to answer.
struct CaseWrite {
    state: AppState,
    auth: Authenticated,
    csrf: CsrfToken,
    ip: Option<String>,
    case: CaseRow,
    post: passerelle_store::registry::post::PostRow,
}

impl CaseWrite {
    async fn load(
        state: AppState,
        auth: Authenticated,
        csrf: CsrfToken,
        ip: Option<String>,
        id: &str,
    ) -> WebResult<CaseWrite> {
        let (case, post) = case_for(&state, &auth, id, Action::Manage).await?;
        Ok(CaseWrite {
            state,
            auth,
            csrf,
            ip,
            case,
            post,
        })
    }

    /// The case page again, with the refusal on top; nothing was written.
    async fn refuse(&self, message: impl std::fmt::Display) -> WebResult<Response> {
        refuse_on_case(
            &self.state,
            &self.auth,
            &self.csrf,
            &self.case.id,
            format!("{message}"),
            self.ip.as_deref(),
        )
        .await
    }

    /// The journal row of this write; its detail never holds what a person said.
    fn entry(&self, action: JournalAction, detail: String) -> Entry {
        crate::journal::entry::post_entry(&self.auth, &self.post, action, detail, self.ip.as_deref())
            .on("case", &self.case.id)
    }

    fn written(&self, anchor: &str) -> WebResult<Response> {
        Ok(Redirect::to(&format!("/dossiers/{}#{anchor}", self.case.id)).into_response())
    }

    /// The answer to a store call that can refuse: on success, to `location`.
    async fn answer(&self, result: Result<(), WriteError>, location: &str) -> WebResult<Response> {
        match result {
            Ok(()) => Ok(Redirect::to(location).into_response()),
            Err(error) => self.refuse(refusal(error)?).await,
        }
    }
}

/// Notes are a professional's writing, not a file store.
const NOTE_MAX_CHARS: usize = 5_000;

#[derive(serde::Deserialize)]
pub struct StatusForm {
    status: String,
    #[serde(default)]
    outcome: String,
}

/// Moves the case to its next status (a closure with its outcome), checked by the store
/// against the status the case has when it writes.
async fn move_case(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<StatusForm>,
) -> WebResult<Response> {
    let write = CaseWrite::load(state, auth, csrf, ip, &id).await?;
    let parsed = (|| {
        let next = ReferralStatus::parse(&form.status)?;
        let outcome = match form.outcome.trim() {
            "" => None,
            code => Some(ClosureOutcome::parse(code)?),
        };
        Ok::<_, passerelle_domain::ParseError>((next, outcome))
    })();
    let (next, outcome) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return write.refuse(format!("{error}.")).await,
    };
    let entry = write.entry(
        JournalAction::PersonalDataWritten,
        format!("statut {}", next.code()),
    );
    let result = passerelle_store::referral::move_case(
        &write.state.db,
        &write.case.id,
        next,
        outcome,
        &write.auth.account.id,
        entry,
    )
    .await;
    write
        .answer(result, &format!("/dossiers/{}", write.case.id))
        .await
}

#[derive(serde::Deserialize)]
pub struct NoteForm {
    text: String,
    visibility: String,
}

async fn add_note(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<NoteForm>,
) -> WebResult<Response> {
    let write = CaseWrite::load(state, auth, csrf, ip, &id).await?;
    let text = form.text.trim();
    if text.is_empty() || text.chars().count() > NOTE_MAX_CHARS {
        return write
            .refuse(format!("Note : de 1 à {NOTE_MAX_CHARS} caractères."))
            .await;
    }
    let visibility = match NoteVisibility::parse(&form.visibility) {
        Ok(visibility) => visibility,
        Err(error) => return write.refuse(format!("{error}.")).await,
    };
    // The journal records that a note was written, never its text.
    let entry = write.entry(
        JournalAction::PersonalDataWritten,
        format!("note ({})", visibility.code()),
    );
    passerelle_store::referral::add_note(
        &write.state.db,
        &write.state.keys,
        &write.case.id,
        &write.auth.account.id,
        visibility,
        text,
        entry,
    )
    .await?;
    write.written("notes")
}

/// A day of work on the case, within its field's window: not in the future (the next step
/// within two years), not before the case was received.
fn work_day(field: DateField, text: &str, case: &CaseRow) -> Result<Date, String> {
    let today = crate::http::clock::paris_today();
    let received = case
        .received_at
        .parse::<jiff::Timestamp>()
        .ok()
        .map(crate::http::clock::paris_date_of);
    match received {
        Some(received) => field.read_for_case(text, today, received),
        None => field.read(text, today),
    }
    .map_err(|error| format!("{error}."))
}

#[derive(serde::Deserialize)]
pub struct InterviewForm {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    minutes: String,
}

async fn record_interview(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<InterviewForm>,
) -> WebResult<Response> {
    let write = CaseWrite::load(state, auth, csrf, ip, &id).await?;
    let parsed = (|| {
        let day = work_day(DateField::Interview, &form.held_on, &write.case)?;
        let place = InterviewPlace::parse(&form.place).map_err(|e| format!("{e}."))?;
        let duration = InterviewDuration::parse(&form.minutes).map_err(|e| format!("{e}."))?;
        Ok::<_, String>((day, place, duration))
    })();
    let (day, place, duration) = match parsed {
        Ok(parsed) => parsed,
        Err(message) => return write.refuse(message).await,
    };
    let entry = write.entry(
        JournalAction::PersonalDataWritten,
        format!("entretien ({})", place.code()),
    );
    case_work::record_interview(
        &write.state.db,
        &write.case.id,
        day,
        place,
        duration,
        &write.auth.account.id,
        entry,
    )
    .await?;
    write.written("travail")
}

#[derive(serde::Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    done_on: String,
    #[serde(default)]
    kind: String,
}

async fn record_action(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<ActionForm>,
) -> WebResult<Response> {
    let write = CaseWrite::load(state, auth, csrf, ip, &id).await?;
    let parsed = (|| {
        let day = work_day(DateField::Action, &form.done_on, &write.case)?;
        let kind = ActionKind::parse(&form.kind).map_err(|e| format!("{e}."))?;
        Ok::<_, String>((day, kind))
    })();
    let (day, kind) = match parsed {
        Ok(parsed) => parsed,
        Err(message) => return write.refuse(message).await,
    };
    let entry = write.entry(
        JournalAction::PersonalDataWritten,
        format!("action ({})", kind.code()),
    );
    case_work::record_action(
        &write.state.db,
        &write.case.id,
        day,
        kind,
        &write.auth.account.id,
        entry,
    )
    .await?;
    write.written("travail")
}

#[derive(serde::Deserialize)]
pub struct OrientationForm {
    #[serde(default)]
    proposed_on: String,
    #[serde(default)]
    partner_type: String,
    #[serde(default)]
    partner_name: String,
}

async fn propose_orientation(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<OrientationForm>,
) -> WebResult<Response> {
    let write = CaseWrite::load(state, auth, csrf, ip, &id).await?;
    let parsed = (|| {
        let day = work_day(DateField::Orientation, &form.proposed_on, &write.case)?;
        let partner_type = PartnerType::parse(&form.partner_type).map_err(|e| format!("{e}."))?;
        let name = form.partner_name.trim();
        if name.chars().count() > PARTNER_NAME_MAX_CHARS {
            return Err(format!(
                "Le champ « Partenaire » dépasse {PARTNER_NAME_MAX_CHARS} caractères."
            ));
        }
        Ok::<_, String>((day, partner_type, name.to_string()))
    })();
    let (day, partner_type, name) = match parsed {
        Ok(parsed) => parsed,
        Err(message) => return write.refuse(message).await,
    };
    let entry = write.entry(
        JournalAction::PersonalDataWritten,
        format!("orientation proposée ({})", partner_type.code()),
    );
    case_work::propose_orientation(
        &write.state.db,
        &write.state.keys,
        &write.case.id,
        day,
        partner_type,
        &name,
        &write.auth.account.id,
        entry,
    )
    .await?;
    write.written("travail")
}

#[derive(serde::Deserialize)]
pub struct OrientationStatusForm {
    #[serde(default)]
    status: String,
}

async fn move_orientation(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path((id, orientation)): Path<(String, String)>,
    FrenchForm(form): FrenchForm<OrientationStatusForm>,
) -> WebResult<Response> {
    let write = CaseWrite::load(state, auth, csrf, ip, &id).await?;
    let next = match OrientationStatus::parse(&form.status) {
        Ok(next) => next,
        Err(error) => return write.refuse(format!("{error}.")).await,
    };
    let entry = write.entry(
        JournalAction::PersonalDataWritten,
        format!("orientation {}", next.code()),
    );
    let result = case_work::move_orientation(
        &write.state.db,
        &write.case.id,
        &orientation,
        next,
        crate::http::clock::paris_today(),
        entry,
    )
    .await;
    write
        .answer(result, &format!("/dossiers/{}#travail", write.case.id))
        .await
}

#[derive(serde::Deserialize)]
pub struct CriminalForm {
    #[serde(default)]
    criminal: String,
}

async fn set_criminal(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<CriminalForm>,
) -> WebResult<Response> {
    let write = CaseWrite::load(state, auth, csrf, ip, &id).await?;
    let criminal = match form.criminal.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        "unknown" => None,
        _ => {
            return write
                .refuse("Le champ « Situation pénale » doit valoir oui, non ou ne sait pas.")
                .await;
        }
    };
    let entry = write.entry(
        JournalAction::PersonalDataWritten,
        format!("pénal : {}", form.criminal),
    );
    case_work::set_criminal(&write.state.db, &write.case.id, criminal, entry).await?;
    write.written("travail")
}

#[derive(serde::Deserialize)]
pub struct TransferForm {
    #[serde(default)]
    post: String,
    #[serde(default)]
    reason: String,
}

async fn transfer(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<TransferForm>,
) -> WebResult<Response> {
    let write = CaseWrite::load(state, auth, csrf, ip, &id).await?;
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
        return write
            .refuse(format!(
                "Le champ « Motif du transfert » est requis (1 à {REASON_MAX_CHARS} caractères)."
            ))
            .await;
    }
    let Some(target) = passerelle_store::registry::post::find(&write.state.db, form.post.trim()).await?
    else {
        return write
            .refuse("Le champ « Poste de destination » ne désigne aucun poste.")
            .await;
    };
    // The reason may tell about the person: a sealed team note, read by the new post; the
    // journal says only where the case went.
    let entry = write.entry(
        JournalAction::CaseTransferred,
        format!(
            "transfert vers le poste {} (motif en note d'équipe)",
            target.code
        ),
    );
    let note = format!("Transfert depuis le poste {} : {reason}", write.post.code);
    let result = case_work::transfer(
        &write.state.db,
        &write.state.keys,
        &write.case.id,
        &target.id,
        &note,
        &write.auth.account.id,
        entry,
    )
    .await;
    // The case is no longer this post's: back to the inbox.
    write.answer(result, "/dossiers?transfere=1").await
}

/// The « information préoccupante » for the CRIP of the post's département, pre-filled from
/// the case: recorded as an action of the case and as a disclosure in the journal, then
/// handed over as a PDF for the social worker to complete, sign and send.
async fn information_preoccupante(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<Response> {
    use passerelle_documents::information_preoccupante::{
        InformationPreoccupante, information_preoccupante_pdf,
    };
    let write = CaseWrite::load(state, auth, csrf, ip, &id).await?;
    let state = &write.state;
    let departement = passerelle_store::registry::territory::departements(&state.db)
        .await?
        .into_iter()
        .find(|d| d.code == write.post.departement_code)
        .map(|d| d.name)
        .unwrap_or_else(|| write.post.departement_code.clone());
    let persons = crate::referral::case::person_lines(state, &write.case.id).await?;
    let child = passerelle_domain::referral::PersonRole::Child.label();
    let describe = |line: &crate::referral::case::PersonLine| match line.name.as_str() {
        "" => "nom à compléter".to_string(),
        name => name.to_string(),
    };
    let today = crate::http::clock::paris_today();
    let document = InformationPreoccupante {
        crip: format!(
            "CRIP {}",
            passerelle_domain::registry::territory::of_place(&departement)
        ),
        author: write.auth.account.display_name.clone(),
        post: format!("{} — {departement}", write.post.code),
        written_on: crate::http::clock::french_date(today),
        received_on: crate::http::clock::french_day_of(&write.case.received_at),
        children: persons
            .iter()
            .filter(|p| p.role == child)
            .map(describe)
            .collect(),
        others: persons
            .iter()
            .filter(|p| p.role != child)
            .map(|p| format!("{} : {}", p.role, describe(p)))
            .collect(),
        categories: crate::referral::category::grid(state)
            .await?
            .labels(&write.case.categories),
        context: write.case.context(&state.keys)?,
    };
    let pdf = information_preoccupante_pdf(&document)
        .map_err(|error| WebError::Internal(error.into()))?;
    let entry = write.entry(
        JournalAction::Disclosure,
        format!("information préoccupante éditée pour la {}", document.crip),
    );
    case_work::record_action(
        &state.db,
        &write.case.id,
        today,
        ActionKind::InformationPreoccupante,
        &write.auth.account.id,
        entry,
    )
    .await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"information-preoccupante-{}.pdf\"",
                    today
                ),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        pdf,
    )
        .into_response())
}

#[derive(serde::Deserialize)]
pub struct NextStepForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    on: String,
}

/// The next step the social worker plans for the case (call back, accompany, check an
/// orientation): sealed text, clear day; an empty text clears it.
async fn set_next_step(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<NextStepForm>,
) -> WebResult<Response> {
    let write = CaseWrite::load(state, auth, csrf, ip, &id).await?;
    let text = form.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let next = if text.is_empty() {
        None
    } else {
        if text.chars().count() > NEXT_STEP_MAX_CHARS {
            return write
                .refuse(format!(
                    "Prochaine étape : {NEXT_STEP_MAX_CHARS} caractères au plus."
                ))
                .await;
        }
        match work_day(DateField::NextStep, &form.on, &write.case) {
            Ok(on) => Some((text.as_str(), on)),
            Err(message) => return write.refuse(message).await,
        }
    };
    let entry = write.entry(
        JournalAction::PersonalDataWritten,
        if next.is_some() {
            "prochaine étape fixée"
        } else {
            "prochaine étape effacée"
        }
        .into(),
    );
    case_work::set_next_step(
        &write.state.db,
        &write.state.keys,
        &write.case.id,
        next,
        entry,
    )
    .await?;
    write.written("prochaine-etape")
}

/// A next step is a line of a to-do list, not a note.
const NEXT_STEP_MAX_CHARS: usize = 300;
