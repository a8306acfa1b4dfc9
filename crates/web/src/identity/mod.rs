//! Who is who: logging in (password, second factor, OpenID Connect), invitations, one's own
//! account and the administration of accounts.

pub mod accounts;
pub mod login;
pub mod oidc;
pub mod own_account;
pub mod second_factor;
