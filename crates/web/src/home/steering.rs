//! The home of those who steer posts — the employer, the prevention referent, the national
//! team: first the alerts of their scope (agreements ending or ended, vacant posts and for
//! how long, posts in creation and since when, filled posts whose activity stopped), each
//! linking to its post; then three figures of the scope; then their pages. Only registry
//! facts and published statistics: nothing here names a person.

use crate::AppState;
use crate::http::auth::Authenticated;
use crate::http::clock::{french_date, paris_today};
use crate::http::error::WebResult;
use crate::registry::post::{PostLine, line, scope_of};
use crate::statistics::headline::{ScopeHeadline, scope_headline};
use passerelle_domain::access::{Action, Decision, Resource, decide};
use passerelle_domain::registry::post::PostStatus;
use passerelle_store::db::time_text::text_to_date;
use passerelle_store::registry::post::{self as store_post, PostScope};

/// A filled post with no referral received, no case moved and no contact for this many days
/// is flagged: two months, the horizon at which the statistics stop counting a first contact
/// as late (`CONTACT_DELAY_CAP`) and the first alert before an agreement ends. A working post
/// receives several referrals a month; two months of silence means an absence not declared,
/// host units that stopped referring, or a post that exists on paper only.
pub const QUIET_DAYS: i64 = 60;

/// Agreements ending within this many days are announced: the domain's first alert.
const AGREEMENT_HORIZON_DAYS: i64 = passerelle_domain::registry::funding::ALERT_DAYS[0];

/// How far back an agreement that ended without a successor is still announced: ten years,
/// so that every open post whose funding lapsed is seen.
const LAPSED_LOOKBACK_DAYS: i64 = 3650;

/// Lines of each alert list at most; the lists of posts and the pipeline have the rest.
const LINES: usize = 10;

/// One alert: the post it is about, what is wrong, and whether it is pressing.
pub struct AlertLine {
    pub post_id: String,
    pub post_code: String,
    pub detail: String,
    pub urgent: bool,
}

/// A list of alerts of one kind: its heading, the lines shown and how many there are.
pub struct AlertList {
    pub id: &'static str,
    pub title: String,
    pub empty: &'static str,
    pub lines: Vec<AlertLine>,
    pub total: usize,
}

/// The three figures of the scope.
pub struct Figures {
    pub filled: String,
    pub open: String,
    pub year: i32,
    /// Published statistics, when the role may read its scope's.
    pub activity: Option<ScopeHeadline>,
}

pub struct SteeringView {
    pub scope_label: String,
    pub alerts: Vec<AlertList>,
    pub figures: Figures,
    /// Where the complete lists are: the pipeline for the steering, the posts for the employer.
    pub more_href: &'static str,
}

fn list(id: &'static str, title: &str, empty: &'static str, lines: Vec<AlertLine>) -> AlertList {
    let total = lines.len();
    AlertList {
        id,
        title: format!("{title} ({total})"),
        empty,
        lines: lines.into_iter().take(LINES).collect(),
        total,
    }
}

fn post_alert(post: PostLine, detail: String, urgent: bool) -> AlertLine {
    AlertLine {
        post_id: post.id,
        post_code: post.code,
        detail,
        urgent,
    }
}

fn days(n: i64) -> String {
    if n <= 1 {
        format!("{n} jour")
    } else {
        format!("{n} jours")
    }
}

/// The alerts and figures of the actor's scope, as the policy reaches it
/// (`access::posts_reach`, through `scope_of`).
pub async fn steering_view(state: &AppState, auth: &Authenticated) -> WebResult<SteeringView> {
    auth.require(Action::View, &Resource::Posts)?;
    let scope = scope_of(auth)?;
    let today = paris_today();
    let posts = store_post::posts_in(&state.db, &scope, None).await?;

    let ending = passerelle_store::registry::funding::agreements_ending(
        &state.db,
        &scope,
        today - time::Duration::days(LAPSED_LOOKBACK_DAYS),
        today + time::Duration::days(AGREEMENT_HORIZON_DAYS),
    )
    .await?;
    let agreements = ending
        .into_iter()
        .map(|agreement| {
            let end = text_to_date(&agreement.ends_on).ok();
            let left = end.map(|end| (end - today).whole_days()).unwrap_or(0);
            let on = end.map(french_date).unwrap_or_else(|| "—".into());
            let detail = if left < 0 {
                format!(
                    "convention échue le {on} ({} sans convention suivante) — {}",
                    days(-left),
                    agreement.parties
                )
            } else {
                format!(
                    "convention se terminant le {on} (dans {}) — {}",
                    days(left),
                    agreement.parties
                )
            };
            AlertLine {
                post_id: agreement.post_id.to_string(),
                post_code: agreement.post_code,
                detail,
                urgent: left <= passerelle_domain::registry::funding::ALERT_DAYS[1],
            }
        })
        .collect();

    let mut vacant = Vec::new();
    let mut in_creation = Vec::new();
    let (mut filled, mut open) = (0usize, 0usize);
    for post in posts {
        if post.status != PostStatus::Closed {
            open += 1;
        }
        match post.status {
            PostStatus::Vacant => vacant.push(line(post, today)),
            PostStatus::Project | PostStatus::Funded | PostStatus::Recruiting => {
                in_creation.push(line(post, today))
            }
            PostStatus::Filled => filled += 1,
            PostStatus::Closed => {}
        }
    }
    // The longest first: they need the look most.
    vacant.sort_by_key(|post| std::cmp::Reverse(post.days));
    in_creation.sort_by_key(|post| std::cmp::Reverse(post.days));
    let vacant = vacant
        .into_iter()
        .map(|post| {
            let detail = format!("vacant depuis le {} ({})", post.since, days(post.days));
            let urgent = post.days > QUIET_DAYS;
            post_alert(post, detail, urgent)
        })
        .collect();
    let in_creation = in_creation
        .into_iter()
        .map(|post| {
            let detail = format!(
                "{} depuis le {} ({})",
                post.status.to_lowercase(),
                post.since,
                days(post.days)
            );
            post_alert(post, detail, false)
        })
        .collect();

    let quiet = passerelle_store::registry::activity::quiet_posts(
        &state.db,
        &scope,
        today - time::Duration::days(QUIET_DAYS),
    )
    .await?
    .into_iter()
    .map(|quiet| {
        let detail = match quiet
            .last_activity
            .as_deref()
            .and_then(|d| text_to_date(d).ok())
        {
            Some(last) => format!(
                "pourvu, aucune activité depuis le {} ({})",
                french_date(last),
                days((today - last).whole_days())
            ),
            None => "pourvu, aucun signalement reçu à ce jour".to_string(),
        };
        let post = line(quiet.post, today);
        post_alert(post, detail, false)
    })
    .collect();

    let year = today.year();
    let activity = match decide(&auth.actor, Action::View, &Resource::ActivityStatistics) {
        Decision::Allow => Some(scope_headline(state, &auth.actor.grant.scope, year).await?),
        Decision::Deny => None,
    };
    let more_href = match scope {
        PostScope::Employer(_) => "/postes",
        PostScope::Departement(_) | PostScope::Nation => "/pilotage",
    };
    Ok(SteeringView {
        scope_label: passerelle_store::identity::account::scope_label(
            &state.db,
            &auth.actor.grant.scope,
        )
        .await?,
        alerts: vec![
            list(
                "alertes-conventions",
                &format!(
                    "Conventions échues ou se terminant dans les {AGREEMENT_HORIZON_DAYS} jours"
                ),
                "Aucune convention échue ni à renouveler dans ce délai.",
                agreements,
            ),
            list(
                "alertes-vacants",
                "Postes vacants",
                "Aucun poste vacant.",
                vacant,
            ),
            list(
                "alertes-creation",
                "Postes en création",
                "Aucun poste en création.",
                in_creation,
            ),
            list(
                "alertes-inactifs",
                &format!("Postes pourvus sans activité depuis {QUIET_DAYS} jours"),
                "Tous les postes pourvus ont eu une activité récente.",
                quiet,
            ),
        ],
        figures: Figures {
            filled: passerelle_domain::numbers::thousands(filled as i64),
            open: passerelle_domain::numbers::thousands(open as i64),
            year,
            activity,
        },
        more_href,
    })
}
