//! Signed checkpoints of the journal's head, appended to a file outside the database.
//! A chain alone cannot show that rows were cut from its end (the rest is still intact), nor
//! that it was rebuilt whole by someone holding an old key: a checkpoint signed with the
//! journal key fixes how many rows existed and the link of the last one at a given time.
//!
//! One line per checkpoint:
//! `journal-checkpoint v1 count=<rows> head=<link of the last row> at=<RFC 3339> mac=<key id>:<hex>`
//! where the MAC is an HMAC-SHA-256 of count, head and time under the journal key of that id.

use super::{JournalKey, length_prefixed};
use crate::db::time_text::now_text;
use crate::seal::KeyRing;
use crate::{Db, StoreError};
use std::io::Write;
use std::path::Path;

const PREFIX: &str = "journal-checkpoint v1";
const PURPOSE: &[u8] = b"passerelle journal checkpoint v1\0";

/// The journal's head at one time, signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Rows in the journal (the last row's number).
    pub count: i64,
    /// The link of the last row (the genesis link when empty).
    pub head: String,
    pub at: String,
    /// `<key id>:<hex>`.
    pub mac: String,
}

fn signed_fields(count: i64, head: &str, at: &str) -> Vec<u8> {
    let count = count.to_string();
    [Some(count.as_str()), Some(head), Some(at)]
        .into_iter()
        .flat_map(length_prefixed)
        .collect()
}

impl Checkpoint {
    pub fn sign(count: i64, head: &str, at: &str, key: &JournalKey) -> Self {
        Self {
            count,
            head: head.to_string(),
            at: at.to_string(),
            mac: key.sign(PURPOSE, &signed_fields(count, head, at)),
        }
    }

    pub fn line(&self) -> String {
        format!(
            "{PREFIX} count={} head={} at={} mac={}",
            self.count, self.head, self.at, self.mac
        )
    }

    /// Parses one line; the reason is in French.
    pub fn parse(line: &str) -> Result<Self, &'static str> {
        let rest = line
            .trim()
            .strip_prefix(PREFIX)
            .ok_or("ne commence pas par « journal-checkpoint v1 »")?;
        let mut fields = rest.split_whitespace();
        let mut field = |name: &str| {
            fields
                .next()
                .and_then(|f| f.strip_prefix(name)?.strip_prefix('='))
                .filter(|value| !value.is_empty())
                .map(str::to_string)
        };
        let (Some(count), Some(head), Some(at), Some(mac)) =
            (field("count"), field("head"), field("at"), field("mac"))
        else {
            return Err("champs count=, head=, at=, mac= attendus dans cet ordre");
        };
        if fields.next().is_some() {
            return Err("champ en trop après mac=");
        }
        let count = count
            .parse::<i64>()
            .ok()
            .filter(|c| *c >= 0)
            .ok_or("nombre de lignes illisible")?;
        Ok(Self {
            count,
            head,
            at,
            mac,
        })
    }

    /// Checks the signature with the key it names; the finding is in French.
    fn check(&self, keys: &KeyRing) -> Result<(), String> {
        let key_id = super::link_key_id(&self.mac).unwrap_or_default();
        let Some(key) = keys.journal_key_of(key_id) else {
            return Err(format!(
                "signé avec la clé « {key_id} », absente du fichier de clés"
            ));
        };
        if Self::sign(self.count, &self.head, &self.at, &key).mac != self.mac {
            return Err("signature invalide : ligne forgée ou modifiée".into());
        }
        Ok(())
    }
}

/// One line of a checkpoint file, parsed or not.
#[derive(Debug, Clone)]
pub struct CheckpointLine {
    /// 1-based, to name the line in findings.
    pub number: usize,
    parsed: Result<Checkpoint, &'static str>,
}

impl CheckpointLine {
    /// The checkpoint if its signature holds, else a French finding naming the line.
    pub(crate) fn trusted(&self, keys: &KeyRing) -> Result<&Checkpoint, String> {
        let number = self.number;
        let checkpoint = self.parsed.as_ref().map_err(|reason| {
            format!("points de contrôle, ligne {number} : illisible ({reason})")
        })?;
        checkpoint
            .check(keys)
            .map_err(|reason| format!("points de contrôle, ligne {number} : {reason}"))?;
        Ok(checkpoint)
    }
}

/// The lines of a checkpoint file's text; blank lines and `#` comments are skipped.
pub fn parse_lines(text: &str) -> Vec<CheckpointLine> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(|(index, line)| CheckpointLine {
            number: index + 1,
            parsed: Checkpoint::parse(line),
        })
        .collect()
}

pub fn read_file(path: &Path) -> std::io::Result<Vec<CheckpointLine>> {
    Ok(parse_lines(&std::fs::read_to_string(path)?))
}

/// Signs the journal's current head with the database's journal key.
pub async fn take(db: &Db) -> Result<Checkpoint, StoreError> {
    let key = db.journal_key().ok_or(StoreError::NoJournalKey)?;
    let (count, head): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM journal_head WHERE id = 1")
            .fetch_one(db.pool())
            .await?;
    Ok(Checkpoint::sign(count, &head, &now_text(), key))
}

/// Appends `checkpoint` as one line to `path` (created readable by its owner only, in a
/// private folder if that is missing too), and waits until it is on disk.
pub fn append_to_file(path: &Path, checkpoint: &Checkpoint) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::db::create_private_dir(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    // One write of the whole line: two servers appending together never interleave halves.
    file.write_all(format!("{}\n", checkpoint.line()).as_bytes())?;
    file.sync_all()
}

/// [`take`] then [`append_to_file`]; returns the checkpoint written.
pub async fn write(db: &Db, path: &Path) -> Result<Checkpoint, StoreError> {
    let checkpoint = take(db).await?;
    append_to_file(path, &checkpoint).map_err(|source| StoreError::Checkpoints {
        path: path.display().to_string(),
        source,
    })?;
    Ok(checkpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(byte: u8) -> KeyRing {
        use base64::Engine;
        let key = base64::engine::general_purpose::STANDARD.encode([byte; 32]);
        KeyRing::parse(&format!("k1 {key}\n")).unwrap()
    }

    #[test]
    fn a_line_reads_back_and_its_signature_holds_only_under_its_key() {
        let checkpoint = Checkpoint::sign(
            42,
            "k1:abcd",
            "2026-12-04T10:00:00Z",
            &ring(1).journal_key(),
        );
        let line = &parse_lines(&format!("# anchors\n\n{}\n", checkpoint.line()))[0];
        assert_eq!(line.number, 3);
        assert_eq!(line.trusted(&ring(1)).unwrap(), &checkpoint);
        assert!(
            line.trusted(&ring(2))
                .unwrap_err()
                .contains("signature invalide")
        );
        let forged = checkpoint.line().replace("count=42", "count=41");
        let forged = &parse_lines(&forged)[0];
        assert!(
            forged
                .trusted(&ring(1))
                .unwrap_err()
                .contains("ligne 1 : signature invalide")
        );
    }

    #[test]
    fn garbled_lines_are_named_not_trusted() {
        for text in [
            "nonsense",
            "journal-checkpoint v1 count=x head=a at=b mac=k1:c",
            "journal-checkpoint v1 count=1 head=a",
        ] {
            let finding = parse_lines(text)[0].trusted(&ring(1)).unwrap_err();
            assert!(
                finding.starts_with("points de contrôle, ligne 1 : illisible"),
                "{finding}"
            );
        }
    }
}
