//! Who is who: logging in (password, second factor, OpenID Connect, a device trusted for a
//! shift), forgotten passwords, invitations, one's own
//! account, the administration of accounts, and the access to a post's case content given by
//! two people (proposed, then confirmed on the post's page).

pub mod accounts;
pub mod api_tokens;
pub mod case_access;
pub mod login;
pub mod oidc;
pub mod own_account;
pub mod password_reset;
pub mod second_factor;
