//! Sealing of sensitive fields: XChaCha20-Poly1305 with a key ring read from a key file.
//! The associated data binds a ciphertext to its place (`table.column:row_id`), so a value
//! copied to another row or column does not open. The key id travels in the ciphertext, so
//! old values still open after a new key is added, until `passerelle rekey` re-seals them.

use crate::{Db, StoreError};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

const FORMAT_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("fichier de clés « {path} » illisible : {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("fichier de clés, ligne {line} : {reason}")]
    Line { line: usize, reason: &'static str },
    #[error("fichier de clés vide : aucune clé")]
    Empty,
    #[error("valeur scellée illisible (format inconnu ou tronqué)")]
    Malformed,
    #[error("valeur scellée avec la clé « {0} », absente du fichier de clés")]
    UnknownKey(String),
    #[error("valeur scellée altérée, ou déplacée d'un autre enregistrement")]
    Tampered,
}

/// The associated data of a sealed column value.
pub fn associated_data(table: &str, column: &str, row_id: &str) -> String {
    format!("{table}.{column}:{row_id}")
}

struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

/// The keys of the installation; the last one seals, all of them open.
pub struct KeyRing {
    keys: Vec<Key>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key material.
        f.debug_struct("KeyRing")
            .field(
                "key_ids",
                &self.keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn valid_id(id: &str) -> bool {
    (1..=16).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

impl KeyRing {
    /// Parses the key file's text: `<id> <base64 of 32 bytes>` per line, `#` comments.
    pub fn parse(text: &str) -> Result<Self, SealError> {
        let mut keys = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let number = index + 1;
            let (id, encoded) = line.split_once(' ').ok_or(SealError::Line {
                line: number,
                reason: "« identifiant clé » attendu",
            })?;
            if !valid_id(id) {
                return Err(SealError::Line {
                    line: number,
                    reason: "identifiant de clé invalide (a-z, 0-9, 16 caractères au plus)",
                });
            }
            let bytes = Zeroizing::new(
                base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .map_err(|_| SealError::Line {
                        line: number,
                        reason: "clé en base64 illisible",
                    })?,
            );
            if bytes.len() != 32 {
                return Err(SealError::Line {
                    line: number,
                    reason: "clé de 32 octets attendue",
                });
            }
            if keys.iter().any(|k: &Key| k.id == id) {
                return Err(SealError::Line {
                    line: number,
                    reason: "identifiant de clé en double",
                });
            }
            let cipher =
                XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| SealError::Line {
                    line: number,
                    reason: "clé de 32 octets attendue",
                })?;
            keys.push(Key {
                id: id.to_string(),
                cipher,
            });
        }
        if keys.is_empty() {
            return Err(SealError::Empty);
        }
        Ok(Self { keys })
    }

    pub fn load(path: &Path) -> Result<Self, SealError> {
        let text =
            Zeroizing::new(
                std::fs::read_to_string(path).map_err(|source| SealError::Read {
                    path: path.display().to_string(),
                    source,
                })?,
            );
        Self::parse(&text)
    }

    fn key_line(id: &str) -> Zeroizing<String> {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(key.as_mut());
        Zeroizing::new(format!(
            "{id} {}\n",
            base64::engine::general_purpose::STANDARD.encode(key.as_ref())
        ))
    }

    /// Creates a new key file (readable by its owner only) with one fresh key `k1`.
    pub fn generate_file(path: &Path) -> Result<Self, SealError> {
        let error = |source| SealError::Read {
            path: path.display().to_string(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(error)?;
        file.write_all(Self::key_line("k1").as_bytes())
            .map_err(error)?;
        Self::load(path)
    }

    /// Appends a fresh key (k2, k3…) that becomes the sealing key; returns the new ring.
    pub fn add_key(path: &Path) -> Result<Self, SealError> {
        let ring = Self::load(path)?;
        let next = (1..)
            .map(|n| format!("k{n}"))
            .find(|id| !ring.keys.iter().any(|k| &k.id == id))
            .unwrap_or_else(|| "k0".into());
        let error = |source| SealError::Read {
            path: path.display().to_string(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(error)?;
        file.write_all(Self::key_line(&next).as_bytes())
            .map_err(error)?;
        Self::load(path)
    }

    fn current(&self) -> &Key {
        // parse() refuses an empty ring.
        &self.keys[self.keys.len() - 1]
    }

    pub fn current_key_id(&self) -> &str {
        &self.current().id
    }

    /// version ‖ id length ‖ id ‖ nonce ‖ ciphertext and tag.
    pub fn seal(&self, plaintext: &[u8], associated: &str) -> Vec<u8> {
        let key = self.current();
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = key
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: associated.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption does not fail for in-memory buffers");
        let mut sealed = Vec::with_capacity(2 + key.id.len() + NONCE_LEN + ciphertext.len());
        sealed.push(FORMAT_VERSION);
        sealed.push(key.id.len() as u8);
        sealed.extend_from_slice(key.id.as_bytes());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// The key id a sealed value was sealed with.
    pub fn key_id_of(sealed: &[u8]) -> Result<&str, SealError> {
        let (&version, rest) = sealed.split_first().ok_or(SealError::Malformed)?;
        let (&id_len, rest) = rest.split_first().ok_or(SealError::Malformed)?;
        if version != FORMAT_VERSION || rest.len() < id_len as usize {
            return Err(SealError::Malformed);
        }
        std::str::from_utf8(&rest[..id_len as usize]).map_err(|_| SealError::Malformed)
    }

    pub fn open(&self, sealed: &[u8], associated: &str) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let id = Self::key_id_of(sealed)?;
        let start = 2 + id.len();
        if sealed.len() < start + NONCE_LEN + 16 {
            return Err(SealError::Malformed);
        }
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| SealError::UnknownKey(id.to_string()))?;
        let nonce = XNonce::try_from(&sealed[start..start + NONCE_LEN])
            .map_err(|_| SealError::Malformed)?;
        key.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed[start + NONCE_LEN..],
                    aad: associated.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Tampered)
    }

    pub fn open_string(
        &self,
        sealed: &[u8],
        associated: &str,
    ) -> Result<Zeroizing<String>, SealError> {
        let bytes = self.open(sealed, associated)?;
        String::from_utf8(bytes.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| SealError::Malformed)
    }
}

/// A column holding sealed values, with the id column its associated data names.
#[derive(Debug, Clone, Copy)]
pub struct SealedColumn {
    pub table: &'static str,
    pub id_column: &'static str,
    pub column: &'static str,
}

/// Every sealed column of the schema: `rekey` walks them all.
pub const SEALED_COLUMNS: &[SealedColumn] = &[SealedColumn {
    table: "accounts",
    id_column: "id",
    column: "totp_secret_sealed",
}];

/// Re-seals under the current key every value of `column` sealed with an older key, in
/// batches of `batch` rows, one transaction each. Returns how many values were re-sealed.
pub async fn rekey_column(
    db: &Db,
    ring: &KeyRing,
    column: &SealedColumn,
    batch: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, StoreError> {
    let SealedColumn {
        table,
        id_column,
        column: name,
    } = *column;
    // Built from the constant registry above: no user text.
    let select = format!(
        "SELECT {id_column}, {name} FROM {table} WHERE {name} IS NOT NULL AND {id_column} > $1 ORDER BY {id_column} LIMIT $2"
    );
    let update = format!("UPDATE {table} SET {name} = $1 WHERE {id_column} = $2");
    let mut after = String::new();
    let mut resealed = 0u64;
    loop {
        let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(sqlx::AssertSqlSafe(select.clone()))
            .bind(&after)
            .bind(batch as i64)
            .fetch_all(db.pool())
            .await?;
        let Some((last, _)) = rows.last() else { break };
        after = last.clone();
        let mut tx = db.begin_write().await?;
        for (id, sealed) in &rows {
            if KeyRing::key_id_of(sealed).is_ok_and(|key| key == ring.current_key_id()) {
                continue;
            }
            let associated = associated_data(table, name, id);
            let plain = ring
                .open(sealed, &associated)
                .map_err(|e| StoreError::Corrupt(format!("{table}.{name} {id} : {e}")))?;
            sqlx::query(sqlx::AssertSqlSafe(update.clone()))
                .bind(ring.seal(&plain, &associated))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            resealed += 1;
        }
        tx.commit().await?;
        progress(resealed);
    }
    Ok(resealed)
}

pub async fn rekey_all(
    db: &Db,
    ring: &KeyRing,
    batch: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, StoreError> {
    let mut total = 0;
    for column in SEALED_COLUMNS {
        total += rekey_column(db, ring, column, batch, &|n| progress(total + n)).await?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ring() -> KeyRing {
        KeyRing::parse(&format!(
            "# test\nk1 {}\n",
            base64::engine::general_purpose::STANDARD.encode([7u8; 32])
        ))
        .unwrap()
    }

    #[test]
    fn a_value_opens_only_in_its_own_place() {
        let ring = ring();
        let sealed = ring.seal(b"secret", "accounts.totp_secret_sealed:a1");
        assert_eq!(
            ring.open(&sealed, "accounts.totp_secret_sealed:a1")
                .unwrap()
                .as_slice(),
            b"secret"
        );
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
    fn key_file_errors_name_the_line() {
        assert!(
            KeyRing::parse("k1 AAAA")
                .unwrap_err()
                .to_string()
                .contains("ligne 1 : clé de 32 octets")
        );
        assert!(
            KeyRing::parse("\n\nK1 x")
                .unwrap_err()
                .to_string()
                .contains("ligne 3")
        );
        assert!(matches!(KeyRing::parse("# nothing"), Err(SealError::Empty)));
    }

    proptest! {
        #[test]
        fn any_bytes_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = ring().open(&bytes, "t.c:1");
        }
    }
}
