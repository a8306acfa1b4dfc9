//! The kernel every page uses: who is asking (session, anti-forgery, client address), errors
//! and forms in French, the DSFR shell, the route table, the assets, metrics and health.
//! Nothing here knows a capability; every capability folder uses it.

pub mod assets;
pub mod auth;
pub mod bearer;
pub mod blocking;
pub mod clock;
pub mod downloads;
pub mod error;
pub mod forms;
pub mod forwarded;
pub mod health;
pub mod layout;
pub mod listing;
pub mod local_path;
pub mod metrics;
pub mod route_table;
pub mod signed_in_copies;
