//! Who reads what inside content the policy already opened: a case's notes, a private
//! calendar feed. These used to be SQL conditions in the store; the store now loads the
//! facts and asks here.

use super::{Grant, Scope};
use crate::identity::role::Role;
use crate::ids::{AccountId, PostId};
use crate::referral::case::NoteVisibility;

/// Whether `reader` reads a note of a case they may open: the team's notes, and their own
/// private ones ("Moi seul(e)" is the author's only, even for the post's other workers).
pub fn reads_note(reader: &AccountId, author: &AccountId, visibility: NoteVisibility) -> bool {
    match visibility {
        NoteVisibility::Team => true,
        NoteVisibility::Author => reader == author,
    }
}

/// What the store knows of a private calendar feed when its token is presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedFacts<'a> {
    pub revoked: bool,
    pub account_disabled: bool,
    /// The post the feed was issued for.
    pub post: &'a PostId,
    /// The grants its account holds today.
    pub grants: &'a [Grant],
}

/// Whether a private feed still opens: not revoked, its account enabled and still a social
/// worker of the post it was issued for (a worker who left the post loses the feed with it).
pub fn feed_opens(feed: &FeedFacts<'_>) -> bool {
    !feed.revoked
        && !feed.account_disabled
        && feed
            .grants
            .iter()
            .any(|grant| grants_post_feed(grant, feed.post))
}

fn grants_post_feed(grant: &Grant, post: &PostId) -> bool {
    match grant.role {
        Role::SocialWorker => match &grant.scope {
            Scope::Post(id) => id == post,
            Scope::Unit(_) | Scope::Employer(_) | Scope::Departement(_) | Scope::Nation => false,
        },
        Role::Officer | Role::Employer | Role::Prevention | Role::National | Role::Admin => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, scope: Scope) -> Grant {
        Grant { role, scope }
    }

    #[test]
    fn a_private_note_is_read_by_its_author_only() {
        assert!(reads_note(&"a".into(), &"b".into(), NoteVisibility::Team));
        assert!(reads_note(&"a".into(), &"a".into(), NoteVisibility::Author));
        assert!(!reads_note(
            &"a".into(),
            &"b".into(),
            NoteVisibility::Author
        ));
    }

    #[test]
    fn a_feed_opens_for_a_social_worker_still_on_its_post() {
        let on_post = [grant(Role::SocialWorker, Scope::Post("p1".into()))];
        let p1 = PostId::from("p1");
        let facts = |revoked, disabled, grants| FeedFacts {
            revoked,
            account_disabled: disabled,
            post: &p1,
            grants,
        };
        assert!(feed_opens(&facts(false, false, &on_post)));
        assert!(!feed_opens(&facts(true, false, &on_post)));
        assert!(!feed_opens(&facts(false, true, &on_post)));
        let moved = [grant(Role::SocialWorker, Scope::Post("p2".into()))];
        assert!(!feed_opens(&facts(false, false, &moved)));
        let employer = [grant(Role::Employer, Scope::Post("p1".into()))];
        assert!(!feed_opens(&facts(false, false, &employer)));
        assert!(!feed_opens(&facts(false, false, &[])));
    }
}
