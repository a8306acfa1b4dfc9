//! The posts list of the people who steer them, a page at a time, with its search and
//! filters kept in the URL (`http::listing`), and its CSV export under the same filters.
//! Posts are registry facts without a person (the open data publishes them): whoever may
//! read the list may take it away.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::clock::paris_today;
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::listing::{Listing, PAGE_SIZE, Pagination};
use crate::http::route_table::RouteTable;
use crate::registry::post::{PostLine, line, scope_of};
use crate::registry::post_funding::{AgreementLine, agreements_to_renew};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::ids::EmployerId;
use passerelle_domain::registry::post::{PostStatus, Zone};
use passerelle_domain::registry::territory::DepartementCode;
use passerelle_store::registry::post::PostScope;
use passerelle_store::registry::post_list::{self as store_list, PostFilter};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/postes", list_posts)
        .get("/postes/export.csv", export_posts)
        .merge(crate::registry::post_create::routes())
}

/// The filters of the list, in the order of the form.
const FILTERS: &[&str] = &["departement", "zone", "statut", "employeur"];

/// The reader's query: what the list shows, and what it could not read (in its notices).
async fn read_query(
    state: &AppState,
    scope: &PostScope,
    raw: Option<&str>,
) -> WebResult<(Listing, PostFilter, Vec<(String, String, String)>)> {
    let mut listing = Listing::parse(raw, FILTERS);
    let departement = listing.read_filter("departement", "Département", |text| {
        DepartementCode::parse(text).ok()
    });
    let zone = listing.read_filter("zone", "Zone", |text| Zone::parse(text).ok());
    let status = listing.read_filter("statut", "Statut", |text| PostStatus::parse(text).ok());
    // The employers offered are those of the scope (and of the département chosen): one
    // outside them is not a choice of the list.
    let employers = store_list::employers_with_posts(&state.db, scope, departement.as_ref())
        .await?
        .into_iter()
        .map(|(id, name, departement)| (id.into_string(), name, departement))
        .collect::<Vec<_>>();
    let employer = listing.read_filter("employeur", "Employeur", |text| {
        employers
            .iter()
            .any(|(id, _, _)| id == text)
            .then(|| EmployerId::new(text))
    });
    let filter = PostFilter {
        departement,
        zone,
        status,
        employer,
        search: listing.search.clone(),
    };
    Ok((listing, filter, employers))
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/posts.html")]
pub struct PostsPage {
    shell: Shell,
    posts: Vec<PostLine>,
    pagination: Pagination,
    summary: String,
    notices: Vec<String>,
    search: String,
    /// The filters as asked (empty: none), to show them chosen.
    departement: String,
    zone: String,
    status: String,
    employer: String,
    departements: Vec<(String, String)>,
    zones: &'static [Zone],
    statuses: &'static [PostStatus],
    employers: Vec<(String, String, String)>,
    /// The export's link, with the same filters.
    export: String,
    ending: Vec<AgreementLine>,
    can_create: bool,
}

async fn list_posts(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    RawQuery(raw): RawQuery,
) -> WebResult<PostsPage> {
    auth.require(Action::View, &Resource::Posts)?;
    let scope = scope_of(&auth)?;
    let (mut listing, filter, employers) = read_query(&state, &scope, raw.as_deref()).await?;
    let total = store_list::count_posts(&state.db, &scope, &filter).await?;
    listing.clamp_to(total);
    let today = paris_today();
    let posts = store_list::filtered_posts(
        &state.db,
        &scope,
        &filter,
        Some(PAGE_SIZE),
        listing.offset(),
    )
    .await?
    .into_iter()
    .map(|p| line(p, today))
    .collect();
    let pagination = listing.pagination("/postes", total);
    let kept = listing.kept_query();
    Ok(PostsPage {
        summary: pagination.summary("poste", "postes"),
        pagination,
        posts,
        search: listing.search.clone(),
        departement: listing.filter("departement").unwrap_or_default().into(),
        zone: listing.filter("zone").unwrap_or_default().into(),
        status: listing.filter("statut").unwrap_or_default().into(),
        employer: listing.filter("employeur").unwrap_or_default().into(),
        notices: listing.notices,
        departements: store_list::departements_with_posts(&state.db, &scope).await?,
        zones: Zone::ALL,
        statuses: PostStatus::ALL,
        employers,
        export: if kept.is_empty() {
            "/postes/export.csv".into()
        } else {
            format!("/postes/export.csv?{kept}")
        },
        ending: agreements_to_renew(&state, &scope, today).await?,
        can_create: auth.require(Action::Manage, &Resource::Registry).is_ok(),
        shell: Shell::for_actor("Postes", &auth, &csrf).at("/postes"),
    })
}

/// The posts the list shows, every page of it, as CSV (`;`, UTF-8 with its byte-order mark,
/// French headers).
async fn export_posts(
    State(state): State<AppState>,
    auth: Authenticated,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    auth.require(Action::View, &Resource::Posts)?;
    let scope = scope_of(&auth)?;
    let (_, filter, _) = read_query(&state, &scope, raw.as_deref()).await?;
    let today = paris_today();
    let posts = store_list::filtered_posts(&state.db, &scope, &filter, None, 0).await?;
    let mut writer = crate::registry::open_data::french_csv();
    let csv_error = |e: csv::Error| WebError::Internal(e.into());
    writer
        .write_record([
            "Poste",
            "Zone",
            "Statut",
            "Depuis le",
            "Département",
            "Employeur",
            "ETP",
        ])
        .map_err(csv_error)?;
    for post in posts {
        let departement = post.departement_code.to_string();
        let fte = format!("{}", post.fte).replace('.', ",");
        let post = line(post, today);
        writer
            .write_record([
                post.code.as_str(),
                post.zone,
                post.status,
                post.since.as_str(),
                departement.as_str(),
                post.employer.as_str(),
                fte.as_str(),
            ])
            .map_err(csv_error)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| WebError::Internal(anyhow::anyhow!(e.to_string())))?;
    Ok(crate::registry::open_data::csv_download(
        &format!("postes-{}.csv", today),
        body,
    ))
}
