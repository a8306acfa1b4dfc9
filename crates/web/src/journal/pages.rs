//! Journal pages: security events for administrators and employers; for the social workers
//! of a post, who accessed its data.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use passerelle_domain::access::{
    Action, Resource, Scope, SecurityEventsReach, security_events_reach,
};
use passerelle_domain::identity::role::Role;
use passerelle_domain::journal::JournalAction;
use passerelle_store::journal::{self, EventScope};
use std::collections::HashMap;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/journal/securite", security_events)
        .get("/journal/acces", post_accesses)
}

const PAGE_ROWS: i64 = 200;

pub struct EventLine {
    pub seq: i64,
    pub at: String,
    pub action: String,
    pub actor: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

/// "2026-11-28T08:00:00Z" → "28/11/2026 09:00" in Paris time.
fn paris_time(at: &str) -> String {
    at.parse::<jiff::Timestamp>()
        .ok()
        .and_then(|t| t.in_tz(crate::http::clock::PARIS).ok())
        .map(|z| z.strftime("%d/%m/%Y %H:%M:%S").to_string())
        .unwrap_or_else(|| at.to_string())
}

/// The display names of the accounts a page of rows names: who acted, and the accounts acted
/// on (a deleted account reads « compte supprimé »).
pub(crate) struct AccountNames(HashMap<String, String>);

impl AccountNames {
    pub(crate) async fn of_rows(state: &AppState, rows: &[journal::Row]) -> WebResult<Self> {
        let mut ids: Vec<String> = rows
            .iter()
            .flat_map(|row| {
                let target = (row.target_kind.as_deref() == Some("account"))
                    .then(|| row.target_id.clone())
                    .flatten();
                row.actor_account_id.clone().into_iter().chain(target)
            })
            .collect();
        ids.sort();
        ids.dedup();
        Ok(Self(
            passerelle_store::identity::account::names_of(&state.db, &ids).await?,
        ))
    }

    pub(crate) fn name(&self, id: &str) -> String {
        self.0
            .get(id)
            .cloned()
            .unwrap_or_else(|| "compte supprimé".into())
    }
}

/// An action's code in words (the code itself if this version does not know it).
pub(crate) fn action_words(code: &str) -> String {
    JournalAction::parse(code)
        .map(|action| action.label().to_string())
        .unwrap_or_else(|_| code.to_string())
}

/// The role a row's actor acted in, in words.
pub(crate) fn role_words(code: &str) -> &'static str {
    Role::parse(code)
        .map(|role| role.label())
        .unwrap_or("rôle inconnu")
}

/// The rows as a page shows them: actors and target accounts by name, with the role they
/// acted in, actions in words.
async fn lines(state: &AppState, rows: Vec<journal::Row>) -> WebResult<Vec<EventLine>> {
    let names = AccountNames::of_rows(state, &rows).await?;
    Ok(rows
        .into_iter()
        .map(|row| EventLine {
            seq: row.seq,
            at: paris_time(&row.at),
            action: action_words(&row.action),
            actor: match (&row.actor_account_id, &row.actor_role) {
                (Some(id), Some(role)) => format!("{}, {}", names.name(id), role_words(role)),
                (Some(id), None) => names.name(id),
                (None, _) => "—".into(),
            },
            target: match (row.target_kind.as_deref(), &row.target_id) {
                (Some("account"), Some(id)) => names.name(id),
                (_, Some(id)) => id.clone(),
                (_, None) => "—".into(),
            },
            detail: row.detail.unwrap_or_default(),
            ip: row.ip.unwrap_or_default(),
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "journal/journal.html")]
pub struct JournalPage {
    shell: Shell,
    heading: &'static str,
    intro: &'static str,
    events: Vec<EventLine>,
}

async fn security_events(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
) -> WebResult<JournalPage> {
    auth.require(Action::View, &Resource::SecurityEvents)?;
    let scope = match security_events_reach(&auth.actor.grant).ok_or(WebError::Forbidden)? {
        SecurityEventsReach::All => EventScope::All,
        SecurityEventsReach::Employer(id) => EventScope::Employer(id.to_string()),
    };
    Ok(JournalPage {
        shell: Shell::for_actor("Journal de sécurité", &auth, &csrf).at("/journal/securite"),
        heading: "Journal de sécurité",
        intro: "Connexions, échecs, blocages, seconds facteurs et changements de rôles des comptes dont vous avez la charge, du plus récent au plus ancien.",
        events: lines(
            &state,
            journal::security_events(&state.db, &scope, PAGE_ROWS).await?,
        )
        .await?,
    })
}

async fn post_accesses(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
) -> WebResult<JournalPage> {
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
        .unwrap_or_default();
    Ok(JournalPage {
        shell: Shell::for_actor("Accès aux données du poste", &auth, &csrf).at("/journal/acces"),
        heading: "Accès aux données du poste",
        intro: "Chaque consultation ou écriture des données personnelles de votre poste est enregistrée ici : qui, quand, quoi ; et chaque étape d'un accès à ses dossiers (rôle d'intervenant social, remplacement : proposé, confirmé, retiré), avec les noms.",
        events: lines(
            &state,
            journal::post_accesses(&state.db, post_id.as_str(), PAGE_ROWS).await?,
        )
        .await?,
    })
}
