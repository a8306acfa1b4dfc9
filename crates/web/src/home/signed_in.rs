//! Where a signed-in person lands: the officer on « Signaler une situation » and their latest
//! referrals; every other role on the main pages of its menu.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::WebResult;
use crate::http::layout::{NavItem, Shell, navigation_for};
use crate::referral::own_referrals::{OwnLine, References, own_lines};
use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};
use passerelle_domain::access::Scope;
use passerelle_domain::identity::role::Role;

/// How many referrals the officer's home recalls; the rest are in « Mes signalements ».
const RECALLED: i64 = 3;

#[derive(Template, WebTemplate)]
#[template(path = "home/officer.html")]
pub struct OfficerHome {
    shell: Shell,
    unit_id: String,
    next_presence: Option<String>,
    latest: Vec<OwnLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/role.html")]
pub struct RoleHome {
    shell: Shell,
    role_label: &'static str,
    pages: Vec<NavItem>,
}

/// The home of a signed-in person, by the role they act in.
pub async fn home(state: &AppState, auth: &Authenticated, csrf: &CsrfToken) -> WebResult<Response> {
    let shell = Shell::for_actor("Accueil", auth, csrf).at("/");
    match (auth.role(), &auth.actor.grant.scope) {
        (Role::Officer, Scope::Unit(unit)) => Ok(OfficerHome {
            shell,
            unit_id: unit.clone().to_string(),
            next_presence: crate::presence::next_presence_at(state, unit.as_str()).await?,
            // The clear facts only: the references are read on « Mes signalements ».
            latest: own_lines(state, auth, unit.as_str(), RECALLED, References::Closed).await?,
        }
        .into_response()),
        (role, _) => Ok(RoleHome {
            shell,
            role_label: role.label(),
            // The pages of the role's menu, beyond the public ones every visitor has.
            pages: navigation_for(&[role])
                .into_iter()
                .filter(|item| !navigation_for(&[]).contains(item))
                .collect(),
        }
        .into_response()),
    }
}
