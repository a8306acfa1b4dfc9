//! The activity statistics as stored: the rollups kept in every write to a case, their
//! verification against the facts, and the years before Passerelle.

pub mod legacy;
pub mod rollup;
