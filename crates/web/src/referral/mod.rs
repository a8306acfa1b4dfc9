//! The officer's referral (signalement) and its status view, and the social worker's inbox and
//! case file. Professional secrecy: the officer sees status words only; the case's content
//! is for the post's social workers, and every read of it is journaled.
//!
//! `desk` holds the referral pages and the officer's list, `referral_form` the form itself
//! (its fields, what it reads back, where each refusal shows), `inbox` the post's case list (and
//! `inbox_names` the persons' names beside it),
//! `case` the case page, `case_appointment` booking an appointment from it, `case_work` and `case_handover` the writes on a case, `person` and
//! `case_persons` the persons a post follows, `record_journal` who read or changed a case or
//! a person, `access_request` a person's copy of what the post holds (RGPD art. 15); `access`
//! says who may act on what, for all of them.

mod access;
pub mod access_request;
pub mod case;
pub mod case_appointment;
pub mod case_handover;
pub mod case_list_copies;
pub mod case_persons;
pub mod case_work;
pub mod category;
pub mod desk;
pub mod inbox;
pub mod inbox_names;
pub mod own_referrals;
pub mod partner;
pub mod person;
pub mod record_journal;
pub mod referral_form;
pub(crate) mod words;

use crate::http::route_table::RouteTable;

pub use words::{status_words, stored_status_words};

/// The referral desk, the inbox, the case page and the records' journals and copies (the
/// case's writes, the persons, the partners and the categories have their own `routes()`).
pub fn routes() -> RouteTable {
    RouteTable::new()
        .merge(desk::routes())
        .merge(inbox::routes())
        .merge(case::routes())
        .merge(case_appointment::routes())
        .merge(record_journal::routes())
        .merge(access_request::routes())
}
