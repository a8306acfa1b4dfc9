//! The officer's own referrals, as their home and « Mes signalements » show them: when, why
//! (the reasons), where each stands, and on the list the procedure reference they typed. The
//! reference is sealed: the policy decides each line, and the list's view is one journaled
//! read per post naming the cases shown.

use crate::AppState;
use crate::http::auth::Authenticated;
use crate::http::clock::{french_day_of, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::referral::words::status_words;
use passerelle_domain::access::{OwnReferralFacts, officer_reads_own_referral};
use passerelle_domain::ids::UnitId;
use passerelle_domain::journal::JournalAction;
use passerelle_store::journal::read::journal_read;
use passerelle_store::referral::referrer::{OwnReferral, sent_by_page};
use std::collections::BTreeMap;

pub struct OwnLine {
    pub id: String,
    pub received: String,
    pub reasons: String,
    /// The procedure reference, when the list opened it (never on the home page).
    pub reference: Option<String>,
    pub urgency: &'static str,
    pub status: String,
    pub since: String,
}

/// Whether the list opens the references (a read of personal data) or only shows the clear
/// facts (the home page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum References<'a> {
    Opened { ip: Option<&'a str> },
    Closed,
}

fn facts<'a>(row: &'a OwnReferral, today: time::Date) -> WebResult<OwnReferralFacts<'a>> {
    let day = row.last_contact.get(..10).unwrap_or(&row.last_contact);
    Ok(OwnReferralFacts {
        referred_by: row.referred_by.as_ref().map(|id| id.as_str()),
        unit: row.referral_unit_id.as_ref().map(|id| id.as_str()),
        purged: row.purged != 0,
        last_contact: passerelle_store::db::time_text::text_to_date(day).map_err(WebError::from)?,
        today,
    })
}

/// The officer's latest referrals from their unit, newest first.
pub async fn own_lines(
    state: &AppState,
    auth: &Authenticated,
    unit: &str,
    limit: i64,
    references: References<'_>,
) -> WebResult<Vec<OwnLine>> {
    own_lines_page(state, auth, unit, limit, 0, references).await
}

/// A page of the officer's referrals from their unit: `limit` after the `offset` newest.
/// Only the page's references are opened, and journaled.
pub async fn own_lines_page(
    state: &AppState,
    auth: &Authenticated,
    unit: &str,
    limit: i64,
    offset: i64,
    references: References<'_>,
) -> WebResult<Vec<OwnLine>> {
    let rows = sent_by_page(
        &state.db,
        &UnitId::new(unit),
        &auth.account.id,
        limit,
        offset,
    )
    .await?;
    let grid = crate::referral::category::grid(state).await?;
    let today = paris_today();
    // The lines whose reference the policy opens, by post: one journal row per post read.
    let mut readable: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    if let References::Opened { .. } = references {
        for row in &rows {
            if row.has_reference() && officer_reads_own_referral(&auth.actor, &facts(row, today)?) {
                readable
                    .entry(row.post_id.as_str())
                    .or_default()
                    .push(row.id.as_str());
            }
        }
    }
    let mut reads = BTreeMap::new();
    for (post_id, cases) in &readable {
        let post = passerelle_store::registry::post::find(&state.db, post_id)
            .await?
            .ok_or(WebError::Forbidden)?;
        let ip = match references {
            References::Opened { ip } => ip,
            References::Closed => None,
        };
        let entry = crate::journal::entry::post_entry(
            auth,
            &post,
            JournalAction::PersonalDataRead,
            format!(
                "références de procédure affichées dans « Mes signalements » : dossiers {}",
                cases.join(", ")
            ),
            ip,
        );
        reads.insert(*post_id, journal_read(&state.db, &post.id, entry).await?);
    }
    rows.iter()
        .map(|row| {
            let reference = match (
                readable
                    .get(row.post_id.as_str())
                    .is_some_and(|cases| cases.contains(&row.id.as_str())),
                reads.get(row.post_id.as_str()),
            ) {
                (true, Some(read)) => row.procedure_reference(&state.keys, read)?,
                _ => None,
            };
            Ok(OwnLine {
                id: row.id.clone().to_string(),
                received: french_day_of(&row.received_at),
                reasons: grid.labels(&row.categories),
                reference,
                urgency: row.urgency.label(),
                status: status_words(row.status, row.closure_outcome),
                since: french_day_of(&row.status_changed_at),
            })
        })
        .collect()
}
