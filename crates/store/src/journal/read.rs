//! Reads of personal data are journaled by type: whatever opens a sealed field (an identity,
//! a case's context, its notes, an appointment's person) asks for a [`Journaled`] proof, and
//! only [`journal_read`] makes one, after its row is in the journal. A handler that forgets
//! the journal does not compile.

use super::Entry;
use crate::{Db, StoreError};
use passerelle_domain::ids::PostId;

/// Proof that a read of one post's personal data is in the journal: a page that shows
/// several sealed fields of a post journals its read once and opens them with this.
#[derive(Debug)]
pub struct Journaled {
    post_id: PostId,
}

impl Journaled {
    pub fn post_id(&self) -> &PostId {
        &self.post_id
    }

    /// Whether this proof covers a read of `post_id`'s data: a row journaled in one post
    /// never opens another post's (the error is a bug in the caller, never shown as data).
    pub(crate) fn covers(&self, post_id: &PostId) -> Result<(), StoreError> {
        if self.post_id == *post_id {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!(
                "lecture des données du poste {post_id} couverte par celle du poste {}",
                self.post_id
            )))
        }
    }
}

/// Appends `entry`, the journal row of a read of `post_id`'s personal data, and returns its
/// proof.
pub async fn journal_read(
    db: &Db,
    post_id: &PostId,
    entry: Entry,
) -> Result<Journaled, StoreError> {
    super::record(db, entry).await?;
    Ok(Journaled {
        post_id: post_id.clone(),
    })
}

/// The journal row a read comes with: a row to append now, or the row its page already
/// wrote for that post.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // lives for one call; boxing would only burden callers
pub enum Read<'a> {
    Entry(Entry),
    Journaled(&'a Journaled),
}

impl Read<'_> {
    /// Journals the read of `post_id`'s data, before anything is unsealed: appends the
    /// entry, or checks that the page's row covers that post.
    pub(crate) async fn journal(self, db: &Db, post_id: &PostId) -> Result<(), StoreError> {
        match self {
            Read::Entry(entry) => journal_read(db, post_id, entry).await.map(|_| ()),
            Read::Journaled(journaled) => journaled.covers(post_id),
        }
    }
}
