//! What an account is made of: an e-mail address as login, a display name, a password that
//! follows the rules, and the session timeouts.

use crate::ParseError;
use time::{Duration, OffsetDateTime};

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const SESSION_IDLE_TIMEOUT: Duration = Duration::minutes(30);
pub const SESSION_ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// Consecutive failed logins that lock a login name, and for how long.
pub const LOCKOUT_THRESHOLD: i64 = 5;
pub const LOCKOUT_DURATION: Duration = Duration::minutes(15);
/// Failed logins from one network address, whatever the names tried, that block that
/// address for the same duration: a slower guesser cycling through many names.
pub const ADDRESS_LOCKOUT_THRESHOLD: i64 = 30;
/// How long the link of a forgotten password works, once.
pub const PASSWORD_RESET_VALIDITY: Duration = Duration::minutes(30);
/// Resets asked per address typed, and per client network address, within the window: more
/// are not sent (per address, silently: the answer never tells whether the address exists).
pub const PASSWORD_RESETS_PER_EMAIL: i64 = 3;
pub const PASSWORD_RESETS_PER_NETWORK_ADDRESS: i64 = 10;
pub const PASSWORD_RESET_WINDOW: Duration = Duration::hours(1);
/// How long a device trusted for a shift spares the second factor, counted from the moment
/// the second factor was given on it: never longer.
pub const TRUSTED_DEVICE_DURATION: Duration = Duration::hours(12);

/// A login: an e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let email = text.trim().to_lowercase();
        let error = |reason: &str| ParseError::new("adresse électronique", reason.to_string());
        if email.is_empty() {
            return Err(error("elle est obligatoire"));
        }
        if email.chars().count() > 254 {
            return Err(error("elle dépasse 254 caractères"));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(error(
                "il manque le « @ » (exemple : prenom.nom@interieur.gouv.fr)",
            ));
        };
        let valid_domain = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty()
            || !valid_domain
            || email
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
            || domain.contains('@')
        {
            return Err(error(
                "elle n'a pas la forme d'une adresse (exemple : prenom.nom@interieur.gouv.fr)",
            ));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name shown for an account: 1 to 100 printable characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let name = text.trim();
        let error = |reason: &str| ParseError::new("nom", reason.to_string());
        if name.is_empty() {
            return Err(error("il est obligatoire"));
        }
        if name.chars().count() > 100 {
            return Err(error("il dépasse 100 caractères"));
        }
        if name.chars().any(char::is_control) {
            return Err(error("il contient des caractères invisibles"));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a new password: length, and not a common or easily guessed one (zxcvbn's lists of
/// common passwords, words and patterns; `user_inputs` are the person's e-mail and name).
pub fn check_new_password(password: &str, user_inputs: &[&str]) -> Result<(), ParseError> {
    let error = |reason: String| ParseError::new("mot de passe", reason);
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(error(format!(
            "il doit compter au moins {PASSWORD_MIN_CHARS} caractères"
        )));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(error(format!(
            "il ne doit pas dépasser {PASSWORD_MAX_CHARS} caractères"
        )));
    }
    // The person's own words, whole and split ("jeanne.exemple@…" gives "jeanne", "exemple").
    let words: Vec<&str> = user_inputs
        .iter()
        .flat_map(|input| {
            std::iter::once(*input).chain(input.split(|c: char| !c.is_alphanumeric()))
        })
        .filter(|word| word.chars().count() >= 3)
        .collect();
    let lowered = password.to_lowercase();
    if words
        .iter()
        .any(|word| word.chars().count() >= 4 && lowered.contains(&word.to_lowercase()))
    {
        return Err(error(
            "il ne doit pas contenir votre nom ni votre adresse électronique".to_string(),
        ));
    }
    let estimate = zxcvbn::zxcvbn(password, &words);
    if (estimate.score() as u8) < 3 {
        return Err(error("il est trop courant ou trop facile à deviner : choisissez une phrase de plusieurs mots sans rapport entre eux".to_string()));
    }
    Ok(())
}

/// Why a session is over, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    Idle,
    Absolute,
}

pub fn session_end(
    created: OffsetDateTime,
    last_seen: OffsetDateTime,
    now: OffsetDateTime,
) -> Option<SessionEnd> {
    if now - created >= SESSION_ABSOLUTE_TIMEOUT {
        Some(SessionEnd::Absolute)
    } else if now - last_seen >= SESSION_IDLE_TIMEOUT {
        Some(SessionEnd::Idle)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Jeanne.Exemple@Interieur.Gouv.FR ")
                .unwrap()
                .as_str(),
            "jeanne.exemple@interieur.gouv.fr"
        );
        for bad in [
            "",
            "jeanne",
            "jeanne@",
            "@gouv.fr",
            "a@b",
            "a b@gouv.fr",
            "a@@gouv.fr",
            "a@gouv..fr",
        ] {
            assert_eq!(
                Email::parse(bad).unwrap_err().field,
                "adresse électronique",
                "{bad}"
            );
        }
        assert!(
            Email::parse(&format!("{}@gouv.fr", "a".repeat(250)))
                .unwrap_err()
                .reason
                .contains("254")
        );
    }

    #[test]
    fn common_and_short_passwords_are_refused() {
        for weak in [
            "motdepasse12",
            "azertyuiop123",
            "password1234",
            "123456789012",
            "gendarmerie2024",
        ] {
            assert!(check_new_password(weak, &[]).is_err(), "{weak}");
        }
        assert!(
            check_new_password("court", &[])
                .unwrap_err()
                .reason
                .contains("12")
        );
        assert!(
            check_new_password(&"x".repeat(129), &[])
                .unwrap_err()
                .reason
                .contains("128")
        );
        assert!(
            check_new_password(
                "jeanne.exemple2024",
                &["jeanne.exemple@interieur.gouv.fr", "Jeanne Exemple"]
            )
            .is_err()
        );
        assert!(check_new_password("cheval agrafe lumière boussole", &[]).is_ok());
    }

    #[test]
    fn sessions_end_after_30_idle_minutes_or_12_hours() {
        let start = datetime!(2026-11-28 08:00 UTC);
        assert_eq!(
            session_end(start, start, start + Duration::minutes(29)),
            None
        );
        assert_eq!(
            session_end(start, start, start + Duration::minutes(30)),
            Some(SessionEnd::Idle)
        );
        let busy = start + Duration::hours(11) + Duration::minutes(59);
        assert_eq!(session_end(start, busy, busy + Duration::seconds(30)), None);
        assert_eq!(
            session_end(start, busy, start + Duration::hours(12)),
            Some(SessionEnd::Absolute)
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics(text in "\\PC{0,300}") {
            let _ = Email::parse(&text);
            let _ = DisplayName::parse(&text);
            let _ = check_new_password(&text, &[]);
        }
    }
}
