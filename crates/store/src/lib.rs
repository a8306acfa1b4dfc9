//! Passerelle's storage: one code path over SQLite (embedded default) and PostgreSQL,
//! through sqlx's `AnyPool`. Every folder is named after the capability it stores, as in the
//! web crate and the domain; `db`, `seal` and `journal` are what all of them write through.

pub mod db;
pub mod identity;
pub mod journal;
pub mod mail;
pub mod presence;
pub mod referral;
pub mod registry;
pub mod seal;
pub mod statistics;
#[cfg(feature = "testing")]
pub mod testing;

pub use db::{Backend, Db, StoreError, WriteError, WriteResult};
