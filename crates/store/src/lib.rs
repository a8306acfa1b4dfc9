//! Passerelle's storage: one code path over SQLite (embedded default) and PostgreSQL,
//! through sqlx's `AnyPool`. Every folder is named after the capability it stores, as in the
//! web crate and the domain; `db`, `seal` and `journal` are what all of them write through.

pub mod db;
pub mod identity;
pub mod journal;
pub mod mail;
pub mod network;
pub mod presence;
pub mod referral;
pub mod registry;
pub mod seal;
pub mod spreadsheet;
pub mod statistics;
#[cfg(feature = "testing")]
pub mod testing;

pub use db::{Backend, Db, StoreError, WriteError, WriteResult};

/// Every sealed column of the schema, from every capability: `rekey`, the key guard and the
/// backups walk them all. A new sealed column must be added here, or a rekey leaves its
/// values under the old key. Here at the root, where the capabilities meet, so that `seal`
/// (below them all) names none of them.
pub const SEALED_COLUMNS: &[seal::SealedColumn] = &[
    seal::SealedColumn {
        table: "accounts",
        id_column: "id",
        column: "totp_secret_sealed",
    },
    crate::presence::appointment::PERSON,
    crate::presence::appointment::SAFE_CONTACT,
    crate::referral::CONTEXT,
    crate::referral::SAFE_CONTACT,
    crate::referral::PROCEDURE_REFERENCE,
    crate::referral::IDENTITY,
    crate::referral::NOTE,
    crate::referral::NEXT_STEP,
    crate::referral::DANGER_ASSESSMENT,
    crate::referral::person::IDENTITY,
    crate::referral::case_work::PARTNER_NAME,
];

/// What a migrated database needs before it is used, beyond its schema: the rollups follow
/// the counting rules of this code, whatever built them. Called by [`Db::migrate`]; here so
/// that `db` (below every capability) names none of them.
pub(crate) async fn after_migrations(db: &Db) -> Result<(), StoreError> {
    statistics::rollup::bring_up_to_date(db).await
}
