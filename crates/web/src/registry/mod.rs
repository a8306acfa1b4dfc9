//! The registry of posts: posts and their lifecycle, who holds and who replaces them, units
//! and employers, imports, the pipeline, the map and the open data.

pub mod data_inclusion;
pub mod employer;
pub mod import;
pub mod map;
pub mod open_data;
pub mod pipeline;
pub mod post;
pub mod post_create;
pub mod post_funding;
pub mod post_lifecycle;
pub mod post_list;
pub mod replacement;
pub mod unit;
pub mod unit_list;
