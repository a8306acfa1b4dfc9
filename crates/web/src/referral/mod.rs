//! The officer's referral (saisine) and its status view, and the social worker's inbox and
//! case file. Professional secrecy: the officer sees status words only; the case's content
//! is for the post's social workers, and every read of it is journaled.

pub mod case_list_copies;
pub mod case_work;
pub mod category;
pub mod partner;
pub mod person;

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::referral::case_list_copies::{ListKey, ListRead, Source};
use crate::http::clock::{french_date, french_day_of};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Place, Resource, Scope};
use passerelle_domain::referral::case::{
    ActionKind, InterviewPlace, NoteVisibility, OrientationStatus, PartnerType,
};
use passerelle_domain::referral::category::{Category, CategoryGrid};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::{
    ClosureOutcome, ContactChannel, PersonInput, PersonRole, ReferralInput, ReferralSource,
    ReferralStatus, Urgency, validate_referral,
};
use passerelle_store::referral as store_referral;
use std::sync::Arc;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/signalements", unit_referrals)
        .get("/signalements/nouveau", referral_form)
        .post("/signalements", refer)
        .get("/dossiers", inbox)
        .get("/dossiers/nouveau", direct_case_form)
        .post("/dossiers", open_direct_case)
        .get("/dossiers/{id}", show_case)
}

/// How many persons the form offers (victim, suspect, a child…); more are rare at intake.
const FORM_PERSONS: usize = 3;

fn label_of<T: Copy>(
    code: &str,
    parse: fn(&str) -> Result<T, passerelle_domain::ParseError>,
    label: fn(T) -> &'static str,
) -> &'static str {
    parse(code).map(label).unwrap_or("—")
}

/// What the officer may know of a referral: its status, and how a closed one ended. The
/// officer's list and the status e-mails both say it this way.
pub fn status_words(status: &str, outcome: Option<&str>) -> String {
    let status_label = label_of(status, ReferralStatus::parse, ReferralStatus::label);
    match outcome.and_then(|o| ClosureOutcome::parse(o).ok()) {
        Some(outcome) if status == ReferralStatus::Closed.code() => {
            format!("{status_label} — {}", outcome.label().to_lowercase())
        }
        _ => status_label.to_string(),
    }
}

/// The officer's unit, or the policy's refusal.
fn officer_unit(auth: &Authenticated) -> WebResult<String> {
    let unit = match &auth.actor.grant.scope {
        Scope::Unit(unit) => unit.clone(),
        _ => String::new(),
    };
    auth.require(Action::Manage, &Resource::ReferralDesk { unit: &unit })?;
    Ok(unit)
}

// ---------------------------------------------------------------------------------------
// The officer

pub struct StatusLine {
    pub received: String,
    pub urgency: &'static str,
    pub status: String,
    pub since: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/referrals.html")]
pub struct ReferralsPage {
    shell: Shell,
    lines: Vec<StatusLine>,
    created: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct CreatedQuery {
    envoye: Option<String>,
}

async fn unit_referrals(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    axum::extract::Query(query): axum::extract::Query<CreatedQuery>,
) -> WebResult<ReferralsPage> {
    let unit = officer_unit(&auth)?;
    let lines = store_referral::referrals_of_unit(&state.db, &unit, 200)
        .await?
        .into_iter()
        .map(|row| StatusLine {
            received: french_day_of(&row.received_at),
            urgency: label_of(&row.urgency, Urgency::parse, Urgency::label),
            status: status_words(&row.status, row.closure_outcome.as_deref()),
            since: french_day_of(&row.status_changed_at),
        })
        .collect();
    Ok(ReferralsPage {
        shell: Shell::for_actor("Signalements de l'unité", &auth, &csrf).at("/signalements"),
        lines,
        created: query.envoye.is_some(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/referral_form.html")]
pub struct ReferralFormPage {
    shell: Shell,
    sources: &'static [ReferralSource],
    urgencies: &'static [Urgency],
    categories: Vec<Category>,
    roles: &'static [PersonRole],
    channels: &'static [ContactChannel],
    persons: Vec<usize>,
    /// Opened by the social worker for a person who came directly: no unit, no consent
    /// question (the person is there), one person.
    direct: bool,
    errors: Vec<String>,
    /// The values typed, given back after a refusal.
    typed: std::collections::HashMap<String, String>,
}

impl ReferralFormPage {
    fn value(&self, name: &str) -> String {
        self.typed.get(name).cloned().unwrap_or_default()
    }

    fn is(&self, name: &str, value: &str) -> bool {
        self.typed.get(name).is_some_and(|v| v == value)
    }

    fn person_field(&self, index: &usize, field: &str) -> String {
        self.value(&format!("person_{index}_{field}"))
    }
}

fn form_page(
    auth: &Authenticated,
    csrf: &CsrfToken,
    grid: &CategoryGrid,
    errors: Vec<String>,
    typed: std::collections::HashMap<String, String>,
    direct: bool,
) -> ReferralFormPage {
    ReferralFormPage {
        shell: if direct {
            Shell::for_actor("Ouvrir un dossier", auth, csrf).at("/dossiers")
        } else {
            Shell::for_actor("Signaler une situation", auth, csrf).at("/signalements")
        },
        sources: ReferralSource::ALL,
        urgencies: Urgency::ALL,
        categories: grid.active().cloned().collect(),
        roles: PersonRole::ALL,
        channels: ContactChannel::ALL,
        persons: (1..=if direct { 1 } else { FORM_PERSONS }).collect(),
        direct,
        errors,
        typed,
    }
}

async fn referral_form(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
) -> WebResult<ReferralFormPage> {
    officer_unit(&auth)?;
    Ok(form_page(
        &auth,
        &csrf,
        &*crate::referral::category::grid(&state).await?,
        Vec::new(),
        Default::default(),
        false,
    ))
}

/// The referral form's fields as the domain reads them (categories are checkboxes named
/// `category`, persons `person_N_field`).
fn referral_input(fields: &[(String, String)]) -> ReferralInput {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    ReferralInput {
        source: one("source"),
        urgency: one("urgency"),
        categories: fields
            .iter()
            .filter(|(key, _)| key == "category")
            .map(|(_, value)| value.clone())
            .collect(),
        context: one("context"),
        persons: (1..=FORM_PERSONS)
            .map(|index| PersonInput {
                role: one(&format!("person_{index}_role")),
                last_name: one(&format!("person_{index}_last_name")),
                first_name: one(&format!("person_{index}_first_name")),
                phone: one(&format!("person_{index}_phone")),
            })
            .filter(|p| {
                !(p.last_name.trim().is_empty()
                    && p.first_name.trim().is_empty()
                    && p.phone.trim().is_empty())
            })
            .collect(),
        consent: one("consent"),
        contact_channel: one("contact_channel"),
        contact_hours: one("contact_hours"),
        procedure_reference: one("procedure_reference"),
    }
}

/// The values typed, to give the form back after a refusal (each category ticked as
/// `category_<code>`).
fn typed_values(fields: &[(String, String)]) -> std::collections::HashMap<String, String> {
    fields
        .iter()
        .filter(|(key, _)| key != "csrf" && key != "category")
        .cloned()
        .chain(
            fields
                .iter()
                .filter(|(key, _)| key == "category")
                .map(|(_, v)| (format!("category_{v}"), "1".into())),
        )
        .collect()
}

async fn refer(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(fields): FrenchForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let unit = officer_unit(&auth)?;
    let typed = typed_values(&fields);
    let grid = crate::referral::category::grid(&state).await?;
    let refuse = |errors: Vec<String>| {
        let page = form_page(&auth, &csrf, &grid, errors, typed.clone(), false);
        Ok::<_, WebError>((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let referral = match validate_referral(&referral_input(&fields), &grid) {
        Ok(referral) => referral,
        Err(errors) => return refuse(errors.iter().map(|e| format!("{e}.")).collect()),
    };
    // The post that covers the officer's unit (a filled one first).
    let Some(post) = passerelle_store::presence::posts_serving(&state.db, &unit)
        .await?
        .into_iter()
        .next()
    else {
        return refuse(vec!["Aucun poste d'intervenant social ne couvre votre unité : adressez la personne aux services sociaux du département.".into()]);
    };
    let post_row = passerelle_store::registry::post::find(&state.db, &post.id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let id = uuid::Uuid::now_v7().to_string();
    let entry = crate::journal::entry::post_entry(
        &auth,
        &post_row,
        JournalAction::PersonalDataWritten,
        format!(
            "saisine {} ({})",
            referral.urgency().code(),
            if referral.anonymous_count_only() {
                "sans consentement : comptage anonyme"
            } else {
                "avec consentement"
            }
        ),
        ip.as_deref(),
    )
    .on("case", &id);
    let new = store_referral::NewReferral {
        id: id.clone(),
        post_id: &post.id,
        unit_id: Some(&unit),
        referred_by: &auth.account.id,
        referral: &referral,
        notify_referrer: fields
            .iter()
            .any(|(key, value)| key == "notify" && value == "yes"),
    };
    store_referral::create_referral(&state.db, &state.keys, &new, entry).await?;
    Ok(Redirect::to("/signalements?envoye=1").into_response())
}

// ---------------------------------------------------------------------------------------
// The social worker

/// The post whose cases the actor works on, and its place, or the policy's refusal.
async fn own_post(
    state: &AppState,
    auth: &Authenticated,
    post_id: &str,
) -> WebResult<(passerelle_store::registry::post::PostRow, Place)> {
    let post = passerelle_store::registry::post::find(&state.db, post_id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let place =
        passerelle_store::registry::replacement::case_place(&state.db, &post, crate::http::clock::paris_today())
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
    let (post, place) = own_post(state, auth, post_id).await?;
    auth.require(action, &Resource::Cases { post: &place })?;
    Ok(post)
}

async fn direct_case_form(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
) -> WebResult<ReferralFormPage> {
    acting_post(&state, &auth, Action::Manage).await?;
    let typed = [(
        "source".to_string(),
        ReferralSource::Spontaneous.code().to_string(),
    )]
    .into();
    let grid = crate::referral::category::grid(&state).await?;
    Ok(form_page(&auth, &csrf, &grid, Vec::new(), typed, true))
}

/// A case the social worker opens for a person who came without a referral: the person is
/// there, so there is no consent question; no unit referred it.
async fn open_direct_case(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(fields): FrenchForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let post = acting_post(&state, &auth, Action::Manage).await?;
    let typed = typed_values(&fields);
    let mut input = referral_input(&fields);
    input.consent = "yes".into();
    let grid = crate::referral::category::grid(&state).await?;
    let referral = match validate_referral(&input, &grid) {
        Ok(referral) => referral,
        Err(errors) => {
            let page = form_page(
                &auth,
                &csrf,
                &grid,
                errors.iter().map(|e| format!("{e}.")).collect(),
                typed,
                true,
            );
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let id = uuid::Uuid::now_v7().to_string();
    let entry = crate::journal::entry::post_entry(
        &auth,
        &post,
        JournalAction::PersonalDataWritten,
        format!(
            "dossier ouvert sans saisine ({})",
            referral.urgency().code()
        ),
        ip.as_deref(),
    )
    .on("case", &id);
    let new = store_referral::NewReferral {
        id: id.clone(),
        post_id: &post.id,
        unit_id: None,
        referred_by: &auth.account.id,
        referral: &referral,
        notify_referrer: false,
    };
    store_referral::create_referral(&state.db, &state.keys, &new, entry).await?;
    Ok(Redirect::to(&format!("/dossiers/{id}")).into_response())
}

pub struct InboxLine {
    pub id: String,
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
    /// A person's name (and birth date), searched among the post's identified persons.
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

/// The post's identified persons who may be `searched` (the fuzzy person search). Searching
/// by name is reading personal data: journaled.
async fn persons_named(
    state: &AppState,
    auth: &Authenticated,
    post: &passerelle_store::registry::post::PostRow,
    searched: &str,
    ip: Option<&str>,
) -> WebResult<Vec<String>> {
    if searched.chars().count() > 200 {
        return Err(WebError::BadRequest(
            "Filtre « personne » : 200 caractères au plus.".into(),
        ));
    }
    let key = crate::referral::person::query_key(searched);
    let found =
        passerelle_store::referral::person::search(&state.db, &state.keys, &post.id, &key, 50).await?;
    let entry = crate::journal::entry::post_entry(
        auth,
        post,
        JournalAction::PersonalDataRead,
        "recherche de dossiers par personne".into(),
        ip,
    );
    passerelle_store::journal::record(&state.db, entry).await?;
    Ok(found.into_iter().map(|c| c.person.id).collect())
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
            account_id: auth.account.id.clone(),
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
        &auth.account.id,
        today,
    )
    .await?;
    auth.require(Action::View, &Resource::Cases { post: &place })?;
    let (mut filter, page) = parsed?;
    if !searched.is_empty() {
        filter.persons = Some(persons_named(state, auth, &post, searched, ip).await?);
    }
    let (rows, total) = store_referral::inbox(&state.db, &post.id, filter, page).await?;
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
        (Scope::Post(_), replaced) => replaced.to_string(),
        _ => return Err(WebError::Forbidden),
    };
    let today = crate::http::clock::paris_today();
    let grid = crate::referral::category::grid(&state).await?;
    let (read, page) =
        case_list(&state, &auth, post_id, today, &query, &grid, ip.as_deref()).await?;
    let ListRead {
        post,
        account_posts,
        rows,
        total,
        ..
    } = read.as_ref();
    let total = *total;
    let replacing = account_posts
        .iter()
        .map(|r| {
            (
                r.post_id.clone(),
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
            InboxLine {
                urgency: label_of(&row.urgency, Urgency::parse, Urgency::label),
                urgent: row.urgency != "normal",
                status: label_of(&row.status, ReferralStatus::parse, ReferralStatus::label),
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
                id: row.id.clone(),
            }
        })
        .collect();
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

pub struct PersonLine {
    /// The case's line, to identify a transmitted person.
    pub line_id: String,
    pub role: &'static str,
    pub name: String,
    pub phone: String,
    /// The post's person, once identified.
    pub person_id: Option<String>,
}

fn national_phone(phone: Option<&str>) -> String {
    phone
        .and_then(|p| passerelle_domain::referral::PhoneNumber::parse(p).ok())
        .map(|p| p.national())
        .unwrap_or_default()
}

/// The persons of a case as its page shows them: the identified person's identity, or what
/// the referral transmitted.
pub(crate) async fn person_lines(state: &AppState, case_id: &str) -> WebResult<Vec<PersonLine>> {
    let mut lines = Vec::new();
    for line in store_referral::persons_of(&state.db, &state.keys, case_id).await? {
        let person = match &line.person_id {
            Some(id) => passerelle_store::referral::person::find(&state.db, &state.keys, id).await?,
            None => None,
        };
        let (name, phone) = match &person {
            Some(person) => (
                person.identity.display_name(),
                national_phone(person.identity.phone.as_deref()),
            ),
            None => (
                [
                    line.transmitted.first_name.as_deref(),
                    line.transmitted.last_name.as_deref(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
                national_phone(line.transmitted.phone.as_deref()),
            ),
        };
        lines.push(PersonLine {
            role: label_of(&line.role, PersonRole::parse, PersonRole::label),
            name,
            phone,
            person_id: line.person_id,
            line_id: line.id,
        });
    }
    Ok(lines)
}

pub struct NoteLine {
    pub author: String,
    pub at: String,
    pub private: bool,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/case.html")]
pub struct CasePage {
    shell: Shell,
    id: String,
    urgency: &'static str,
    source: &'static str,
    status: String,
    categories: String,
    received: String,
    unit: String,
    context: Option<String>,
    safe_contact: Option<String>,
    procedure_reference: Option<String>,
    persons: Vec<PersonLine>,
    /// Everything that happened, newest first: (day, what).
    timeline: Vec<(String, String)>,
    notes: Vec<NoteLine>,
    next_statuses: Vec<ReferralStatus>,
    outcomes: &'static [ClosureOutcome],
    visibilities: &'static [NoteVisibility],
    work: Vec<WorkLine>,
    criminal: &'static str,
    places: &'static [InterviewPlace],
    actions: &'static [ActionKind],
    partner_types: &'static [PartnerType],
    transfer_targets: Vec<(String, String, String)>,
    /// The directory's partners of the post's département, offered when orienting.
    partner_names: Vec<String>,
    /// (text, day "jj/mm/aaaa", ISO day for the date field, overdue).
    next_step: Option<(String, String, String, bool)>,
    open: bool,
    today: String,
    error: Option<String>,
}

/// The case's chronology, newest first: statuses, interviews, actions, orientations and the
/// notes the reader may read (named, not quoted).
fn timeline(
    history: &[(String, String)],
    work: &[passerelle_store::referral::case_work::WorkLine],
    notes: &[store_referral::Note],
) -> Vec<(String, String)> {
    let mut events: Vec<(String, String)> = history
        .iter()
        .map(|(status, at)| {
            (
                at.clone(),
                format!(
                    "Statut : {}",
                    label_of(status, ReferralStatus::parse, ReferralStatus::label)
                ),
            )
        })
        .chain(
            work.iter()
                .map(|line| (line.on.clone(), work_line(line.clone()).what)),
        )
        .chain(
            notes
                .iter()
                .map(|note| (note.at.clone(), format!("Note de {}", note.author))),
        )
        .collect();
    // ISO days and instants sort as text; a day sorts before the instants of that day.
    events.sort_by(|a, b| b.0.cmp(&a.0));
    events
        .into_iter()
        .map(|(at, what)| (french_day_of(&at), what))
        .collect()
}

/// A line of the case's work, in words.
pub struct WorkLine {
    pub on: String,
    pub what: String,
    /// For an orientation still moving: its id and the statuses it may take.
    pub orientation: Option<(String, Vec<OrientationStatus>)>,
}

fn work_line(line: passerelle_store::referral::case_work::WorkLine) -> WorkLine {
    use passerelle_store::referral::case_work::WorkKind;
    let on = french_day_of(&line.on);
    match line.kind {
        WorkKind::Interview { place, minutes } => WorkLine {
            on,
            what: format!(
                "Entretien — {} — {minutes} min",
                label_of(&place, InterviewPlace::parse, InterviewPlace::label)
            ),
            orientation: None,
        },
        WorkKind::Action { kind } => WorkLine {
            on,
            what: format!(
                "Action — {}",
                label_of(&kind, ActionKind::parse, ActionKind::label)
            ),
            orientation: None,
        },
        WorkKind::Orientation {
            id,
            partner_type,
            partner_name,
            status,
            changed_on,
        } => {
            let current = OrientationStatus::parse(&status).ok();
            let partner = match partner_name.as_str() {
                "" => label_of(&partner_type, PartnerType::parse, PartnerType::label).to_string(),
                name => format!(
                    "{} ({name})",
                    label_of(&partner_type, PartnerType::parse, PartnerType::label)
                ),
            };
            WorkLine {
                on,
                what: format!(
                    "Orientation — {partner} — {} le {}",
                    current.map(OrientationStatus::label).unwrap_or("—"),
                    french_day_of(&changed_on)
                ),
                orientation: current.map(|current| {
                    (
                        id,
                        OrientationStatus::ALL
                            .iter()
                            .copied()
                            .filter(|next| current.can_move_to(*next))
                            .collect(),
                    )
                }),
            }
        }
    }
}

/// Loads a case for an action, with the policy's answer; unknown and forbidden look alike.
pub(crate) async fn case_for(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
    action: Action,
) -> WebResult<(store_referral::CaseRow, passerelle_store::registry::post::PostRow)> {
    let case = store_referral::find_case(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let post = case_content_post(state, auth, &case.post_id, action).await?;
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
    let post = passerelle_store::registry::post::find(&state.db, post_id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let place =
        passerelle_store::registry::replacement::case_place(&state.db, &post, crate::http::clock::paris_today())
            .await?;
    auth.require(action, &Resource::Case { post: &place })?;
    Ok(post)
}

async fn case_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    error: Option<String>,
    ip: Option<&str>,
) -> WebResult<CasePage> {
    let (case, post) = case_for(state, auth, id, Action::View).await?;
    // Every read of a case is journaled, before anything is shown.
    store_referral_read(state, auth, &post, &case.id, ip).await?;
    let keys = &state.keys;
    let current = case.status();
    let history = store_referral::status_history(&state.db, &case.id).await?;
    let work = passerelle_store::referral::case_work::work_of(&state.db, keys, &case.id).await?;
    let notes = store_referral::notes_for(&state.db, keys, &case.id, &auth.account.id).await?;
    Ok(CasePage {
        shell: Shell::for_actor("Dossier", auth, csrf).at("/dossiers"),
        urgency: label_of(&case.urgency, Urgency::parse, Urgency::label),
        source: case
            .source
            .as_deref()
            .map(|s| label_of(s, ReferralSource::parse, ReferralSource::label))
            .unwrap_or("—"),
        status: status_words(&case.status, case.closure_outcome.as_deref()),
        categories: crate::referral::category::grid(state)
            .await?
            .labels(&case.categories),
        received: french_day_of(&case.received_at),
        unit: case
            .unit_name
            .clone()
            .unwrap_or_else(|| "Ouverture directe".into()),
        context: case.context(keys)?,
        safe_contact: case.safe_contact(keys)?,
        procedure_reference: case.procedure_reference(keys)?,
        persons: person_lines(state, &case.id).await?,
        timeline: timeline(&history, &work, &notes),
        notes: notes
            .into_iter()
            .map(|note| NoteLine {
                author: note.author,
                at: french_day_of(&note.at),
                private: note.visibility == NoteVisibility::Author,
                text: note.text,
            })
            .collect(),
        next_statuses: ReferralStatus::ALL
            .iter()
            .copied()
            .filter(|s| current.can_move_to(*s))
            .collect(),
        outcomes: ClosureOutcome::ALL,
        visibilities: NoteVisibility::ALL,
        work: work.into_iter().map(work_line).collect(),
        criminal: match case.criminal {
            Some(0) => "no",
            Some(_) => "yes",
            None => "unknown",
        },
        places: InterviewPlace::ALL,
        actions: ActionKind::ALL,
        partner_types: PartnerType::ALL,
        transfer_targets: passerelle_store::referral::case_work::transfer_targets(&state.db, &case.post_id)
            .await?,
        partner_names: passerelle_store::referral::partner::of_departement(
            &state.db,
            &post.departement_code,
            None,
        )
        .await?
        .into_iter()
        .map(|partner| partner.name)
        .collect(),
        next_step: match (case.next_step(keys)?, case.next_step_on.as_deref()) {
            (Some(text), Some(on)) => Some((
                text,
                french_day_of(on),
                on.to_string(),
                on < crate::http::clock::paris_today().to_string().as_str(),
            )),
            _ => None,
        },
        open: current != ReferralStatus::Closed,
        today: crate::http::clock::paris_today().to_string(),
        error,
        id: case.id,
    })
}

async fn store_referral_read(
    state: &AppState,
    auth: &Authenticated,
    post: &passerelle_store::registry::post::PostRow,
    case_id: &str,
    ip: Option<&str>,
) -> WebResult<()> {
    let entry = crate::journal::entry::post_entry(
        auth,
        post,
        JournalAction::PersonalDataRead,
        "dossier consulté".into(),
        ip,
    )
    .on("case", case_id);
    passerelle_store::journal::record(&state.db, entry).await?;
    Ok(())
}

async fn show_case(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<CasePage> {
    case_page(&state, &auth, &csrf, &id, None, ip.as_deref()).await
}

pub(crate) async fn refuse_on_case(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    message: String,
    ip: Option<&str>,
) -> WebResult<Response> {
    let page = case_page(state, auth, csrf, id, Some(message), ip).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
