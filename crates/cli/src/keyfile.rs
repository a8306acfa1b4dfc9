//! The key file that seals sensitive fields: created on first run, never overwritten.

use anyhow::Context;
use passerelle_store::seal::KeyRing;
use std::path::Path;

/// Makes sure a key file exists at `path`, creating one with a fresh random key if needed.
/// Returns true when it was created, so the caller can warn that it must be backed up.
pub fn ensure_key_file(path: &Path) -> anyhow::Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("impossible de créer le dossier « {} »", parent.display()))?;
    }
    KeyRing::generate_file(path)?;
    Ok(true)
}

pub fn load_key_ring(path: &Path) -> anyhow::Result<KeyRing> {
    Ok(KeyRing::load(path)?)
}
