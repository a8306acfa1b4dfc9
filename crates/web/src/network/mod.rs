//! The network space (PRODUCT.md §9): announcements for now. Every text of the network goes
//! through the domain's personal-data check before it is saved; never case content.

use crate::http::route_table::RouteTable;

pub mod announcements;
pub mod markdown;

pub fn routes() -> RouteTable {
    RouteTable::new().merge(announcements::routes())
}
