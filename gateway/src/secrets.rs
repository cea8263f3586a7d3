//! The token secret: configured, or generated once into the data directory.
use crate::settings::{Secret, Settings};
use crate::startup_error::StartupError;
use rand::RngCore;

/// The configured secret, or in the embedded default one generated once and kept in the data
/// directory (readable by its owner only), so tokens survive a restart.
pub fn jwt_secret(settings: &Settings) -> Result<Secret, StartupError> {
    if let Some(secret) = &settings.jwt_secret {
        if secret.expose().len() < 32 {
            return Err(StartupError::Config(
                "CHAT_JWT_SECRET must be at least 32 characters".to_owned(),
            ));
        }
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(Secret::new(existing.trim()));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &secret)?;
    tracing::info!(path = %path.display(), "generated a JWT secret");
    Ok(Secret::new(secret))
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}
