//! Posts for the people who steer them: a post's page (the list is in `post_list`) (its
//! lifecycle, agreements, funding, holders, host units and replacements). The forms of the
//! page are handled in `post_lifecycle` (status steps, host units) and `post_funding`
//! (agreements, funding); the pipeline of post creation in `pipeline`.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::clock::{french_date, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::registry::post_funding::{AgreementLine, FundingLine, agreement_line, funding_line};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::registry::funding::{Funder, Renewal};
use passerelle_domain::registry::post::PostStatus;
use passerelle_store::db::time_text::text_to_date;
use passerelle_store::registry::post::{self as store_post, PostRow, PostScope};

/// The routes of posts: the list and a post's page here, the page's forms and the pipeline
/// in their own files.
pub fn routes() -> RouteTable {
    RouteTable::new()
        .merge(crate::registry::post_list::routes())
        .get("/postes/{id}", show_post)
        .merge(crate::registry::post_lifecycle::routes())
        .merge(crate::registry::post_funding::routes())
        .merge(crate::registry::pipeline::routes())
}

/// The posts the actor's lists show, as the policy decides (`access::posts_reach`).
pub(crate) fn scope_of(auth: &Authenticated) -> WebResult<PostScope> {
    use passerelle_domain::access::{PostsReach, posts_reach};
    Ok(
        match posts_reach(&auth.actor.grant).ok_or(WebError::Forbidden)? {
            PostsReach::Nation => PostScope::Nation,
            PostsReach::Departement(code) => PostScope::Departement(code.to_string()),
            PostsReach::Employer(id) => PostScope::Employer(id.to_string()),
        },
    )
}

pub(super) fn date_text(iso: &Option<String>) -> String {
    iso.as_deref()
        .and_then(|d| text_to_date(d).ok())
        .map(french_date)
        .unwrap_or_else(|| "—".into())
}

/// Whole days from an ISO date to today.
fn days_since(iso: &Option<String>, today: time::Date) -> i64 {
    iso.as_deref()
        .and_then(|d| text_to_date(d).ok())
        .map(|d| (today - d).whole_days())
        .unwrap_or(0)
}

pub struct PostLine {
    pub id: String,
    pub code: String,
    pub zone: &'static str,
    pub status: &'static str,
    pub employer: String,
    pub since: String,
    pub days: i64,
}

pub(crate) fn line(post: PostRow, today: time::Date) -> PostLine {
    PostLine {
        zone: post.zone.label(),
        status: post.status.label(),
        days: days_since(&post.since, today),
        since: date_text(&post.since),
        id: post.id.to_string(),
        code: post.code,
        employer: post.employer,
    }
}

pub struct Step {
    pub status: &'static str,
    pub on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/post.html")]
pub struct PostPage {
    shell: Shell,
    id: String,
    code: String,
    zone: &'static str,
    status: &'static str,
    departement: String,
    employer: String,
    fte: String,
    history: Vec<Step>,
    /// The statuses the post may move to, when the actor may record a step.
    next_statuses: Vec<PostStatus>,
    today: String,
    error: Option<String>,
    agreements: Vec<AgreementLine>,
    funding: Vec<FundingLine>,
    /// Who holds the post now, and since when.
    holders: Vec<(String, String)>,
    /// (unit id, name, share %) and the units that could be added.
    hosts: Vec<(String, String, i64)>,
    hostable: Vec<(String, String)>,
    hosts_total: i64,
    can_manage: bool,
    /// Replacement social workers granted access to the post's cases.
    replacements: Vec<crate::registry::replacement::ReplacementLine>,
    can_grant_replacement: bool,
    /// Access to the post's cases proposed and waiting for a second person.
    pending_access: Vec<crate::identity::case_access::PendingLine>,
    funders: &'static [Funder],
    renewals: &'static [Renewal],
    current_year: i32,
}

pub(crate) async fn post_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    error: Option<String>,
) -> WebResult<PostPage> {
    // Unknown and forbidden answer alike.
    let post = store_post::find(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let place = store_post::place_of(&post);
    auth.require(Action::View, &Resource::Post { post: &place })?;
    let current = post.status;
    let can_manage = passerelle_domain::access::decide(
        &auth.actor,
        Action::Manage,
        &Resource::Post { post: &place },
    )
    .is_allowed();
    let history = store_post::history(&state.db, post.id.as_str())
        .await?
        .into_iter()
        .map(|(status, on)| Step {
            status: PostStatus::parse(&status)
                .map(PostStatus::label)
                .unwrap_or("—"),
            on: date_text(&Some(on)),
        })
        .collect();
    let today = paris_today();
    let agreements =
        passerelle_store::registry::funding::agreements_of(&state.db, post.id.as_str())
            .await?
            .into_iter()
            .map(|a| agreement_line(a, today))
            .collect();
    let funding = passerelle_store::registry::funding::funding_of(&state.db, post.id.as_str())
        .await?
        .into_iter()
        .map(funding_line)
        .collect();
    let holders = store_post::holders(&state.db, post.id.as_str())
        .await?
        .into_iter()
        .map(|(name, since)| {
            (
                name,
                since
                    .get(..10)
                    .map(|d| date_text(&Some(d.to_string())))
                    .unwrap_or_default(),
            )
        })
        .collect();
    let hosts: Vec<(String, String, i64)> = store_post::host_units_of(&state.db, &post.id)
        .await?
        .into_iter()
        .map(|(id, name, share)| (id.into_string(), name, share))
        .collect();
    let hostable = if can_manage {
        store_post::hostable_units(&state.db, &post.departement_code).await?
    } else {
        Vec::new()
    };
    let can_grant_replacement = auth
        .require(Action::Manage, &Resource::Replacements { post: &place })
        .is_ok();
    let replacements = crate::registry::replacement::lines(state, post.id.as_str(), today).await?;
    let pending_access = crate::identity::case_access::pending_lines(state, auth, &post).await?;
    Ok(PostPage {
        replacements,
        pending_access,
        can_grant_replacement,
        hosts_total: hosts.iter().map(|(_, _, share)| share).sum(),
        hosts,
        hostable,
        holders,
        agreements,
        funding,
        can_manage,
        funders: Funder::ALL,
        renewals: Renewal::ALL,
        current_year: today.year(),
        shell: Shell::for_actor(&format!("Poste {}", post.code), auth, csrf).at("/postes"),
        zone: post.zone.label(),
        status: current.label(),
        departement: post.departement_code.clone().to_string(),
        fte: format!("{}", post.fte).replace('.', ","),
        next_statuses: if can_manage {
            PostStatus::ALL
                .iter()
                .copied()
                .filter(|s| current.can_move_to(*s))
                .collect()
        } else {
            Vec::new()
        },
        today: passerelle_store::db::time_text::date_to_text(paris_today()),
        history,
        error,
        id: post.id.to_string(),
        code: post.code,
        employer: post.employer,
    })
}

async fn show_post(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> WebResult<PostPage> {
    post_page(&state, &auth, &csrf, &id, None).await
}

/// Loads a post the actor may manage, or the policy's refusal.
pub(super) async fn managed_post(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
) -> WebResult<PostRow> {
    let post = store_post::find(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    auth.require(
        Action::Manage,
        &Resource::Post {
            post: &store_post::place_of(&post),
        },
    )?;
    Ok(post)
}

pub(super) async fn refused_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    message: String,
) -> WebResult<Response> {
    let page = post_page(state, auth, csrf, id, Some(message)).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
