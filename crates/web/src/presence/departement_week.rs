//! Who is where in a département during a week, post by post, for those who coordinate it.

use super::{DayLine, WeekQuery, day_lines, week_start};
use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::clock::french_date;
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::presence::occurrences;
use passerelle_store::presence as store_presence;
use passerelle_store::registry::post as store_post;
use time::Duration;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/presence/departements/{code}", departement_week)
}

pub struct PostWeek {
    pub post_code: String,
    pub days: Vec<DayLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/departement_week.html")]
pub struct DepartementWeekPage {
    shell: Shell,
    code: String,
    week_label: String,
    posts: Vec<PostWeek>,
    previous: String,
    next: String,
}

/// Who is where in a département during a week, post by post.
async fn departement_week(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(code): Path<String>,
    Query(query): Query<WeekQuery>,
) -> WebResult<DepartementWeekPage> {
    let code = passerelle_domain::registry::territory::DepartementCode::parse(&code)
        .map_err(|_| WebError::NotFound)?;
    auth.require(
        Action::View,
        &Resource::DepartementPresence { departement: &code },
    )?;
    let code = code.to_string();
    let monday = week_start(&query)?;
    if passerelle_domain::registry::territory::DepartementCode::parse(&code).is_err() {
        return Err(WebError::NotFound);
    }
    let posts = store_post::posts_in(
        &state.db,
        &store_post::PostScope::Departement(code.clone()),
        None,
    )
    .await?;
    let mut lines = Vec::new();
    for post in posts
        .into_iter()
        .filter(|p| p.status != passerelle_domain::registry::post::PostStatus::Closed)
    {
        let slots = store_presence::slots_of(&state.db, post.id.as_str()).await?;
        let absences = store_presence::absences_of(&state.db, post.id.as_str(), monday).await?;
        let hosts = store_post::host_units_of(&state.db, &post.id).await?;
        let found = occurrences(
            &slots,
            &absences,
            post.departement_code.as_str(),
            monday,
            monday + Duration::days(6),
        );
        let unit_name = |unit_id: &str| {
            hosts
                .iter()
                .find(|(id, _, _)| id == unit_id)
                .map(|(_, n, _)| n.clone())
                .unwrap_or_default()
        };
        lines.push(PostWeek {
            days: day_lines(&found, &unit_name),
            post_code: post.code,
        });
    }
    Ok(DepartementWeekPage {
        shell: Shell::for_actor(
            &format!("Présences de la semaine — département {code}"),
            &auth,
            &csrf,
        ),
        week_label: format!("Semaine du {}", french_date(monday)),
        previous: passerelle_store::db::time_text::date_to_text(monday - Duration::weeks(1)),
        next: passerelle_store::db::time_text::date_to_text(monday + Duration::weeks(1)),
        posts: lines,
        code,
    })
}
