//! Whether the published figures are what the facts say: the rollups against a full recount
//! from the facts (the same counting function), and the nation's rollups against the sum of
//! its posts'. Run by `passerelle stats verify` and weekly by the server.

use super::{CellKey, nation_stored_and_summed, recompute, stored};
use crate::{Db, StoreError};
use std::collections::{BTreeMap, BTreeSet};

/// One cell whose stored count is not the recount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where: « poste P, 2026-03, interviews / place = phone » or « national, … ».
    pub cell: String,
    pub stored: i64,
    pub recounted: i64,
}

/// What a verification found: how many cells it compared, and the differing ones (at most
/// `keep`, the count of all of them in `differing`).
#[derive(Debug, Clone, Default)]
pub struct Verification {
    pub cells: usize,
    pub differing: usize,
    pub first: Vec<Difference>,
}

impl Verification {
    pub fn is_exact(&self) -> bool {
        self.differing == 0
    }
}

fn compare<K: Ord + Clone>(
    stored: &BTreeMap<K, i64>,
    recounted: &BTreeMap<K, i64>,
    name: impl Fn(&K) -> String,
    keep: usize,
    found: &mut Verification,
) {
    let keys: BTreeSet<&K> = stored.keys().chain(recounted.keys()).collect();
    found.cells += keys.len();
    for key in keys {
        let (s, r) = (
            stored.get(key).copied().unwrap_or(0),
            recounted.get(key).copied().unwrap_or(0),
        );
        if s != r {
            found.differing += 1;
            if found.first.len() < keep {
                found.first.push(Difference {
                    cell: name(key),
                    stored: s,
                    recounted: r,
                });
            }
        }
    }
}

fn post_cell((post, month, indicator, dimension, value): &CellKey) -> String {
    format!("poste {post}, {month}, {indicator} / {dimension} = « {value} »")
}

/// Recounts everything and compares; keeps the first `keep` differences.
pub async fn verify(db: &Db, keep: usize) -> Result<Verification, StoreError> {
    let mut found = Verification::default();
    let (rollups, recounted) = (stored(db).await?, recompute(db).await?);
    compare(&rollups, &recounted, post_cell, keep, &mut found);
    let (nation, summed) = nation_stored_and_summed(db).await?;
    compare(
        &nation,
        &summed,
        |(grouping, group, indicator, dimension, month, value)| {
            format!(
                "national ({grouping} = « {group} »), {month}, {indicator} / {dimension} = « {value} »"
            )
        },
        keep,
        &mut found,
    );
    Ok(found)
}
