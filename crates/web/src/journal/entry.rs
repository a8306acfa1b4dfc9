//! The journal entries the web layer writes most: an account's own security event, and an
//! action on a post by the acting person.

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

/// An action of the acting person on a post, journaled within the post and its employer.
pub fn post_entry(
    auth: &crate::http::auth::Authenticated,
    post: &passerelle_store::registry::post::PostRow,
    action: JournalAction,
    detail: String,
    ip: Option<&str>,
) -> Entry {
    Entry::new(action)
        .by(auth.account.id.as_str(), Some(auth.role().code()))
        .on("post", &post.id)
        .detail(detail)
        .from_ip(ip)
        .in_employer(Some(post.employer_id.as_str()))
        .in_post(Some(post.id.as_str()))
}

/// One read per person whose identity a page shows beside its own record (look-alikes, a
/// household, search results): each person's journal then finds the read, which the page's
/// own row, on another record or on the post, does not name.
pub fn persons_shown<'a>(
    auth: &crate::http::auth::Authenticated,
    post: &passerelle_store::registry::post::PostRow,
    persons: impl IntoIterator<Item = &'a str>,
    detail: &str,
    ip: Option<&str>,
) -> Vec<Entry> {
    persons
        .into_iter()
        .map(|person| {
            post_entry(
                auth,
                post,
                JournalAction::PersonalDataRead,
                detail.to_string(),
                ip,
            )
            .on("person", person)
        })
        .collect()
}
