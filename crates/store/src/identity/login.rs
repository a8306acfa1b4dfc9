//! The writes of logging in: a right or wrong password (with its lockout count), the code
//! of the second step, a login through OpenID Connect. Each is one transaction that also
//! appends the journal entries the web crate built, in the order they always had.

use super::lockout::{Counts, Lock, Reserved};
use super::second_factor::{Code, CodeOutcome, consume};
use super::{account, session};
use crate::journal::{Entry, append};
use crate::{Db, StoreError};

/// The reserved password proved right: its count is taken back (and the account's count
/// cleared when the login is `completed`, i.e. there is no second factor to pass), the
/// session the browser had (`replaced_session`) ends and a new one opens, journaled by
/// `entry`. On a device trusted for the account (`trusted_until`, the end of its trust), the
/// second factor counts as given until then. Returns the new session's token.
#[allow(clippy::too_many_arguments)]
pub async fn log_in(
    db: &Db,
    counts: &Counts,
    completed: bool,
    trusted_until: Option<&str>,
    replaced_session: Option<&str>,
    account_id: &str,
    ip: Option<&str>,
    entry: Entry,
) -> Result<String, StoreError> {
    let mut tx = db.begin_write().await?;
    counts.right(&mut tx).await?;
    if completed {
        counts.login_completed(&mut tx).await?;
    }
    if let Some(old) = replaced_session {
        session::delete(&mut tx, old).await?;
    }
    let now = db.clock().now_text();
    let token = session::create(&mut tx, Some(account_id), ip, &now).await?;
    if let Some(until) = trusted_until {
        session::mark_trusted(&mut tx, &session::token_hash(&token), until).await?;
    }
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(token)
}

/// The reserved password proved wrong (or the account unusable): it stays counted and locks
/// what it filled. Journaled by `failed`, then by `locked` when the account got locked (the
/// address lock shows from the next attempt on, as it always has). Returns the lock set.
pub async fn login_failed(
    db: &Db,
    counts: &Counts,
    reserved: &Reserved,
    failed: Entry,
    locked: Entry,
) -> Result<Option<Lock>, StoreError> {
    let mut tx = db.begin_write().await?;
    let lock = counts.wrong(&mut tx, reserved, db.clock().now()).await?;
    append(&mut tx, failed).await?;
    if lock == Some(Lock::Account) {
        append(&mut tx, locked).await?;
    }
    tx.commit().await?;
    Ok(lock)
}

/// The journal entries of a second-step code, one per way it can end.
pub struct CodeEntries {
    pub accepted: Entry,
    pub recovery_code_used: Entry,
    pub failed: Entry,
    pub locked: Entry,
}

/// How a second-step code ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// The account was locked when its count was held: nothing checked, nothing written.
    Locked,
    /// The code was right: the session passed the second factor, the login is complete.
    Accepted,
    /// Wrong or replayed, counted; with the lock it set, if any (then the session is closed).
    Refused {
        outcome: CodeOutcome,
        lock: Option<Lock>,
    },
}

/// The code of the login's second step, checked while the account's count is held:
/// parallel codes on one account are checked one after the other, each seeing the failures
/// before it. `code` is what the web found the typed code to be against the secret.
pub async fn check_code(
    db: &Db,
    counts: &Counts,
    account_id: &str,
    session_token_hash: &str,
    code: &Code,
    entries: CodeEntries,
) -> Result<CodeCheck, StoreError> {
    let now = db.clock().now();
    let mut tx = db.begin_write().await?;
    if counts.hold_account(&mut tx, now).await? {
        tx.commit().await?;
        return Ok(CodeCheck::Locked);
    }
    let checked = match consume(&mut tx, account_id, code).await? {
        CodeOutcome::Accepted { recovery_code } => {
            session::mark_second_factor_done(&mut tx, session_token_hash).await?;
            let entry = if recovery_code {
                entries.recovery_code_used
            } else {
                entries.accepted
            };
            append(&mut tx, entry).await?;
            counts.login_completed(&mut tx).await?;
            CodeCheck::Accepted
        }
        outcome => {
            append(&mut tx, entries.failed).await?;
            let lock = counts.count_failure(&mut tx, now).await?;
            if lock.is_some() {
                session::delete(&mut tx, session_token_hash).await?;
                if lock == Some(Lock::Account) {
                    append(&mut tx, entries.locked).await?;
                }
            }
            CodeCheck::Refused { outcome, lock }
        }
    };
    tx.commit().await?;
    Ok(checked)
}

/// A login through OpenID Connect: the session of the round trip ends; on the first login
/// the account is linked to `link_subject` (journaled by `linked`); a new session opens,
/// journaled by `entry`. Returns the new session's token.
pub async fn log_in_oidc(
    db: &Db,
    round_trip_session: &str,
    account_id: &str,
    link_subject: Option<&str>,
    ip: Option<&str>,
    linked: Entry,
    entry: Entry,
) -> Result<String, StoreError> {
    let mut tx = db.begin_write().await?;
    session::delete(&mut tx, round_trip_session).await?;
    if let Some(subject) = link_subject {
        account::link_oidc(&mut tx, account_id, subject).await?;
        append(&mut tx, linked).await?;
    }
    let now = db.clock().now_text();
    let token = session::create(&mut tx, Some(account_id), ip, &now).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(token)
}
