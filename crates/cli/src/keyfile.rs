//! The key file that will seal sensitive fields: created on first run, never overwritten.

use anyhow::Context;
use base64::Engine;
use rand::RngCore;
use std::io::Write;
use std::path::Path;

/// Makes sure a key file exists at `path`, creating one with a fresh random key if needed.
/// Returns true when it was created, so the caller can warn that it must be backed up.
pub fn ensure_key_file(path: &Path) -> anyhow::Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("impossible de créer le dossier « {} »", parent.display()))?;
    }
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let line = format!("k1 {}\n", base64::engine::general_purpose::STANDARD.encode(key));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("impossible de créer le fichier de clés « {} »", path.display()))?;
    file.write_all(line.as_bytes())?;
    Ok(true)
}
