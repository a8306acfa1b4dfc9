//! iCalendar feeds (RFC 5545): presence slots and appointments, every time in UTC so that no
//! calendar has to know the Paris rules for daylight saving.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike};

/// One event of a feed.
#[derive(Debug, Clone)]
pub struct FeedEvent {
    /// Stable across regenerations, so calendars update the event instead of duplicating it.
    pub uid: String,
    pub starts_unix: i64,
    pub ends_unix: i64,
    pub summary: String,
    pub location: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
}

/// A whole feed as iCalendar text.
pub fn feed(name: &str, events: &[FeedEvent], generated_unix: i64) -> String {
    let stamp = instant(generated_unix);
    let mut calendar = Calendar::new();
    calendar.name(name);
    for event in events {
        let mut entry = icalendar::Event::new();
        entry
            .uid(&event.uid)
            .timestamp(stamp)
            .starts(instant(event.starts_unix))
            .ends(instant(event.ends_unix))
            .summary(&event.summary);
        if let Some(location) = &event.location {
            entry.location(location);
        }
        if let Some(description) = &event.description {
            entry.description(description);
        }
        if let Some(url) = &event.url {
            entry.url(url);
        }
        calendar.push(entry.done());
    }
    calendar.done().to_string()
}

fn instant(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_utc() {
        let text = feed(
            "Présences",
            &[FeedEvent {
                uid: "slot-1-2026-11-30@passerelle".into(),
                // 30/11/2026 09:00 in Paris is 08:00 UTC.
                starts_unix: 1_796_025_600,
                ends_unix: 1_796_038_200,
                summary: "Présence à la brigade".into(),
                location: Some("Brigade de Saint-Malo".into()),
                description: None,
                url: None,
            }],
            1_796_000_000,
        );
        assert!(text.contains("DTSTART:20261130T080000Z"), "{text}");
        assert!(text.contains("DTEND:20261130T113000Z"), "{text}");
        assert!(text.contains("BEGIN:VCALENDAR"));
    }
}
