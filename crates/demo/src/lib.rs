//! Demonstration data: fictitious but realistic units, employers, posts, one account per role
//! and months of case activity, deterministic for a seed. Used by `passerelle demo`,
//! `passerelle serve --demo`, the tests and `passerelle-bench`; the store and the web crate's
//! production code never call it.
//!
//! - [`plan`]: what the demo holds (pure, from the referentials and a seed), built by the
//!   generator;
//! - [`insert()`]: writes a plan into an empty database;
//! - [`activity`]: the referrals, persons and case work of the filled posts;
//! - [`progress`]: the same with progress bars, for the binaries.

pub mod activity;
mod generator;
mod insert;
mod names;
pub mod network;
pub mod plan;
pub mod progress;

pub use insert::{DemoReport, insert};
pub use plan::{
    DEMO_TODAY, DemoLogin, DemoPlan, EmployerRow, PostRow, SEED_FIGURES_DATE, UnitRow, demo_slots,
    plan, split_percent,
};
