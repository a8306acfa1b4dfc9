//! The menu as a page of its own: on a phone without JavaScript the DSFR cannot open the
//! header's menu, so the header links here instead. Anyone may open it; it lists what the
//! header would (the navigation of the role, the account links).

use crate::http::auth::{CsrfToken, MaybeAuthenticated};
use crate::http::error::WebResult;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/menu", menu)
}

#[derive(Template, WebTemplate)]
#[template(path = "home/menu.html")]
pub struct MenuPage {
    shell: Shell,
}

async fn menu(
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
) -> WebResult<MenuPage> {
    let shell = match &visitor {
        Some(auth) => Shell::for_actor("Menu", auth, &csrf),
        None => Shell::public("Menu"),
    };
    Ok(MenuPage {
        shell: shell.at("/menu"),
    })
}
