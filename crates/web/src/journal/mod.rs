//! The journal seen from the web: the entries handlers write most (`entry`), the rows in
//! words (`words`), and the pages that read it back (`pages`: security events; who accessed
//! a post's data), with their filters (`filter`) and CSV export (`export`).

pub mod entry;
pub mod export;
pub mod filter;
pub mod pages;
pub mod words;
