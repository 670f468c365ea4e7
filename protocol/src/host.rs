//! The `Host` header of requests to the gateway and the console, read strictly for their DNS-rebinding checks.

use std::net::Ipv6Addr;

/// The host of a `Host` header value without its port, or `None` when the value is not `host [":" port]`
/// (RFC 9110 section 7.2).
///
/// The host is a bracketed IPv6 address (answered with its brackets, for example `[::1]`) or a name or IPv4
/// address made of letters, digits, `-`, `.` and `_`; the port is 1 to 5 digits up to 65535. Anything else is
/// refused rather than cut down to something that looks allowed: `[::1]evil.com` is not `[::1]`.
pub fn host_name(header: &str) -> Option<&str> {
    let (name, port) = match header.strip_prefix('[') {
        Some(rest) => {
            let end = rest.find(']')?;
            rest[..end].parse::<Ipv6Addr>().ok()?;
            header.split_at(end + 2)
        }
        None => {
            let (name, port) = header.split_at(header.find(':').unwrap_or(header.len()));
            let name_byte = |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_');
            if name.is_empty() || !name.bytes().all(name_byte) {
                return None;
            }
            (name, port)
        }
    };
    if !port.is_empty() {
        let digits = port.strip_prefix(':')?;
        let valid = (1..=5).contains(&digits.len())
            && digits.bytes().all(|byte| byte.is_ascii_digit())
            && digits.parse::<u32>().is_ok_and(|port| port <= 65_535);
        if !valid {
            return None;
        }
    }
    Some(name)
}

/// Whether `name` (as [`host_name`] answers it) is this machine's loopback interface: `localhost`, an IPv4
/// loopback address, or `[::1]` in any spelling.
pub fn is_loopback_name(name: &str) -> bool {
    match name.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
        Some(address) => address.parse::<Ipv6Addr>().is_ok_and(|address| address.is_loopback()),
        None => {
            name.eq_ignore_ascii_case("localhost")
                || name.parse::<std::net::Ipv4Addr>().is_ok_and(|address| address.is_loopback())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{host_name, is_loopback_name};

    #[test]
    fn hosts_and_ports_are_split() {
        for (header, name) in [
            ("127.0.0.1", "127.0.0.1"),
            ("127.0.0.1:6000", "127.0.0.1"),
            ("localhost:1", "localhost"),
            ("LOCALHOST", "LOCALHOST"),
            ("[::1]", "[::1]"),
            ("[::1]:6000", "[::1]"),
            ("[0:0:0:0:0:0:0:1]:65535", "[0:0:0:0:0:0:0:1]"),
            ("gateway.lan:0", "gateway.lan"),
            ("my_host-1.example", "my_host-1.example"),
        ] {
            assert_eq!(host_name(header), Some(name), "{header}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for header in [
            "",
            ":6000",
            "[::1]evil.com",
            "[::1]:6000evil",
            "[::1]:evil.com",
            "[::1]:",
            "[::1",
            "[]",
            "[evil.com]",
            "[::1]]",
            "[[::1]]",
            "::1",
            "127.0.0.1:",
            "127.0.0.1:65536",
            "127.0.0.1:123456",
            "127.0.0.1:6000:7000",
            "127.0.0.1:-1",
            "127.0.0.1:+80",
            "127.0.0.1 :6000",
            " 127.0.0.1",
            "127.0.0.1@evil.com",
            "evil.com/127.0.0.1",
            "user:pass@127.0.0.1",
            "[fe80::1%25eth0]",
        ] {
            assert_eq!(host_name(header), None, "{header:?}");
        }
    }

    #[test]
    fn loopback_names() {
        for name in ["localhost", "LocalHost", "127.0.0.1", "127.3.2.1", "[::1]", "[0:0:0:0:0:0:0:1]"] {
            assert!(is_loopback_name(name), "{name}");
        }
        for name in ["evil.example", "10.0.0.1", "[::2]", "[::ffff:10.0.0.1]", "127.0.0.1.evil.example", "127.1", "::1"]
        {
            assert!(!is_loopback_name(name), "{name}");
        }
    }
}
