//! The names of the persons beside a list of a post's cases (the inbox, the social worker's
//! home): a read of personal data, decided by the policy (`Resource::CaseNames`) and
//! journaled one row per view, naming the cases shown, before anything is unsealed. The
//! lists themselves hold no names (their copies are kept between views): the names are
//! opened for each view, and each view leaves its row.

use crate::AppState;
use crate::http::auth::Authenticated;
use crate::http::error::WebResult;
use passerelle_domain::access::{Action, Decision, Place, Resource, decide};
use passerelle_domain::journal::JournalAction;
use passerelle_store::registry::post::PostRow;
use std::collections::HashMap;

/// The names of the persons of `case_ids` (cases of `post`, whose place is `place`), by case,
/// for `auth`; none when the policy does not give them, or when the list is empty.
pub(crate) async fn names_shown(
    state: &AppState,
    auth: &Authenticated,
    post: &PostRow,
    place: &Place,
    case_ids: &[&str],
    list: &str,
    ip: Option<&str>,
) -> WebResult<HashMap<String, Vec<String>>> {
    if case_ids.is_empty() {
        return Ok(HashMap::new());
    }
    match decide(
        &auth.actor,
        Action::View,
        &Resource::CaseNames { post: place },
    ) {
        Decision::Allow => {}
        Decision::Deny => return Ok(HashMap::new()),
    }
    let entry = crate::journal::entry::post_entry(
        auth,
        post,
        JournalAction::PersonalDataRead,
        format!(
            "{list} : noms des personnes des dossiers {}",
            case_ids.join(", ")
        ),
        ip,
    );
    let read = passerelle_store::journal::read::journal_read(&state.db, &post.id, entry).await?;
    Ok(passerelle_store::referral::names_of_cases(&state.db, &state.keys, case_ids, &read).await?)
}
