//! Where to go after logging in (`suite`): only a plain path of this site, never another one.
//!
//! Browsers are lenient when they read a `Location`: they drop tabs and newlines, read `\` as
//! `/`, and take `//host` as another site. So a target is followed only when it is, both as
//! sent and once more percent-decoded, a path that starts with a single `/`, and holds no
//! backslash, no control character and (as sent) no whitespace. Anything else goes to `/`.

/// Longer targets are not ours (our own paths with their filters stay far below).
const MAX_LEN: usize = 2000;

/// The target to follow after login: `next` if it is a plain local path, else `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if is_local_path(path) => path.to_string(),
        _ => "/".to_string(),
    }
}

/// Whether `path` can only lead to a page of this site.
pub fn is_local_path(path: &str) -> bool {
    path.len() <= MAX_LEN
        && plain(path)
        && !path.chars().any(char::is_whitespace)
        // Double-encoded tricks (`/%2F%2Fevil.example`, `/%09/…`) are refused too: some
        // proxy or browser along the way may decode once more.
        && plain(&percent_decoded(path))
}

fn plain(path: &str) -> bool {
    let mut chars = path.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !path.chars().any(|c| c == '\\' || c.is_control())
}

/// `path` with its `%XX` sequences decoded once (invalid UTF-8 becomes U+FFFD).
fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                // Two hex digits make one byte: high * 16 + low <= 255.
                decoded.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                index += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Paths whose last segments are a credential: an invitation, a forgotten password's link.
const CREDENTIAL_PATHS: [&str; 2] = ["/invitation/", "/mot-de-passe-oublie/"];

/// The path as the server's logs may show it: a link that is itself a credential is cut
/// before its token, so that whoever reads the logs cannot use it.
pub fn logged_path(path: &str) -> std::borrow::Cow<'_, str> {
    match CREDENTIAL_PATHS
        .iter()
        .find(|prefix| path.len() > prefix.len() && path.starts_with(*prefix))
    {
        Some(prefix) => format!("{prefix}…").into(),
        None => path.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_audit_forms_and_their_cousins_go_home() {
        for hostile in [
            "/\t/evil.example",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/\n/evil.example",
            "/comptes\r\nSet-Cookie: x=y",
            "/%09/evil.example",
            "/%2F%2Fevil.example",
            "/%5Cevil.example",
            "/ /evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(MAX_LEN)))), "/");
    }

    #[test]
    fn our_own_paths_are_followed() {
        for own in [
            "/",
            "/comptes",
            "/dossiers/0192?statut=ouvert&q=Dupont%20Jean",
            "/recherche?q=caf%C3%A9#resultats",
            "/postes/abc/presence",
        ] {
            assert_eq!(safe_next(Some(own)), own);
        }
    }

    /// What a browser makes of a `Location`: the URL resolved against the page it is on.
    fn resolved(location: &str) -> Option<reqwest::Url> {
        reqwest::Url::parse("https://passerelle.example/connexion")
            .ok()?
            .join(location)
            .ok()
    }

    proptest! {
        #[test]
        fn whatever_is_followed_stays_on_this_site(
            next in prop_oneof![
                any::<String>(),
                "[/\\\\\t\n\r %0-9A-Fa-f:.@a-z]{0,12}",
                "/[/\\\\\t\n\r %0-9A-Fa-f:.@a-z]{0,12}",
            ]
        ) {
            let target = safe_next(Some(&next));
            let url = resolved(&target).unwrap();
            prop_assert_eq!(url.scheme(), "https");
            prop_assert_eq!(url.host_str(), Some("passerelle.example"), "{:?}", target);
            prop_assert!(
                axum::http::HeaderValue::try_from(target.as_str()).is_ok(),
                "a valid header: {:?}", target
            );
            if target != "/" {
                prop_assert_eq!(&target, &next);
            }
        }

        #[test]
        fn plain_paths_are_kept(path in "(/[a-z0-9._~-]{1,12}){1,4}(\\?[a-z]{1,6}=[a-z0-9%]{0,8})?") {
            let decoded_is_plain = plain(&percent_decoded(&path));
            prop_assert_eq!(safe_next(Some(&path)) == path, decoded_is_plain);
        }
    }

    #[test]
    fn credential_links_are_cut_in_the_logs() {
        assert_eq!(
            logged_path("/mot-de-passe-oublie/0190-ab/0123abcd"),
            "/mot-de-passe-oublie/…"
        );
        assert_eq!(logged_path("/invitation/abcdef"), "/invitation/…");
        assert_eq!(logged_path("/mot-de-passe-oublie"), "/mot-de-passe-oublie");
        assert_eq!(logged_path("/dossiers/12"), "/dossiers/12");
    }
}
