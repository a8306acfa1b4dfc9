//! Accounts and the roles they hold, with the scope each role covers.

pub mod account;
pub mod role;
