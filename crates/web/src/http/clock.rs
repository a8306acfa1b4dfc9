//! The French civil date: the platform's dates are those of Europe/Paris.

use jiff::Timestamp;
use jiff::tz::TimeZone;

pub const PARIS: &str = "Europe/Paris";

/// Today's date in Paris.
pub fn paris_today() -> time::Date {
    paris_date_of(Timestamp::now())
}

/// The date in Paris at an instant.
pub fn paris_date_of(instant: Timestamp) -> time::Date {
    let zone = TimeZone::get(PARIS).unwrap_or(TimeZone::UTC);
    time_date_of(instant.to_zoned_datetime(zone).date())
}

/// `jj/mm/aaaa`, the French way of writing a date.
pub fn french_date(date: time::Date) -> String {
    format!(
        "{:02}/{:02}/{:04}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// `jj/mm/aaaa` of a stored day or instant ("2026-11-28", "2026-11-28T09:00:00Z"); empty
/// when it is not one.
pub fn french_day_of(stored: &str) -> String {
    stored
        .get(..10)
        .and_then(|day| passerelle_store::db::time_text::text_to_date(day).ok())
        .map(french_date)
        .unwrap_or_default()
}

/// `jj/mm/aaaa HH:MM` in Paris of a stored instant ("2026-11-28T08:00:00.000000Z" →
/// "28/11/2026 09:00"); the text itself when it is not one.
pub fn french_instant_of(stored: &str) -> String {
    stored
        .parse::<Timestamp>()
        .ok()
        .and_then(|instant| instant.in_tz(PARIS).ok())
        .map(|zoned| zoned.strftime("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_else(|| stored.to_string())
}

/// The current instant as Unix seconds.
pub fn now_unix() -> i64 {
    Timestamp::now().as_second()
}

/// The civil date and time of an instant in a time zone (Europe/Paris by default).
pub fn civil_of(unix: i64, zone: &str) -> (time::Date, time::Time) {
    let zone = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let instant = Timestamp::from_second(unix).unwrap_or(Timestamp::UNIX_EPOCH);
    let zoned = instant.to_zoned_datetime(zone);
    let date = time_date_of(zoned.date());
    let clock = time::Time::from_hms(zoned.hour() as u8, zoned.minute() as u8, 0)
        .unwrap_or(time::Time::MIDNIGHT);
    (date, clock)
}

fn time_date_of(civil: jiff::civil::Date) -> time::Date {
    let month = time::Month::try_from(civil.month() as u8).unwrap_or(time::Month::January);
    time::Date::from_calendar_date(civil.year() as i32, month, civil.day() as u8)
        .unwrap_or(time::Date::MIN)
}

/// "lundi 30/11/2026 à 9 h 00", in the given time zone.
pub fn french_date_time(unix: i64, zone: &str) -> String {
    let (date, clock) = civil_of(unix, zone);
    format!(
        "{} {} à {}",
        passerelle_domain::presence::weekday_label(date.weekday()).to_lowercase(),
        french_date(date),
        passerelle_domain::presence::clock_label(clock)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_evening_utc_is_already_tomorrow_in_paris() {
        // 31/12/2026 23:30 UTC is 01/01/2027 00:30 in Paris (UTC+1 in winter).
        let instant: Timestamp = "2026-12-31T23:30:00Z".parse().unwrap();
        assert_eq!(french_date(paris_date_of(instant)), "01/01/2027");
        // In summer Paris is UTC+2.
        let instant: Timestamp = "2026-07-13T22:30:00Z".parse().unwrap();
        assert_eq!(french_date(paris_date_of(instant)), "14/07/2026");
    }

    #[test]
    fn a_stored_instant_reads_in_paris_to_the_minute() {
        assert_eq!(
            french_instant_of("2026-12-31T23:30:00.120000Z"),
            "01/01/2027 00:30"
        );
        assert_eq!(
            french_instant_of("2026-07-13T08:05:59Z"),
            "13/07/2026 10:05"
        );
        assert_eq!(french_instant_of("pas un instant"), "pas un instant");
    }
}
