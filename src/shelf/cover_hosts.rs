//! Where covers may be downloaded from: Hardcover's image hosts, and the origin of the
//! configured API itself (the emulator in tests and demo mode). Nothing else, and never a
//! loopback, private or link-local address behind an allowed name: a cover URL is data from a
//! server, and must not make the app knock on the user's router, printer or local services.

use std::net::IpAddr;

use url::{Host, Url};

/// Hardcover's image hosts, as its cover URLs name them (*unverified* beyond the URLs seen in
/// Hardcover's answers: keep this list the one place to extend).
const IMAGE_HOSTS: &[&str] = &["assets.hardcover.app", "hardcover.app"];

/// Google Cloud Storage serves older Hardcover images, under Hardcover's own bucket only.
const STORAGE_HOST: &str = "storage.googleapis.com";
const STORAGE_BUCKET: &str = "/hardcover/";

/// The allow-list for one configuration.
#[derive(Debug, Clone)]
pub struct CoverHosts {
    api_origin: Option<url::Origin>,
}

impl CoverHosts {
    /// Hardcover's image hosts plus the origin of `api_url` (`scrobbling.hardcover.api_url`).
    pub fn new(api_url: &Url) -> Self {
        Self { api_origin: Some(api_url.origin()).filter(url::Origin::is_tuple) }
    }

    /// Hardcover's image hosts only.
    pub fn hardcover_only() -> Self {
        Self { api_origin: None }
    }

    /// Whether `url` may be fetched, judged by its text alone (see [`Self::resolves_publicly`]).
    pub fn allows(&self, url: &Url) -> bool {
        if self.is_api_origin(url) {
            return true;
        }
        if url.scheme() != "https" || url.port().is_some_and(|p| p != 443) {
            return false;
        }
        match url.host() {
            Some(Host::Domain(d)) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                IMAGE_HOSTS.contains(&d.as_str())
                    || d.ends_with(".hardcover.app")
                    || (d == STORAGE_HOST && url.path().starts_with(STORAGE_BUCKET))
            }
            // An address literal is never one of Hardcover's image hosts.
            _ => false,
        }
    }

    /// The configured API's own origin: the app talks to it anyway, whatever its address.
    pub fn is_api_origin(&self, url: &Url) -> bool {
        self.api_origin.as_ref().is_some_and(|o| *o == url.origin())
    }

    /// For an allowed name: every address it resolves to is public (a name that points into the
    /// local network is refused). The API origin is trusted as configured.
    pub async fn resolves_publicly(&self, url: &Url) -> bool {
        if self.is_api_origin(url) {
            return true;
        }
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else { return false };
        match tokio::net::lookup_host((host, port)).await {
            Ok(addrs) => {
                let addrs: Vec<_> = addrs.collect();
                !addrs.is_empty() && addrs.iter().all(|a| is_public(a.ip()))
            }
            // Unresolvable: the download would fail anyway; let it say so (offline).
            Err(_) => true,
        }
    }
}

/// Not loopback, private, link-local, unspecified, multicast or otherwise local.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                // 100.64.0.0/10, carrier-grade NAT: someone's local network too.
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn only_hardcovers_image_hosts_and_the_configured_api_are_allowed() {
        let hosts = CoverHosts::new(&url("http://127.0.0.1:8123/v1/graphql"));
        for ok in [
            "https://assets.hardcover.app/edition/1/cover.jpg",
            "https://ASSETS.hardcover.app./edition/1/cover.jpg",
            "https://storage.googleapis.com/hardcover/images/1.jpg",
            "http://127.0.0.1:8123/covers/1.png",
        ] {
            assert!(hosts.allows(&url(ok)), "{ok} must be allowed");
        }
        for refused in [
            "http://assets.hardcover.app/edition/1/cover.jpg",
            "https://assets.hardcover.app:8443/edition/1/cover.jpg",
            "https://assets.hardcover.app.evil.example/cover.jpg",
            "https://evilhardcover.app/cover.jpg",
            "https://storage.googleapis.com/someone-else/1.jpg",
            "https://example.com/cover.jpg",
            "http://127.0.0.1:8124/covers/1.png",
            "http://localhost:8123/covers/1.png",
            "http://10.0.0.1/cover.jpg",
            "http://192.168.1.1/cover.jpg",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/cover.jpg",
            "http://[fe80::1]/cover.jpg",
            "https://0.0.0.0/cover.jpg",
            "file:///etc/passwd",
        ] {
            assert!(!hosts.allows(&url(refused)), "{refused} must be refused");
        }
        assert!(
            !CoverHosts::hardcover_only().allows(&url("http://127.0.0.1:8123/covers/1.png")),
            "without a configured API on loopback, loopback is never allowed"
        );
    }

    #[test]
    fn local_addresses_are_not_public() {
        for local in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.0.10",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:192.168.0.1",
        ] {
            assert!(!is_public(local.parse().unwrap()), "{local} must count as local");
        }
        for public in ["151.101.1.1", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public} is public");
        }
    }

    #[tokio::test]
    async fn a_name_resolving_to_a_local_address_is_refused() {
        let hosts = CoverHosts::hardcover_only();
        assert!(
            !hosts.resolves_publicly(&url("http://localhost:9/cover.png")).await,
            "a name that resolves to loopback must be refused"
        );
    }
}
