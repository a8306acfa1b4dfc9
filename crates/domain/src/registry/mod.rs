//! The registry of posts: posts and their lifecycle, units of the forces, employers, funding,
//! the territory (départements, communes) and coverage against the targets.

pub mod commune_search;
pub mod coverage;
pub mod employer;
pub mod funding;
pub mod post;
pub mod territory;
pub mod unit;
