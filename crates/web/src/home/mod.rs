//! Where people arrive: the public home page with the live national counts, the home of
//! each signed-in role, and the social worker's « Aujourd'hui ».

pub mod legal;
pub mod menu;
pub mod public;
pub mod signed_in;
pub mod steering;
pub mod today;
