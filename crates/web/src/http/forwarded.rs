//! The client's address behind reverse proxies. A forwarding header is believed only when the
//! connection comes from a trusted proxy, and read from the right: each trusted hop appended
//! the address it saw, so the first untrusted address from the right is the client; anything
//! further left was written by the client itself and may be forged.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// Which header the trusted proxies write. Only one is read: a proxy that appends to one
/// passes the other through untouched, so reading both would let a client forge its address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, most load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
}

impl std::str::FromStr for ForwardedHeader {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Ok(Self::XForwardedFor),
            "forwarded" => Ok(Self::Forwarded),
            other => Err(format!(
                "en-tête « {other} » inconnu : x-forwarded-for ou forwarded attendu"
            )),
        }
    }
}

/// The proxies whose forwarding headers are believed (addresses or networks).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    /// Parses `10.0.0.0/8, 192.0.2.7, ::1, fd00::/8`; an empty text trusts no one.
    pub fn parse(text: &str, header: ForwardedHeader) -> Result<Self, String> {
        let networks = text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| {
                        format!("mandataire de confiance « {entry} » : adresse IP ou réseau CIDR attendu")
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { networks, header })
    }

    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.networks.iter().any(|net| net.contains(&address))
    }

    /// The client's address: the TCP peer's, unless the peer is a trusted proxy; then the
    /// rightmost untrusted hop of the forwarding header. An unreadable hop stops the walk at
    /// the trusted proxy that reported it (the last address known to be true).
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops = match self.header {
            ForwardedHeader::XForwardedFor => header_values(headers, "x-forwarded-for")
                .flat_map(|line| line.split(','))
                .map(parse_hop)
                .collect::<Vec<_>>(),
            ForwardedHeader::Forwarded => header_values(headers, "forwarded")
                .flat_map(|line| line.split(','))
                .map(forwarded_for)
                .collect(),
        };
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop {
                Some(address) if self.trusts(address) => client = address,
                Some(address) => return address,
                None => return client,
            }
        }
        client
    }
}

fn header_values<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(name)
        .iter()
        // A header that is not text is unreadable as a whole: one unreadable hop.
        .map(|value| value.to_str().unwrap_or("?"))
}

/// One hop: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`, possibly
/// quoted; `unknown`, obfuscated names and anything else give None.
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(address.to_canonical());
    }
    if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        return inside.parse::<IpAddr>().ok().map(|a| a.to_canonical());
    }
    let (host, port) = text.rsplit_once(':')?;
    if !is_port(port) {
        return None;
    }
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The `for=` of one element of a `Forwarded` header (`for=192.0.2.1;proto=https`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
        .and_then(|(_, value)| parse_hop(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use proptest::prelude::*;

    fn headers(name: &'static str, values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn trusted(text: &str) -> TrustedProxies {
        TrustedProxies::parse(text, ForwardedHeader::XForwardedFor).unwrap()
    }

    #[test]
    fn addresses_and_networks_of_both_families_parse() {
        let proxies = trusted(" 10.0.0.0/8, 192.0.2.7 ,::1, fd00::/8,");
        for inside in ["10.1.2.3", "192.0.2.7", "::1", "fd12::5", "::ffff:10.9.9.9"] {
            assert!(proxies.trusts(ip(inside)), "{inside}");
        }
        for outside in ["11.0.0.1", "192.0.2.8", "::2", "fe80::1"] {
            assert!(!proxies.trusts(ip(outside)), "{outside}");
        }
        assert!(trusted("").is_empty());
        let error = TrustedProxies::parse("10.0.0.0/33", ForwardedHeader::Forwarded).unwrap_err();
        assert!(error.contains("10.0.0.0/33"), "{error}");
        assert!(TrustedProxies::parse("proxy.example", ForwardedHeader::Forwarded).is_err());
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let forged = headers("x-forwarded-for", &["198.51.100.9"]);
        assert_eq!(
            trusted("10.0.0.0/8").client_address(ip("203.0.113.5"), &forged),
            ip("203.0.113.5")
        );
        assert_eq!(
            TrustedProxies::default().client_address(ip("127.0.0.1"), &forged),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_hop() {
        let proxies = trusted("10.0.0.0/8");
        // The client forged the first entry; the balancer appended what it saw.
        let chain = headers("x-forwarded-for", &["6.6.6.6, 203.0.113.5", "10.0.0.3"]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.2"), &chain),
            ip("203.0.113.5")
        );
        let ported = headers("x-forwarded-for", &["[2001:db8::7]:4711, 198.51.100.2:80"]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.2"), &ported),
            ip("198.51.100.2")
        );
        // Only proxies: the furthest of them.
        let inner = headers("x-forwarded-for", &["10.5.5.5, 10.0.0.3"]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.2"), &inner),
            ip("10.5.5.5")
        );
        // No header: the proxy itself.
        assert_eq!(
            proxies.client_address(ip("10.0.0.2"), &HeaderMap::new()),
            ip("10.0.0.2")
        );
        // An unreadable hop: the trusted proxy that reported it.
        let garbage = headers("x-forwarded-for", &["203.0.113.5, unknown, 10.0.0.3"]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.2"), &garbage),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn the_forwarded_header_is_read_only_when_chosen() {
        let proxies = TrustedProxies::parse("127.0.0.1", ForwardedHeader::Forwarded).unwrap();
        let mut both = headers(
            "forwarded",
            &[r#"for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https;by=127.0.0.1"#],
        );
        both.append("x-forwarded-for", HeaderValue::from_static("198.51.100.1"));
        assert_eq!(
            proxies.client_address(ip("127.0.0.1"), &both),
            ip("2001:db8:cafe::17")
        );
        assert_eq!(
            trusted("127.0.0.1").client_address(ip("127.0.0.1"), &both),
            ip("198.51.100.1")
        );
        let obfuscated = headers("forwarded", &["for=_hidden"]);
        assert_eq!(
            proxies.client_address(ip("127.0.0.1"), &obfuscated),
            ip("127.0.0.1")
        );
    }

    fn any_ip() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            any::<[u8; 4]>().prop_map(IpAddr::from),
            any::<[u16; 8]>().prop_map(|s| IpAddr::from(s).to_canonical()),
        ]
    }

    proptest! {
        #[test]
        fn a_client_behind_trusted_proxies_is_found_whatever_it_forged_before(
            forged in proptest::collection::vec(any_ip(), 0..4),
            client in any_ip(),
            proxies in proptest::collection::vec(0u8..=255, 0..4),
            peer in 0u8..=255,
        ) {
            prop_assume!(!matches!(client, IpAddr::V4(v4) if v4.octets()[0] == 10));
            let trusted = trusted("10.0.0.0/8");
            let chain: Vec<String> = forged
                .iter()
                .chain(std::iter::once(&client))
                .map(ToString::to_string)
                .chain(proxies.iter().map(|p| format!("10.0.0.{p}")))
                .collect();
            let map = headers("x-forwarded-for", &[chain.join(", ").as_str()]);
            prop_assert_eq!(trusted.client_address(ip(&format!("10.0.1.{peer}")), &map), client);
            // The same chain from an untrusted peer changes nothing.
            prop_assert_eq!(trusted.client_address(client, &map), client);
        }

        #[test]
        fn any_header_text_gives_an_address_without_panicking(text in "\\PC{0,80}") {
            let trusted = trusted("0.0.0.0/0, ::/0");
            if let Ok(value) = HeaderValue::from_str(&text) {
                for name in ["x-forwarded-for", "forwarded"] {
                    let mut map = HeaderMap::new();
                    map.insert(name, value.clone());
                    let _ = trusted.client_address(ip("127.0.0.1"), &map);
                }
            }
        }

        #[test]
        fn every_written_address_reads_back(address in any_ip(), port in 1u16..) {
            prop_assert_eq!(parse_hop(&address.to_string()), Some(address));
            let with_port = std::net::SocketAddr::new(address, port).to_string();
            prop_assert_eq!(parse_hop(&with_port), Some(address));
            prop_assert_eq!(forwarded_for(&format!("for=\"{with_port}\";proto=https")), Some(address));
        }
    }
}
