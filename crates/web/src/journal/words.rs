//! Journal rows in words, for every journal page and export: who acted (name and role), what
//! (the action's label, the detail's codes in French), on what (a post's code, a unit's name,
//! « dossier du 03/12/2026 », never a person's name), when (`jj/mm/aaaa HH:MM`, Paris).

use crate::AppState;
use crate::http::clock::{french_day_of, french_instant_of};
use crate::http::error::WebResult;
use passerelle_domain::identity::role::Role;
use passerelle_domain::journal::JournalAction;
use passerelle_store::journal::Row;
use passerelle_store::journal::labels::{Known, records_named};
use std::collections::HashMap;

/// The records a set of rows names, by id, in words.
pub(crate) struct RecordNames(HashMap<String, Known>);

impl RecordNames {
    /// The names of everything `rows` name: actors, targets, ids quoted in details.
    pub(crate) async fn of_rows(state: &AppState, rows: &[Row]) -> WebResult<Self> {
        let ids: Vec<String> = rows
            .iter()
            .flat_map(|row| {
                let quoted = row.detail.as_deref().map(uuids_in).unwrap_or_default();
                row.actor_account_id
                    .clone()
                    .into_iter()
                    .chain(row.target_id.clone())
                    .chain(quoted)
            })
            .collect();
        Ok(Self(records_named(&state.db, &ids).await?))
    }

    /// An account's name and address (« compte supprimé » once it is gone).
    pub(crate) fn account(&self, id: &str) -> String {
        match self.0.get(id) {
            Some(Known::Account { name, email }) => format!("{name} ({email})"),
            _ => "compte supprimé".into(),
        }
    }

    /// The account's address, by which a page filters on it.
    pub(crate) fn email(&self, id: &str) -> Option<&str> {
        match self.0.get(id) {
            Some(Known::Account { email, .. }) => Some(email),
            _ => None,
        }
    }

    /// What a row is about, in words.
    pub(crate) fn target(&self, kind: Option<&str>, id: &str) -> String {
        match (self.0.get(id), kind) {
            (Some(known), _) => known_words(known),
            (None, Some(kind)) => kind_words(kind, id),
            (None, None) => "—".into(),
        }
    }

    /// A detail in words: its codes in French, the records it quotes by their label.
    pub(crate) fn detail(&self, action: &str, detail: &str) -> String {
        let words = match JournalAction::parse(action) {
            Ok(action) => action.detail_in_words(detail),
            Err(_) => detail.to_string(),
        };
        uuids_in(&words)
            .into_iter()
            .fold(words.clone(), |text, id| match self.0.get(&id) {
                Some(known) => text.replace(&id, &known_words(known)),
                None => text,
            })
    }
}

/// The record a page is filtered on, in words, when none of its rows names it.
pub(crate) async fn record_in_words(state: &AppState, id: &str) -> WebResult<String> {
    Ok(records_named(&state.db, &[id.to_string()])
        .await?
        .get(id)
        .map(known_words)
        .unwrap_or_else(|| "l'enregistrement choisi".into()))
}

fn known_words(known: &Known) -> String {
    match known {
        Known::Account { name, email } => format!("{name} ({email})"),
        Known::Post { code } => format!("poste {code}"),
        Known::Unit { name } => name.clone(),
        Known::Employer { name } => name.clone(),
        Known::Case { received_at } => format!("dossier du {}", french_day_of(received_at)),
        Known::Role { role } => format!("rôle « {} »", role_words(role)),
    }
}

/// A record of a kind the labels do not look up (or one that no longer exists).
fn kind_words(kind: &str, id: &str) -> String {
    match kind {
        "person" => "fiche d'une personne".into(),
        "appointment" => "rendez-vous".into(),
        "calendar_feed" => "lien d'agenda".into(),
        "replacement" => "remplacement".into(),
        "partners" => format!("annuaire des partenaires ({id})"),
        "problem_category" => "catégorie de problématiques".into(),
        "account" => "compte supprimé".into(),
        "case" => "dossier effacé".into(),
        "post" => "poste supprimé".into(),
        "unit" => "unité supprimée".into(),
        "employer" => "employeur supprimé".into(),
        "account_role" => "rôle retiré".into(),
        "api_token" => "jeton d'API".into(),
        _ => "enregistrement".into(),
    }
}

/// The UUIDs a text quotes (the records a detail names by id).
fn uuids_in(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .filter(|token| uuid::Uuid::try_parse(token).is_ok() && token.len() == 36)
        .map(str::to_string)
        .collect()
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

/// A journal row as the journal pages and their export show it.
pub struct EventLine {
    pub seq: i64,
    /// `jj/mm/aaaa HH:MM`, Paris time.
    pub at: String,
    pub action: String,
    /// Who acted (name and address), « Passerelle » for an automatic task.
    pub actor: String,
    /// The role they acted in.
    pub role: &'static str,
    /// The actor's address, to filter the page on them.
    pub actor_email: Option<String>,
    pub target: String,
    /// The record's id, to filter the page on it.
    pub target_id: Option<String>,
    pub detail: String,
    pub ip: String,
}

/// The rows in words.
pub(crate) async fn event_lines(state: &AppState, rows: Vec<Row>) -> WebResult<Vec<EventLine>> {
    let names = RecordNames::of_rows(state, &rows).await?;
    Ok(rows
        .into_iter()
        .map(|row| EventLine {
            seq: row.seq,
            at: french_instant_of(&row.at),
            action: action_words(&row.action),
            actor: row
                .actor_account_id
                .as_deref()
                .map(|id| names.account(id))
                .unwrap_or_else(|| "Passerelle (tâche automatique)".into()),
            role: row.actor_role.as_deref().map(role_words).unwrap_or("—"),
            actor_email: row
                .actor_account_id
                .as_deref()
                .and_then(|id| names.email(id))
                .map(str::to_string),
            target: row
                .target_id
                .as_deref()
                .map(|id| names.target(row.target_kind.as_deref(), id))
                .unwrap_or_else(|| "—".into()),
            detail: row
                .detail
                .as_deref()
                .map(|detail| names.detail(&row.action, detail))
                .unwrap_or_default(),
            target_id: row.target_id,
            ip: row.ip.unwrap_or_default(),
        })
        .collect())
}
