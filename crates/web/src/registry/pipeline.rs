//! The pipeline of post creation, for the steering: posts by status, those being created and
//! those vacant longest, the départements below the target, agreements to renew, funding by
//! year, and the registry as it stood on a chosen date.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::clock::{french_date, paris_today};
use crate::http::error::WebResult;
use crate::http::forms::parse_date;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::registry::post::{PostLine, line, scope_of};
use crate::registry::post_funding::{
    AgreementLine, FundingLine, agreements_to_renew, funding_line,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::numbers::count;
use passerelle_domain::registry::coverage::gap_to_target;
use passerelle_domain::registry::post::PostStatus;
use passerelle_store::registry::post::{self as store_post, PostScope};
use serde::Deserialize;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/pilotage", pipeline)
}

pub struct GapLine {
    pub code: String,
    pub name: String,
    pub posts: u64,
    pub gap: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/pipeline.html")]
pub struct PipelinePage {
    shell: Shell,
    scope_label: String,
    as_of: String,
    in_creation: Vec<PostLine>,
    vacant: Vec<PostLine>,
    below_target: Vec<GapLine>,
    without_post: usize,
    target: u64,
    /// For the national steering: posts today against the national target, as printed.
    national: Option<(String, String)>,
    ending: Vec<AgreementLine>,
    funding: Vec<FundingLine>,
    /// The registry as of the chosen date.
    snapshot_date: String,
    snapshot_iso: String,
    by_zone: passerelle_domain::registry::post::PostCounts,
    by_employer_kind: Vec<(&'static str, String)>,
    /// The posts by status on the chosen date and, when it is not today, today: one table.
    by_status: Vec<(&'static str, String, Option<String>)>,
    snapshot_is_today: bool,
}

#[derive(Deserialize, Default)]
pub struct PipelineQuery {
    au: Option<String>,
}

async fn pipeline(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<PipelineQuery>,
) -> WebResult<PipelinePage> {
    auth.require(Action::View, &Resource::Pipeline)?;
    let scope = scope_of(&auth)?;
    let today = paris_today();
    let as_of = match query.au.as_deref() {
        None | Some("") => today,
        Some(text) => parse_date("au", text)?,
    };
    let snapshot = store_post::snapshot_on(&state.db, &scope, as_of).await?;
    let posts = store_post::posts_in(&state.db, &scope, None).await?;
    let today_by_status: Vec<usize> = PostStatus::ALL
        .iter()
        .map(|s| posts.iter().filter(|p| p.status == *s).count())
        .collect();
    let mut in_creation = Vec::new();
    let mut vacant = Vec::new();
    for post in posts {
        match post.status {
            PostStatus::Project | PostStatus::Funded | PostStatus::Recruiting => {
                in_creation.push(line(post, today))
            }
            PostStatus::Vacant => vacant.push(line(post, today)),
            PostStatus::Filled | PostStatus::Closed => {}
        }
    }
    vacant.sort_by(|a, b| b.days.cmp(&a.days));
    let coverage = store_post::coverage_on(&state.db, today).await?;
    let in_scope = |code: &str| match &scope {
        PostScope::Departement(own) => own == code,
        _ => true,
    };
    let target = state.config.target_per_departement;
    let below_target: Vec<GapLine> = coverage
        .iter()
        .filter(|d| in_scope(&d.code) && gap_to_target(d.posts.total(), target) < 0)
        .map(|d| GapLine {
            code: d.code.clone(),
            name: d.name.clone(),
            posts: d.posts.total(),
            gap: gap_to_target(d.posts.total(), target),
        })
        .collect();
    let ending = agreements_to_renew(&state, &scope, today).await?;
    let funding = passerelle_store::registry::funding::funding_by_year(&state.db, &scope)
        .await?
        .into_iter()
        .map(funding_line)
        .collect();
    let national = match scope {
        PostScope::Nation => Some((
            count(coverage.iter().map(|d| d.posts.total()).sum()),
            count(state.config.national_target),
        )),
        _ => None,
    };
    Ok(PipelinePage {
        national,
        snapshot_date: french_date(as_of),
        snapshot_iso: passerelle_store::db::time_text::date_to_text(as_of),
        by_zone: snapshot.by_zone,
        by_employer_kind: snapshot
            .by_employer_kind
            .into_iter()
            .map(|(kind, n)| {
                (
                    passerelle_domain::registry::employer::EmployerKind::parse(&kind)
                        .map(|k| k.label())
                        .unwrap_or("—"),
                    count(n),
                )
            })
            .collect(),
        by_status: snapshot
            .by_status
            .into_iter()
            .map(|(status, n)| {
                let status = PostStatus::parse(&status).ok();
                let current = status
                    .and_then(|s| PostStatus::ALL.iter().position(|known| *known == s))
                    .and_then(|row| today_by_status.get(row))
                    .map(|n| count(*n as u64));
                (
                    status.map(PostStatus::label).unwrap_or("—"),
                    count(n),
                    current.filter(|_| as_of != today),
                )
            })
            .collect(),
        snapshot_is_today: as_of == today,
        ending,
        funding,
        shell: Shell::for_actor("Pilotage", &auth, &csrf).at("/pilotage"),
        scope_label: passerelle_store::identity::account::scope_label(
            &state.db,
            &auth.actor.grant.scope,
        )
        .await?,
        as_of: french_date(today),
        in_creation,
        vacant,
        without_post: below_target.iter().filter(|g| g.posts == 0).count(),
        below_target,
        target,
    })
}
