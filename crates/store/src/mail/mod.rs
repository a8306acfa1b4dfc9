//! The e-mails waiting to be sent: status changes to referring officers and access notices
//! to a post's social workers, written in the transaction that causes them.

pub mod outbox;
