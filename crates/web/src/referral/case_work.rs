//! The work a social worker records in a case: its status, notes, interviews, actions,
//! criminal or not, and the next step (orientations, transfers and the information
//! préoccupante are in case_handover.rs). Each form answers a refusal on the case page
//! itself, in French, with nothing written.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::{WebResult, refusal};
use crate::http::forms::{DateField, FrenchForm};
use crate::http::route_table::RouteTable;
use crate::referral::access::case_for;
use crate::referral::case::refuse_on_case;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::Action;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::case::{
    ActionKind, InterviewDuration, InterviewPlace, NoteVisibility,
};
use passerelle_domain::referral::{ClosureOutcome, ReferralStatus};
use passerelle_store::WriteError;
use passerelle_store::journal::Entry;
use passerelle_store::referral::CaseRow;
use passerelle_store::referral::case_work;
use time::Date;

/// The writes on a case, with its handing over to others (case_handover.rs).
pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/dossiers/{id}/statut", move_case)
        .post("/dossiers/{id}/notes", add_note)
        .post("/dossiers/{id}/entretiens", record_interview)
        .post("/dossiers/{id}/actions", record_action)
        .post("/dossiers/{id}/penal", set_criminal)
        .post("/dossiers/{id}/prochaine-etape", set_next_step)
        .merge(crate::referral::case_handover::routes())
}

/// A write on a case by one of its social workers: the loaded case, and how to answer.
pub(super) struct CaseWrite {
    pub(super) state: AppState,
    pub(super) auth: Authenticated,
    pub(super) csrf: CsrfToken,
    pub(super) ip: Option<String>,
    pub(super) case: CaseRow,
    pub(super) post: passerelle_store::registry::post::PostRow,
}

impl CaseWrite {
    pub(super) async fn load(
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
    pub(super) async fn refuse(&self, message: impl std::fmt::Display) -> WebResult<Response> {
        refuse_on_case(
            &self.state,
            &self.auth,
            &self.csrf,
            self.case.id.as_str(),
            format!("{message}"),
            self.ip.as_deref(),
        )
        .await
    }

    /// The journal row of this write; its detail never holds what a person said.
    pub(super) fn entry(&self, action: JournalAction, detail: String) -> Entry {
        crate::journal::entry::post_entry(
            &self.auth,
            &self.post,
            action,
            detail,
            self.ip.as_deref(),
        )
        .on("case", &self.case.id)
    }

    pub(super) fn written(&self, anchor: &str) -> WebResult<Response> {
        Ok(Redirect::to(&format!("/dossiers/{}#{anchor}", self.case.id)).into_response())
    }

    /// The answer to a store call that can refuse: on success, to `location`.
    pub(super) async fn answer(
        &self,
        result: Result<(), WriteError>,
        location: &str,
    ) -> WebResult<Response> {
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
    // The page then says who may read the note just saved.
    Ok(Redirect::to(&format!(
        "/dossiers/{}?note={}#notes",
        write.case.id,
        visibility.code()
    ))
    .into_response())
}

/// A day of work on the case, within its field's window: not in the future (the next step
/// within two years), not before the case was received.
pub(super) fn work_day(field: DateField, text: &str, case: &CaseRow) -> Result<Date, String> {
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
