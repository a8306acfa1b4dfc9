//! The journal entries the web layer writes most: an account's own security event.

use passerelle_domain::journal::JournalAction;
use passerelle_store::journal::Entry;

/// An event of an account about itself (login, second factor, logout…), shown to the
/// employer it works for, if any.
pub fn own_event(
    action: JournalAction,
    account_id: &str,
    ip: Option<&str>,
    employer: Option<&str>,
) -> Entry {
    Entry::new(action)
        .by(account_id, None)
        .on("account", account_id)
        .from_ip(ip)
        .in_employer(employer)
}
