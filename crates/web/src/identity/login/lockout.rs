//! The lockout of guessed logins, as the pages say it. The counting itself (wrong passwords,
//! wrong second-factor codes and wrong current passwords together, per account and per
//! network address, in the database) is the store's: `passerelle_store::identity::lockout`.
//!
//! A lock answers in the same words and the same time whether the password was right or
//! not, and no half-open login finishes while it lasts.

pub use passerelle_store::identity::lockout::{Counts, Lock, address_hash, login_hash};

/// The same words whether the password was right or not: a lock tells nothing about it.
pub const LOCKED: &str =
    "Trop de tentatives échouées : la connexion avec cette adresse est bloquée pendant 15 minutes.";
pub const ADDRESS_LOCKED: &str =
    "Trop de tentatives échouées depuis votre réseau : réessayez dans 15 minutes.";

/// What the page says about a lock.
pub fn message(lock: Lock) -> &'static str {
    match lock {
        Lock::Account => LOCKED,
        Lock::Address => ADDRESS_LOCKED,
    }
}
