//! Where people arrive: the public home page with the live national counts, and the social
//! worker's « Aujourd'hui ».

pub mod public;
pub mod today;
