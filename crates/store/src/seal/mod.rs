//! Sealing of sensitive fields: XChaCha20-Poly1305 with a key ring read from a key file.
//! The associated data binds a ciphertext to its place (`table.column:row_id`), so a value
//! copied to another row or column does not open. The key id travels in the ciphertext, so
//! old values still open after a new key is added, until `passerelle rekey` re-seals them.
//!
//! Sealed format: version (1 byte) ‖ key id length (1 byte) ‖ key id ‖ nonce (24 bytes) ‖
//! ciphertext and tag.

pub mod key_guard;

use crate::{Db, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use zeroize::Zeroizing;

const FORMAT_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("fichier de clés « {path} » : {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("fichier de clés{}, ligne {line} : {reason}", in_file(.path))]
    Line {
        path: Option<String>,
        line: usize,
        reason: &'static str,
    },
    #[error("fichier de clés{} vide : aucune clé (ligne « k1 <clé en base64> » attendue)", in_file(.path))]
    Empty { path: Option<String> },
    #[error("valeur scellée illisible (format inconnu ou tronqué)")]
    Malformed,
    #[error(
        "valeur scellée avec la clé « {0} », absente du fichier de clés : remettez cette clé dans le fichier"
    )]
    UnknownKey(String),
    #[error("valeur scellée altérée, ou déplacée d'un autre enregistrement")]
    Tampered,
}

fn in_file(path: &Option<String>) -> String {
    path.as_ref()
        .map(|p| format!(" « {p} »"))
        .unwrap_or_default()
}

impl SealError {
    /// Names the key file in an error found while parsing its text.
    fn in_path(self, path: &Path) -> Self {
        let named = Some(path.display().to_string());
        match self {
            SealError::Line { line, reason, .. } => SealError::Line {
                path: named,
                line,
                reason,
            },
            SealError::Empty { .. } => SealError::Empty { path: named },
            other => other,
        }
    }
}

/// The associated data of a sealed column value: binds the ciphertext to its row and column.
pub fn associated_data(table: &str, column: &str, row_id: &str) -> String {
    format!("{table}.{column}:{row_id}")
}

/// One key of the ring. The cipher holds the key material and wipes it on drop (crate
/// feature `zeroize`); no Debug, so it cannot be printed by accident.
struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
    /// Derived from the key, for blind indexes (a keyed hash of a value one may search for
    /// without storing it in clear); wiped on drop.
    index_key: Zeroizing<[u8; 32]>,
    /// Derived from the key, for the journal's links (HMAC), so that whoever holds only the
    /// database cannot recompute them; wiped on drop.
    journal_key: Zeroizing<[u8; 32]>,
    /// Derived from the key, to encrypt backups; wiped on drop.
    backup_secret: Zeroizing<[u8; 32]>,
    /// A keyed hash naming this key's material without revealing it, recorded in the
    /// database so that a server started with another key file refuses to start.
    fingerprint: String,
}

/// The keys of the installation; the last one seals, all of them open.
pub struct KeyRing {
    keys: Vec<Key>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The ids only, never the key material.
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("KeyRing").field("key_ids", &ids).finish()
    }
}

fn valid_id(id: &str) -> bool {
    (1..=16).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Parses one `<id> <base64 key>` line (already known not to be blank or a comment).
fn parse_key_line(line: &str) -> Result<Key, &'static str> {
    let mut fields = line.split_whitespace();
    let (Some(id), Some(encoded), None) = (fields.next(), fields.next(), fields.next()) else {
        return Err("« <identifiant> <clé en base64> » attendu");
    };
    if !valid_id(id) {
        return Err("identifiant de clé invalide (a-z, 0-9, 16 caractères au plus)");
    }
    let bytes = Zeroizing::new(
        BASE64
            .decode(encoded)
            .map_err(|_| "clé en base64 illisible")?,
    );
    if bytes.len() != KEY_LEN {
        return Err("clé de 32 octets attendue");
    }
    let cipher =
        XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| "clé de 32 octets attendue")?;
    let derive = |purpose: &[u8]| {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        hasher.update(purpose);
        hasher.update(bytes.as_slice());
        Zeroizing::new(<[u8; 32]>::from(hasher.finalize()))
    };
    Ok(Key {
        id: id.to_string(),
        cipher,
        index_key: derive(b"passerelle blind index v1\0"),
        journal_key: derive(b"passerelle journal v1\0"),
        backup_secret: derive(b"passerelle backup v1\0"),
        fingerprint: fingerprint_of(id, &bytes),
    })
}

/// HMAC-SHA-256 under the key material of a fixed label and the key id, 128 bits in hex:
/// equal for the same key, unrelated for another, and useless to find the key.
fn fingerprint_of(id: &str, material: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(material)
        .expect("HMAC takes keys of any length");
    mac.update(b"passerelle key fingerprint v1\0");
    mac.update(id.as_bytes());
    let digest = mac.finalize().into_bytes();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random key as a key file line, in buffers wiped on drop.
fn new_key_line(id: &str) -> Zeroizing<String> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    rand::rng().fill_bytes(key.as_mut());
    let encoded = Zeroizing::new(BASE64.encode(key.as_ref()));
    // Sized up front so the string never reallocates and leaves an unwiped copy behind.
    let mut line = Zeroizing::new(String::with_capacity(id.len() + encoded.len() + 2));
    line.push_str(id);
    line.push(' ');
    line.push_str(&encoded);
    line.push('\n');
    line
}

/// The id after the highest `k<n>` of the ring: a retired id is never reused, so an old
/// backup's values sealed with it fail as "unknown key", not as "tampered".
fn next_key_id(ring: &KeyRing) -> String {
    let highest = ring
        .keys
        .iter()
        .filter_map(|k| k.id.strip_prefix('k')?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    format!("k{}", highest + 1)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            path = %path.display(),
            "key file readable by other users: chmod 600 it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

impl KeyRing {
    /// Parses the key file's text: `<id> <base64 of 32 bytes>` per line, blank lines and
    /// `#` comments allowed; the last key seals.
    pub fn parse(text: &str) -> Result<Self, SealError> {
        let mut keys: Vec<Key> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let error = |reason| SealError::Line {
                path: None,
                line: index + 1,
                reason,
            };
            let key = parse_key_line(line).map_err(error)?;
            if keys.iter().any(|k| k.id == key.id) {
                return Err(error("identifiant de clé en double"));
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(SealError::Empty { path: None });
        }
        Ok(Self { keys })
    }

    pub fn load(path: &Path) -> Result<Self, SealError> {
        warn_if_readable_by_others(path);
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(file_error(path))?);
        Self::parse(&text).map_err(|e| e.in_path(path))
    }

    /// Creates a new key file (readable by its owner only) with one fresh key `k1`.
    /// Fails if the file exists: a key file is never overwritten.
    pub fn generate_file(path: &Path) -> Result<Self, SealError> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(file_error(path))?;
        let written = file
            .write_all(new_key_line("k1").as_bytes())
            .and_then(|()| file.sync_all());
        if let Err(source) = written {
            // An empty key file would block the next start: leave nothing behind.
            let _ = std::fs::remove_file(path);
            return Err(file_error(path)(source));
        }
        Self::load(path)
    }

    /// Appends a fresh key with the next id (k2, k3…), which becomes the sealing key;
    /// returns the new ring. Older keys stay, so existing values still open.
    pub fn add_key(path: &Path) -> Result<Self, SealError> {
        let ring = Self::load(path)?;
        let text = std::fs::read(path).map_err(file_error(path))?;
        let mut line = new_key_line(&next_key_id(&ring));
        // A hand-edited file may lack its final newline: never glue the new key onto a line.
        if !text.is_empty() && !text.ends_with(b"\n") {
            line.insert(0, '\n');
        }
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(file_error(path))?;
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(file_error(path))?;
        Self::load(path)
    }

    fn current(&self) -> &Key {
        // parse() refuses an empty ring.
        &self.keys[self.keys.len() - 1]
    }

    /// The id of the key that seals (the last of the file).
    /// A blind index of `value` in `context`: a keyed hash (HMAC-SHA-256, 128 bits, hex) that
    /// equal values share and that reveals nothing without the key file. It uses the ring's
    /// first key, so that adding a key (and rekeying) leaves every index valid.
    pub fn blind_index(&self, context: &str, value: &str) -> String {
        use hmac::{Hmac, Mac};
        let key = self
            .keys
            .first()
            .map(|k| k.index_key.as_slice())
            .unwrap_or(&[]);
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key)
            .expect("HMAC takes keys of any length");
        mac.update(context.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The journal key of the current key: new journal links are made with it.
    pub fn journal_key(&self) -> crate::journal::JournalKey {
        let key = self.current();
        crate::journal::JournalKey::new(&key.id, &key.journal_key)
    }

    /// The journal key of key `id`, to check links made with it (`None` if the file lacks it).
    pub fn journal_key_of(&self, id: &str) -> Option<crate::journal::JournalKey> {
        let key = self.keys.iter().find(|k| k.id == id)?;
        Some(crate::journal::JournalKey::new(&key.id, &key.journal_key))
    }

    pub fn current_key_id(&self) -> &str {
        &self.current().id
    }

    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.id.as_str())
    }

    /// Each key's id and fingerprint (recorded by `crate::seal::key_guard`), in file order.
    pub fn fingerprints(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys
            .iter()
            .map(|k| (k.id.as_str(), k.fingerprint.as_str()))
    }

    /// The fingerprint of key `id`, if the ring holds it.
    pub fn fingerprint_of(&self, id: &str) -> Option<&str> {
        self.keys
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.fingerprint.as_str())
    }

    /// The secret that encrypts backups under key `id` (derived, never the key itself), in a
    /// buffer wiped on drop; `None` if the ring lacks that key.
    pub fn backup_secret(&self, id: &str) -> Option<Zeroizing<String>> {
        let key = self.keys.iter().find(|k| k.id == id)?;
        Some(Zeroizing::new(BASE64.encode(key.backup_secret.as_slice())))
    }

    /// Seals `plaintext` under the current key, bound to `associated` (see
    /// [`associated_data`]), with a fresh random 24-byte nonce.
    pub fn seal(&self, plaintext: &[u8], associated: &str) -> Vec<u8> {
        let key = self.current();
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext,
            aad: associated.as_bytes(),
        };
        let ciphertext = key
            .cipher
            .encrypt(&XNonce::from(nonce), payload)
            .expect("XChaCha20-Poly1305 encryption does not fail for in-memory buffers");
        let mut sealed = Vec::with_capacity(2 + key.id.len() + NONCE_LEN + ciphertext.len());
        sealed.push(FORMAT_VERSION);
        // valid_id() bounds ids to 16 bytes.
        sealed.push(key.id.len() as u8);
        sealed.extend_from_slice(key.id.as_bytes());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// The id of the key a sealed value was sealed with.
    pub fn key_id_of(sealed: &[u8]) -> Result<&str, SealError> {
        let [version, id_len, rest @ ..] = sealed else {
            return Err(SealError::Malformed);
        };
        let id = rest.get(..*id_len as usize).ok_or(SealError::Malformed)?;
        let id = std::str::from_utf8(id).map_err(|_| SealError::Malformed)?;
        if *version != FORMAT_VERSION || !valid_id(id) {
            return Err(SealError::Malformed);
        }
        Ok(id)
    }

    /// Opens a sealed value; fails if it was sealed for another place (`associated`),
    /// altered, truncated, or sealed with a key the ring no longer holds.
    pub fn open(&self, sealed: &[u8], associated: &str) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let id = Self::key_id_of(sealed)?;
        let start = 2 + id.len();
        if sealed.len() < start + NONCE_LEN + TAG_LEN {
            return Err(SealError::Malformed);
        }
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| SealError::UnknownKey(id.to_string()))?;
        let (nonce, ciphertext) = sealed[start..].split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| SealError::Malformed)?;
        let payload = Payload {
            msg: ciphertext,
            aad: associated.as_bytes(),
        };
        key.cipher
            .decrypt(&nonce, payload)
            .map(Zeroizing::new)
            .map_err(|_| SealError::Tampered)
    }

    /// [`KeyRing::open`] for text values.
    pub fn open_string(
        &self,
        sealed: &[u8],
        associated: &str,
    ) -> Result<Zeroizing<String>, SealError> {
        let bytes = self.open(sealed, associated)?;
        // Checked on the borrowed bytes: a failed conversion would drop an unwiped copy.
        let text = std::str::from_utf8(&bytes).map_err(|_| SealError::Malformed)?;
        Ok(Zeroizing::new(text.to_owned()))
    }
}

fn file_error(path: &Path) -> impl Fn(std::io::Error) -> SealError + '_ {
    move |source| SealError::File {
        path: path.display().to_string(),
        source,
    }
}

/// A column holding sealed values, with the id column its associated data names.
#[derive(Debug, Clone, Copy)]
pub struct SealedColumn {
    pub table: &'static str,
    pub id_column: &'static str,
    pub column: &'static str,
}

impl SealedColumn {
    pub fn associated_data(&self, row_id: &str) -> String {
        associated_data(self.table, self.column, row_id)
    }
}

/// How many non-null values `column` holds (the length of a rekey's progress bar).
pub async fn count_sealed(db: &Db, column: &SealedColumn) -> Result<u64, StoreError> {
    let SealedColumn { table, column, .. } = *column;
    // Built only from our own identifiers (`crate::SEALED_COLUMNS`, or a test's constant).
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL");
    let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_one(db.pool())
        .await?;
    Ok(count.max(0) as u64)
}

pub async fn count_all_sealed(db: &Db) -> Result<u64, StoreError> {
    let mut total = 0;
    for column in crate::SEALED_COLUMNS {
        total += count_sealed(db, column).await?;
    }
    Ok(total)
}

/// The next `batch` non-null values after the id `after`, in id order (keyset pagination:
/// each page costs the same however far the walk has gone).
async fn next_batch(
    db: &Db,
    column: &SealedColumn,
    after: &str,
    batch: usize,
) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let SealedColumn {
        table,
        id_column,
        column,
    } = *column;
    // Built only from our own identifiers (`crate::SEALED_COLUMNS`, or a test's constant).
    let sql = format!(
        "SELECT {id_column}, {column} FROM {table} \
         WHERE {column} IS NOT NULL AND {id_column} > $1 ORDER BY {id_column} LIMIT $2"
    );
    let limit = i64::try_from(batch).unwrap_or(i64::MAX);
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// Re-seals the rows of one batch that are not under the current key, in one transaction.
/// The update only applies if the value is still the one read: a value rewritten meanwhile
/// (a new TOTP enrolment) is already under a current key and must not be overwritten.
async fn reseal_batch(
    db: &Db,
    ring: &KeyRing,
    column: &SealedColumn,
    rows: &[(String, Vec<u8>)],
) -> Result<u64, StoreError> {
    let SealedColumn {
        table,
        id_column,
        column: name,
    } = *column;
    // Built only from our own identifiers (`crate::SEALED_COLUMNS`, or a test's constant).
    let sql = format!("UPDATE {table} SET {name} = $1 WHERE {id_column} = $2 AND {name} = $3");
    let mut tx = db.begin_write().await?;
    let mut resealed = 0;
    for (id, sealed) in rows {
        if KeyRing::key_id_of(sealed).is_ok_and(|key| key == ring.current_key_id()) {
            continue;
        }
        let associated = column.associated_data(id);
        let plain = ring
            .open(sealed, &associated)
            .map_err(|e| StoreError::Corrupt(format!("{table}.{name}, ligne {id} : {e}")))?;
        let done = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(ring.seal(&plain, &associated))
            .bind(id)
            .bind(sealed)
            .execute(&mut *tx)
            .await?;
        resealed += done.rows_affected();
    }
    tx.commit().await?;
    Ok(resealed)
}

/// Re-seals under the current key every value of `column` sealed with another key, in
/// batches of `batch` rows, one transaction each. `progress` receives the number of values
/// examined so far (to compare with [`count_sealed`]). Returns how many were re-sealed.
pub async fn rekey_column(
    db: &Db,
    ring: &KeyRing,
    column: &SealedColumn,
    batch: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, StoreError> {
    let batch = batch.max(1);
    let mut after = String::new();
    let (mut examined, mut resealed) = (0u64, 0u64);
    loop {
        let rows = next_batch(db, column, &after, batch).await?;
        let Some((last, _)) = rows.last() else { break };
        after = last.clone();
        resealed += reseal_batch(db, ring, column, &rows).await?;
        examined += rows.len() as u64;
        progress(examined);
    }
    Ok(resealed)
}

/// [`rekey_column`] over every column of [`crate::SEALED_COLUMNS`]; `progress` counts across them.
pub async fn rekey_all(
    db: &Db,
    ring: &KeyRing,
    batch: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, StoreError> {
    let (mut examined, mut resealed) = (0u64, 0u64);
    for column in crate::SEALED_COLUMNS {
        let seen = AtomicU64::new(0);
        let report = |n| {
            seen.store(n, Ordering::Relaxed);
            progress(examined + n);
        };
        resealed += rekey_column(db, ring, column, batch, &report).await?;
        examined += seen.load(Ordering::Relaxed);
    }
    Ok(resealed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(id: &str, byte: u8) -> String {
        format!("{id} {}\n", BASE64.encode([byte; KEY_LEN]))
    }

    fn ring() -> KeyRing {
        KeyRing::parse(&format!("# test\n\n{}", line("k1", 7))).unwrap()
    }

    #[test]
    fn a_value_opens_only_in_its_own_place() {
        let ring = ring();
        let sealed = ring.seal(b"secret", "accounts.totp_secret_sealed:a1");
        let opened = ring
            .open(&sealed, "accounts.totp_secret_sealed:a1")
            .unwrap();
        assert_eq!(opened.as_slice(), b"secret");
        assert!(matches!(
            ring.open(&sealed, "accounts.totp_secret_sealed:a2"),
            Err(SealError::Tampered)
        ));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(matches!(
            ring.open(&tampered, "accounts.totp_secret_sealed:a1"),
            Err(SealError::Tampered)
        ));
    }

    #[test]
    fn the_last_key_of_the_file_seals_and_every_key_opens() {
        let old = KeyRing::parse(&line("k1", 1)).unwrap();
        let both =
            KeyRing::parse(&format!("{}# rotated\n{}", line("k1", 1), line("k2", 2))).unwrap();
        assert_eq!(both.current_key_id(), "k2");
        let sealed = old.seal(b"x", "t.c:1");
        assert_eq!(both.open(&sealed, "t.c:1").unwrap().as_slice(), b"x");
        assert_eq!(KeyRing::key_id_of(&both.seal(b"x", "t.c:1")).unwrap(), "k2");
    }

    #[test]
    fn key_file_errors_name_the_line() {
        let error = |text: &str| KeyRing::parse(text).unwrap_err().to_string();
        assert_eq!(
            error("# keys\n\nk1 AAAA"),
            "fichier de clés, ligne 3 : clé de 32 octets attendue"
        );
        assert!(error("\n\nK1 x").contains("ligne 3 : identifiant de clé invalide"));
        assert!(
            error(&format!("{}{}", line("k1", 1), line("k1", 2)))
                .contains("ligne 2 : identifiant de clé en double")
        );
        assert!(error("k1").contains("ligne 1 : « <identifiant> <clé en base64> » attendu"));
        assert!(error("k1 !!!").contains("ligne 1 : clé en base64 illisible"));
        assert!(matches!(
            KeyRing::parse("# nothing"),
            Err(SealError::Empty { .. })
        ));
    }

    #[test]
    fn fingerprints_tell_keys_apart_and_never_show_the_key() {
        let one = KeyRing::parse(&line("k1", 1)).unwrap();
        let again = KeyRing::parse(&line("k1", 1)).unwrap();
        let other = KeyRing::parse(&line("k1", 2)).unwrap();
        let print = |ring: &KeyRing| ring.fingerprint_of("k1").unwrap().to_string();
        assert_eq!(print(&one), print(&again));
        assert_ne!(print(&one), print(&other));
        assert_eq!(print(&one).len(), 32);
        assert!(!print(&one).contains(&BASE64.encode([1u8; KEY_LEN])));
        assert_ne!(
            one.backup_secret("k1").unwrap().as_str(),
            other.backup_secret("k1").unwrap().as_str()
        );
    }

    #[test]
    fn key_material_is_never_printed() {
        let printed = format!("{:?}", ring());
        assert_eq!(printed, r#"KeyRing { key_ids: ["k1"] }"#);
    }

    #[test]
    fn key_files_are_created_once_private_and_extended_with_fresh_ids() {
        let folder = tempfile_dir();
        let path = folder.join("passerelle.key");
        assert_eq!(
            KeyRing::generate_file(&path).unwrap().current_key_id(),
            "k1"
        );
        assert!(KeyRing::generate_file(&path).is_err(), "never overwritten");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A retired k2 is gone and the last line has no newline: the next key is k4, on its own line.
        std::fs::write(
            &path,
            format!("{}{}", line("k1", 1), line("k3", 3).trim_end()),
        )
        .unwrap();
        let ring = KeyRing::add_key(&path).unwrap();
        assert_eq!(ring.key_ids().collect::<Vec<_>>(), ["k1", "k3", "k4"]);
        std::fs::remove_dir_all(folder).unwrap();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let folder = std::env::temp_dir().join(format!("seal-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir(&folder).unwrap();
        folder
    }

    proptest! {
        #[test]
        fn any_bytes_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            prop_assert!(ring().open(&bytes, "t.c:1").is_err());
        }

        #[test]
        fn any_bytes_behind_a_valid_header_fail_cleanly(
            id_len in 0u8..=255,
            tail in proptest::collection::vec(any::<u8>(), 0..120),
        ) {
            let mut bytes = vec![FORMAT_VERSION, id_len];
            bytes.extend_from_slice(b"k1");
            bytes.extend_from_slice(&tail);
            prop_assert!(ring().open(&bytes, "t.c:1").is_err());
        }

        #[test]
        fn any_altered_byte_is_refused(position in any::<prop::sample::Index>(), flip in 1u8..=255) {
            let ring = ring();
            let mut sealed = ring.seal(b"secret", "t.c:1");
            let at = position.index(sealed.len());
            sealed[at] ^= flip;
            prop_assert!(ring.open(&sealed, "t.c:1").is_err());
        }

        #[test]
        fn any_truncation_is_refused(keep in 0usize..60) {
            let ring = ring();
            let sealed = ring.seal(b"secret", "t.c:1");
            prop_assert!(ring.open(&sealed[..keep.min(sealed.len() - 1)], "t.c:1").is_err());
        }
    }
}
