//! Accounts (passwords, roles, invitations), the sessions several app servers share, the
//! lockout of guessed logins, the second factor, and the writes of logging in and of
//! administering accounts.

pub mod account;
pub mod administration;
pub mod lockout;
pub mod login;
pub mod second_factor;
pub mod session;
