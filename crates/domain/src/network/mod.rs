//! The network space (PRODUCT.md §9): what the social workers, their employers, the
//! prevention referents and the national team share. Never case content: every text of the
//! network goes through [`personal_data::check`] before it is saved.

pub mod announcement;
pub mod personal_data;
