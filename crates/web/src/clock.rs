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
    let civil = instant.to_zoned_datetime(zone).date();
    let month = time::Month::try_from(civil.month() as u8).unwrap_or(time::Month::January);
    time::Date::from_calendar_date(civil.year() as i32, month, civil.day() as u8)
        .unwrap_or(time::Date::MIN)
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
}
