//! « Qui a consulté ce dossier », « Journal de cette fiche »: the journal rows about one case or
//! one person (who, when, in which role, what, why), newest first, a page at a time, for
//! those the policy lets work on the record. What the rows name and what they do not is said
//! in `passerelle_store::referral::record_journal`.
//!
//! Reading this journal is journaled too. It shows no content, but it tells who follows a
//! person and when they were seen (a shelter found the night of a complaint, a weekly
//! interview): as telling as the file for an intruder, and the journal's promise is that every
//! look at a person's record leaves a trace. The row is written before anything is shown, so
//! it heads the page that shows it.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::{french_day_of, french_instant_of};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::journal::words::{RecordNames, action_words, role_words};
use crate::referral::access::record_post;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::ids::CaseId;
use passerelle_domain::journal::JournalAction;
use passerelle_store::journal::Row;
use passerelle_store::journal::read::{Journaled, Read, journal_read};
use passerelle_store::referral::person as store_person;
use passerelle_store::referral::record_journal::{self, PAGE_ROWS, Record};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/dossiers/{id}/journal", case_journal)
        .get("/personnes/{id}/journal", person_journal)
}

/// A journal row as the record's page and the person's copy show it.
pub struct JournalLine {
    /// `jj/mm/aaaa HH:MM`, Paris time.
    pub at: String,
    pub who: String,
    pub role: &'static str,
    pub action: String,
    /// What the row is about, when the journal mixes records: (words, link).
    pub object: Option<(String, Option<String>)>,
    pub detail: String,
}

/// The rows in words; `object` says what each one is about, when the page mixes records.
pub(crate) async fn journal_lines(
    state: &AppState,
    rows: &[Row],
    object: impl Fn(&Row) -> Option<(String, Option<String>)>,
) -> WebResult<Vec<JournalLine>> {
    let names = RecordNames::of_rows(state, rows).await?;
    Ok(rows
        .iter()
        .map(|row| JournalLine {
            at: french_instant_of(&row.at),
            who: row
                .actor_account_id
                .as_deref()
                .map(|id| names.account(id))
                .unwrap_or_else(|| "Passerelle (tâche automatique)".into()),
            role: row.actor_role.as_deref().map(role_words).unwrap_or("—"),
            action: action_words(&row.action),
            object: object(row),
            detail: row
                .detail
                .as_deref()
                .map(|detail| names.detail(&row.action, detail))
                .unwrap_or_default(),
        })
        .collect())
}

/// What the rows of a person's journal are about: this record, a record merged into it, or
/// one of their cases (named by the day it was received).
pub(crate) fn person_row_object(
    person_id: &str,
    cases: &[(String, String, String)],
) -> impl Fn(&Row) -> Option<(String, Option<String>)> {
    move |row: &Row| match (row.target_kind.as_deref(), row.target_id.as_deref()) {
        (Some("person"), Some(id)) if id == person_id => Some(("Cette fiche".into(), None)),
        (Some("person"), Some(id)) => Some((
            "Fiche fusionnée dans celle-ci".into(),
            Some(format!("/personnes/{id}")),
        )),
        (Some("case"), Some(id)) => Some((
            cases
                .iter()
                .find(|(case, _, _)| case == id)
                .map(|(_, received, _)| format!("Dossier reçu le {}", french_day_of(received)))
                .unwrap_or_else(|| "Dossier".into()),
            Some(format!("/dossiers/{id}")),
        )),
        (Some("appointment"), _) => Some(("Rendez-vous".into(), None)),
        _ => None,
    }
}

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    page: String,
}

/// The page asked for, refused in French before anything is read or written.
fn page_of(query: &PageQuery) -> WebResult<i64> {
    match query.page.as_str() {
        "" => Ok(1),
        text => text
            .parse::<i64>()
            .ok()
            .filter(|page| (1..=100_000).contains(page))
            .ok_or_else(|| {
                WebError::BadRequest("Page : un numéro de page entier, à partir de 1.".into())
            }),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/record_journal.html")]
pub struct RecordJournalPage {
    shell: Shell,
    heading: String,
    intro: &'static str,
    /// The record's page: (address, words).
    back: (String, &'static str),
    /// This page's address, for the page links.
    here: String,
    /// The record this one was merged into, whose journal goes on.
    merged_into: Option<String>,
    lines: Vec<JournalLine>,
    /// Whether the rows are about several records (a person and their cases).
    mixed: bool,
    total: i64,
    page: i64,
    pages: i64,
}

/// The rows of `record` for `page`, and the number of pages.
async fn page_rows(
    state: &AppState,
    record: Record<'_>,
    page: i64,
) -> WebResult<(Vec<Row>, i64, i64)> {
    let (rows, total) =
        record_journal::rows_about(&state.db, record, PAGE_ROWS, (page - 1) * PAGE_ROWS).await?;
    Ok((rows, total, ((total + PAGE_ROWS - 1) / PAGE_ROWS).max(1)))
}

async fn case_journal(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> WebResult<RecordJournalPage> {
    let page = page_of(&query)?;
    let case = passerelle_store::referral::find_case(&state.db, &CaseId::new(&id))
        .await?
        .ok_or(WebError::Forbidden)?;
    opened_journal(
        &state,
        &auth,
        case.post_id.as_str(),
        ("case", case.id.as_str()),
        "journal du dossier consulté",
        ip.as_deref(),
    )
    .await?;
    let (rows, total, pages) = page_rows(&state, Record::Case(case.id.as_str()), page).await?;
    Ok(RecordJournalPage {
        shell: Shell::for_actor("Qui a consulté ce dossier", &auth, &csrf)
            .under("Dossiers du poste", "/dossiers")
            .under("Dossier", format!("/dossiers/{}", case.id))
            .here("Journal")
            .at("/dossiers"),
        heading: format!(
            "Qui a consulté ce dossier (reçu le {})",
            french_day_of(&case.received_at)
        ),
        intro: "Chaque consultation et chaque modification de ce dossier, du signalement à aujourd'hui : qui, quand, avec quel rôle, quoi et pourquoi. Les consultations des fiches de ses personnes sont dans le journal de chaque fiche.",
        back: (format!("/dossiers/{}", case.id), "Retour au dossier"),
        here: format!("/dossiers/{}/journal", case.id),
        merged_into: None,
        lines: journal_lines(&state, &rows, |_| None).await?,
        mixed: false,
        total,
        page,
        pages,
    })
}

/// The journaled read of a record's journal page, once the policy lets the actor read it
/// (written before anything is shown).
async fn opened_journal(
    state: &AppState,
    auth: &Authenticated,
    post_id: &str,
    (kind, id): (&str, &str),
    detail: &str,
    ip: Option<&str>,
) -> WebResult<Journaled> {
    let (post, place) = record_post(state, post_id).await?;
    auth.require(Action::View, &Resource::RecordJournal { post: &place })?;
    let entry = crate::journal::entry::post_entry(
        auth,
        &post,
        JournalAction::PersonalDataRead,
        detail.into(),
        ip,
    )
    .on(kind, id);
    Ok(journal_read(&state.db, &post.id, entry).await?)
}

async fn person_journal(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> WebResult<RecordJournalPage> {
    let page = page_of(&query)?;
    // Where the person is, nothing unsealed before the policy answered.
    let found = store_person::post_of(&state.db, &id)
        .await?
        .ok_or(WebError::Forbidden)?;
    // The heading names the person: an identity opened under this page's row.
    let read = opened_journal(
        &state,
        &auth,
        found.post_id.as_str(),
        ("person", found.id.as_str()),
        "journal de la fiche consulté",
        ip.as_deref(),
    )
    .await?;
    let person = store_person::find(&state.db, &state.keys, &found.id, Read::Journaled(&read))
        .await?
        .ok_or(WebError::Forbidden)?;
    let cases = store_person::cases_of(&state.db, person.id.as_str()).await?;
    let (rows, total, pages) = page_rows(&state, Record::Person(person.id.as_str()), page).await?;
    Ok(RecordJournalPage {
        shell: Shell::for_actor("Journal de cette fiche", &auth, &csrf)
            .under("Personnes", "/personnes")
            .under("Fiche de la personne", format!("/personnes/{}", person.id))
            .here("Journal")
            .at("/personnes"),
        heading: format!(
            "Journal de cette fiche : {}",
            person.identity.display_name()
        ),
        intro: "Chaque consultation et chaque modification de cette fiche et des dossiers de la personne : qui, quand, avec quel rôle, quoi et pourquoi ; et chaque fois que son identité a été affichée ailleurs (recherche, personnes ressemblantes, foyer). La liste des dernières personnes du poste, qui n'en nomme aucune en particulier, figure dans le journal des accès du poste.",
        back: (format!("/personnes/{}", person.id), "Retour à la fiche"),
        here: format!("/personnes/{}/journal", person.id),
        merged_into: person.merged_into.clone(),
        lines: journal_lines(&state, &rows, person_row_object(person.id.as_str(), &cases)).await?,
        mixed: true,
        total,
        page,
        pages,
    })
}

/// Journals, one row each, the persons whose identity a page shows beside its own record or
/// in a search: `groups` pairs why they are shown with their ids. The page's own row names
/// its record or the post, not them; without these, a person's journal would miss that their
/// name, birth date and commune were shown elsewhere.
pub(crate) async fn record_shown(
    state: &AppState,
    auth: &Authenticated,
    post: &passerelle_store::registry::post::PostRow,
    ip: Option<&str>,
    groups: &[(&str, Vec<&str>)],
) -> WebResult<()> {
    let entries = groups
        .iter()
        .flat_map(|(why, persons)| {
            crate::journal::entry::persons_shown(auth, post, persons.iter().copied(), why, ip)
        })
        .collect();
    Ok(passerelle_store::journal::record_all(&state.db, entries).await?)
}
