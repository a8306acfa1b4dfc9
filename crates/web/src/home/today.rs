//! The social worker's home, « Aujourd'hui »: where their day starts. The referrals nobody
//! of the post opened yet (« Nouveau », most urgent first), the post's presences and
//! appointments today, the next steps past their day, and the open cases without contact
//! for more than [`SILENT_DAYS`] days. The persons' names beside the cases are read as the
//! inbox reads them: decided by the policy and journaled, one row per view naming the cases.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::{french_date, french_day_of, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use passerelle_domain::access::{Action, Decision, Resource, Scope, decide};
use passerelle_store::referral as store_referral;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/aujourdhui", today)
}

/// An open case without contact (or receipt) for more than this many days is listed: a
/// week, the rhythm at which a person in difficulty is called back at the latest.
pub const SILENT_DAYS: i64 = 7;

/// Lines of each list at most; the inbox has the rest.
const LINES: i64 = 20;

pub struct TodayLine {
    pub id: String,
    pub urgency: String,
    pub urgent: bool,
    pub status: String,
    pub received: String,
    pub age_days: i64,
    pub unit: String,
    pub names: String,
    /// The day that puts it in its list: the next step's, or the last contact's.
    pub day: String,
}

/// The three lists of one post: new referrals, next steps past their day, silent cases.
pub struct PostLists {
    pub new: Vec<TodayLine>,
    pub overdue: Vec<TodayLine>,
    pub silent: Vec<TodayLine>,
}

/// A post the social worker replaces in today, and its lists.
pub struct ReplacedDay {
    pub post_id: String,
    pub code: String,
    pub until: String,
    pub lists: PostLists,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/today.html")]
pub struct TodayPage {
    shell: Shell,
    today: String,
    post_id: String,
    silent_days: i64,
    /// The own post's lists.
    lists: PostLists,
    /// The lists of the posts replaced in today.
    replaced: Vec<ReplacedDay>,
    presences: Vec<crate::presence::DayLine>,
    appointments: Vec<(String, String)>,
}

async fn today(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
) -> WebResult<TodayPage> {
    let post_id = match &auth.actor.grant.scope {
        Scope::Post(own) => own.clone(),
        Scope::Unit(_) | Scope::Employer(_) | Scope::Departement(_) | Scope::Nation => {
            return Err(WebError::Forbidden);
        }
    };
    let day = paris_today();
    let post = passerelle_store::registry::post::find(&state.db, post_id.as_str())
        .await?
        .ok_or(WebError::Forbidden)?;
    let (place, account_posts) = passerelle_store::registry::replacement::place_and_account_posts(
        &state.db,
        &post,
        auth.account.id.as_str(),
        day,
    )
    .await?;
    auth.require(Action::View, &Resource::Cases { post: &place })?;
    let lists = post_lists(
        &state,
        &auth,
        &post,
        &place,
        day,
        "accueil « Aujourd'hui »",
        ip.as_deref(),
    )
    .await?;
    // The posts replaced in today: their cases only (the policy opens a replaced post's
    // cases, not its schedule nor its appointments), each under its own heading, and their
    // names journaled on their own post.
    let mut replaced = Vec::new();
    for replacement in account_posts {
        let Some(other) =
            passerelle_store::registry::post::find(&state.db, replacement.post_id.as_str()).await?
        else {
            continue;
        };
        let other_place =
            passerelle_store::registry::replacement::case_place(&state.db, &other, day).await?;
        match decide(
            &auth.actor,
            Action::View,
            &Resource::Cases { post: &other_place },
        ) {
            Decision::Allow => {}
            Decision::Deny => continue,
        }
        let lists = post_lists(
            &state,
            &auth,
            &other,
            &other_place,
            day,
            "accueil « Aujourd'hui » (remplacement)",
            ip.as_deref(),
        )
        .await?;
        replaced.push(ReplacedDay {
            post_id: other.id.to_string(),
            code: other.code.clone(),
            until: french_day_of(&replacement.ends_on),
            lists,
        });
    }
    let (presences, appointments) =
        crate::presence::today_of_post(&state, &auth, post.id.as_str()).await?;
    Ok(TodayPage {
        shell: Shell::for_actor("Aujourd'hui", &auth, &csrf).at("/aujourdhui"),
        today: french_date(day),
        post_id: post.id.to_string(),
        silent_days: SILENT_DAYS,
        lists,
        replaced,
        presences,
        appointments,
    })
}

/// The lists of `post` (whose place is `place`) on `day`, with the persons' names where the
/// policy gives them (one journaled read naming the cases, for the list called `list`).
async fn post_lists(
    state: &AppState,
    auth: &Authenticated,
    post: &passerelle_store::registry::post::PostRow,
    place: &passerelle_domain::access::Place,
    day: time::Date,
    list: &str,
    ip: Option<&str>,
) -> WebResult<PostLists> {
    let silent_since = passerelle_store::db::time_text::instant_to_text(
        time::OffsetDateTime::now_utc() - time::Duration::days(SILENT_DAYS),
    );
    let lists = store_referral::day_of_post(
        &state.db,
        post.id.as_str(),
        &day.to_string(),
        &silent_since,
        LINES,
    )
    .await?;
    let mut shown: Vec<&str> = Vec::new();
    for row in lists.new.iter().chain(&lists.overdue).chain(&lists.silent) {
        if !shown.contains(&row.id.as_str()) {
            shown.push(row.id.as_str());
        }
    }
    let names =
        crate::referral::inbox_names::names_shown(state, auth, post, place, &shown, list, ip)
            .await?;
    let line = |row: &store_referral::DayRow, on: Option<&str>| -> WebResult<TodayLine> {
        let received = row
            .received_at
            .get(..10)
            .and_then(|d| passerelle_store::db::time_text::text_to_date(d).ok())
            .unwrap_or(day);
        Ok(TodayLine {
            urgency: crate::referral::words::urgency_words(row.urgency, row.danger_grid)
                .to_string(),
            urgent: crate::referral::words::is_urgent(row.urgency, row.danger_grid),
            status: row.status.label().to_string(),
            received: french_date(received),
            age_days: (day - received).whole_days(),
            unit: row
                .unit_name
                .clone()
                .unwrap_or_else(|| "Ouverture directe".into()),
            names: names
                .get(row.id.as_str())
                .map(|n| n.join(", "))
                .unwrap_or_default(),
            day: on.map(french_day_of).unwrap_or_default(),
            id: row.id.to_string(),
        })
    };
    let new = lists
        .new
        .iter()
        .map(|row| line(row, None))
        .collect::<WebResult<_>>()?;
    let overdue = lists
        .overdue
        .iter()
        .map(|row| line(row, row.next_step_on.as_deref()))
        .collect::<WebResult<_>>()?;
    let silent = lists
        .silent
        .iter()
        .map(|row| {
            line(
                row,
                Some(row.last_contact_at.as_deref().unwrap_or(&row.received_at)),
            )
        })
        .collect::<WebResult<_>>()?;
    Ok(PostLists {
        new,
        overdue,
        silent,
    })
}
