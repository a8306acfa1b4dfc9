//! Administration of accounts: the admin manages everyone; an employer its staff; a
//! prevention referent invites the officers of its département. Every change is journaled.
//! The pages are split by what they do: the list and the page of an account (`list`),
//! invitations (`invitations`), roles given and taken back (`roles`), disabling, enabling
//! and unlocking (`status`); what several of them need stays here.

use crate::AppState;
use crate::http::auth::Authenticated;
use crate::http::error::{WebError, WebResult};
use crate::http::route_table::RouteTable;
use passerelle_domain::access::{Action, Place, Resource};
use passerelle_domain::identity::role::Role;
use passerelle_store::identity::account;
use serde::Deserialize;

mod invitations;
mod list;
mod roles;
mod status;

pub use invitations::InvitePage;
pub use list::{AccountAdminPage, AccountLine, AccountsPage, ManagedRole};
pub use roles::ScopeOption;
pub(crate) use roles::{grantable, parse_scope, place_for};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/comptes", list::list_accounts)
        .form(
            "/comptes/inviter",
            invitations::show_invite,
            invitations::invite,
        )
        .get("/comptes/{id}", list::show_account)
        .post("/comptes/{id}/roles", roles::grant_role)
        .post("/comptes/{id}/roles/{role_id}/retirer", roles::revoke_role)
        .post("/comptes/{id}/desactiver", status::disable)
        .post("/comptes/{id}/reactiver", status::enable)
        .post("/comptes/{id}/debloquer", status::unlock)
}

pub(super) fn status_of(disabled: bool, invited: bool, totp: bool) -> &'static str {
    match (disabled, invited, totp) {
        (true, _, _) => "Désactivé",
        (false, true, _) => "Invitation en attente",
        (false, false, true) => "Actif, second facteur activé",
        (false, false, false) => "Actif",
    }
}

#[derive(Deserialize, Default)]
pub struct DepartementQuery {
    departement: Option<String>,
}

/// The account at `id` if the actor may manage it, with its roles and their places.
pub(super) async fn managed_account(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
) -> WebResult<(
    account::AccountRow,
    Vec<account::RoleRow>,
    Vec<(Role, Place)>,
)> {
    // Unknown and forbidden answer alike: the page does not reveal which accounts exist.
    let target = account::find(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let places = account::roles_with_places(&state.db, &target.id).await?;
    auth.require(Action::Manage, &Resource::Account { roles: &places })?;
    let roles = account::roles_of(&state.db, &target.id).await?;
    Ok((target, roles, places))
}
