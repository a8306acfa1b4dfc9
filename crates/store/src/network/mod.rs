//! The network space's records: announcements and their read state.

pub mod announcement;
