//! Accounts (passwords, second factor, roles, invitations, login failures) and the sessions
//! several app servers share.

pub mod account;
pub mod session;
