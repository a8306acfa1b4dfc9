//! How the referral vocabularies read on the pages: a code's French label, and the status
//! words an officer may know of a referral (shared by the officer's list, the case page and
//! the status e-mails).

use passerelle_domain::referral::{ClosureOutcome, ReferralStatus};

/// The French label of a vocabulary `code`, or a dash when the code is unknown.
pub(crate) fn label_of<T: Copy>(
    code: &str,
    parse: fn(&str) -> Result<T, passerelle_domain::ParseError>,
    label: fn(T) -> &'static str,
) -> &'static str {
    parse(code).map(label).unwrap_or("—")
}

/// What the officer may know of a referral: its status, and how a closed one ended. The
/// officer's list and the status e-mails both say it this way.
pub fn status_words(status: &str, outcome: Option<&str>) -> String {
    let status_label = label_of(status, ReferralStatus::parse, ReferralStatus::label);
    match outcome.and_then(|o| ClosureOutcome::parse(o).ok()) {
        Some(outcome) if status == ReferralStatus::Closed.code() => {
            format!("{status_label} — {}", outcome.label().to_lowercase())
        }
        _ => status_label.to_string(),
    }
}
