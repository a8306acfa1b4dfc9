//! The lockout of guessed logins. Wrong passwords, wrong second-factor codes and wrong
//! current passwords (password page) count together, in the database (so across sessions
//! and app servers), under two keys: the account (its login name hashed, known or not) and
//! the client's network address. 5 failures within 15 minutes lock the account for 15
//! minutes, 30 lock the address; a lock answers in the same words and the same time whether
//! the password was right or not, and no half-open login finishes while it lasts.
//!
//! A right password clears nothing: only a completed login (the password, then the code
//! when the account has a second factor) clears the account's count. Otherwise knowing the
//! password would buy fresh code guesses at every new login. The address count is never
//! cleared by a success, one account's success must not hide guesses at the others: it
//! lapses with time only.
//!
//! Parallel attempts cannot slip past the count: a password is counted as a failure before
//! its (slow) check and taken back when right; a code is checked while its account's count
//! is held.

use crate::http::error::WebResult;
use passerelle_domain::identity::account::{ADDRESS_LOCKOUT_THRESHOLD, LOCKOUT_DURATION, LOCKOUT_THRESHOLD};
use passerelle_store::Db;
use passerelle_store::identity::account;
use passerelle_store::db::time_text::{instant_to_text, now_text};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

/// The same words whether the password was right or not: a lock tells nothing about it.
pub const LOCKED: &str =
    "Trop de tentatives échouées : la connexion avec cette adresse est bloquée pendant 15 minutes.";
pub const ADDRESS_LOCKED: &str =
    "Trop de tentatives échouées depuis votre réseau : réessayez dans 15 minutes.";

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

impl Lock {
    pub fn message(self) -> &'static str {
        match self {
            Lock::Account => LOCKED,
            Lock::Address => ADDRESS_LOCKED,
        }
    }
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

fn is_locked(locked_until: Option<&str>) -> bool {
    locked_until.is_some_and(|until| until > now_text().as_str())
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
    pub async fn lock(&self, db: &Db) -> WebResult<Option<Lock>> {
        if let Some(address) = &self.address
            && is_locked(account::login_lock(db, address).await?.as_deref())
        {
            return Ok(Some(Lock::Address));
        }
        Ok(
            is_locked(account::login_lock(db, &self.account).await?.as_deref())
                .then_some(Lock::Account),
        )
    }

    /// Whether the account is locked, holding its count until the transaction ends: the
    /// attempt is checked and counted before the next one on the same account is let in.
    /// For codes, checked in no time; not for passwords (Argon2 would hold every login).
    /// Nothing else may be read from the pool meanwhile: the waiting attempts hold
    /// connections too.
    pub async fn hold_account(&self, connection: &mut AnyConnection) -> WebResult<bool> {
        let until = account::hold_login_lock(connection, &self.account).await?;
        Ok(is_locked(until.as_deref()))
    }

    /// Counts a password attempt as a failure before checking it (Argon2 takes a while:
    /// parallel guesses must each see the ones before them). Refused when a count is locked
    /// or already full; then nothing stays counted.
    pub async fn reserve(
        &self,
        connection: &mut AnyConnection,
    ) -> WebResult<Result<Reserved, Lock>> {
        let account = account::reserve_login_attempt(connection, &self.account).await?;
        if is_locked(account.locked_until.as_deref()) {
            return Ok(Err(Lock::Account));
        }
        if account.failures > LOCKOUT_THRESHOLD {
            account::give_back_login_attempt(connection, &self.account).await?;
            return Ok(Err(Lock::Account));
        }
        let mut reserved = Reserved {
            account: account.failures,
            address: None,
        };
        if let Some(key) = &self.address {
            let address = account::reserve_login_attempt(connection, key).await?;
            let full = address.failures > ADDRESS_LOCKOUT_THRESHOLD;
            if full {
                account::give_back_login_attempt(connection, key).await?;
            }
            if full || is_locked(address.locked_until.as_deref()) {
                account::give_back_login_attempt(connection, &self.account).await?;
                return Ok(Err(Lock::Address));
            }
            reserved.address = Some(address.failures);
        }
        Ok(Ok(reserved))
    }

    /// The reserved attempt was right: its counts are taken back (a right password clears
    /// nothing more).
    pub async fn right(&self, connection: &mut AnyConnection) -> WebResult<()> {
        account::give_back_login_attempt(connection, &self.account).await?;
        if let Some(address) = &self.address {
            account::give_back_login_attempt(connection, address).await?;
        }
        Ok(())
    }

    /// The reserved attempt was wrong: it stays counted, and locks what it filled.
    pub async fn wrong(
        &self,
        connection: &mut AnyConnection,
        reserved: &Reserved,
    ) -> WebResult<Option<Lock>> {
        let until = instant_to_text(time::OffsetDateTime::now_utc() + LOCKOUT_DURATION);
        let mut lock = None;
        if let (Some(address), Some(failures)) = (&self.address, reserved.address)
            && failures >= ADDRESS_LOCKOUT_THRESHOLD
        {
            account::lock_login(connection, address, &until).await?;
            lock = Some(Lock::Address);
        }
        if reserved.account >= LOCKOUT_THRESHOLD {
            account::lock_login(connection, &self.account, &until).await?;
            lock = Some(Lock::Account);
        }
        Ok(lock)
    }

    /// Counts one wrong password or code under both keys; the lock it set, if any.
    pub async fn count_failure(&self, connection: &mut AnyConnection) -> WebResult<Option<Lock>> {
        let until = instant_to_text(time::OffsetDateTime::now_utc() + LOCKOUT_DURATION);
        let account_locked =
            account::record_login_failure(connection, &self.account, LOCKOUT_THRESHOLD, &until)
                .await?;
        let address_locked = match &self.address {
            Some(address) => {
                account::record_login_failure(
                    connection,
                    address,
                    ADDRESS_LOCKOUT_THRESHOLD,
                    &until,
                )
                .await?
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
    pub async fn login_completed(&self, connection: &mut AnyConnection) -> WebResult<()> {
        account::clear_login_failures(connection, &self.account).await?;
        Ok(())
    }
}
