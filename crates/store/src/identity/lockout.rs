//! The lockout of guessed logins, as counted in the database (so across sessions and app
//! servers). Wrong passwords, wrong second-factor codes and wrong current passwords count
//! together under two keys: the account (its login name hashed, known or not) and the
//! client's network address. 5 failures within 15 minutes lock the account for 15 minutes,
//! 30 lock the address.
//!
//! A right password clears nothing: only a completed login (the password, then the code
//! when the account has a second factor) clears the account's count. The address count is
//! never cleared by a success: it lapses with time only.
//!
//! Parallel attempts cannot slip past the count: a password is counted as a failure before
//! its (slow) check and taken back when right; a code is checked while its account's count
//! is held. The pages and their words stay in the web crate.
//!
//! Every instant here is the `Db`'s clock's, taken once per attempt (`now`): the lock's end,
//! the window and the count's last failure are measured on the same clock.

use crate::db::time_text::instant_to_text;
use crate::{Db, StoreError};
use passerelle_domain::identity::account::{
    ADDRESS_LOCKOUT_THRESHOLD, LOCKOUT_DURATION, LOCKOUT_THRESHOLD,
};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use time::OffsetDateTime;

/// The hash under which failures of a login name are counted (known or not).
pub fn login_hash(email: &str) -> String {
    Sha256::digest(email.trim().to_lowercase().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The key under which failures from one network address are counted (same table as
/// login names, kept apart by a prefix, so every app server sees the same count).
pub fn address_hash(ip: &str) -> String {
    login_hash(&format!("adresse-ip:{ip}"))
}

/// Which count stopped the login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    Account,
    Address,
}

/// The failures counted with a reserved attempt, under each key.
pub struct Reserved {
    account: i64,
    address: Option<i64>,
}

/// The two counts one login attempt answers to.
pub struct Counts {
    account: String,
    address: Option<String>,
}

fn is_locked(locked_until: Option<&str>, now: OffsetDateTime) -> bool {
    locked_until.is_some_and(|until| until > instant_to_text(now).as_str())
}

impl Counts {
    /// `login` is the login name typed (or the account's address); `ip` the client's.
    pub fn new(login: &str, ip: Option<&str>) -> Self {
        Counts {
            account: login_hash(login),
            address: ip.map(address_hash),
        }
    }

    /// The lock in force, if any; the address first, as it says more to the person.
    pub async fn lock(&self, db: &Db) -> Result<Option<Lock>, StoreError> {
        let now = db.clock().now();
        if let Some(address) = &self.address
            && is_locked(login_lock(db, address).await?.as_deref(), now)
        {
            return Ok(Some(Lock::Address));
        }
        let account = login_lock(db, &self.account).await?;
        Ok(is_locked(account.as_deref(), now).then_some(Lock::Account))
    }

    /// Whether the account is locked, holding its count until the transaction ends: the
    /// attempt is checked and counted before the next one on the same account is let in.
    /// For codes, checked in no time; not for passwords (Argon2 would hold every login).
    /// Nothing else may be read from the pool meanwhile: the waiting attempts hold
    /// connections too.
    pub(crate) async fn hold_account(
        &self,
        connection: &mut AnyConnection,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let until = hold_login_lock(connection, &self.account, now).await?;
        Ok(is_locked(until.as_deref(), now))
    }

    /// Counts a password attempt as a failure before checking it (Argon2 takes a while:
    /// parallel guesses must each see the ones before them), in a transaction of its own.
    /// Refused when a count is locked or already full; then nothing stays counted.
    pub async fn reserve(&self, db: &Db) -> Result<Result<Reserved, Lock>, StoreError> {
        let mut tx = db.begin_write().await?;
        let reserved = self.reserve_in(&mut tx, db.clock().now()).await?;
        tx.commit().await?;
        Ok(reserved)
    }

    async fn reserve_in(
        &self,
        connection: &mut AnyConnection,
        now: OffsetDateTime,
    ) -> Result<Result<Reserved, Lock>, StoreError> {
        let account = reserve_login_attempt(connection, &self.account, now).await?;
        if is_locked(account.locked_until.as_deref(), now) {
            return Ok(Err(Lock::Account));
        }
        if account.failures > LOCKOUT_THRESHOLD {
            give_back_login_attempt(connection, &self.account).await?;
            return Ok(Err(Lock::Account));
        }
        let mut reserved = Reserved {
            account: account.failures,
            address: None,
        };
        if let Some(key) = &self.address {
            let address = reserve_login_attempt(connection, key, now).await?;
            let full = address.failures > ADDRESS_LOCKOUT_THRESHOLD;
            if full {
                give_back_login_attempt(connection, key).await?;
            }
            if full || is_locked(address.locked_until.as_deref(), now) {
                give_back_login_attempt(connection, &self.account).await?;
                return Ok(Err(Lock::Address));
            }
            reserved.address = Some(address.failures);
        }
        Ok(Ok(reserved))
    }

    /// The reserved attempt proved right or wrong, in a transaction of its own (the current
    /// password of the password page): the lock it set, if any.
    pub async fn settle(
        &self,
        db: &Db,
        reserved: &Reserved,
        right: bool,
    ) -> Result<Option<Lock>, StoreError> {
        let mut tx = db.begin_write().await?;
        let lock = if right {
            self.right(&mut tx).await?;
            None
        } else {
            self.wrong(&mut tx, reserved, db.clock().now()).await?
        };
        tx.commit().await?;
        Ok(lock)
    }

    /// The reserved attempt was right: its counts are taken back (a right password clears
    /// nothing more).
    pub(crate) async fn right(&self, connection: &mut AnyConnection) -> Result<(), StoreError> {
        give_back_login_attempt(connection, &self.account).await?;
        if let Some(address) = &self.address {
            give_back_login_attempt(connection, address).await?;
        }
        Ok(())
    }

    /// The reserved attempt was wrong: it stays counted, and locks what it filled.
    pub(crate) async fn wrong(
        &self,
        connection: &mut AnyConnection,
        reserved: &Reserved,
        now: OffsetDateTime,
    ) -> Result<Option<Lock>, StoreError> {
        let until = instant_to_text(now + LOCKOUT_DURATION);
        let mut lock = None;
        if let (Some(address), Some(failures)) = (&self.address, reserved.address)
            && failures >= ADDRESS_LOCKOUT_THRESHOLD
        {
            lock_login(connection, address, &until).await?;
            lock = Some(Lock::Address);
        }
        if reserved.account >= LOCKOUT_THRESHOLD {
            lock_login(connection, &self.account, &until).await?;
            lock = Some(Lock::Account);
        }
        Ok(lock)
    }

    /// Counts one wrong password or code under both keys; the lock it set, if any.
    pub(crate) async fn count_failure(
        &self,
        connection: &mut AnyConnection,
        now: OffsetDateTime,
    ) -> Result<Option<Lock>, StoreError> {
        let account_locked =
            record_login_failure(connection, &self.account, LOCKOUT_THRESHOLD, now).await?;
        let address_locked = match &self.address {
            Some(address) => {
                record_login_failure(connection, address, ADDRESS_LOCKOUT_THRESHOLD, now).await?
            }
            None => false,
        };
        Ok(if account_locked {
            Some(Lock::Account)
        } else {
            address_locked.then_some(Lock::Address)
        })
    }

    /// The login is complete: the account's count starts again.
    pub(crate) async fn login_completed(
        &self,
        connection: &mut AnyConnection,
    ) -> Result<(), StoreError> {
        clear_login_failures(connection, &self.account).await
    }
}

/// An administrator unlocks an account: its count starts again, and the unlocking is
/// journaled in the same transaction.
pub async fn unlock(db: &Db, email: &str, entry: crate::journal::Entry) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    clear_login_failures(&mut tx, &login_hash(email)).await?;
    crate::journal::append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Login failures, counted per login name typed (hashed), known or not.

async fn login_lock(db: &Db, login_hash: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT locked_until FROM login_failures WHERE login_hash = $1")
            .bind(login_hash)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|(until,)| until))
}

/// Takes the login name's row until the end of the transaction (creating it, with no
/// failure, if need be) and returns its lock. Attempts on one name then run one after the
/// other: parallel requests cannot all be checked before the first failure is counted.
async fn hold_login_lock(
    connection: &mut AnyConnection,
    login_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<String>, StoreError> {
    // A no-op update still locks the row on PostgreSQL; SQLite has one writer at a time.
    sqlx::query(
        "INSERT INTO login_failures (login_hash, failures, locked_until, updated_at) VALUES ($1, 0, NULL, $2) \
         ON CONFLICT (login_hash) DO UPDATE SET failures = login_failures.failures",
    )
    .bind(login_hash)
    .bind(instant_to_text(now))
    .execute(&mut *connection)
    .await?;
    let (until,): (Option<String>,) =
        sqlx::query_as("SELECT locked_until FROM login_failures WHERE login_hash = $1")
            .bind(login_hash)
            .fetch_one(&mut *connection)
            .await?;
    Ok(until)
}

/// Counts one failure; locks the login name for the lockout's duration once `threshold` is
/// reached. Returns true when this failure locked it.
async fn record_login_failure(
    connection: &mut AnyConnection,
    login_hash: &str,
    threshold: i64,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let lock_until = instant_to_text(now + LOCKOUT_DURATION);
    // Failures older than the lockout window are forgotten: the count starts again at 1.
    let window_start = instant_to_text(now - LOCKOUT_DURATION);
    let now = instant_to_text(now);
    sqlx::query(
        "INSERT INTO login_failures (login_hash, failures, locked_until, updated_at) VALUES ($1, 1, NULL, $2) \
         ON CONFLICT (login_hash) DO UPDATE SET \
         failures = CASE WHEN login_failures.updated_at < $3 THEN 1 ELSE login_failures.failures + 1 END, \
         updated_at = excluded.updated_at",
    )
    .bind(login_hash)
    .bind(&now)
    .bind(&window_start)
    .execute(&mut *connection)
    .await?;
    let locked = sqlx::query("UPDATE login_failures SET locked_until = $1, failures = 0 WHERE login_hash = $2 AND failures >= $3")
        .bind(&lock_until)
        .bind(login_hash)
        .bind(threshold)
        .execute(&mut *connection)
        .await?
        .rows_affected();
    Ok(locked > 0)
}

/// An attempt counted before it is checked: the lock in force (then nothing was counted),
/// or the failures counted with this one.
#[derive(Debug, Clone)]
struct LoginAttempt {
    pub locked_until: Option<String>,
    pub failures: i64,
}

/// Counts an attempt as a failure before it is checked, unless the login name is locked;
/// `give_back_login_attempt` takes the count back when it proves right. Parallel attempts
/// thus each see the ones before them, however long the check takes (Argon2).
async fn reserve_login_attempt(
    connection: &mut AnyConnection,
    login_hash: &str,
    now: OffsetDateTime,
) -> Result<LoginAttempt, StoreError> {
    let locked_until = hold_login_lock(connection, login_hash, now).await?;
    if is_locked(locked_until.as_deref(), now) {
        return Ok(LoginAttempt {
            locked_until,
            failures: 0,
        });
    }
    let window_start = instant_to_text(now - LOCKOUT_DURATION);
    // Failures older than the lockout window are forgotten: the count starts again at 1.
    sqlx::query(
        "UPDATE login_failures SET \
         failures = CASE WHEN updated_at < $2 THEN 1 ELSE failures + 1 END, updated_at = $3 \
         WHERE login_hash = $1",
    )
    .bind(login_hash)
    .bind(&window_start)
    .bind(instant_to_text(now))
    .execute(&mut *connection)
    .await?;
    let (failures,): (i64,) =
        sqlx::query_as("SELECT failures FROM login_failures WHERE login_hash = $1")
            .bind(login_hash)
            .fetch_one(&mut *connection)
            .await?;
    Ok(LoginAttempt {
        locked_until: None,
        failures,
    })
}

/// Takes back the count of an attempt that proved right (or was not checked).
async fn give_back_login_attempt(
    connection: &mut AnyConnection,
    login_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE login_failures SET failures = failures - 1 WHERE login_hash = $1 AND failures > 0",
    )
    .bind(login_hash)
    .execute(connection)
    .await?;
    Ok(())
}

/// Locks a login name until `lock_until`; its count starts again after the lock.
async fn lock_login(
    connection: &mut AnyConnection,
    login_hash: &str,
    lock_until: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE login_failures SET locked_until = $1, failures = 0 WHERE login_hash = $2")
        .bind(lock_until)
        .bind(login_hash)
        .execute(connection)
        .await?;
    Ok(())
}

async fn clear_login_failures(
    connection: &mut AnyConnection,
    login_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failures WHERE login_hash = $1")
        .bind(login_hash)
        .execute(connection)
        .await?;
    Ok(())
}
