//! The journal seen from the web: the entries handlers write most (`entry`) and the pages that
//! read it back (`pages`: security events; who accessed a post's data).

pub mod entry;
pub mod pages;
