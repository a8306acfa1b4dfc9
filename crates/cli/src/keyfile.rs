//! The key file that seals sensitive fields and keys the journal's links: created on first
//! run readable by its owner only, in a folder only its owner can enter, never overwritten.

use anyhow::Context;
use passerelle_store::seal::{KeyRing, SealError};
use std::path::Path;

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
