//! The second factor: TOTP (RFC 6238) codes from an authenticator app, one-time recovery
//! codes. The TOTP secret is stored sealed; a time step is accepted once (no replay).

use crate::AppState;
use crate::http::error::{WebError, WebResult};
use passerelle_store::identity::account::AccountRow;
use passerelle_store::identity::second_factor::{Code, CodeOutcome};
use passerelle_store::seal::associated_data;
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Totp};

pub const ISSUER: &str = "Passerelle";
const RECOVERY_CODES: usize = 10;
/// Without look-alike characters (0/O, 1/l/I), for codes copied by hand.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// What the page says about a refused code.
pub fn message(outcome: CodeOutcome) -> &'static str {
    match outcome {
        CodeOutcome::Accepted { .. } => "",
        CodeOutcome::Wrong => {
            "Code incorrect : saisissez les 6 chiffres affichés par votre application, ou un code de secours."
        }
        CodeOutcome::Replayed => {
            "Ce code a déjà été utilisé : attendez que votre application en affiche un nouveau."
        }
    }
}

pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    secret
}

pub fn totp(secret: &[u8], email: &str) -> WebResult<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret.to_vec())
        .with_issuer(Some(ISSUER))
        .with_account_name(email.replace(':', "_"))
        .build()
        .map_err(|error| WebError::Internal(anyhow::anyhow!("totp: {error:?}")))
}

fn associated(account_id: &str) -> String {
    associated_data("accounts", "totp_secret_sealed", account_id)
}

pub fn seal_secret(state: &AppState, account_id: &str, secret: &[u8]) -> Vec<u8> {
    state.keys.seal(secret, &associated(account_id))
}

pub fn open_secret(
    state: &AppState,
    account: &AccountRow,
) -> WebResult<zeroize::Zeroizing<Vec<u8>>> {
    let sealed = account
        .totp_secret_sealed
        .as_deref()
        .ok_or_else(|| WebError::Internal(anyhow::anyhow!("no TOTP secret")))?;
    state
        .keys
        .open(sealed, &associated(account.id.as_str()))
        .map_err(|error| WebError::Internal(anyhow::anyhow!("TOTP secret: {error}")))
}

/// The time step a code belongs to (now, or one step before or after), if it is right.
pub fn matching_step(totp: &Totp, code: &str, now_unix: u64) -> Option<i64> {
    totp.check(code, now_unix)
        .and_then(|step| i64::try_from(step).ok())
}

fn now_unix() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

/// The code without spaces or dashes, lower-cased.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub fn recovery_hash(account_id: &str, code: &str) -> String {
    // Recovery codes carry 50 random bits: a fast hash, salted by the account, is enough.
    Sha256::digest(format!("{account_id}:{}", normalise(code)).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..10)
                .map(|_| {
                    RECOVERY_ALPHABET[(rng.next_u32() as usize) % RECOVERY_ALPHABET.len()] as char
                })
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// What a typed code is for an account with the second factor enabled: a TOTP code of a
/// time step (checked against the secret here, which needs the keys), a recovery code
/// (hashed), or wrong. The store then consumes it, atomically, in the transaction that
/// counts the attempt (`passerelle_store::identity::login::check_code`).
pub fn code_of(state: &AppState, account: &AccountRow, code: &str) -> WebResult<Code> {
    let code = normalise(code);
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        let secret = open_secret(state, account)?;
        let totp = totp(&secret, &account.email)?;
        return Ok(match matching_step(&totp, &code, now_unix()) {
            Some(step) => Code::Step(step),
            None => Code::Wrong,
        });
    }
    if code.len() == 10 {
        return Ok(Code::Recovery(recovery_hash(account.id.as_str(), &code)));
    }
    Ok(Code::Wrong)
}

/// The enrolment QR code, as inline SVG (no image request, nothing leaves the page).
pub fn qr_svg(totp: &Totp) -> WebResult<String> {
    let url = totp
        .to_url()
        .map_err(|error| WebError::Internal(anyhow::anyhow!("totp url: {error:?}")))?;
    let code = qrcode::QrCode::new(url.as_bytes())
        .map_err(|error| WebError::Internal(anyhow::anyhow!("qr: {error}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build()
        // The XML prolog has no place inside an HTML page.
        .replacen(r#"<?xml version="1.0" standalone="yes"?>"#, "", 1))
}

pub fn secret_base32(totp: &Totp) -> String {
    totp.secret().to_base32()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_step_and_its_neighbours_only() {
        let totp = totp(&[7u8; 20], "a@b.fr").unwrap();
        let now = 1_790_000_000u64;
        let code = totp.generate(now).to_string();
        assert_eq!(matching_step(&totp, &code, now), Some((now / 30) as i64));
        assert!(
            matching_step(&totp, &code, now + 30).is_some(),
            "one step of clock skew tolerated"
        );
        assert_eq!(matching_step(&totp, &code, now + 90), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_the_same_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(
            codes
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            10
        );
        assert_eq!(
            recovery_hash("a", &codes[0]),
            recovery_hash("a", &codes[0].to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_hash("a", &codes[0]), recovery_hash("b", &codes[0]));
    }
}
