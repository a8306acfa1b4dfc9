//! The key file that seals sensitive fields and keys the journal's links: created on first
//! run readable by its owner only, in a folder only its owner can enter, never overwritten.

use anyhow::Context;
use passerelle_store::Db;
use passerelle_store::seal::key_guard::{self, Refusal};
use passerelle_store::seal::{KeyRing, SealError};
use std::path::Path;

/// Whether a command may create the key file when it is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Only for an empty database (nothing sealed, no journal, no key recorded).
    CreateIfEmpty,
    /// Never: the command checks or extends existing data.
    Refuse,
}

/// The key ring of `path`, checked against what `db` holds: refused, with one French line
/// saying which key is missing or wrong, when it cannot open the sealed data or the journal
/// (or does not match the fingerprints recorded); a missing file is created only for an empty
/// database. The ring's fingerprints are recorded, so the next start is checked too.
pub async fn open_key_ring(db: &Db, path: &Path, missing: Missing) -> anyhow::Result<KeyRing> {
    if !path.exists() {
        let needs = key_guard::needs(db).await?;
        if !needs.is_empty() {
            let ids = if needs.key_ids.is_empty() {
                String::new()
            } else {
                format!(" (clé {})", needs.key_ids.join(", "))
            };
            anyhow::bail!(
                "le fichier de clés « {} » est absent, et cette base contient déjà des données \
                 scellées ou un journal signé{ids} : une nouvelle clé ne pourrait pas les ouvrir \
                 — restaurez le fichier de clés sauvegardé avec la base, ou indiquez-le avec \
                 --key-file (PASSERELLE_KEY_FILE)",
                path.display()
            );
        }
        anyhow::ensure!(
            missing == Missing::CreateIfEmpty,
            "fichier de clés « {} » absent : indiquez le bon fichier avec --key-file \
             (ou PASSERELLE_KEY_FILE)",
            path.display()
        );
        if ensure_key_file(path)? {
            eprintln!(
                "attention : fichier de clés créé dans {} — sauvegardez-le à part : sans lui, les données scellées sont illisibles.",
                path.display()
            );
        }
    }
    let ring = load_key_ring(path)?;
    check_key_ring(db, &ring, path).await?;
    Ok(ring)
}

/// [`key_guard::check_and_record`] with the refusal as one French line naming the file.
pub async fn check_key_ring(db: &Db, ring: &KeyRing, path: &Path) -> anyhow::Result<()> {
    match key_guard::check_and_record(db, ring).await? {
        Ok(()) => Ok(()),
        Err(refusal) => Err(anyhow::anyhow!(refusal_message(&refusal, path))),
    }
}

pub fn refusal_message(refusal: &Refusal, path: &Path) -> String {
    let what = match refusal {
        Refusal::Missing(ids) if ids.len() == 1 => format!("il manque la clé {}", ids[0]),
        Refusal::Missing(ids) => format!("il manque les clés {}", ids.join(", ")),
        Refusal::Different(id) => format!(
            "sa clé {id} n'est pas celle qui a scellé ces données (fichier d'une autre \
             installation, ou régénéré)"
        ),
    };
    format!(
        "le fichier de clés « {} » ne peut pas ouvrir les données de cette base : {what} — \
         restaurez le fichier de clés sauvegardé avec la base, ou indiquez-le avec --key-file \
         (PASSERELLE_KEY_FILE)",
        path.display()
    )
}

/// Makes sure a key file exists at `path`, creating one with a fresh random key if needed
/// (mode 0600; a missing folder is created with mode 0700).
/// Returns true when it was created, so the caller can warn that it must be backed up.
pub fn ensure_key_file(path: &Path) -> anyhow::Result<bool> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        passerelle_store::db::create_private_dir(parent)
            .with_context(|| format!("impossible de créer le dossier « {} »", parent.display()))?;
    }
    // Creation itself decides (create_new), not a prior exists() check: two servers
    // starting together on a shared folder must not both write a key.
    match KeyRing::generate_file(path) {
        Ok(_) => Ok(true),
        Err(SealError::File { source, .. })
            if source.kind() == std::io::ErrorKind::AlreadyExists =>
        {
            Ok(false)
        }
        Err(error) => Err(error.into()),
    }
}

/// The key file given, or `passerelle.key` in the data folder.
pub fn key_file_path(
    given: Option<&Path>,
    database: &crate::config::DatabaseArgs,
) -> std::path::PathBuf {
    given
        .map(Path::to_path_buf)
        .unwrap_or_else(|| database.data_dir().join("passerelle.key"))
}

/// Reads the key ring; its errors name the file and the line.
pub fn load_key_ring(path: &Path) -> anyhow::Result<KeyRing> {
    Ok(KeyRing::load(path)?)
}

/// Reads a key ring that must already exist (commands that check or extend the data).
pub fn load_existing_key_ring(path: &Path) -> anyhow::Result<KeyRing> {
    anyhow::ensure!(
        path.exists(),
        "fichier de clés « {} » absent : indiquez le bon fichier avec --key-file \
         (ou PASSERELLE_KEY_FILE)",
        path.display()
    );
    load_key_ring(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_key_file_and_its_folder_are_private() {
        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("donnees");
        let path = folder.join("passerelle.key");
        assert!(ensure_key_file(&path).unwrap());
        assert!(!ensure_key_file(&path).unwrap(), "never overwritten");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&folder), 0o700);
    }
}
