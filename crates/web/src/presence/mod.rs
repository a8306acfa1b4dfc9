//! Presence of the social workers: a post's schedule (slots, absences, notice), who is where
//! (a unit's public page, its poster and calendar, a département's week), and the officer's
//! next presence at their unit.

pub mod appointment;

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken, MaybeAuthenticated};
use crate::http::clock::{french_date, now_unix, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::{DateField, FrenchForm, parse_date, read_date};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::emergency::EMERGENCY_NUMBERS;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::presence::{
    Absence, AbsenceKind, Occurrence, WeeklySlot, clock_label, monday_of, occurrences, parse_clock,
    parse_time_zone, parse_weekday, time_zone_of_departement, weekday_label,
};
use passerelle_store::journal::Entry;
use passerelle_store::registry::post::{self as store_post, PostRow};
use passerelle_store::presence::{self as store_presence, Notice};
use passerelle_store::registry::unit::{UnitRow, find_unit};
use serde::Deserialize;
use time::{Date, Duration};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/postes/{id}/presence", schedule_page)
        .post("/postes/{id}/presence/creneaux", add_slot)
        .post(
            "/postes/{id}/presence/creneaux/{slot_id}/retirer",
            remove_slot,
        )
        .post("/postes/{id}/presence/absences", add_absence)
        .post(
            "/postes/{id}/presence/absences/{absence_id}/retirer",
            remove_absence,
        )
        .post("/postes/{id}/presence/annonce", set_notice)
        .post("/compte/nom-public", set_public_name)
        .get("/presence", who_is_where)
        .get("/presence/unites/{id}", unit_page)
        .get("/presence/unites/{id}/affiche", poster_page)
        .get("/presence/unites/{id}/affiche.pdf", poster_pdf)
        .get("/presence/unites/{id}/agenda.ics", unit_feed)
        .get("/presence/departements/{code}", departement_week)
}

/// How many weeks the public page and the poster show ahead.
pub const WEEKS_AHEAD: i64 = 4;

/// "9 h 00 – 12 h 30".
fn hours(start: time::Time, end: time::Time) -> String {
    format!("{} – {}", clock_label(start), clock_label(end))
}

/// "Lundi 30/11".
fn day_label(date: Date) -> String {
    format!(
        "{} {:02}/{:02}",
        weekday_label(date.weekday()),
        date.day(),
        u8::from(date.month())
    )
}

/// The regular hours in effect on `today` or later, by weekday: ("Lundi", "9 h 00 – 12 h 00 · 14 h 00 – 17 h 00").
pub fn weekly_hours(slots: &[WeeklySlot], today: Date) -> Vec<(String, String)> {
    let mut current: Vec<&WeeklySlot> = slots
        .iter()
        .filter(|s| s.valid_until.is_none_or(|until| until >= today))
        .collect();
    current.sort_by_key(|s| (s.weekday.number_from_monday(), s.start));
    let mut lines: Vec<(String, String)> = Vec::new();
    for slot in current {
        let label = weekday_label(slot.weekday).to_string();
        let text = hours(slot.start, slot.end);
        match lines.last_mut() {
            Some((day, existing)) if *day == label => {
                existing.push_str(" · ");
                existing.push_str(&text);
            }
            _ => lines.push((label, text)),
        }
    }
    lines
}

/// One day of a week view.
#[derive(Debug, Clone)]
pub struct DayLine {
    pub label: String,
    pub hours: String,
    pub takes_place: bool,
    pub unit: String,
}

fn day_lines(found: &[Occurrence], unit_names: &impl Fn(&str) -> String) -> Vec<DayLine> {
    found
        .iter()
        .map(|o| DayLine {
            label: day_label(o.date),
            hours: match o.skipped {
                None => hours(o.start, o.end),
                Some(skipped) => format!("{} ({})", skipped.label(), hours(o.start, o.end)),
            },
            takes_place: o.takes_place(),
            unit: unit_names(&o.unit_id),
        })
        .collect()
}

/// A week and its days.
pub struct WeekLines {
    pub label: String,
    pub days: Vec<DayLine>,
}

fn weeks_of(
    found: &[Occurrence],
    first_monday: Date,
    weeks: i64,
    unit_names: &impl Fn(&str) -> String,
) -> Vec<WeekLines> {
    (0..weeks)
        .map(|week| {
            let monday = first_monday + Duration::weeks(week);
            let sunday = monday + Duration::days(6);
            let in_week: Vec<Occurrence> = found
                .iter()
                .filter(|o| monday <= o.date && o.date <= sunday)
                .cloned()
                .collect();
            WeekLines {
                label: format!("Semaine du {}", french_date(monday)),
                days: day_lines(&in_week, unit_names),
            }
        })
        .collect()
}

/// The notices a post shows on a day: its own message, and an absence under way.
fn notices_on(notice: Option<Notice>, absences: &[Absence], today: Date) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(notice) = notice {
        lines.push(format!(
            "{} (jusqu'au {})",
            notice.message,
            french_date(notice.until)
        ));
    }
    if let Some(absence) = absences
        .iter()
        .find(|a| a.starts_on <= today && today <= a.ends_on)
    {
        lines.push(format!(
            "Absente jusqu'au {} inclus",
            french_date(absence.ends_on)
        ));
    }
    lines
}

/// Everything known of the presence at one unit, for its page, its poster and its feed.
pub struct UnitPresence {
    pub unit: UnitRow,
    pub weekly: Vec<(String, String)>,
    pub occurrences: Vec<Occurrence>,
    pub notices: Vec<String>,
    pub names: Vec<String>,
    pub first_monday: Date,
    pub time_zone: &'static str,
}

/// The presence at a unit from the Monday of `from` for `weeks` weeks: the slots at this
/// unit of every open post it hosts. `None` for an unknown unit.
pub async fn unit_presence(
    state: &AppState,
    unit_id: &str,
    from: Date,
    weeks: i64,
) -> WebResult<Option<UnitPresence>> {
    let Some(unit) = find_unit(&state.db, unit_id).await? else {
        return Ok(None);
    };
    let today = paris_today();
    let first_monday = monday_of(from);
    let last_day = first_monday + Duration::days(7 * weeks - 1);
    let departement = unit.departement_code.clone().unwrap_or_default();
    let mut weekly = Vec::new();
    let mut found = Vec::new();
    let mut notices = Vec::new();
    let mut names = Vec::new();
    for post in store_presence::posts_serving(&state.db, unit_id).await? {
        let slots: Vec<WeeklySlot> = store_presence::slots_of(&state.db, &post.id)
            .await?
            .into_iter()
            .filter(|s| s.unit_id == unit_id)
            .collect();
        let absences =
            store_presence::absences_of(&state.db, &post.id, first_monday.min(today)).await?;
        weekly.extend(weekly_hours(&slots, today));
        found.extend(occurrences(
            &slots,
            &absences,
            &post.departement_code,
            first_monday,
            last_day,
        ));
        notices.extend(notices_on(
            store_presence::notice_of(&state.db, &post.id, today).await?,
            &absences,
            today,
        ));
        names.extend(store_presence::public_names(&state.db, &post.id).await?);
    }
    found.sort_by_key(|o| o.starts_unix);
    Ok(Some(UnitPresence {
        time_zone: time_zone_of_departement(&departement),
        unit,
        weekly,
        occurrences: found,
        notices,
        names,
        first_monday,
    }))
}

/// The next presence at a unit that takes place, from now: "lundi 30/11/2026 à 9 h 00".
pub async fn next_presence_at(state: &AppState, unit_id: &str) -> WebResult<Option<String>> {
    let Some(presence) = unit_presence(state, unit_id, paris_today(), 3).await? else {
        return Ok(None);
    };
    let now = now_unix();
    Ok(presence
        .occurrences
        .iter()
        .find(|o| o.takes_place() && o.ends_unix > now)
        .map(|o| {
            format!(
                "{} de {}",
                crate::http::clock::french_date_time(o.starts_unix, presence.time_zone)
                    .split(" à ")
                    .next()
                    .unwrap_or_default(),
                hours(o.start, o.end)
            )
        }))
}

#[derive(Deserialize, Default)]
pub struct WeekQuery {
    semaine: Option<String>,
}

fn week_start(query: &WeekQuery) -> WebResult<Date> {
    match query.semaine.as_deref() {
        None | Some("") => Ok(monday_of(paris_today())),
        Some(text) => Ok(monday_of(parse_date("semaine", text)?)),
    }
}

// ---------------------------------------------------------------------------------------
// A post's schedule

/// Loads a post and its schedule's place; unknown posts answer like forbidden ones.
async fn post_and_place(
    state: &AppState,
    id: &str,
) -> WebResult<(PostRow, passerelle_domain::access::Place)> {
    let post = store_post::find(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let place = store_presence::schedule_place(&state.db, &post).await?;
    Ok((post, place))
}

pub struct SlotLine {
    pub id: String,
    pub day: &'static str,
    pub hours: String,
    pub unit: String,
    pub period: String,
}

pub struct AbsenceLine {
    pub id: String,
    pub kind: &'static str,
    pub period: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/schedule.html")]
pub struct SchedulePage {
    shell: Shell,
    post_id: String,
    post_code: String,
    can_manage: bool,
    is_social_worker: bool,
    slots: Vec<SlotLine>,
    absences: Vec<AbsenceLine>,
    notice: Option<(String, String)>,
    hosts: Vec<(String, String)>,
    weeks: Vec<WeekLines>,
    weekdays: Vec<(u8, &'static str)>,
    absence_kinds: &'static [AbsenceKind],
    /// (zone, selected): the post's département's zone first selected.
    time_zones: Vec<(&'static str, bool)>,
    error: Option<String>,
    public_name: bool,
    feed: Option<crate::presence::appointment::FeedView>,
    new_feed_url: Option<String>,
}

pub(crate) async fn schedule_view(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    error: Option<String>,
    new_feed_url: Option<String>,
) -> WebResult<SchedulePage> {
    let (post, place) = post_and_place(state, id).await?;
    auth.require(Action::View, &Resource::Schedule { post: &place })?;
    let can_manage = passerelle_domain::access::decide(
        &auth.actor,
        Action::Manage,
        &Resource::Schedule { post: &place },
    )
    .is_allowed();
    let today = paris_today();
    let hosts: Vec<(String, String)> = store_post::host_units_of(&state.db, &post.id)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect();
    let unit_name = |unit_id: &str| {
        hosts
            .iter()
            .find(|(id, _)| id == unit_id)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| "unité qui n'accueille plus le poste".into())
    };
    let slots = store_presence::slots_of(&state.db, &post.id).await?;
    let absences = store_presence::absences_of(&state.db, &post.id, today).await?;
    let monday = monday_of(today);
    let found = occurrences(
        &slots,
        &absences,
        &post.departement_code,
        monday,
        monday + Duration::days(13),
    );
    let is_social_worker = auth.role() == passerelle_domain::identity::role::Role::SocialWorker;
    let feed = if is_social_worker {
        crate::presence::appointment::feed_view(state, &auth.account.id).await?
    } else {
        None
    };
    Ok(SchedulePage {
        shell: Shell::for_actor(&format!("Présence — poste {}", post.code), auth, csrf)
            .at("/postes"),
        weeks: weeks_of(&found, monday, 2, &unit_name),
        slots: slots
            .iter()
            .map(|s| SlotLine {
                id: s.id.clone(),
                day: weekday_label(s.weekday),
                hours: hours(s.start, s.end),
                unit: unit_name(&s.unit_id),
                period: match s.valid_until {
                    Some(until) => {
                        format!("du {} au {}", french_date(s.valid_from), french_date(until))
                    }
                    None => format!("à partir du {}", french_date(s.valid_from)),
                },
            })
            .collect(),
        absences: absences
            .iter()
            .map(|a| AbsenceLine {
                id: a.id.clone(),
                kind: a.kind.label(),
                period: format!(
                    "du {} au {}",
                    french_date(a.starts_on),
                    french_date(a.ends_on)
                ),
            })
            .collect(),
        notice: store_presence::notice_of(&state.db, &post.id, today)
            .await?
            .map(|n| (n.message, french_date(n.until))),
        hosts,
        weekdays: (1..=7u8)
            .filter_map(|n| {
                parse_weekday(&n.to_string())
                    .ok()
                    .map(|d| (n, weekday_label(d)))
            })
            .collect(),
        absence_kinds: AbsenceKind::ALL,
        time_zones: passerelle_domain::presence::TIME_ZONES
            .iter()
            .map(|zone| {
                (
                    *zone,
                    *zone == time_zone_of_departement(&post.departement_code),
                )
            })
            .collect(),
        public_name: is_social_worker
            && store_presence::shows_public_name(&state.db, &auth.account.id).await?,
        can_manage,
        is_social_worker,
        error,
        feed,
        new_feed_url,
        post_id: post.id,
        post_code: post.code,
    })
}

async fn schedule_page(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> WebResult<SchedulePage> {
    schedule_view(&state, &auth, &csrf, &id, None, None).await
}

/// Loads a post whose schedule the actor may change.
async fn managed_schedule(state: &AppState, auth: &Authenticated, id: &str) -> WebResult<PostRow> {
    let (post, place) = post_and_place(state, id).await?;
    auth.require(Action::Manage, &Resource::Schedule { post: &place })?;
    Ok(post)
}

async fn refused(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    message: String,
) -> WebResult<Response> {
    let page = schedule_view(state, auth, csrf, id, Some(message), None).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn schedule_entry(auth: &Authenticated, post: &PostRow, detail: String, ip: Option<&str>) -> Entry {
    crate::journal::entry::post_entry(auth, post, JournalAction::ScheduleChanged, detail, ip)
}

fn back_to(post: &PostRow) -> Response {
    Redirect::to(&format!("/postes/{}/presence", post.id)).into_response()
}

#[derive(Deserialize)]
pub struct SlotForm {
    unit: String,
    weekday: String,
    start: String,
    end: String,
    valid_from: String,
    #[serde(default)]
    valid_until: String,
    time_zone: String,
}

fn domain_message(error: passerelle_domain::ParseError) -> String {
    capitalised(format!("{error}."))
}

/// The schedule's messages start with a capital: « Unité : elle n'accueille pas ce poste. »
fn capitalised(mut text: String) -> String {
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    text
}

fn read_slot(form: &SlotForm) -> Result<WeeklySlot, String> {
    let valid_from = read_date(DateField::PresenceFrom, &form.valid_from)?;
    let valid_until = match form.valid_until.trim() {
        "" => None,
        text => Some(read_date(DateField::PresenceUntil, text)?),
    };
    Ok(WeeklySlot {
        id: uuid::Uuid::now_v7().to_string(),
        unit_id: form.unit.trim().to_string(),
        weekday: parse_weekday(&form.weekday).map_err(domain_message)?,
        start: parse_clock("début", &form.start).map_err(domain_message)?,
        end: parse_clock("fin", &form.end).map_err(domain_message)?,
        time_zone: parse_time_zone(&form.time_zone).map_err(domain_message)?,
        valid_from,
        valid_until,
    })
}

async fn add_slot(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<SlotForm>,
) -> WebResult<Response> {
    let post = managed_schedule(&state, &auth, &id).await?;
    let slot = match read_slot(&form) {
        Ok(slot) => slot,
        Err(message) => return refused(&state, &auth, &csrf, &id, message).await,
    };
    let entry = schedule_entry(
        &auth,
        &post,
        format!(
            "créneau {} {}–{} à l'unité {}",
            weekday_label(slot.weekday),
            clock_label(slot.start),
            clock_label(slot.end),
            slot.unit_id
        ),
        ip.as_deref(),
    );
    match store_presence::add_slot(&state.db, &post.id, &slot, entry).await {
        Ok(()) => Ok(back_to(&post)),
        Err(error) => {
            let message = capitalised(crate::http::error::refusal(error)?);
            refused(&state, &auth, &csrf, &id, message).await
        }
    }
}

async fn remove_slot(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path((id, slot_id)): Path<(String, String)>,
) -> WebResult<Response> {
    let post = managed_schedule(&state, &auth, &id).await?;
    let entry = schedule_entry(
        &auth,
        &post,
        format!("créneau {slot_id} retiré"),
        ip.as_deref(),
    );
    if !store_presence::remove_slot(&state.db, &post.id, &slot_id, entry).await? {
        return Err(WebError::BadRequest(
            "Créneau : il n'existe pas dans ce planning.".into(),
        ));
    }
    Ok(back_to(&post))
}

#[derive(Deserialize)]
pub struct AbsenceForm {
    kind: String,
    starts_on: String,
    ends_on: String,
}

async fn add_absence(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<AbsenceForm>,
) -> WebResult<Response> {
    let post = managed_schedule(&state, &auth, &id).await?;
    let checked = (|| {
        Ok::<_, String>(Absence {
            id: uuid::Uuid::now_v7().to_string(),
            kind: AbsenceKind::parse(&form.kind).map_err(domain_message)?,
            starts_on: read_date(DateField::AbsenceFirst, &form.starts_on)?,
            ends_on: read_date(DateField::AbsenceLast, &form.ends_on)?,
        })
    })();
    let absence = match checked {
        Ok(absence) => absence,
        Err(message) => return refused(&state, &auth, &csrf, &id, message).await,
    };
    // The journal says an absence was recorded, not why: the kind may be health data.
    let entry = schedule_entry(
        &auth,
        &post,
        format!("absence du {} au {}", absence.starts_on, absence.ends_on),
        ip.as_deref(),
    );
    match store_presence::add_absence(&state.db, &post.id, &absence, entry).await {
        Ok(()) => Ok(back_to(&post)),
        Err(error) => {
            let message = capitalised(crate::http::error::refusal(error)?);
            refused(&state, &auth, &csrf, &id, message).await
        }
    }
}

async fn remove_absence(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path((id, absence_id)): Path<(String, String)>,
) -> WebResult<Response> {
    let post = managed_schedule(&state, &auth, &id).await?;
    let entry = schedule_entry(
        &auth,
        &post,
        format!("absence {absence_id} retirée"),
        ip.as_deref(),
    );
    if !store_presence::remove_absence(&state.db, &post.id, &absence_id, entry).await? {
        return Err(WebError::BadRequest(
            "Absence : elle n'existe pas dans ce planning.".into(),
        ));
    }
    Ok(back_to(&post))
}

#[derive(Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    message: String,
    #[serde(default)]
    until: String,
}

/// Notices are short: they are printed on the poster.
const NOTICE_MAX_CHARS: usize = 200;

async fn set_notice(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<NoticeForm>,
) -> WebResult<Response> {
    let post = managed_schedule(&state, &auth, &id).await?;
    let message = form.message.trim();
    let notice = if message.is_empty() {
        None
    } else {
        if message.chars().count() > NOTICE_MAX_CHARS {
            return refused(
                &state,
                &auth,
                &csrf,
                &id,
                format!("Annonce : {NOTICE_MAX_CHARS} caractères au plus."),
            )
            .await;
        }
        let until = match read_date(DateField::NoticeUntil, &form.until) {
            Ok(until) if until >= paris_today() => until,
            Ok(_) => {
                return refused(
                    &state,
                    &auth,
                    &csrf,
                    &id,
                    "Jusqu'au : la date est déjà passée.".into(),
                )
                .await;
            }
            Err(message) => return refused(&state, &auth, &csrf, &id, message).await,
        };
        Some(Notice {
            message: message.to_string(),
            until,
        })
    };
    let entry = schedule_entry(
        &auth,
        &post,
        if notice.is_some() {
            "annonce publiée".into()
        } else {
            "annonce retirée".into()
        },
        ip.as_deref(),
    );
    store_presence::set_notice(&state.db, &post.id, notice.as_ref(), entry).await?;
    Ok(back_to(&post))
}

#[derive(Deserialize)]
pub struct PublicNameForm {
    post: String,
    #[serde(default)]
    shown: Option<String>,
}

/// A social worker chooses whether their name appears on the public page and the poster.
async fn set_public_name(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<PublicNameForm>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::OwnCalendar)?;
    // The post only says where to go back to: an identifier, never anything else.
    let post = form.post.trim();
    if post.is_empty()
        || !post
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(WebError::BadRequest(
            "Poste : cet identifiant de poste n'est pas valide. Revenez à la page de présence de votre poste et recommencez.".into(),
        ));
    }
    let shown = form.shown.is_some();
    let entry = Entry::new(JournalAction::ScheduleChanged)
        .by(&auth.account.id, Some(auth.role().code()))
        .on("account", &auth.account.id)
        .detail(if shown {
            "nom affiché en public"
        } else {
            "nom masqué en public"
        })
        .from_ip(ip.as_deref());
    store_presence::set_public_name(&state.db, &auth.account.id, shown, entry).await?;
    Ok(Redirect::to(&format!("/postes/{post}/presence")).into_response())
}

// ---------------------------------------------------------------------------------------
// Who is where: public pages of a unit, its poster and feed; a département's week

#[derive(Deserialize, Default)]
pub struct WhereQuery {
    departement: Option<String>,
}

/// "Who is where" from the menu: the view that fits the role's scope.
async fn who_is_where(auth: Authenticated, Query(query): Query<WhereQuery>) -> WebResult<Redirect> {
    use passerelle_domain::access::Scope;
    match (&auth.actor.grant.role, &auth.actor.grant.scope) {
        (_, Scope::Unit(unit)) => Ok(Redirect::to(&format!("/presence/unites/{unit}"))),
        (_, Scope::Post(post)) => Ok(Redirect::to(&format!("/postes/{post}/presence"))),
        (_, Scope::Departement(code)) => {
            Ok(Redirect::to(&format!("/presence/departements/{code}")))
        }
        (passerelle_domain::identity::role::Role::National, Scope::Nation) => {
            let code = query.departement.unwrap_or_else(|| "75".into());
            match passerelle_domain::registry::territory::DepartementCode::parse(&code) {
                Ok(_) => Ok(Redirect::to(&format!(
                    "/presence/departements/{}",
                    code.trim().to_uppercase()
                ))),
                Err(error) => Err(WebError::BadRequest(format!("{error}."))),
            }
        }
        _ => Err(WebError::Forbidden),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/unit_presence.html")]
pub struct UnitPresencePage {
    shell: Shell,
    unit_id: String,
    unit_name: String,
    weekly: Vec<(String, String)>,
    weeks: Vec<WeekLines>,
    notices: Vec<String>,
    names: Vec<String>,
    previous: String,
    next: String,
    can_book: bool,
}

async fn unit_page(
    State(state): State<AppState>,
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<WeekQuery>,
) -> WebResult<UnitPresencePage> {
    let from = week_start(&query)?;
    let presence = unit_presence(&state, &id, from, WEEKS_AHEAD)
        .await?
        .ok_or(WebError::NotFound)?;
    let title = format!("Présence de l'intervenant social — {}", presence.unit.name);
    let can_book = visitor.as_ref().is_some_and(|auth| {
        auth.role() == passerelle_domain::identity::role::Role::Officer
            && auth.actor.grant.scope == passerelle_domain::access::Scope::Unit(id.clone())
    });
    let shell = match &visitor {
        Some(auth) => Shell::for_actor(&title, auth, &csrf),
        None => Shell::public(&title),
    };
    let unit_name = presence.unit.name.clone();
    Ok(UnitPresencePage {
        shell,
        weeks: weeks_of(
            &presence.occurrences,
            presence.first_monday,
            WEEKS_AHEAD,
            &|_| unit_name.clone(),
        ),
        previous: passerelle_store::db::time_text::date_to_text(from - Duration::weeks(WEEKS_AHEAD)),
        next: passerelle_store::db::time_text::date_to_text(from + Duration::weeks(WEEKS_AHEAD)),
        unit_id: presence.unit.id,
        unit_name: presence.unit.name,
        weekly: presence.weekly,
        notices: presence.notices,
        names: presence.names,
        can_book,
    })
}

/// The poster's content, shared by its HTML and PDF forms.
async fn poster_of(
    state: &AppState,
    unit_id: &str,
) -> WebResult<passerelle_documents::poster::Poster> {
    let today = paris_today();
    let presence = unit_presence(state, unit_id, today, 3)
        .await?
        .ok_or(WebError::NotFound)?;
    let unit_name = presence.unit.name.clone();
    let force_title =
        if presence.unit.kind == "commissariat" || presence.unit.kind == "circonscription" {
            "Intervenant social en commissariat"
        } else {
            "Intervenant social en gendarmerie"
        };
    let weeks = weeks_of(&presence.occurrences, presence.first_monday, 3, &|_| {
        unit_name.clone()
    });
    Ok(passerelle_documents::poster::Poster {
        title: force_title.to_string(),
        holder_name: (!presence.names.is_empty()).then(|| presence.names.join(", ")),
        weekly_hours: presence.weekly,
        weeks: weeks
            .into_iter()
            .map(|w| passerelle_documents::poster::PosterWeek {
                label: w.label,
                days: w.days.into_iter().map(|d| (d.label, d.hours)).collect(),
            })
            .collect(),
        notices: presence.notices,
        how_to_reach: vec![
            "Adressez-vous à l'accueil de l'unité : on vous proposera un rendez-vous, à l'unité ou en visio.".into(),
            "L'entretien est gratuit et confidentiel. Vous pouvez venir sans porter plainte.".into(),
        ],
        emergency_numbers: EMERGENCY_NUMBERS
            .iter()
            .map(|n| {
                let label = match n.how {
                    Some(how) => format!("{} ({how})", n.label),
                    None => n.label.to_string(),
                };
                (n.number.to_string(), label)
            })
            .collect(),
        page_url: format!("{}/presence/unites/{}", state.config.public_url.trim_end_matches('/'), presence.unit.id),
        updated: format!("Mis à jour le {}", french_date(today)),
        unit_name: presence.unit.name,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/poster.html")]
pub struct PosterPage {
    poster: passerelle_documents::poster::Poster,
    qr_svg: String,
    stylesheet: String,
    favicon: String,
    unit_id: String,
}

async fn poster_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<PosterPage> {
    let poster = poster_of(&state, &id).await?;
    Ok(PosterPage {
        qr_svg: passerelle_documents::qr::svg_of(&poster.page_url, 6).unwrap_or_default(),
        stylesheet: crate::http::assets::url("passerelle-poster.css"),
        favicon: crate::http::assets::url("vendor/dsfr/favicon/favicon.svg"),
        unit_id: id,
        poster,
    })
}

async fn poster_pdf(State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let poster = poster_of(&state, &id).await?;
    // Typst lays out on the blocking pool: a poster takes milliseconds, but CPU ones.
    let pdf =
        tokio::task::spawn_blocking(move || passerelle_documents::poster::poster_pdf(&poster))
            .await
            .map_err(|e| WebError::Internal(e.into()))?
            .map_err(|e| WebError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"affiche-{id}.pdf\""),
            ),
            (header::CACHE_CONTROL, "no-cache".to_string()),
        ],
        pdf,
    )
        .into_response())
}

/// The public feed of a unit: presence only, from this week for eight weeks.
async fn unit_feed(State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let presence = unit_presence(&state, &id, paris_today(), 8)
        .await?
        .ok_or(WebError::NotFound)?;
    let events: Vec<passerelle_documents::calendar::FeedEvent> = presence
        .occurrences
        .iter()
        .filter(|o| o.takes_place())
        .map(|o| presence_event(o, &presence.unit.name, &state.config.public_url))
        .collect();
    Ok(crate::presence::appointment::ics_response(
        &format!("Présence de l'intervenant social — {}", presence.unit.name),
        &events,
    ))
}

/// A presence as a calendar event: its uid stays the same for the same slot and date.
pub fn presence_event(
    occurrence: &Occurrence,
    unit_name: &str,
    public_url: &str,
) -> passerelle_documents::calendar::FeedEvent {
    passerelle_documents::calendar::FeedEvent {
        uid: format!(
            "presence-{}-{}@passerelle",
            occurrence.slot_id, occurrence.date
        ),
        starts_unix: occurrence.starts_unix,
        ends_unix: occurrence.ends_unix,
        summary: format!("Intervenant social présent — {unit_name}"),
        location: Some(unit_name.to_string()),
        description: None,
        url: Some(format!(
            "{}/presence/unites/{}",
            public_url.trim_end_matches('/'),
            occurrence.unit_id
        )),
    }
}

pub struct PostWeek {
    pub post_id: String,
    pub post_code: String,
    pub days: Vec<DayLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/departement_week.html")]
pub struct DepartementWeekPage {
    shell: Shell,
    code: String,
    week_label: String,
    posts: Vec<PostWeek>,
    previous: String,
    next: String,
}

/// Who is where in a département during a week, post by post.
async fn departement_week(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(code): Path<String>,
    Query(query): Query<WeekQuery>,
) -> WebResult<DepartementWeekPage> {
    auth.require(
        Action::View,
        &Resource::DepartementPresence { departement: &code },
    )?;
    let monday = week_start(&query)?;
    if passerelle_domain::registry::territory::DepartementCode::parse(&code).is_err() {
        return Err(WebError::NotFound);
    }
    let posts = store_post::posts_in(
        &state.db,
        &store_post::PostScope::Departement(code.clone()),
        None,
    )
    .await?;
    let mut lines = Vec::new();
    for post in posts.into_iter().filter(|p| p.status != "closed") {
        let slots = store_presence::slots_of(&state.db, &post.id).await?;
        let absences = store_presence::absences_of(&state.db, &post.id, monday).await?;
        let hosts = store_post::host_units_of(&state.db, &post.id).await?;
        let found = occurrences(
            &slots,
            &absences,
            &post.departement_code,
            monday,
            monday + Duration::days(6),
        );
        let unit_name = |unit_id: &str| {
            hosts
                .iter()
                .find(|(id, _, _)| id == unit_id)
                .map(|(_, n, _)| n.clone())
                .unwrap_or_default()
        };
        lines.push(PostWeek {
            days: day_lines(&found, &unit_name),
            post_id: post.id,
            post_code: post.code,
        });
    }
    Ok(DepartementWeekPage {
        shell: Shell::for_actor(
            &format!("Présences de la semaine — département {code}"),
            &auth,
            &csrf,
        ),
        week_label: format!("Semaine du {}", french_date(monday)),
        previous: passerelle_store::db::time_text::date_to_text(monday - Duration::weeks(1)),
        next: passerelle_store::db::time_text::date_to_text(monday + Duration::weeks(1)),
        posts: lines,
        code,
    })
}
