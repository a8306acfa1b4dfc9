//! Checking the journal: every link recomputed with the key file's journal keys, then the
//! chain compared with the signed checkpoints kept outside the database.

use super::checkpoint::{Checkpoint, CheckpointLine};
use super::{GENESIS_HASH, Row, SELECT_ROWS, link_key_id, row_hash, row_link};
use crate::seal::KeyRing;
use crate::{Db, StoreError};
use std::collections::BTreeMap;

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub rows_checked: u64,
    /// Rows of the chain's start linked by plain SHA-256, written before links were keyed.
    pub legacy_rows: u64,
    /// The first broken row and what is wrong with it, in French.
    pub first_break: Option<(i64, String)>,
    /// Checkpoints whose signature held and that the journal matched.
    pub checkpoints_matched: usize,
    /// What the checkpoints revealed (a rollback, a rewritten chain, a forged line), in French.
    pub checkpoint_findings: Vec<String>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.first_break.is_none() && self.checkpoint_findings.is_empty()
    }
}

/// The walk over the rows, one at a time, up to the first break.
struct Walk<'a> {
    keys: &'a KeyRing,
    expected_seq: i64,
    previous: String,
    keyed_seen: bool,
    checked: u64,
    legacy: u64,
    first_break: Option<(i64, String)>,
}

impl Walk<'_> {
    fn step(&mut self, row: &Row) {
        if self.first_break.is_some() {
            return;
        }
        if let Err(reason) = self.check(row) {
            let seq = if row.seq != self.expected_seq {
                self.expected_seq
            } else {
                row.seq
            };
            self.first_break = Some((seq, reason));
            return;
        }
        self.previous = row.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
    }

    fn check(&mut self, row: &Row) -> Result<(), String> {
        let seq = row.seq;
        if seq != self.expected_seq {
            return Err(format!(
                "ligne {} supprimée (la suivante est la ligne {seq})",
                self.expected_seq
            ));
        }
        if row.previous_hash != self.previous {
            return Err(format!(
                "ligne {seq} : chaînage rompu avec la ligne précédente"
            ));
        }
        let Some(key_id) = link_key_id(&row.hash) else {
            if self.keyed_seen {
                return Err(format!(
                    "ligne {seq} : lien sans clé (SHA-256 simple) après des lignes signées — \
                     le journal a été réécrit à partir de cette ligne"
                ));
            }
            if row_hash(row) != row.hash {
                return Err(format!("ligne {seq} : contenu modifié après écriture"));
            }
            self.legacy += 1;
            return Ok(());
        };
        let Some(key) = self.keys.journal_key_of(key_id) else {
            return Err(format!(
                "ligne {seq} : lien signé avec la clé « {key_id} », absente du fichier de clés \
                 (lien forgé, ou ancienne clé retirée du fichier : remettez-la)"
            ));
        };
        if row_link(row, &key) != row.hash {
            return Err(format!(
                "ligne {seq} : contenu modifié après écriture, ou lien recalculé sans la clé \
                 du journal"
            ));
        }
        self.keyed_seen = true;
        Ok(())
    }
}

/// Recomputes the whole chain in batches with the journal keys of `keys`, and compares it
/// with `checkpoints` (the lines of a checkpoint file, possibly none); `progress` gets the
/// number of rows read.
pub async fn verify(
    db: &Db,
    keys: &KeyRing,
    checkpoints: &[CheckpointLine],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Verification, StoreError> {
    let mut findings = Vec::new();
    // The link each trusted checkpoint expects at its row count.
    let mut anchors: BTreeMap<i64, Vec<(usize, &Checkpoint)>> = BTreeMap::new();
    for line in checkpoints {
        match line.trusted(keys) {
            Ok(checkpoint) => anchors
                .entry(checkpoint.count)
                .or_default()
                .push((line.number, checkpoint)),
            Err(finding) => findings.push(finding),
        }
    }
    let mut links_at: BTreeMap<i64, String> = BTreeMap::new();
    let mut walk = Walk {
        keys,
        expected_seq: 1,
        previous: GENESIS_HASH.to_string(),
        keyed_seen: false,
        checked: 0,
        legacy: 0,
        first_break: None,
    };
    let (mut after, mut read, mut last_seq) = (0i64, 0u64, 0i64);
    loop {
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_ROWS} WHERE seq > $1 ORDER BY seq LIMIT 5000"
        )))
        .bind(after)
        .fetch_all(db.pool())
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for row in &rows {
            walk.step(row);
            if anchors.contains_key(&row.seq) {
                links_at.insert(row.seq, row.hash.clone());
            }
            last_seq = row.seq;
        }
        read += rows.len() as u64;
        progress(read);
    }
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM journal_head WHERE id = 1")
            .fetch_one(db.pool())
            .await?;
    if walk.first_break.is_none()
        && (head_seq != walk.expected_seq - 1 || head_hash != walk.previous)
    {
        let missing = walk.expected_seq;
        walk.first_break = Some((
            missing,
            format!("ligne {missing} et suivantes supprimées (le journal en compte {head_seq})"),
        ));
    }
    links_at.insert(0, GENESIS_HASH.to_string());
    let mut matched = 0;
    for (count, lines) in &anchors {
        for (number, checkpoint) in lines {
            let stated = format!(
                "le point de contrôle du {} (ligne {number} du fichier)",
                checkpoint.at
            );
            let present = last_seq.min(head_seq);
            if *count > present {
                let gone = if *count == present + 1 {
                    format!("ligne {count} disparue")
                } else {
                    format!("lignes {} à {count} disparues", present + 1)
                };
                findings.push(format!(
                    "retour en arrière : {stated} compte {count} lignes, le journal n'en a plus \
                     que {present} — {gone}"
                ));
            } else if links_at.get(count) != Some(&checkpoint.head) {
                findings.push(format!(
                    "ligne {count} : son lien diffère de celui que signe {stated} — le journal \
                     a été réécrit jusqu'à cette ligne"
                ));
            } else {
                matched += 1;
            }
        }
    }
    Ok(Verification {
        rows_checked: walk.checked,
        legacy_rows: walk.legacy,
        first_break: walk.first_break,
        checkpoints_matched: matched,
        checkpoint_findings: findings,
    })
}
