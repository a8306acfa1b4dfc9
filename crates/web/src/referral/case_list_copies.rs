//! This server's copies of case lists, kept only while they are current.
//!
//! A social worker's case list is read far more often than its post's cases change. A copy is
//! tagged with the post's read stamp and the registry's (`store::read_stamp`, moved by
//! database triggers on every write that can change a list, whoever makes it); a background
//! task polls the stamps, and a copy is served only while both are unchanged. So:
//! - a write answered by this server shows at once: after every form it answers, the server
//!   polls the stamps before answering, so the lists the form changed are read again and the
//!   others stay kept (if that poll fails, it forgets every copy);
//! - a write by another server or the command line shows within one poll;
//! - if polling stops (database unreachable), the copies are no longer trusted after a few
//!   missed polls and every list is read from the database again;
//! - when a list must be read, one request reads it and the others asking for it meanwhile
//!   wait for that read instead of making their own (after a write, not 64 reads at once).
//!
//! What is kept holds no personal data (the lines carry codes, dates, a unit's name and a
//! number of persons); who may read it is decided on every request, from the kept post and
//! replacements, exactly as when they are read from the database.

use crate::AppState;
use crate::http::error::{WebError, WebResult};
use passerelle_domain::access::Place;
use passerelle_store::db::clock::Clock;
use passerelle_store::db::read_stamp::{self, REGISTRY};
use passerelle_store::referral::{InboxFilter, InboxRow};
use passerelle_store::registry::post::PostRow;
use passerelle_store::registry::replacement::ReplacementRow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};
use time::Date;

/// Which list: the same reader, post, day (replacements are granted by day), filter and page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListKey {
    pub account_id: String,
    pub post_id: String,
    pub day: Date,
    pub filter: InboxFilter,
    pub page: i64,
}

/// What a case list reads from the database.
#[derive(Debug, Clone)]
pub struct ListRead {
    pub post: PostRow,
    pub place: Place,
    /// The posts the reader replaces in today.
    pub account_posts: Vec<ReplacementRow>,
    pub rows: Vec<InboxRow>,
    pub total: i64,
}

/// The stamps a copy was read under, taken before reading it: part of the copy's key, so a
/// copy is found only while its stamps still stand (older ones age out unread).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Tag {
    post: i64,
    registry: i64,
    /// How many times this server forgot every copy.
    generation: u64,
}

struct Stamps {
    polled_at: Instant,
    by_subject: HashMap<String, i64>,
}

impl Stamps {
    fn of(&self, subject: &str) -> i64 {
        self.by_subject.get(subject).copied().unwrap_or(0)
    }
}

pub struct CaseListMemory {
    /// None when the configuration turns the memory off.
    lists: Option<moka::future::Cache<(ListKey, Tag), Arc<ListRead>>>,
    poll_every: Duration,
    stamps: RwLock<Option<Stamps>>,
    generation: AtomicU64,
    /// The database's: stamps age on it, so a test sees polling stop without waiting.
    clock: Clock,
}

/// Lists kept at most (each about 10 KB), current or not yet aged out.
const CAPACITY: u64 = 5_000;
/// A copy nobody reads for this long is dropped (an outdated one is never read again).
const IDLE: Duration = Duration::from_secs(120);
/// Stamps older than this many polls are not trusted: polling has stopped or fails.
const TRUSTED_POLLS: u32 = 4;

/// Where a list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// This server's current copy (or a read another request was making for it).
    Memory,
    /// Read for this request.
    Database,
}

impl CaseListMemory {
    pub fn new(poll_every: Duration, clock: Clock) -> Self {
        Self {
            lists: (!poll_every.is_zero()).then(|| {
                moka::future::Cache::builder()
                    .max_capacity(CAPACITY)
                    .time_to_idle(IDLE)
                    .build()
            }),
            poll_every,
            stamps: RwLock::new(None),
            generation: AtomicU64::new(0),
            clock,
        }
    }

    /// The stamps `post_id`'s list stands under now; None when no copy may be used (memory
    /// off, or stamps not polled lately).
    fn tag(&self, post_id: &str) -> Option<Tag> {
        let stamps = self.stamps.read().ok()?;
        let now = self.clock.instant();
        let stamps = stamps.as_ref().filter(|s| {
            now.saturating_duration_since(s.polled_at) < self.poll_every * TRUSTED_POLLS
        })?;
        Some(Tag {
            post: stamps.of(post_id),
            registry: stamps.of(REGISTRY),
            generation: self.generation.load(Ordering::Acquire),
        })
    }

    /// The list under `key`: the current copy, else `read` (kept if it succeeds).
    pub async fn get_or_read(
        &self,
        key: ListKey,
        read: impl Future<Output = WebResult<Arc<ListRead>>>,
    ) -> WebResult<(Arc<ListRead>, Source)> {
        let (Some(lists), Some(tag)) = (&self.lists, self.tag(&key.post_id)) else {
            return Ok((read.await?, Source::Database));
        };
        let entry = lists
            .entry((key, tag))
            .or_try_insert_with(read)
            .await
            .map_err(shared_error)?;
        let source = if entry.is_fresh() {
            Source::Database
        } else {
            Source::Memory
        };
        Ok((entry.into_value(), source))
    }

    /// Forgets every copy, and any read under way (its key carries the previous generation).
    pub fn forget_all(&self) {
        if let Some(lists) = &self.lists {
            self.generation.fetch_add(1, Ordering::AcqRel);
            lists.invalidate_all();
        }
    }

    /// After a form this server answered, before answering it: what the form wrote has
    /// moved its stamps, so its lists are read again and the others stay kept. Only while the
    /// stamps are being polled (otherwise no copy is served anyway).
    pub async fn poll_now(&self, db: &passerelle_store::Db) {
        if self.lists.is_none() || self.tag(REGISTRY).is_none() {
            return;
        }
        match read_stamp::all(db).await {
            Ok(stamps) => self.polled(stamps),
            Err(error) => {
                tracing::warn!(%error, "read stamps not polled after a form: every case list forgotten");
                self.forget_all();
            }
        }
    }

    /// One poll of the read stamps: what the background task of `watch` does every
    /// `poll_every` (a test calls it instead of waiting for the task). A failure only logs:
    /// the copies age out of trust after a few missed polls.
    pub async fn poll(&self, db: &passerelle_store::Db) {
        match read_stamp::all(db).await {
            Ok(stamps) => self.polled(stamps),
            Err(error) => {
                tracing::warn!(%error, "read stamps not polled: case lists read from the database")
            }
        }
    }

    /// Stamps only move forward: a poll that began before another one and ends after it
    /// must not take them back.
    fn polled(&self, by_subject: HashMap<String, i64>) {
        if let Ok(mut stamps) = self.stamps.write() {
            let mut merged = stamps.take().map(|s| s.by_subject).unwrap_or_default();
            for (subject, stamp) in by_subject {
                let kept = merged.entry(subject).or_insert(stamp);
                *kept = (*kept).max(stamp);
            }
            *stamps = Some(Stamps {
                polled_at: self.clock.instant(),
                by_subject: merged,
            });
        }
    }
}

/// A failed read, as each request that waited for it receives it.
fn shared_error(error: Arc<WebError>) -> WebError {
    match Arc::try_unwrap(error) {
        Ok(error) => error,
        Err(shared) => match shared.as_ref() {
            WebError::Forbidden => WebError::Forbidden,
            WebError::NotFound => WebError::NotFound,
            other => WebError::Internal(anyhow::anyhow!("{other}")),
        },
    }
}

/// Polls the read stamps for as long as the server's state lives; does nothing when the
/// memory is off. Started by `passerelle serve` (and the benchmark) beside the server.
pub fn watch(state: &AppState) {
    let memory = Arc::downgrade(&state.case_lists);
    if state.case_lists.lists.is_some() {
        let every = state.case_lists.poll_every;
        tokio::spawn(poll_forever(memory, state.db.clone(), every));
    }
}

async fn poll_forever(memory: Weak<CaseListMemory>, db: passerelle_store::Db, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(memory) = memory.upgrade() else {
            return;
        };
        memory.poll(&db).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(post: &str) -> ListKey {
        ListKey {
            account_id: "a".into(),
            post_id: post.into(),
            day: time::macros::date!(2026 - 11 - 29),
            filter: InboxFilter::default(),
            page: 1,
        }
    }

    fn list(total: i64) -> Arc<ListRead> {
        Arc::new(ListRead {
            post: PostRow {
                id: "p".into(),
                code: "P".into(),
                zone: passerelle_domain::registry::post::Zone::Gendarmerie,
                status: passerelle_domain::registry::post::PostStatus::Filled,
                departement_code: passerelle_domain::registry::territory::DepartementCode::parse(
                    "01",
                )
                .unwrap(),
                employer_id: "e".into(),
                employer: "E".into(),
                fte: 1.0,
                created_on: None,
                closed_on: None,
                since: None,
            },
            place: Place::default(),
            account_posts: Vec::new(),
            rows: Vec::new(),
            total,
        })
    }

    fn stamps(pairs: &[(&str, i64)]) -> HashMap<String, i64> {
        pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect()
    }

    /// Asks `memory` for post `post`'s list, reading `total` if it must: (total, source).
    async fn ask(memory: &CaseListMemory, post: &str, total: i64) -> (i64, Source) {
        let (read, source) = memory
            .get_or_read(key(post), async move { Ok(list(total)) })
            .await
            .unwrap();
        (read.total, source)
    }

    /// Polled every minute on the system's clock: in these tests, stamps are polled by hand
    /// and stay trusted however slowly the test runs.
    fn memory() -> CaseListMemory {
        CaseListMemory::new(Duration::from_secs(60), Clock::system())
    }

    #[tokio::test]
    async fn a_copy_is_served_only_while_its_stamps_stand() {
        let memory = memory();
        assert_eq!(ask(&memory, "p", 1).await, (1, Source::Database));
        assert_eq!(
            ask(&memory, "p", 2).await,
            (2, Source::Database),
            "never polled: nothing is trusted"
        );
        memory.polled(stamps(&[("p", 3), ("q", 1), (REGISTRY, 7)]));
        assert_eq!(ask(&memory, "p", 3).await, (3, Source::Database));
        assert_eq!(ask(&memory, "p", 4).await, (3, Source::Memory));
        assert_eq!(
            ask(&memory, "q", 5).await,
            (5, Source::Database),
            "another post"
        );

        memory.polled(stamps(&[("p", 3), ("q", 2), (REGISTRY, 7)]));
        assert_eq!(
            ask(&memory, "p", 6).await,
            (3, Source::Memory),
            "another post changed"
        );
        memory.polled(stamps(&[("p", 4), ("q", 2), (REGISTRY, 7)]));
        assert_eq!(
            ask(&memory, "p", 7).await,
            (7, Source::Database),
            "its post changed"
        );
        memory.polled(stamps(&[("p", 4), ("q", 2), (REGISTRY, 8)]));
        assert_eq!(
            ask(&memory, "p", 8).await,
            (8, Source::Database),
            "the registry changed"
        );
        assert_eq!(ask(&memory, "p", 9).await, (8, Source::Memory));
    }

    /// A read of post "p"'s list (yielding `total`) that has begun and waits until `release`
    /// is dropped.
    async fn read_under_way(
        memory: &Arc<CaseListMemory>,
        total: i64,
    ) -> (
        tokio::task::JoinHandle<i64>,
        tokio::sync::oneshot::Sender<()>,
    ) {
        let (began, has_begun) = tokio::sync::oneshot::channel::<()>();
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let memory = memory.clone();
        let read = tokio::spawn(async move {
            memory
                .get_or_read(key("p"), async move {
                    let _ = began.send(());
                    let _ = released.await;
                    Ok(list(total))
                })
                .await
                .unwrap()
                .0
                .total
        });
        has_begun.await.unwrap();
        (read, release)
    }

    #[tokio::test]
    async fn a_read_begun_before_stamps_moved_is_not_served_after_and_forgetting_drops_all() {
        let memory = Arc::new(memory());
        memory.polled(stamps(&[("p", 1)]));
        // A read under way while a form writes and the server polls again (`poll_now`).
        let (slow, release) = read_under_way(&memory, 1).await;
        memory.polled(stamps(&[("p", 2)]));
        drop(release);
        assert_eq!(slow.await.unwrap(), 1);
        assert_eq!(ask(&memory, "p", 2).await, (2, Source::Database));
        assert_eq!(ask(&memory, "p", 3).await, (2, Source::Memory));

        // The same with a read under way when everything is forgotten.
        memory.forget_all();
        let (slow, release) = read_under_way(&memory, 4).await;
        memory.forget_all();
        drop(release);
        assert_eq!(slow.await.unwrap(), 4);
        assert_eq!(ask(&memory, "p", 5).await, (5, Source::Database));
    }

    #[tokio::test]
    async fn a_late_poll_never_takes_the_stamps_back() {
        let memory = memory();
        memory.polled(stamps(&[("p", 3), (REGISTRY, 2)]));
        ask(&memory, "p", 1).await;
        // A poll that began before the last one and ended after it.
        memory.polled(stamps(&[("p", 2), (REGISTRY, 2)]));
        assert_eq!(ask(&memory, "p", 2).await, (1, Source::Memory));
        memory.polled(stamps(&[("p", 4), (REGISTRY, 2)]));
        memory.polled(stamps(&[("p", 3), (REGISTRY, 2)]));
        assert_eq!(ask(&memory, "p", 5).await, (5, Source::Database));
        assert_eq!(ask(&memory, "p", 6).await, (5, Source::Memory));
    }

    #[tokio::test]
    async fn requests_arriving_during_a_read_wait_for_it_instead_of_reading() {
        const ASKS: usize = 16;
        let memory = Arc::new(memory());
        memory.polled(stamps(&[("p", 1)]));
        let reads = Arc::new(AtomicU64::new(0));
        // A read ends only once every request has arrived: each one that made its own read
        // instead of waiting would be counted.
        let (arrive, arrivals) = tokio::sync::watch::channel(0usize);
        let asks: Vec<_> = (0..ASKS)
            .map(|_| {
                let (memory, reads, arrive) = (memory.clone(), reads.clone(), arrive.clone());
                let mut arrivals = arrivals.clone();
                tokio::spawn(async move {
                    arrive.send_modify(|n| *n += 1);
                    memory
                        .get_or_read(key("p"), async move {
                            reads.fetch_add(1, Ordering::SeqCst);
                            let _ = arrivals.wait_for(|n| *n == ASKS).await;
                            Ok(list(1))
                        })
                        .await
                        .unwrap()
                })
            })
            .collect();
        for ask in asks {
            ask.await.unwrap();
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn stamps_not_polled_lately_are_not_trusted_and_off_keeps_nothing() {
        let (clock, hand) = Clock::adjustable();
        let every = Duration::from_secs(60);
        let memory = CaseListMemory::new(every, clock.clone());
        memory.polled(stamps(&[("p", 1)]));
        ask(&memory, "p", 1).await;
        assert_eq!(ask(&memory, "p", 2).await.1, Source::Memory);
        hand.advance(every * (TRUSTED_POLLS - 1));
        assert_eq!(
            ask(&memory, "p", 3).await.1,
            Source::Memory,
            "a poll missed"
        );
        hand.advance(every);
        assert_eq!(ask(&memory, "p", 4).await, (4, Source::Database));
        memory.polled(stamps(&[("p", 1)]));
        assert_eq!(ask(&memory, "p", 5).await.1, Source::Memory, "polled again");

        let off = CaseListMemory::new(Duration::ZERO, clock);
        off.polled(stamps(&[("p", 1)]));
        ask(&off, "p", 1).await;
        assert_eq!(ask(&off, "p", 2).await, (2, Source::Database));
    }

    #[tokio::test]
    async fn a_failed_read_is_not_kept_and_keeps_its_kind() {
        let memory = memory();
        memory.polled(stamps(&[("p", 1)]));
        let refused = memory
            .get_or_read(key("p"), async { Err(WebError::Forbidden) })
            .await;
        assert!(matches!(refused, Err(WebError::Forbidden)));
        assert_eq!(ask(&memory, "p", 2).await, (2, Source::Database));
    }
}
