//! Handing a case or its person over to others: orientations to partners and their outcome,
//! the transfer of the case to another post, and the « information préoccupante » for the
//! département's CRIP. Like every write on a case (case_work.rs), each answers a refusal on
//! the case page, in French, with nothing written.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::{DateField, FrenchForm};
use crate::http::route_table::RouteTable;
use crate::referral::case_work::{CaseWrite, work_day};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::case::{ActionKind, OrientationStatus, PartnerType};
use passerelle_store::referral::case_work;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/dossiers/{id}/orientations", propose_orientation)
        .post(
            "/dossiers/{id}/orientations/{orientation}/statut",
            move_orientation,
        )
        .post("/dossiers/{id}/transfert", transfer)
        .post(
            "/dossiers/{id}/information-preoccupante",
            information_preoccupante,
        )
}

/// A partner's name is an organisation's, kept short.
const PARTNER_NAME_MAX_CHARS: usize = 200;
/// The reason of a transfer goes in a sealed team note.
const REASON_MAX_CHARS: usize = 1_000;

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
    // Nothing is chosen for them: the list starts on no post.
    if form.post.trim().is_empty() {
        return write
            .refuse("Le champ « Poste de destination » est requis : choisissez un poste.")
            .await;
    }
    let Some(target) =
        passerelle_store::registry::post::find(&write.state.db, form.post.trim()).await?
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
        .find(|d| d.code == write.post.departement_code.as_str())
        .map(|d| d.name)
        .unwrap_or_else(|| write.post.departement_code.clone().to_string());
    // The identities the document names are read first, journaled as such.
    let read = passerelle_store::journal::read::journal_read(
        &state.db,
        &write.post.id,
        write.entry(
            JournalAction::PersonalDataRead,
            "identités et contexte lus pour l'information préoccupante".into(),
        ),
    )
    .await?;
    let persons =
        crate::referral::case::person_lines(state, &write.auth, write.case.id.as_str(), &read)
            .await?;
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
        context: write.case.context(&state.keys, &read)?,
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
