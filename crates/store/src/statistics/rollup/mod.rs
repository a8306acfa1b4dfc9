//! The activity rollups, kept in the transaction of every write to a case: the case's counted
//! facts are read again, `domain::statistics::contribution` says which cells they count for,
//! and the rollups change by the difference with what the case counted for before. A report
//! reads the rollups (O(cells)), never the events. `recompute` counts everything again from
//! the facts with the same function: the tests compare the two.
//!
//! The parts: `facts` reads the counted facts (of one case or person, or of a whole post),
//! `refresh` is the write path inside a case's transaction, `nation` keeps the nation's
//! rollups by grouping, `rebuild` counts everything again, `report` reads the rollups for the
//! dashboards, `verify` compares them with a recount.

use passerelle_domain::statistics::Cell;
use std::collections::BTreeMap;

mod facts;
mod nation;
mod rebuild;
mod refresh;
mod report;
mod verify;

pub use nation::{NationKey, nation_stored_and_summed, regroup_nation};
pub use rebuild::{bring_up_to_date, rebuild, recompute, stored};
pub use refresh::{refresh_case, refresh_person};
pub use report::{PostAttribute, ReportScope, report, report_by_post};
pub use verify::{Difference, Verification, verify};

/// A cell as stored: (post, month, indicator, dimension, value).
pub type CellKey = (String, String, String, String, String);

fn key(cell: &Cell) -> CellKey {
    (
        cell.post_id.clone(),
        cell.month.clone(),
        cell.indicator.to_string(),
        cell.dimension.to_string(),
        cell.value.clone(),
    )
}

fn cell_keys(cells: &BTreeMap<Cell, i64>) -> BTreeMap<CellKey, i64> {
    cells.iter().map(|(c, n)| (key(c), *n)).collect()
}
