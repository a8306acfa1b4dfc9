//! Posts for the people who steer them: the list in one's scope, a post's lifecycle (with a
//! form to record the next step), and the pipeline of post creation.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::{french_date, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::{DateField, FrenchForm, parse_date, read_date};
use crate::journal::entry::post_entry;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource, Scope};
use passerelle_domain::registry::coverage::gap_to_target;
use passerelle_domain::registry::funding::{AgreementAlert, Funder, Renewal, alert_on, euros, parse_euros};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::registry::post::{PostStatus, Zone};
use passerelle_store::journal::Entry;
use passerelle_store::WriteError;
use passerelle_store::registry::post::{self as store_post, PostRow, PostScope};
use passerelle_store::db::time_text::text_to_date;
use serde::Deserialize;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/postes", list_posts)
        .get("/postes/{id}", show_post)
        .post("/postes/{id}/statut", move_post)
        .post("/postes/{id}/conventions", add_agreement)
        .post("/postes/{id}/financements", add_funding)
        .post("/postes/{id}/unites", set_host_unit)
        .post("/postes/{id}/unites/{unit_id}/retirer", remove_host_unit)
        .get("/pilotage", pipeline)
}

fn scope_of(auth: &Authenticated) -> PostScope {
    match &auth.actor.grant.scope {
        Scope::Departement(code) => PostScope::Departement(code.clone()),
        Scope::Employer(id) => PostScope::Employer(id.clone()),
        _ => PostScope::Nation,
    }
}

fn date_text(iso: &Option<String>) -> String {
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

fn line(post: PostRow, today: time::Date) -> PostLine {
    PostLine {
        zone: Zone::parse(&post.zone).map(Zone::label).unwrap_or("—"),
        status: PostStatus::parse(&post.status)
            .map(PostStatus::label)
            .unwrap_or("—"),
        days: days_since(&post.since, today),
        since: date_text(&post.since),
        id: post.id,
        code: post.code,
        employer: post.employer,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/posts.html")]
pub struct PostsPage {
    shell: Shell,
    posts: Vec<PostLine>,
    statuses: &'static [PostStatus],
    selected: String,
    ending: Vec<AgreementLine>,
}

#[derive(Deserialize, Default)]
pub struct PostsQuery {
    statut: Option<String>,
}

async fn list_posts(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<PostsQuery>,
) -> WebResult<PostsPage> {
    auth.require(Action::View, &Resource::Posts)?;
    let status = match query.statut.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            PostStatus::parse(text).map_err(|e| WebError::BadRequest(format!("Filtre : {e}.")))?,
        ),
    };
    let today = paris_today();
    let posts = store_post::posts_in(&state.db, &scope_of(&auth), status)
        .await?
        .into_iter()
        .map(|p| line(p, today))
        .collect();
    let ending = agreements_to_renew(&state, &scope_of(&auth), today).await?;
    Ok(PostsPage {
        ending,
        shell: Shell::for_actor("Postes", &auth, &csrf).at("/postes"),
        posts,
        statuses: PostStatus::ALL,
        selected: status.map(|s| s.code().to_string()).unwrap_or_default(),
    })
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
    pending_access: Vec<crate::registry::case_access::PendingLine>,
    funders: &'static [Funder],
    renewals: &'static [Renewal],
    current_year: i32,
}

pub struct AgreementLine {
    pub post_id: String,
    pub post_code: String,
    pub parties: String,
    pub starts_on: String,
    pub ends_on: String,
    pub renewal: &'static str,
    pub alert: Option<&'static str>,
    pub urgent: bool,
}

fn agreement_line(
    row: passerelle_store::registry::funding::AgreementRow,
    today: time::Date,
) -> AgreementLine {
    let alert = text_to_date(&row.ends_on)
        .ok()
        .and_then(|end| alert_on(end, today));
    AgreementLine {
        alert: alert.map(AgreementAlert::label),
        urgent: alert == Some(AgreementAlert::Within30Days),
        renewal: Renewal::parse(&row.renewal)
            .map(Renewal::label)
            .unwrap_or("—"),
        starts_on: date_text(&Some(row.starts_on)),
        ends_on: date_text(&Some(row.ends_on)),
        post_id: row.post_id,
        post_code: row.post_code,
        parties: row.parties,
    }
}

pub struct FundingLine {
    pub year: i64,
    pub funder: &'static str,
    pub amount: String,
}

fn funding_line(row: passerelle_store::registry::funding::FundingRow) -> FundingLine {
    FundingLine {
        year: row.year,
        funder: Funder::parse(&row.funder).map(Funder::label).unwrap_or("—"),
        amount: euros(row.amount_cents),
    }
}

/// Agreements of the scope ending within the first alert threshold (60 days): the renewals
/// the employer and the steering must prepare.
async fn agreements_to_renew(
    state: &AppState,
    scope: &PostScope,
    today: time::Date,
) -> WebResult<Vec<AgreementLine>> {
    let horizon = today + time::Duration::days(passerelle_domain::registry::funding::ALERT_DAYS[0]);
    Ok(
        passerelle_store::registry::funding::agreements_ending(&state.db, scope, today, horizon)
            .await?
            .into_iter()
            .map(|a| agreement_line(a, today))
            .collect(),
    )
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
    let current = PostStatus::parse(&post.status).map_err(|e| WebError::Internal(e.into()))?;
    let can_manage = passerelle_domain::access::decide(
        &auth.actor,
        Action::Manage,
        &Resource::Post { post: &place },
    )
    .is_allowed();
    let history = store_post::history(&state.db, &post.id)
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
    let agreements = passerelle_store::registry::funding::agreements_of(&state.db, &post.id)
        .await?
        .into_iter()
        .map(|a| agreement_line(a, today))
        .collect();
    let funding = passerelle_store::registry::funding::funding_of(&state.db, &post.id)
        .await?
        .into_iter()
        .map(funding_line)
        .collect();
    let holders = store_post::holders(&state.db, &post.id)
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
    let hosts = store_post::host_units_of(&state.db, &post.id).await?;
    let hostable = if can_manage {
        store_post::hostable_units(&state.db, &post.departement_code).await?
    } else {
        Vec::new()
    };
    let can_grant_replacement = auth
        .require(Action::Manage, &Resource::Replacements { post: &place })
        .is_ok();
    let replacements = crate::registry::replacement::lines(state, &post.id, today).await?;
    let pending_access = crate::registry::case_access::pending_lines(state, auth, &post).await?;
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
        zone: Zone::parse(&post.zone).map(Zone::label).unwrap_or("—"),
        status: current.label(),
        departement: post.departement_code.clone(),
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
        id: post.id,
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

#[derive(Deserialize)]
pub struct MoveForm {
    status: String,
    date: String,
}

async fn move_post(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<MoveForm>,
) -> WebResult<Response> {
    let post = store_post::find(&state.db, &id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let place = store_post::place_of(&post);
    auth.require(Action::Manage, &Resource::Post { post: &place })?;
    let refuse = |message: String| async {
        let page = post_page(&state, &auth, &csrf, &id, Some(message)).await?;
        Ok::<_, WebError>((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let next = match PostStatus::parse(&form.status) {
        Ok(next) => next,
        Err(error) => return refuse(error.to_string()).await,
    };
    let on = match read_date(DateField::PostStep, &form.date) {
        Ok(on) => on,
        Err(message) => return refuse(message).await,
    };
    let entry = Entry::new(JournalAction::PostLifecycle)
        .by(&auth.account.id, Some(auth.role().code()))
        .on("post", &post.id)
        .detail(format!(
            "{} le {}",
            next.code(),
            passerelle_store::db::time_text::date_to_text(on)
        ))
        .from_ip(ip.as_deref())
        .in_employer(Some(&post.employer_id))
        .in_post(Some(&post.id));
    match store_post::move_post(
        &state.db,
        &post.id,
        next,
        on,
        paris_today(),
        &auth.account.id,
        entry,
    )
    .await
    {
        Ok(()) => {
            state.national_figures.invalidate();
            Ok(Redirect::to(&format!("/postes/{}", post.id)).into_response())
        }
        // Unknown and forbidden answer alike.
        Err(WriteError::NotFound(_)) => Err(WebError::Forbidden),
        Err(error) => refuse(crate::http::error::refusal(error)?).await,
    }
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
    counts: Vec<(&'static str, usize)>,
    in_creation: Vec<PostLine>,
    vacant: Vec<PostLine>,
    below_target: Vec<GapLine>,
    without_post: usize,
    target: u64,
    /// For the national steering: posts today against the national target.
    national: Option<(u64, u64)>,
    ending: Vec<AgreementLine>,
    funding: Vec<FundingLine>,
    /// The registry as of the chosen date.
    snapshot_date: String,
    snapshot_iso: String,
    by_zone: passerelle_domain::registry::post::PostCounts,
    by_employer_kind: Vec<(&'static str, u64)>,
    by_status: Vec<(&'static str, u64)>,
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
    let scope = scope_of(&auth);
    let today = paris_today();
    let as_of = match query.au.as_deref() {
        None | Some("") => today,
        Some(text) => parse_date("au", text)?,
    };
    let snapshot = store_post::snapshot_on(&state.db, &scope, as_of).await?;
    let posts = store_post::posts_in(&state.db, &scope, None).await?;
    let counts = PostStatus::ALL
        .iter()
        .map(|s| {
            (
                s.label(),
                posts.iter().filter(|p| p.status == s.code()).count(),
            )
        })
        .collect();
    let mut in_creation = Vec::new();
    let mut vacant = Vec::new();
    for post in posts {
        match post.status.as_str() {
            "project" | "funded" | "recruiting" => in_creation.push(line(post, today)),
            "vacant" => vacant.push(line(post, today)),
            _ => {}
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
            coverage.iter().map(|d| d.posts.total()).sum(),
            state.config.national_target,
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
                    n,
                )
            })
            .collect(),
        by_status: snapshot
            .by_status
            .into_iter()
            .map(|(status, n)| {
                (
                    PostStatus::parse(&status)
                        .map(PostStatus::label)
                        .unwrap_or("—"),
                    n,
                )
            })
            .collect(),
        ending,
        funding,
        shell: Shell::for_actor("Pilotage", &auth, &csrf).at("/pilotage"),
        scope_label: passerelle_store::identity::account::scope_label(&state.db, &auth.actor.grant.scope)
            .await?,
        as_of: french_date(today),
        counts,
        in_creation,
        vacant,
        without_post: below_target.iter().filter(|g| g.posts == 0).count(),
        below_target,
        target,
    })
}

/// Loads a post the actor may manage, or the policy's refusal.
async fn managed_post(state: &AppState, auth: &Authenticated, id: &str) -> WebResult<PostRow> {
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

async fn refused_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    message: String,
) -> WebResult<Response> {
    let page = post_page(state, auth, csrf, id, Some(message)).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize)]
pub struct AgreementForm {
    parties: String,
    starts_on: String,
    ends_on: String,
    renewal: String,
}

async fn add_agreement(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<AgreementForm>,
) -> WebResult<Response> {
    let post = managed_post(&state, &auth, &id).await?;
    let parties = form.parties.trim();
    let checked = (|| {
        if parties.is_empty() || parties.chars().count() > 300 {
            return Err("Parties : de 1 à 300 caractères (exemple : préfecture, conseil départemental, groupement de gendarmerie).".to_string());
        }
        let starts_on = read_date(DateField::AgreementStart, &form.starts_on)?;
        let ends_on = read_date(DateField::AgreementEnd, &form.ends_on)?;
        if ends_on <= starts_on {
            return Err("Fin : la convention doit finir après son début.".to_string());
        }
        let renewal = Renewal::parse(&form.renewal).map_err(|e| e.to_string())?;
        Ok((starts_on, ends_on, renewal))
    })();
    let (starts_on, ends_on, renewal) = match checked {
        Ok(values) => values,
        Err(error) => return refused_page(&state, &auth, &csrf, &id, error).await,
    };
    let entry = post_entry(
        &auth,
        &post,
        JournalAction::PostAgreement,
        format!("{} → {}", starts_on, ends_on),
        ip.as_deref(),
    );
    let agreement = passerelle_store::registry::funding::NewAgreement {
        parties,
        starts_on,
        ends_on,
        renewal,
    };
    passerelle_store::registry::funding::add_agreement(&state.db, &post.id, &agreement, entry).await?;
    Ok(Redirect::to(&format!("/postes/{}", post.id)).into_response())
}

#[derive(Deserialize)]
pub struct FundingForm {
    year: String,
    funder: String,
    amount: String,
}

async fn add_funding(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<FundingForm>,
) -> WebResult<Response> {
    let post = managed_post(&state, &auth, &id).await?;
    let checked = (|| {
        let year: i32 = form
            .year
            .trim()
            .parse()
            .ok()
            .filter(|y| (2006..=2100).contains(y))
            .ok_or_else(|| "Année : un nombre entre 2006 et 2100.".to_string())?;
        let funder = Funder::parse(&form.funder).map_err(|e| e.to_string())?;
        let cents = parse_euros(&form.amount).map_err(|e| e.to_string())?;
        Ok::<_, String>((year, funder, cents))
    })();
    let (year, funder, cents) = match checked {
        Ok(values) => values,
        Err(error) => return refused_page(&state, &auth, &csrf, &id, error).await,
    };
    let entry = post_entry(
        &auth,
        &post,
        JournalAction::PostFunding,
        format!("{year} {} {}", funder.code(), euros(cents)),
        ip.as_deref(),
    );
    if !passerelle_store::registry::funding::add_funding(&state.db, &post.id, year, funder, cents, entry)
        .await?
    {
        return refused_page(
            &state,
            &auth,
            &csrf,
            &id,
            format!(
                "Financement : une ligne « {} » existe déjà pour {year}.",
                funder.label()
            ),
        )
        .await;
    }
    Ok(Redirect::to(&format!("/postes/{}", post.id)).into_response())
}

#[derive(Deserialize)]
pub struct HostForm {
    unit: String,
    share: String,
}

async fn set_host_unit(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<HostForm>,
) -> WebResult<Response> {
    let post = managed_post(&state, &auth, &id).await?;
    let Some(share) = form
        .share
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|s| (1..=100).contains(s))
    else {
        return refused_page(
            &state,
            &auth,
            &csrf,
            &id,
            "Part du temps : un nombre entier de 1 à 100.".into(),
        )
        .await;
    };
    let entry = post_entry(
        &auth,
        &post,
        JournalAction::PostLifecycle,
        format!("unité d'accueil {} : {share} %", form.unit),
        ip.as_deref(),
    );
    match store_post::set_host_unit(&state.db, &post, &form.unit, share, entry).await {
        Ok(()) => Ok(Redirect::to(&format!("/postes/{}", post.id)).into_response()),
        Err(error) => {
            let message = crate::http::error::refusal(error)?;
            refused_page(&state, &auth, &csrf, &id, message).await
        }
    }
}

async fn remove_host_unit(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path((id, unit_id)): Path<(String, String)>,
) -> WebResult<Response> {
    let post = managed_post(&state, &auth, &id).await?;
    let entry = post_entry(
        &auth,
        &post,
        JournalAction::PostLifecycle,
        format!("unité d'accueil {unit_id} retirée"),
        ip.as_deref(),
    );
    if !store_post::remove_host_unit(&state.db, &post.id, &unit_id, entry).await? {
        return Err(WebError::BadRequest(
            "Unité : elle n'accueille pas ce poste.".into(),
        ));
    }
    Ok(Redirect::to(&format!("/postes/{}", post.id)).into_response())
}
