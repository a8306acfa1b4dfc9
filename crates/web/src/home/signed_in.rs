//! Where a signed-in person lands: the officer on « Signaler une situation » and their latest
//! referrals; the employer, the prevention referent and the national team on the alerts and
//! figures of their scope (`steering`); the technical administrator on the accounts needing
//! attention; each then on the main pages of its menu.

use crate::AppState;
use crate::home::steering::{SteeringView, steering_view};
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::clock::french_instant_of;
use crate::http::error::WebResult;
use crate::http::layout::{NavItem, Shell, navigation_for};
use crate::referral::own_referrals::{OwnLine, References, own_lines};
use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};
use passerelle_domain::access::{Action, Decision, Resource, Scope, decide};
use passerelle_domain::identity::role::Role;
use passerelle_store::identity::attention::Attention;

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
    /// The alerts and figures of a steering role's scope.
    steering: Option<SteeringView>,
    /// The accounts needing attention, for the technical administrator.
    attention: Option<Vec<AttentionLine>>,
}

/// The pages of the role's menu, beyond the public ones every visitor has.
fn pages_of(role: Role) -> Vec<NavItem> {
    navigation_for(&[role])
        .into_iter()
        .filter(|item| !navigation_for(&[]).contains(item))
        .collect()
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
        (role @ (Role::Employer | Role::Prevention | Role::National), _) => Ok(RoleHome {
            shell,
            role_label: role.label(),
            pages: pages_of(role),
            steering: Some(steering_view(state, auth).await?),
            attention: None,
        }
        .into_response()),
        (Role::Admin, _) => Ok(RoleHome {
            shell,
            role_label: Role::Admin.label(),
            pages: pages_of(Role::Admin),
            steering: None,
            attention: Some(accounts_needing_attention(state, auth).await?),
        }
        .into_response()),
        (role @ (Role::Officer | Role::SocialWorker), _) => Ok(RoleHome {
            shell,
            role_label: role.label(),
            pages: pages_of(role),
            steering: None,
            attention: None,
        }
        .into_response()),
    }
}

/// An account the technical administrator should look at, and why.
pub struct AttentionLine {
    pub id: String,
    pub name: String,
    pub email: String,
    pub reason: String,
    pub locked: bool,
}

/// The accounts locked now or with an invitation pending or expired, among those the policy
/// lets the actor administer (each checked on its roles, as on the account's page).
async fn accounts_needing_attention(
    state: &AppState,
    auth: &Authenticated,
) -> WebResult<Vec<AttentionLine>> {
    auth.require(Action::View, &Resource::Accounts)?;
    let mut lines = Vec::new();
    for row in passerelle_store::identity::attention::accounts_needing_attention(&state.db).await? {
        let roles =
            passerelle_store::identity::account::roles_with_places(&state.db, &row.id).await?;
        match decide(
            &auth.actor,
            Action::View,
            &Resource::Account { roles: &roles },
        ) {
            Decision::Allow => {}
            Decision::Deny => continue,
        }
        let (reason, locked) = match &row.attention {
            Attention::Locked { until } => (
                format!(
                    "bloqué après des échecs de connexion, jusqu'au {}",
                    french_instant_of(until)
                ),
                true,
            ),
            Attention::InvitationExpired { on } => (
                format!(
                    "invitation expirée le {} sans avoir été acceptée",
                    french_instant_of(on)
                ),
                false,
            ),
            Attention::InvitationPending { until } => (
                format!(
                    "invitation en attente, valable jusqu'au {}",
                    french_instant_of(until)
                ),
                false,
            ),
        };
        lines.push(AttentionLine {
            id: row.id.to_string(),
            name: row.display_name,
            email: row.email,
            reason,
            locked,
        });
    }
    Ok(lines)
}
