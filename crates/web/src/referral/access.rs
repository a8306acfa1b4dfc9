//! Who may act on what in the referral pages: the officer's unit, the social worker's own
//! post, and the case or person content a post holds. Every page of the folder asks here, so
//! that unknown and forbidden look alike everywhere.

use crate::AppState;
use crate::http::auth::Authenticated;
use crate::http::error::{WebError, WebResult};
use passerelle_domain::access::{Action, Place, Resource, Scope};
use passerelle_domain::ids::CaseId;
use passerelle_domain::ids::UnitId;
use passerelle_store::referral as store_referral;

/// The officer's unit, or the policy's refusal.
pub(super) fn officer_unit(auth: &Authenticated) -> WebResult<String> {
    let unit = match &auth.actor.grant.scope {
        Scope::Unit(unit) => unit.clone(),
        _ => UnitId::new(""),
    };
    auth.require(Action::Manage, &Resource::ReferralDesk { unit: &unit })?;
    Ok(unit.to_string())
}

/// The post whose cases the actor works on, and its place, or the policy's refusal.
async fn own_post(
    state: &AppState,
    auth: &Authenticated,
    post_id: &str,
) -> WebResult<(passerelle_store::registry::post::PostRow, Place)> {
    let post = passerelle_store::registry::post::find(&state.db, post_id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let place = passerelle_store::registry::replacement::case_place(
        &state.db,
        &post,
        crate::http::clock::paris_today(),
    )
    .await?;
    auth.require(Action::View, &Resource::Cases { post: &place })?;
    Ok((post, place))
}

/// The post of the acting social worker's own role, if the policy allows `action` on its
/// cases.
pub(crate) async fn acting_post(
    state: &AppState,
    auth: &Authenticated,
    action: Action,
) -> WebResult<passerelle_store::registry::post::PostRow> {
    let Scope::Post(post_id) = &auth.actor.grant.scope else {
        return Err(WebError::Forbidden);
    };
    let (post, place) = own_post(state, auth, post_id.as_str()).await?;
    auth.require(action, &Resource::Cases { post: &place })?;
    Ok(post)
}

/// Loads a case for an action, with the policy's answer; unknown and forbidden look alike.
pub(crate) async fn case_for(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
    action: Action,
) -> WebResult<(
    store_referral::CaseRow,
    passerelle_store::registry::post::PostRow,
)> {
    let case = store_referral::find_case(&state.db, &CaseId::new(id))
        .await?
        .ok_or(WebError::Forbidden)?;
    let post = case_content_post(state, auth, case.post_id.as_str(), action).await?;
    Ok((case, post))
}

/// The post holding some case content (a case, a person), if the policy allows `action` on
/// it: its social workers, and the one replacing in it today. Unknown and forbidden alike.
pub(crate) async fn case_content_post(
    state: &AppState,
    auth: &Authenticated,
    post_id: &str,
    action: Action,
) -> WebResult<passerelle_store::registry::post::PostRow> {
    let (post, place) = record_post(state, post_id).await?;
    auth.require(action, &Resource::Case { post: &place })?;
    Ok(post)
}

/// The post holding a record and its place today (with who replaces in it), for the policy to
/// decide on the record; an unknown post is refused like a forbidden one.
pub(crate) async fn record_post(
    state: &AppState,
    post_id: &str,
) -> WebResult<(passerelle_store::registry::post::PostRow, Place)> {
    let post = passerelle_store::registry::post::find(&state.db, post_id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let place = passerelle_store::registry::replacement::case_place(
        &state.db,
        &post,
        crate::http::clock::paris_today(),
    )
    .await?;
    Ok((post, place))
}
