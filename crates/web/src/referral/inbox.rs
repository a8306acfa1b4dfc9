//! The social worker's inbox: the post's cases (or a replaced post's) filtered by status,
//! urgency, category or a person's name (identified persons, and the names referrals
//! transmitted), the new ones first, paged, served from this server's copies of the case
//! lists when it can, authorized on every request; a name search and the names shown beside
//! the cases are journaled on every view.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::{french_date, french_day_of};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::referral::case_list_copies::{ListKey, ListRead, Source};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use passerelle_domain::access::{Action, Resource, Scope};
use passerelle_domain::ids::PostId;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::category::{Category, CategoryGrid};
use passerelle_domain::referral::{ReferralStatus, Urgency};
use passerelle_store::referral as store_referral;
use std::sync::Arc;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/dossiers", inbox)
}

pub struct InboxLine {
    pub id: String,
    /// No social worker of the post has opened it yet: « Nouveau ».
    pub new: bool,
    /// The persons' names, for those the policy gives them.
    pub names: String,
    pub urgency: &'static str,
    pub urgent: bool,
    pub status: &'static str,
    pub categories: String,
    pub received: String,
    pub age_days: i64,
    pub unit: String,
    pub persons: i64,
    /// The day of the next step, and whether it is past.
    pub next_step: Option<(String, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/inbox.html")]
pub struct InboxPage {
    shell: Shell,
    lines: Vec<InboxLine>,
    total: i64,
    page: i64,
    pages: i64,
    /// The filters as a query string, for the page links.
    filters: String,
    statut: String,
    urgence: String,
    motif: String,
    statuses: &'static [ReferralStatus],
    urgencies: &'static [Urgency],
    categories: Vec<Category>,
    transferred: bool,
    /// The posts the social worker replaces in today: (post id, code, until).
    replacing: Vec<(String, String, String)>,
    /// The code of the post shown, when it is one replaced in.
    replaced_post: Option<String>,
    /// The name searched, given back in its box.
    q: String,
    poste: String,
}

#[derive(serde::Deserialize, Default)]
pub struct InboxQuery {
    #[serde(default)]
    statut: String,
    #[serde(default)]
    urgence: String,
    #[serde(default)]
    motif: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    transfere: String,
    /// Another post's cases, for the social worker replacing in it.
    #[serde(default)]
    poste: String,
    /// A person's name (and birth date), searched among the post's identified persons and
    /// the names the referrals transmitted.
    #[serde(default)]
    q: String,
}

/// The inbox's filter from its address; a wrong value is named, in French.
fn inbox_filter(
    query: &InboxQuery,
    grid: &CategoryGrid,
) -> WebResult<(store_referral::InboxFilter, i64)> {
    let bad = |field: &str, error: passerelle_domain::ParseError| {
        WebError::BadRequest(format!("Filtre « {field} » : {}.", error.reason))
    };
    let status = match query.statut.as_str() {
        "" | "ouverts" => None,
        "tous" => Some(None),
        code => Some(Some(
            ReferralStatus::parse(code).map_err(|e| bad("statut", e))?,
        )),
    };
    let urgency = match query.urgence.as_str() {
        "" => None,
        code => Some(Urgency::parse(code).map_err(|e| bad("urgence", e))?),
    };
    let category = match query.motif.as_str() {
        "" => None,
        code => Some(grid.find(code).map(|c| c.code.clone()).ok_or_else(|| {
            bad(
                "motif",
                passerelle_domain::ParseError::new(
                    "motif",
                    "ce n'est pas une catégorie de la grille",
                ),
            )
        })?),
    };
    let page = match query.page.as_str() {
        "" => 1,
        text => text
            .parse::<i64>()
            .ok()
            .filter(|page| (1..=100_000).contains(page))
            .ok_or_else(|| {
                WebError::BadRequest(
                    "Filtre « page » : un numéro de page entier, à partir de 1.".into(),
                )
            })?,
    };
    Ok((
        store_referral::InboxFilter {
            status,
            urgency,
            category,
            persons: None,
        },
        page,
    ))
}

/// The post's identified persons who may be `searched` (the fuzzy person search), and the
/// cases whose referral named someone alike (their blind index). Searching by name is
/// reading personal data: journaled once, before either is unsealed.
async fn persons_named(
    state: &AppState,
    auth: &Authenticated,
    post: &passerelle_store::registry::post::PostRow,
    searched: &str,
    ip: Option<&str>,
) -> WebResult<store_referral::Named> {
    if searched.chars().count() > 200 {
        return Err(WebError::BadRequest(
            "Filtre « personne » : 200 caractères au plus.".into(),
        ));
    }
    let key = crate::referral::person::query_key(searched);
    let entry = crate::journal::entry::post_entry(
        auth,
        post,
        JournalAction::PersonalDataRead,
        "recherche de dossiers par personne".into(),
        ip,
    );
    let read = passerelle_store::journal::read::journal_read(&state.db, &post.id, entry).await?;
    let found = passerelle_store::referral::person::search(
        &state.db,
        &state.keys,
        &post.id,
        &key,
        50,
        passerelle_store::journal::read::Read::Journaled(&read),
    )
    .await?;
    let cases = store_referral::referral_keys::cases_named(
        &state.db,
        &state.keys,
        &post.id,
        &key,
        50,
        &read,
    )
    .await?;
    crate::referral::record_journal::record_shown(
        state,
        auth,
        post,
        ip,
        &[(
            "dossiers de la personne retrouvés par une recherche sur son nom",
            found.iter().map(|c| c.person.id.as_str()).collect(),
        )],
    )
    .await?;
    Ok(store_referral::Named {
        persons: found
            .into_iter()
            .map(|c| c.person.id.into_string())
            .collect(),
        cases,
    })
}

/// The post's list as `query` asks, for `auth`, with the page number asked: this server's
/// current copy (`case_list_memory`), else read from the database and kept. Whoever reads it
/// is authorized on every request. A name search is never kept: it is journaled each time.
async fn case_list(
    state: &AppState,
    auth: &Authenticated,
    post_id: String,
    today: time::Date,
    query: &InboxQuery,
    grid: &CategoryGrid,
    ip: Option<&str>,
) -> WebResult<(Arc<ListRead>, i64)> {
    let searched = query.q.trim();
    let parsed = inbox_filter(query, grid);
    if let Ok((filter, page)) = &parsed
        && searched.is_empty()
    {
        let key = ListKey {
            account_id: auth.account.id.clone().to_string(),
            post_id: post_id.clone(),
            day: today,
            filter: filter.clone(),
            page: *page,
        };
        let read = read_list(
            state,
            auth,
            &post_id,
            today,
            Ok((filter.clone(), *page)),
            "",
            ip,
        );
        let (list, source) = state.case_lists.get_or_read(key, read).await?;
        // The read authorized the request that made it; this one is authorized now.
        auth.require(Action::View, &Resource::Cases { post: &list.place })?;
        state.metrics.case_list_served(source == Source::Memory);
        return Ok((list, *page));
    }
    // A name search (journaled) or a bad filter (refused after authorization).
    let page = parsed.as_ref().map_or(1, |(_, page)| *page);
    let list = read_list(state, auth, &post_id, today, parsed, searched, ip).await?;
    state.metrics.case_list_served(false);
    Ok((list, page))
}

/// Reads a post's list from the database, if `auth` may read it: the post, who may open it
/// and where the reader replaces (one read), then the filter (refused only now, so that a
/// forbidden reader learns nothing from it), the persons `searched` by name, the page.
async fn read_list(
    state: &AppState,
    auth: &Authenticated,
    post_id: &str,
    today: time::Date,
    parsed: WebResult<(store_referral::InboxFilter, i64)>,
    searched: &str,
    ip: Option<&str>,
) -> WebResult<Arc<ListRead>> {
    let post = passerelle_store::registry::post::find(&state.db, post_id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let (place, account_posts) = passerelle_store::registry::replacement::place_and_account_posts(
        &state.db,
        &post,
        auth.account.id.as_str(),
        today,
    )
    .await?;
    auth.require(Action::View, &Resource::Cases { post: &place })?;
    let (mut filter, page) = parsed?;
    if !searched.is_empty() {
        filter.persons = Some(persons_named(state, auth, &post, searched, ip).await?);
    }
    let (rows, total) = store_referral::inbox(&state.db, post.id.as_str(), filter, page).await?;
    Ok(Arc::new(ListRead {
        post,
        place,
        account_posts,
        rows,
        total,
    }))
}

async fn inbox(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    axum::extract::Query(query): axum::extract::Query<InboxQuery>,
) -> WebResult<InboxPage> {
    let post_id = match (&auth.actor.grant.scope, query.poste.as_str()) {
        (Scope::Post(own), "") => own.clone(),
        (Scope::Post(_), replaced) => PostId::new(replaced),
        _ => return Err(WebError::Forbidden),
    };
    let today = crate::http::clock::paris_today();
    let grid = crate::referral::category::grid(&state).await?;
    let (read, page) = case_list(
        &state,
        &auth,
        post_id.to_string(),
        today,
        &query,
        &grid,
        ip.as_deref(),
    )
    .await?;
    let ListRead {
        post,
        place,
        account_posts,
        rows,
        total,
    } = read.as_ref();
    let shown: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    let names = crate::referral::inbox_names::names_shown(
        &state,
        &auth,
        post,
        place,
        &shown,
        "liste des dossiers",
        ip.as_deref(),
    )
    .await?;
    let total = *total;
    let replacing = account_posts
        .iter()
        .map(|r| {
            (
                r.post_id.to_string(),
                r.post_code.clone(),
                french_day_of(&r.ends_on),
            )
        })
        .collect();
    // Next steps before today are overdue (ISO dates compare as text).
    let today_text = today.to_string();
    let lines = rows
        .iter()
        .map(|row| {
            let received = row
                .received_at
                .get(..10)
                .and_then(|d| passerelle_store::db::time_text::text_to_date(d).ok())
                .unwrap_or(today);
            Ok(InboxLine {
                new: row.opened_at.is_none(),
                names: names
                    .get(row.id.as_str())
                    .map(|n| n.join(", "))
                    .unwrap_or_default(),
                urgency: crate::referral::words::urgency_words(row.urgency, row.danger_grid),
                urgent: crate::referral::words::is_urgent(row.urgency, row.danger_grid),
                status: row.status.label(),
                categories: grid.labels(&row.categories),
                received: french_date(received),
                age_days: (today - received).whole_days(),
                unit: row
                    .unit_name
                    .clone()
                    .unwrap_or_else(|| "Ouverture directe".into()),
                persons: row.persons,
                next_step: row
                    .next_step_on
                    .as_deref()
                    .map(|on| (french_day_of(on), on < today_text.as_str())),
                id: row.id.clone().to_string(),
            })
        })
        .collect::<WebResult<Vec<_>>>()?;
    let pages = ((total + store_referral::INBOX_PAGE - 1) / store_referral::INBOX_PAGE).max(1);
    let filters = serde_urlencoded::to_string([
        ("statut", &query.statut),
        ("urgence", &query.urgence),
        ("motif", &query.motif),
        ("poste", &query.poste),
        ("q", &query.q),
    ])
    .unwrap_or_default();
    Ok(InboxPage {
        shell: Shell::for_actor("Dossiers du poste", &auth, &csrf).at("/dossiers"),
        lines,
        total,
        page,
        pages,
        filters,
        statut: query.statut,
        urgence: query.urgence,
        motif: query.motif,
        statuses: ReferralStatus::ALL,
        urgencies: Urgency::ALL,
        categories: grid.active().cloned().collect(),
        transferred: !query.transfere.is_empty(),
        replacing,
        replaced_post: (!query.poste.is_empty()).then(|| post.code.clone()),
        q: query.q.clone(),
        poste: query.poste,
    })
}
