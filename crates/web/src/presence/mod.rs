//! Presence of the social workers: a post's schedule (slots, absences, notice), who is where
//! (a unit's public page, its poster and calendar, a département's week), and the officer's
//! next presence at their unit. This file holds the routes and what several pages share: the
//! week lines, the presence at a unit, the week asked for, the post and its schedule's place.

pub mod appointment;
mod appointment_page;
mod appointments_day;
pub use appointments_day::today_of_post;
mod booking;
mod calendar_feed;
mod departement_week;
pub mod finder;
mod poster;
pub mod reservation;
mod schedule;
mod schedule_changes;
mod unit_page;
mod week;

use crate::AppState;
use crate::http::clock::{french_date, now_unix, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::parse_date;
use crate::http::route_table::RouteTable;
use passerelle_domain::presence::{
    Absence, Occurrence, WeeklySlot, clock_label, monday_of, occurrences, regular_week,
    time_zone_of_departement, weekday_label,
};
use passerelle_store::presence::{self as store_presence, Notice};
use passerelle_store::registry::post::{self as store_post, PostRow};
use passerelle_store::registry::unit::{UnitRow, find_unit};
use serde::Deserialize;
use time::{Date, Duration};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .merge(schedule::routes())
        .merge(schedule_changes::routes())
        .merge(unit_page::routes())
        .merge(poster::routes())
        .merge(departement_week::routes())
        .merge(finder::routes())
}

/// How many weeks the public page shows ahead.
pub const WEEKS_AHEAD: i64 = 4;
/// How many coming absences the poster lists.
const POSTER_ABSENCES: usize = 4;

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
    /// The regular week for the poster: "Le mardi de 9 h à 12 h".
    pub regular_week: Vec<String>,
    /// The coming absences that cancel a presence here: "Du 24/12/2026 au 02/01/2027".
    pub coming_absences: Vec<String>,
    /// The posts' own temporary messages, without the absence under way.
    pub messages: Vec<String>,
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
    let departement = unit
        .departement_code
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let mut weekly = Vec::new();
    let mut found = Vec::new();
    let mut notices = Vec::new();
    let mut names = Vec::new();
    let mut all_slots = Vec::new();
    let mut coming_absences = Vec::new();
    let mut messages = Vec::new();
    for post in store_presence::posts_serving(&state.db, unit_id).await? {
        let slots: Vec<WeeklySlot> = store_presence::slots_of(&state.db, post.id.as_str())
            .await?
            .into_iter()
            .filter(|s| s.unit_id == unit_id)
            .collect();
        let absences =
            store_presence::absences_of(&state.db, post.id.as_str(), first_monday.min(today))
                .await?;
        weekly.extend(weekly_hours(&slots, today));
        found.extend(occurrences(
            &slots,
            &absences,
            post.departement_code.as_str(),
            first_monday,
            last_day,
        ));
        coming_absences.extend(regular_week::coming_absences(
            &slots,
            &absences,
            post.departement_code.as_str(),
            today,
            POSTER_ABSENCES,
        ));
        let notice = store_presence::notice_of(&state.db, post.id.as_str(), today).await?;
        messages.extend(notice.iter().map(|n| n.message.clone()));
        notices.extend(notices_on(notice, &absences, today));
        all_slots.extend(slots);
        names.extend(store_presence::public_names(&state.db, post.id.as_str()).await?);
    }
    found.sort_by_key(|o| o.starts_unix);
    Ok(Some(UnitPresence {
        time_zone: time_zone_of_departement(departement.as_str()),
        unit,
        weekly,
        occurrences: found,
        notices,
        names,
        regular_week: regular_week::regular_week(&all_slots, today),
        coming_absences,
        messages,
        first_monday,
    }))
}

/// The next presence at a unit that takes place, from now: "lundi 30/11/2026 à 9 h 00".
pub async fn next_presence_at(state: &AppState, unit_id: &str) -> WebResult<Option<String>> {
    let Some(presence) = unit_presence(state, unit_id, paris_today(), 3).await? else {
        return Ok(None);
    };
    Ok(next_presence(&presence))
}

/// The next presence of `presence` that takes place, from now (as `next_presence_at`).
pub fn next_presence(presence: &UnitPresence) -> Option<String> {
    let now = now_unix();
    presence
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
        })
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

/// Loads a post and its schedule's place; unknown posts answer like forbidden ones.
pub async fn post_and_place(
    state: &AppState,
    id: &str,
) -> WebResult<(PostRow, passerelle_domain::access::Place)> {
    let post = store_post::find(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let place = store_presence::schedule_place(&state.db, &post).await?;
    Ok((post, place))
}
