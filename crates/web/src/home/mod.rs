//! Where people arrive: the public home page with the live national counts.

pub mod public;
