//! Destination policy of the relay: which ports and addresses it connects to.
//!
//! The relay runs on the user's machine, so a page that holds the token could otherwise use it to
//! reach the user's router, cloud metadata service or local daemons. By default it connects only
//! to ports 25, 465 and 587 on globally routable unicast addresses. Every address a name resolves
//! to is checked with [`special_purpose`] and the relay then connects to exactly that address
//! (no second lookup).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Ports open by default: SMTP relay (25), submissions over implicit TLS (465, RFC 8314),
/// submission (587, RFC 6409).
pub const DEFAULT_PORTS: [u16; 3] = [25, 465, 587];

/// Why an IPv4 address is not a public mail server, or `None` when it is globally routable
/// unicast. Ranges from the IANA special-purpose registry (RFC 6890) plus multicast.
pub fn special_purpose_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    let n = u32::from(ip);
    let within = |base: [u8; 4], bits: u32| {
        let mask = if bits == 0 {
            0
        } else {
            u32::MAX << (32 - bits)
        };
        n & mask == u32::from(Ipv4Addr::from(base)) & mask
    };
    Some(match () {
        _ if within([0, 0, 0, 0], 8) => "\"this network\" 0.0.0.0/8 (RFC 791)",
        _ if within([10, 0, 0, 0], 8) => "private 10.0.0.0/8 (RFC 1918)",
        _ if within([100, 64, 0, 0], 10) => "shared CGNAT space 100.64.0.0/10 (RFC 6598)",
        _ if within([127, 0, 0, 0], 8) => "loopback 127.0.0.0/8 (RFC 1122)",
        _ if within([169, 254, 0, 0], 16) => {
            "link-local 169.254.0.0/16 (RFC 3927; includes the cloud metadata address 169.254.169.254)"
        }
        _ if within([172, 16, 0, 0], 12) => "private 172.16.0.0/12 (RFC 1918)",
        _ if within([192, 0, 0, 0], 24) => "IETF protocol assignments 192.0.0.0/24 (RFC 6890)",
        _ if within([192, 0, 2, 0], 24) => "documentation 192.0.2.0/24 (RFC 5737)",
        _ if within([192, 88, 99, 0], 24) => "6to4 relay anycast 192.88.99.0/24 (RFC 7526)",
        _ if within([192, 168, 0, 0], 16) => "private 192.168.0.0/16 (RFC 1918)",
        _ if within([198, 18, 0, 0], 15) => "benchmarking 198.18.0.0/15 (RFC 2544)",
        _ if within([198, 51, 100, 0], 24) => "documentation 198.51.100.0/24 (RFC 5737)",
        _ if within([203, 0, 113, 0], 24) => "documentation 203.0.113.0/24 (RFC 5737)",
        _ if within([224, 0, 0, 0], 4) => "multicast 224.0.0.0/4 (RFC 5771)",
        _ if o == [255, 255, 255, 255] => "limited broadcast 255.255.255.255 (RFC 919)",
        _ if within([240, 0, 0, 0], 4) => "reserved 240.0.0.0/4 (RFC 1112)",
        _ => return None,
    })
}

/// Why an IPv6 address is not a public mail server, or `None` when it is globally routable
/// unicast. Only 2000::/3 is global unicast; within it the special-purpose blocks are refused, and
/// IPv4 addresses embedded in IPv6 (mapped, NAT64, 6to4) are checked as IPv4.
pub fn special_purpose_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let n = u128::from(ip);
    let within = |base: u128, bits: u32| {
        let mask = if bits == 0 {
            0
        } else {
            u128::MAX << (128 - bits)
        };
        n & mask == base & mask
    };
    let v4 = Ipv4Addr::from(n as u32);
    if within(0xffff_0000_0000, 96) && n >> 32 == 0xffff {
        // ::ffff:a.b.c.d, IPv4-mapped (RFC 4291 §2.5.5.2): the connection goes to a.b.c.d.
        return special_purpose_v4(v4)
            .map(|_| "an IPv4-mapped address (::ffff:0:0/96) of a special-purpose IPv4 address");
    }
    if n >> 32 == 0 {
        return Some(match n {
            0 => "the unspecified address :: (RFC 4291)",
            1 => "loopback ::1 (RFC 4291)",
            _ => "IPv4-compatible ::/96 (deprecated, RFC 4291 §2.5.5.1)",
        });
    }
    if within(0x0064_ff9b << 96, 96) {
        // 64:ff9b::a.b.c.d, the NAT64 well-known prefix (RFC 6052): a gateway forwards to a.b.c.d.
        return special_purpose_v4(v4)
            .map(|_| "a NAT64 address (64:ff9b::/96) of a special-purpose IPv4 address");
    }
    if within(0x0064_ff9b_0001 << 80, 48) {
        return Some("local-use NAT64 64:ff9b:1::/48 (RFC 8215)");
    }
    if s[0] == 0x2002 {
        // 2002:AABB:CCDD::/48, 6to4 (RFC 3056): the embedded IPv4 address is the tunnel end.
        let embedded = Ipv4Addr::from(((s[1] as u32) << 16) | s[2] as u32);
        return special_purpose_v4(embedded)
            .map(|_| "a 6to4 address (2002::/16) of a special-purpose IPv4 address");
    }
    Some(match () {
        _ if within(0x2001_0000 << 96, 32) => "Teredo 2001::/32 (RFC 4380)",
        _ if within(0x2001_0db8 << 96, 32) => "documentation 2001:db8::/32 (RFC 3849)",
        _ if within(0x2001_0000 << 96, 23) => "IETF protocol assignments 2001::/23 (RFC 2928)",
        _ if within(0x3fff << 112, 20) => "documentation 3fff::/20 (RFC 9637)",
        _ if within(0x0100 << 112, 64) => "discard-only 100::/64 (RFC 6666)",
        _ if within(0xfc00 << 112, 7) => "unique-local fc00::/7 (RFC 4193)",
        _ if within(0xfe80 << 112, 10) => "link-local fe80::/10 (RFC 4291)",
        _ if within(0xfec0 << 112, 10) => "site-local fec0::/10 (deprecated, RFC 3879)",
        _ if within(0xff00 << 112, 8) => "multicast ff00::/8 (RFC 4291)",
        _ if !within(0x2000 << 112, 3) => "outside global unicast 2000::/3 (RFC 4291)",
        _ => return None,
    })
}

/// Why `ip` is a special-purpose address, or `None` for a globally routable unicast address.
pub fn special_purpose(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => special_purpose_v4(v4),
        IpAddr::V6(v6) => special_purpose_v6(v6),
    }
}

/// Whether no TCP connection can ever go to `ip` (even with `--allow-private`).
fn never_connectable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast(),
        IpAddr::V6(v6) => v6.is_unspecified() || v6.is_multicast(),
    }
}

/// The relay's destination policy, built from `mailscope serve`'s flags.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Ports allowed for any public address.
    pub ports: Vec<u16>,
    /// `--allow-target HOST:PORT` pairs: exempt from the port and address checks (host compared
    /// case-insensitively, as written in the `connect` frame, or as the address connected to).
    pub allow_targets: Vec<(String, u16)>,
    /// `--allow-private`: special-purpose addresses are allowed (ports are still checked).
    pub allow_private: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            ports: DEFAULT_PORTS.to_vec(),
            allow_targets: Vec::new(),
            allow_private: false,
        }
    }
}

/// Normalises a host for comparison: lowercase, no brackets, no trailing dot.
pub fn normalize_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

impl Policy {
    /// Whether `host:port` was explicitly allowed with `--allow-target`.
    pub fn target_allowed(&self, host: &str, port: u16) -> bool {
        let host = normalize_host(host);
        self.allow_targets.iter().any(|(h, p)| {
            *p == port
                && (normalize_host(h) == host
                    || matches!((h.parse::<IpAddr>(), host.parse::<IpAddr>()), (Ok(a), Ok(b)) if a == b))
        })
    }

    /// Checks the port of a target that was not explicitly allowed.
    pub fn check_port(&self, port: u16) -> Result<(), String> {
        if self.ports.contains(&port) {
            Ok(())
        } else {
            Err(format!(
                "port {port} is not allowed: the relay connects to ports {} only. To reach a test server, start mailscope serve with --allow-target HOST:{port}",
                self.ports
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    }

    /// Checks one resolved address of a target that was not explicitly allowed.
    pub fn check_addr(&self, ip: IpAddr) -> Result<(), String> {
        if never_connectable(ip) {
            return Err(format!("{ip} cannot be connected to over TCP"));
        }
        if self.allow_private {
            return Ok(());
        }
        match special_purpose(ip) {
            None => Ok(()),
            Some(why) => Err(format!(
                "{ip} is {why}, not a public mail server. To reach servers on your own network, start mailscope serve with --allow-private or --allow-target HOST:PORT"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_purpose_ranges() {
        let denied = [
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.255",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:db8::1",
            "2001:2::1",
            "3fff::1",
            "100::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "4000::1",
            "::2",
        ];
        for ip in denied {
            let addr: IpAddr = ip.parse().unwrap();
            assert!(
                special_purpose(addr).is_some(),
                "expected {ip} to be special-purpose, got None"
            );
            assert!(Policy::default().check_addr(addr).is_err(), "{ip}");
        }
        let public = [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.0.1.1",
            "192.169.0.1",
            "198.20.0.1",
            "223.255.255.255",
            "2a00:1450:4001:80b::201a",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ];
        for ip in public {
            let addr: IpAddr = ip.parse().unwrap();
            assert_eq!(
                special_purpose(addr),
                None,
                "expected {ip} to be public, got {:?}",
                special_purpose(addr)
            );
        }
    }

    #[test]
    fn ports_and_exceptions() {
        let policy = Policy {
            ports: DEFAULT_PORTS.to_vec(),
            allow_targets: vec![("Mail.Test".into(), 2525), ("127.0.0.1".into(), 2465)],
            allow_private: false,
        };
        for port in [25, 465, 587] {
            assert!(policy.check_port(port).is_ok(), "{port}");
        }
        for port in [0, 22, 80, 443, 2525, 8025] {
            let err = policy.check_port(port).unwrap_err();
            assert!(err.contains("--allow-target"), "{err}");
        }
        assert!(policy.target_allowed("mail.test.", 2525));
        assert!(!policy.target_allowed("mail.test", 25));
        assert!(policy.target_allowed("127.0.0.1", 2465));
        assert!(!policy.target_allowed("127.0.0.2", 2465));
        let private = Policy {
            allow_private: true,
            ..Policy::default()
        };
        assert!(private.check_addr("10.0.0.1".parse().unwrap()).is_ok());
        assert!(private.check_addr("224.0.0.1".parse().unwrap()).is_err());
        assert!(private.check_addr("0.0.0.0".parse().unwrap()).is_err());
    }
}
