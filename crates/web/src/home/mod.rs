//! Where people arrive: the public home page with the live national counts, and the home
//! of each signed-in role.

pub mod menu;
pub mod public;
pub mod signed_in;
