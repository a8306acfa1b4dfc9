//! Appointments with the social worker (at the unit during a presence, or by visio) and the
//! social worker's private calendar feed. Nothing here contacts the person: the pages show
//! the safe-contact instructions to whoever will. This file holds the routes and what the
//! appointment pages share: a post's presences, the journal entry, an appointment as a line,
//! the booking form's view; the pages are in `appointments_day`, `booking`,
//! `appointment_page` and `calendar_feed`.

use super::{appointment_page, appointments_day, booking, calendar_feed, week};
use crate::AppState;
use crate::http::auth::Authenticated;
use crate::http::clock::french_date;
use crate::http::error::WebResult;
use crate::http::route_table::RouteTable;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::presence::appointment::{AppointmentMode, visio_link};
use passerelle_domain::presence::{Occurrence, occurrences};
use passerelle_store::journal::Entry;
use passerelle_store::presence as store_presence;
use passerelle_store::presence::appointment::{AppointmentRow, text_to_unix};
use passerelle_store::registry::post::PostRow;
use time::Date;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .merge(appointments_day::routes())
        .merge(week::routes())
        .merge(booking::routes())
        .merge(appointment_page::routes())
        .merge(calendar_feed::routes())
}

/// The presences of a post on the days from `from` to `until`.
pub(super) async fn presences_of(
    state: &AppState,
    post: &PostRow,
    from: Date,
    until: Date,
) -> WebResult<Vec<Occurrence>> {
    let slots = store_presence::slots_of(&state.db, post.id.as_str()).await?;
    let absences = store_presence::absences_of(&state.db, post.id.as_str(), from).await?;
    Ok(occurrences(
        &slots,
        &absences,
        post.departement_code.as_str(),
        from,
        until,
    ))
}

pub(super) fn entry_for(
    auth: &Authenticated,
    post: &PostRow,
    action: JournalAction,
    appointment_id: &str,
    detail: String,
    ip: Option<&str>,
) -> Entry {
    crate::journal::entry::post_entry(auth, post, action, detail, ip)
        .on("appointment", appointment_id)
}

/// An appointment as a page line.
pub struct AppointmentLine {
    pub id: String,
    pub when: String,
    pub hours: String,
    pub mode: &'static str,
    pub place: String,
    pub person: String,
    pub safe_contact: String,
    pub visio_url: Option<String>,
    pub booked_by: String,
}

pub(super) fn line(
    state: &AppState,
    row: &AppointmentRow,
    zone: &str,
    read: &passerelle_store::journal::read::Journaled,
) -> WebResult<AppointmentLine> {
    let (when, hours) = when_and_hours(&row.starts_at, &row.ends_at, zone)?;
    Ok(AppointmentLine {
        id: row.id.clone(),
        when,
        hours,
        mode: row.mode.label(),
        place: row.unit_name.clone().unwrap_or_default(),
        person: row.person(&state.keys, read)?,
        safe_contact: row.safe_contact(&state.keys, read)?,
        visio_url: row
            .visio_room
            .as_deref()
            .map(|room| visio_link(&state.config.visio_url_template, room)),
        booked_by: row.booked_by_name.clone(),
    })
}

/// An appointment's day ("mercredi 12 mars 2025") and hours ("14:00 – 14:30") in `zone`.
pub(super) fn when_and_hours(
    starts_at: &str,
    ends_at: &str,
    zone: &str,
) -> WebResult<(String, String)> {
    let (date, start_clock) = crate::http::clock::civil_of(text_to_unix(starts_at)?, zone);
    let (_, end_clock) = crate::http::clock::civil_of(text_to_unix(ends_at)?, zone);
    Ok((
        format!(
            "{} {}",
            passerelle_domain::presence::weekday_label(date.weekday()).to_lowercase(),
            french_date(date)
        ),
        format!(
            "{} – {}",
            passerelle_domain::presence::clock_label(start_clock),
            passerelle_domain::presence::clock_label(end_clock)
        ),
    ))
}

/// What the booking form needs: the units, the modes, and the values typed.
pub struct BookingFormView {
    /// Makes the form's element ids unique on a page that holds several forms.
    pub prefix: String,
    pub action: String,
    pub units: Vec<(String, String)>,
    pub modes: &'static [AppointmentMode],
    pub date: String,
}
