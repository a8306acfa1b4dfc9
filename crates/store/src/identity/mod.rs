//! Accounts (passwords, roles, invitations), the sessions several app servers share, the
//! lockout of guessed logins, the second factor, and the writes of logging in and of
//! administering accounts; forgotten passwords and devices trusted for a shift; the access to a post's case content, given by two people.

pub mod account;
pub mod account_list;
pub mod administration;
pub mod api_token;
pub mod attention;
pub mod case_access;
pub mod lockout;
pub mod login;
pub mod password_reset;
pub mod second_factor;
pub mod session;
pub mod trusted_device;
