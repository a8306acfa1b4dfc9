//! The registry of posts: posts and their lifecycle, units and employers, agreements and
//! funding, the official territory referentials, who replaces a post's social worker, and the
//! imports that fill all of it.

pub mod activity;
pub mod directory;
pub mod funding;
pub mod import;
pub mod post;
pub mod post_list;
pub mod replacement;
pub mod territory;
pub mod unit;
pub mod unit_list;
