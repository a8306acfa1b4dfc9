//! The steering's alert on posts whose work stopped: filled posts with no case activity (a
//! referral received, a status changed, a contact) for a while. Vacancies, posts in
//! creation and agreements to renew are read from `post` and `funding`.

use crate::db::time_text::date_to_text;
use crate::registry::post::{PostRow, PostScope, posts_in};
use crate::{Db, StoreError};
use passerelle_domain::ids::PostId;
use passerelle_domain::registry::post::PostStatus;
use std::collections::HashMap;
use time::Date;

/// A filled post whose case activity stopped, with the day of its last activity (`None`
/// when it never had a case).
#[derive(Debug, Clone)]
pub struct QuietPost {
    pub post: PostRow,
    pub last_activity: Option<String>,
}

/// A post and the latest of its cases' receptions, status changes and contacts.
type LastCaseWork = (PostId, Option<String>, Option<String>, Option<String>);

/// The posts of `scope` filled before `since` (by their last lifecycle step) with no case
/// received, changed or contacted on or after `since`; the longest quiet first.
pub async fn quiet_posts(
    db: &Db,
    scope: &PostScope,
    since: Date,
) -> Result<Vec<QuietPost>, StoreError> {
    let posts = posts_in(db, scope, Some(PostStatus::Filled)).await?;
    let (condition, value) = scope.sql_condition();
    let rows: Vec<LastCaseWork> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT c.post_id, MAX(c.received_at), MAX(c.status_changed_at), MAX(c.last_contact_at) \
             FROM cases c JOIN posts p ON p.id = c.post_id WHERE {condition} AND p.status = 'filled' GROUP BY c.post_id"
        )))
        .bind(value)
        .fetch_all(db.pool())
        .await?;
    // Instants and days compare by their day: the first ten characters (ISO).
    let day = |text: &Option<String>| {
        text.as_deref()
            .and_then(|t| t.get(..10))
            .map(str::to_string)
    };
    let last: HashMap<PostId, String> = rows
        .into_iter()
        .filter_map(|(post, received, changed, contact)| {
            let latest = [day(&received), day(&changed), day(&contact)]
                .into_iter()
                .flatten()
                .max()?;
            Some((post, latest))
        })
        .collect();
    let since_text = date_to_text(since);
    let mut quiet: Vec<QuietPost> = posts
        .into_iter()
        .filter(|post| {
            post.since
                .as_deref()
                .is_none_or(|s| s < since_text.as_str())
        })
        .map(|post| QuietPost {
            last_activity: last.get(&post.id).cloned(),
            post,
        })
        .filter(|q| {
            q.last_activity
                .as_deref()
                .is_none_or(|l| l < since_text.as_str())
        })
        .collect();
    quiet.sort_by(|a, b| {
        a.last_activity
            .cmp(&b.last_activity)
            .then_with(|| a.post.code.cmp(&b.post.code))
    });
    Ok(quiet)
}
