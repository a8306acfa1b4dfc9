//! The time the application decides by: when a session has been idle too long, a login lock
//! has lapsed, an invitation has expired, a copy kept in memory is too old, an e-mail is due.
//!
//! A server reads the system's time, always. Tests hold the hand of an adjustable clock (the
//! system's time moved on by what they advanced), so that they see 31 minutes pass at once
//! instead of waiting for them, and never race the real time. It only moves forward: what the
//! application keeps by elapsed time (`instant`) stays monotonic.

use crate::db::time_text::instant_to_text;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// The application's time, carried by the `Db` (and by what reads it) so that every decision
/// of one server or one test reads the same clock.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Nanoseconds a test moved this clock on; None for the system's clock.
    moved_on: Option<Arc<AtomicU64>>,
}

impl Clock {
    /// The system's clock, the only one a server ever reads.
    pub fn system() -> Self {
        Self::default()
    }

    /// For tests: a clock that reads the system's time until `ClockHand::advance` moves it on.
    #[cfg(any(test, feature = "testing"))]
    pub fn adjustable() -> (Self, ClockHand) {
        let moved_on = Arc::new(AtomicU64::new(0));
        (
            Self {
                moved_on: Some(moved_on.clone()),
            },
            ClockHand(moved_on),
        )
    }

    fn moved_on(&self) -> Duration {
        self.moved_on.as_ref().map_or(Duration::ZERO, |n| {
            Duration::from_nanos(n.load(Ordering::Acquire))
        })
    }

    /// Now, in UTC.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.moved_on()
    }

    /// Now, as stored (`db::time_text::instant_to_text`).
    pub fn now_text(&self) -> String {
        instant_to_text(self.now())
    }

    /// Now, for measuring how long something was kept in memory (never goes back).
    pub fn instant(&self) -> Instant {
        let now = Instant::now();
        now.checked_add(self.moved_on()).unwrap_or(now)
    }
}

/// What moves an adjustable clock on; only tests hold one.
#[derive(Clone, Debug)]
pub struct ClockHand(Arc<AtomicU64>);

impl ClockHand {
    /// Moves the clock on by `by`, as if that much time had passed at once.
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |moved| {
                Some(moved.saturating_add(nanos))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adjustable_clock_moves_on_by_what_its_hand_advances_and_the_system_one_does_not() {
        let (clock, hand) = Clock::adjustable();
        let (wall, kept) = (clock.now(), clock.instant());
        hand.advance(Duration::from_secs(31 * 60));
        assert!(clock.now() - wall >= time::Duration::minutes(31));
        assert!(clock.instant() - kept >= Duration::from_secs(31 * 60));
        assert!(clock.now_text() >= instant_to_text(wall + time::Duration::minutes(31)));
        let system = Clock::system();
        assert!(system.now() - OffsetDateTime::now_utc() < time::Duration::minutes(1));
        let copy = clock.clone();
        hand.advance(Duration::from_secs(3600));
        assert!(
            copy.now() - wall >= time::Duration::minutes(91),
            "clones share the hand"
        );
    }
}
