//! Journal pages: security events for administrators and employers; for the social workers
//! of a post, who accessed its data. Both in words (`words`), filtered from the address
//! (`filter`), a page at a time by keyset, and exported as CSV (`export`).

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::journal::filter::{FieldError, JournalQuery};
use crate::journal::words::{EventLine, event_lines, record_in_words};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use passerelle_domain::access::{
    Action, Resource, Scope, SecurityEventsReach, security_events_reach,
};
use passerelle_store::journal::labels::accounts_matching;
use passerelle_store::journal::page::{self, Filter, Reach};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/journal/securite", security_events)
        .get("/journal/securite/export.csv", security_events_export)
        .get("/journal/acces", post_accesses)
        .get("/journal/acces/export.csv", post_accesses_export)
}

/// Rows on one page.
pub const PAGE_ROWS: i64 = 50;
/// Accounts a « Par » search may name at once.
const ACCOUNTS_FOUND: i64 = 50;

/// Which of the two journals, and what the reader's role lets it list.
pub(crate) struct Journal {
    pub reach: Reach,
    pub path: &'static str,
    pub heading: &'static str,
    pub intro: &'static str,
    /// What its export's own journal row says was taken away.
    pub exported: &'static str,
    pub employer: Option<String>,
    pub post: Option<String>,
}

async fn security_journal(auth: &Authenticated) -> WebResult<Journal> {
    auth.require(Action::View, &Resource::SecurityEvents)?;
    let (reach, employer) =
        match security_events_reach(&auth.actor.grant).ok_or(WebError::Forbidden)? {
            SecurityEventsReach::All => (Reach::AllSecurityEvents, None),
            SecurityEventsReach::Employer(id) => (
                Reach::EmployerSecurityEvents(id.to_string()),
                Some(id.to_string()),
            ),
        };
    Ok(Journal {
        reach,
        path: "/journal/securite",
        heading: "Journal de sécurité",
        intro: "Connexions, échecs, blocages, seconds facteurs et changements de rôles des comptes dont vous avez la charge, du plus récent au plus ancien.",
        exported: "journal de sécurité exporté",
        employer,
        post: None,
    })
}

async fn access_journal(state: &AppState, auth: &Authenticated) -> WebResult<Journal> {
    let post = match &auth.actor.grant.scope {
        Scope::Post(id) => {
            passerelle_store::identity::account::place_of(&state.db, &Scope::Post(id.clone()))
                .await?
        }
        _ => passerelle_domain::access::Place::default(),
    };
    auth.require(Action::View, &Resource::PostAccessLog { post: &post })?;
    let post_id = post
        .posts
        .first()
        .map(ToString::to_string)
        .ok_or(WebError::Forbidden)?;
    Ok(Journal {
        reach: Reach::PostAccesses(post_id.clone()),
        path: "/journal/acces",
        heading: "Accès aux données du poste",
        intro: "Chaque consultation ou écriture des données personnelles de votre poste est enregistrée ici : qui, quand, quoi ; et chaque étape d'un accès à ses dossiers (rôle d'intervenant social, remplacement : proposé, confirmé, retiré), avec les noms.",
        exported: "journal des accès du poste exporté",
        employer: post.employers.first().map(ToString::to_string),
        post: Some(post_id),
    })
}

/// The filter of `query` with its « who » looked up, or the fields to correct.
pub(crate) async fn filter_of(
    state: &AppState,
    query: &JournalQuery,
) -> WebResult<Result<(Filter, page::Cursor), Vec<FieldError>>> {
    let mut understood = match query.understand() {
        Ok(understood) => understood,
        Err(errors) => return Ok(Err(errors)),
    };
    if !query.qui.trim().is_empty() {
        understood.filter.actors =
            Some(accounts_matching(&state.db, &query.qui, ACCOUNTS_FOUND).await?);
    }
    Ok(Ok((understood.filter, understood.cursor)))
}

/// An event line with the links that filter the page on its actor or its record.
pub struct ShownLine {
    pub line: EventLine,
    pub actor_href: Option<String>,
    pub target_href: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "journal/journal.html")]
pub struct JournalPage {
    shell: Shell,
    heading: &'static str,
    intro: &'static str,
    path: &'static str,
    query: JournalQuery,
    errors: Vec<FieldError>,
    /// The actions the reader may pick: (code, label).
    actions: Vec<(&'static str, &'static str)>,
    /// The record the page is filtered on, in words.
    record: Option<String>,
    events: Vec<ShownLine>,
    newer_href: Option<String>,
    older_href: Option<String>,
    export_href: String,
}

impl JournalPage {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.as_str())
    }
}

async fn journal_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    journal: Journal,
    query: JournalQuery,
) -> WebResult<Response> {
    let filtered = filter_of(state, &query).await?;
    let (events, newer, older, errors) = match &filtered {
        Ok((filter, cursor)) => {
            let found = page::page(&state.db, &journal.reach, filter, *cursor, PAGE_ROWS).await?;
            let newer = (found.newer)
                .then(|| found.rows.first().map(|row| row.seq))
                .flatten();
            let older = (found.older)
                .then(|| found.rows.last().map(|row| row.seq))
                .flatten();
            (
                event_lines(state, found.rows).await?,
                newer,
                older,
                Vec::new(),
            )
        }
        Err(errors) => (Vec::new(), None, None, errors.clone()),
    };
    let record = match query.sur.trim() {
        "" => None,
        id => Some(match event_target(&events, id) {
            Some(words) => words,
            None => record_in_words(state, id).await?,
        }),
    };
    let events = events
        .into_iter()
        .map(|line| ShownLine {
            actor_href: line
                .actor_email
                .as_deref()
                .map(|email| query.with("qui", email).href(journal.path, None, None)),
            target_href: line
                .target_id
                .as_deref()
                .map(|id| query.with("sur", id).href(journal.path, None, None)),
            line,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = JournalPage {
        shell: Shell::for_actor(journal.heading, auth, csrf).at(journal.path),
        heading: journal.heading,
        intro: journal.intro,
        path: journal.path,
        export_href: query.href(&format!("{}/export.csv", journal.path), None, None),
        newer_href: newer.map(|seq| query.href(journal.path, None, Some(seq))),
        older_href: older.map(|seq| query.href(journal.path, Some(seq), None)),
        actions: journal
            .reach
            .actions()
            .into_iter()
            .map(|action| (action.code(), action.label()))
            .collect(),
        record,
        query,
        errors,
        events,
    };
    Ok((status, page).into_response())
}

/// The words of the record a page is filtered on, from a row that names it.
fn event_target(events: &[EventLine], id: &str) -> Option<String> {
    events
        .iter()
        .find(|line| line.target_id.as_deref() == Some(id))
        .map(|line| line.target.clone())
}

async fn security_events(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<JournalQuery>,
) -> WebResult<Response> {
    let journal = security_journal(&auth).await?;
    journal_page(&state, &auth, &csrf, journal, query).await
}

async fn post_accesses(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<JournalQuery>,
) -> WebResult<Response> {
    let journal = access_journal(&state, &auth).await?;
    journal_page(&state, &auth, &csrf, journal, query).await
}

async fn security_events_export(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Query(query): Query<JournalQuery>,
) -> WebResult<Response> {
    let journal = security_journal(&auth).await?;
    crate::journal::export::export(&state, &auth, ip.as_deref(), journal, query).await
}

async fn post_accesses_export(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Query(query): Query<JournalQuery>,
) -> WebResult<Response> {
    let journal = access_journal(&state, &auth).await?;
    crate::journal::export::export(&state, &auth, ip.as_deref(), journal, query).await
}
