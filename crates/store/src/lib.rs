//! Passerelle's storage: one code path over SQLite (embedded default) and PostgreSQL,
//! through sqlx's `AnyPool`. Every module is named after the capability it stores.

pub mod account;
pub mod appointment;
pub mod bulk;
pub mod case_access;
pub mod case_work;
pub mod category;
pub mod db;
pub mod funding;
pub mod import;
pub mod journal;
pub mod key_guard;
pub mod legacy;
pub mod outbox;
pub mod partner;
pub mod person;
pub mod post;
pub mod presence;
pub mod read_stamp;
pub mod referential;
pub mod referral;
pub mod replacement;
pub mod retention;
pub mod rollup;
pub mod seal;
pub mod session;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time_text;
pub mod unit;

pub use db::{Backend, Db, StoreError, WriteError};
