//! The writes of administering accounts: inviting a person (with a first role, or a
//! proposal of the social worker's role on a post), giving and taking back roles, disabling
//! and enabling. Each is one transaction that also appends the journal entries the web
//! crate built; the store names the account (and the role) it created in them.

use super::{account, session};
use crate::identity::case_access::{self, NewProposal};
use crate::journal::{Entry, append};
use crate::{Db, StoreError};
use passerelle_domain::access::CaseAccessKind;
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::{AccountId, PostId};
use sqlx::AnyConnection;

/// Who is invited: address, name, who invites, and the invitation link (hashed) and its end.
pub struct Invitation<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub invited_by: &'a str,
    pub token_hash: &'a str,
    pub expires_at: &'a str,
}

/// The first role of an invited person.
pub enum FirstRole<'a> {
    /// Given at once; `entry` (RoleGranted) is completed with the account and the role.
    Granted {
        role: Role,
        scope_id: Option<&'a str>,
        entry: Entry,
    },
    /// A role that opens case content: only proposed on the post, for a second person to
    /// confirm; `entry` is the proposal's post entry.
    Proposed { post_id: &'a PostId, entry: Entry },
}

/// Creates an invited account with its first role (or the proposal of it) in one
/// transaction, journaled by the role's entry then `invited` (completed with the new
/// account). Returns the new account's id.
pub async fn invite(
    db: &Db,
    invitation: &Invitation<'_>,
    first_role: FirstRole<'_>,
    invited: Entry,
) -> Result<String, StoreError> {
    let mut tx = db.begin_write().await?;
    let id: AccountId = account::invite(
        &mut tx,
        invitation.email,
        invitation.display_name,
        Some(invitation.invited_by),
        invitation.token_hash,
        invitation.expires_at,
    )
    .await?
    .into();
    match first_role {
        FirstRole::Proposed { post_id, entry } => {
            let new = NewProposal {
                kind: CaseAccessKind::Role,
                post_id,
                account_id: &id,
                replacement: None,
                proposed_by: &AccountId::from(invitation.invited_by),
            };
            case_access::propose_in(&mut tx, &new, entry).await?;
        }
        FirstRole::Granted {
            role,
            scope_id,
            entry,
        } => {
            let role_id = account::grant_role(&mut tx, &id, role, scope_id).await?;
            append(&mut tx, granted(entry, &id, role, &role_id)).await?;
        }
    }
    append(&mut tx, invited.on("account", &id)).await?;
    tx.commit().await?;
    Ok(id.into_string())
}

/// The RoleGranted entry, naming the account and the role given.
fn granted(entry: Entry, account_id: &AccountId, role: Role, role_id: &str) -> Entry {
    entry
        .on("account", account_id)
        .detail(format!("{} ({role_id})", role.code()))
}

/// Gives a role to an existing account; `entry` (RoleGranted) is completed with the account
/// and the role. None when the account already holds that role in that scope (nothing
/// written).
pub async fn grant_role(
    db: &Db,
    account_id: &AccountId,
    role: Role,
    scope_id: Option<&str>,
    entry: Entry,
) -> Result<Option<String>, StoreError> {
    let mut tx = db.begin_write().await?;
    let Ok(role_id) = account::grant_role(&mut tx, account_id, role, scope_id).await else {
        return Ok(None);
    };
    append(&mut tx, granted(entry, account_id, role, &role_id)).await?;
    tx.commit().await?;
    Ok(Some(role_id))
}

/// Takes a role back; the sessions acting with it fall back to the role chooser.
pub async fn revoke_role(db: &Db, role_id: &str, entry: Entry) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    delete_role(&mut tx, role_id).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

async fn delete_role(connection: &mut AnyConnection, role_id: &str) -> Result<(), StoreError> {
    // Sessions acting with that role fall back to the role chooser.
    sqlx::query("UPDATE sessions SET active_role_id = NULL WHERE active_role_id = $1")
        .bind(role_id)
        .execute(&mut *connection)
        .await?;
    sqlx::query("DELETE FROM account_roles WHERE id = $1")
        .bind(role_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Disables an account (ending its sessions) or enables it again; journaled by `entry`.
pub async fn set_disabled(
    db: &Db,
    account_id: &str,
    disabled: bool,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE accounts SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    if disabled {
        session::delete_for_account(&mut tx, account_id).await?;
    }
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}
