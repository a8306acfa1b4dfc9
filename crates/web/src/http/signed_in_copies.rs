//! A short memory of who is signed in, so that a page does not read the session, the account
//! and its roles from the database on every request (three queries, most of a simple page's
//! cost). Kept for a couple of seconds and forgotten entirely after any form this server
//! answers, so a change made here (logout, role switch, disabling) applies at once; one made
//! by another server or the command line applies within the time kept. Only pages (GET) use
//! it: a form always acts on what the database holds.

use passerelle_store::db::clock::Clock;
use passerelle_store::identity::account::{AccountRow, RoleRow};
use passerelle_store::identity::session::Session;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a signed-in request needs, as last read from the database.
#[derive(Debug, Clone)]
pub struct SignedInRecord {
    pub session: Session,
    pub account: AccountRow,
    pub roles: Vec<RoleRow>,
}

/// A record and the instant (on the server's clock) past which it is not used.
type Kept = (Arc<SignedInRecord>, Instant);

pub struct SignedInCache {
    /// None when the configuration turns the memory off.
    entries: Option<moka::sync::Cache<String, Kept>>,
    kept_for: Duration,
    /// The database's: a test moves it on to see a record outlive its time.
    clock: Clock,
}

/// Enough for every person signed in to one server at once.
const CAPACITY: u64 = 50_000;

impl SignedInCache {
    pub fn new(kept_for: Duration, clock: Clock) -> Self {
        Self {
            // The cache's own time to live frees the memory; whether a record may still be
            // used is decided on `clock`.
            entries: (!kept_for.is_zero()).then(|| {
                moka::sync::Cache::builder()
                    .max_capacity(CAPACITY)
                    .time_to_live(kept_for)
                    .build()
            }),
            kept_for,
            clock,
        }
    }

    /// By the hash of the session token (the cookie itself is never kept).
    pub fn get(&self, token_hash: &str) -> Option<Arc<SignedInRecord>> {
        let (record, until) = self.entries.as_ref()?.get(token_hash)?;
        (self.clock.instant() < until).then_some(record)
    }

    pub fn keep(&self, record: SignedInRecord) {
        if let Some(entries) = &self.entries {
            let until = self.clock.instant() + self.kept_for;
            entries.insert(record.session.token_hash.clone(), (Arc::new(record), until));
        }
    }

    /// After any write: the next requests read the database again.
    pub fn forget_all(&self) {
        if let Some(entries) = &self.entries {
            entries.invalidate_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(hash: &str) -> SignedInRecord {
        SignedInRecord {
            session: Session {
                token_hash: hash.into(),
                account_id: Some("a".into()),
                active_role_id: None,
                second_factor_done: 1,
                oidc_state: None,
                created_at: "2026-11-29T09:00:00Z".into(),
                last_seen_at: "2026-11-29T09:00:00Z".into(),
                ip: None,
                trusted_until: None,
            },
            account: AccountRow {
                id: "a".into(),
                email: "a@example.org".into(),
                display_name: "A".into(),
                password_hash: None,
                disabled: 0,
                totp_secret_sealed: None,
                totp_enabled: 0,
                totp_last_step: 0,
                oidc_subject: None,
                invitation_expires_at: None,
            },
            roles: Vec::new(),
        }
    }

    #[test]
    fn kept_until_forgotten_or_expired_and_never_when_turned_off() {
        let (clock, hand) = Clock::adjustable();
        let cache = SignedInCache::new(Duration::from_secs(60), clock.clone());
        cache.keep(record("h1"));
        assert!(cache.get("h1").is_some());
        assert!(cache.get("h2").is_none());
        cache.forget_all();
        assert!(cache.get("h1").is_none());
        cache.keep(record("h1"));
        hand.advance(Duration::from_secs(59));
        assert!(cache.get("h1").is_some(), "still within its time");
        hand.advance(Duration::from_secs(1));
        assert!(cache.get("h1").is_none(), "expired");
        let off = SignedInCache::new(Duration::ZERO, clock);
        off.keep(record("h1"));
        assert!(off.get("h1").is_none());
    }
}
