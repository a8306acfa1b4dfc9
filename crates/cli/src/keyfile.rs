//! The key file that seals sensitive fields: created on first run, never overwritten.

use anyhow::Context;
use passerelle_store::seal::{KeyRing, SealError};
use std::path::Path;

/// Makes sure a key file exists at `path`, creating one with a fresh random key if needed.
/// Returns true when it was created, so the caller can warn that it must be backed up.
pub fn ensure_key_file(path: &Path) -> anyhow::Result<bool> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
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
