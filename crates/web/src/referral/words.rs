//! How the referral vocabularies read on the pages: a code's French label, and the status
//! words an officer may know of a referral (shared by the officer's list, the case page and
//! the status e-mails).

use crate::http::error::{WebError, WebResult};
use passerelle_domain::referral::danger::DangerGridResult;
use passerelle_domain::referral::{ClosureOutcome, ReferralStatus, Urgency};

/// The urgency the inbox and the home show: a danger the grid characterised raises it above
/// every urgency the officer chose (and the lists put it first).
pub fn urgency_words(urgency: Urgency, danger: Option<DangerGridResult>) -> &'static str {
    match danger {
        Some(DangerGridResult::Characterised) => DangerGridResult::Characterised.label(),
        Some(
            DangerGridResult::NotCharacterised
            | DangerGridResult::NotFilled
            | DangerGridResult::Unknown,
        )
        | None => urgency.label(),
    }
}

/// Whether a line is shown as urgent.
pub fn is_urgent(urgency: Urgency, danger: Option<DangerGridResult>) -> bool {
    urgency != Urgency::Normal || danger == Some(DangerGridResult::Characterised)
}

/// The French label of a vocabulary `code` read from the database. An unknown code is a
/// corrupt row: an error in the log and an error page, never a dash or a default that
/// would show something else than what was recorded.
pub(crate) fn label_of<T: Copy>(
    code: &str,
    parse: fn(&str) -> Result<T, passerelle_domain::ParseError>,
    label: fn(T) -> &'static str,
) -> WebResult<&'static str> {
    parse(code).map(label).map_err(|error| {
        WebError::Internal(anyhow::anyhow!("valeur enregistrée inconnue : {error}"))
    })
}

/// What the officer may know of a referral: its status, and how a closed one ended. The
/// officer's list and the status e-mails both say it this way.
pub fn status_words(status: ReferralStatus, outcome: Option<ClosureOutcome>) -> String {
    match (status, outcome) {
        (ReferralStatus::Closed, Some(outcome)) => {
            format!("{} — {}", status.label(), outcome.label().to_lowercase())
        }
        (_, _) => status.label().to_string(),
    }
}

/// The same words from the codes a row stored as text (the mail outbox): an unknown code is
/// a corrupt row, an error, never a default.
pub fn stored_status_words(status: &str, outcome: Option<&str>) -> WebResult<String> {
    let unknown =
        |error| WebError::Internal(anyhow::anyhow!("valeur enregistrée inconnue : {error}"));
    let status = ReferralStatus::parse(status).map_err(unknown)?;
    let outcome = outcome
        .map(ClosureOutcome::parse)
        .transpose()
        .map_err(unknown)?;
    Ok(status_words(status, outcome))
}
