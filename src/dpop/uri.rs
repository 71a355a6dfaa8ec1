//! Comparing a proof's `htu` with the request URI (RFC 9449 section 4.3 step 9): both
//! without query and fragment, after the syntax-based normalisation of RFC 3986 sections
//! 6.2.2 and 6.2.3: scheme and host compared without case, the scheme's default port the same
//! as no port, an empty path the same as `/`, percent-encodings compared by the octet they
//! encode with unreserved characters the same as their encoding, and hex digits without
//! case. Nothing is allocated: both URIs are walked side by side.
//!
//! Paths with `.` or `..` segments are refused rather than resolved: a client never needs
//! them in an `htu`, and resolving them would let two spellings name one resource.

/// The parts of an absolute `http` or `https` URI that `htu` matching compares.
#[derive(Debug, Clone, Copy)]
struct Parts<'a> {
    https: bool,
    host: &'a [u8],
    port: u16,
    path: &'a [u8],
}

/// Whether `htu` and `request` name the same resource (rules above); `false` for either
/// that is not an absolute `http`/`https` URI with a host, has user information, a bad port,
/// a malformed percent-encoding or a dot segment.
pub(super) fn same_resource(htu: &str, request: &str) -> bool {
    let (Some(a), Some(b)) = (parts(htu.as_bytes()), parts(request.as_bytes())) else {
        return false;
    };
    a.https == b.https
        && a.port == b.port
        && same_octets(a.host, b.host, true)
        && same_octets(a.path, b.path, false)
}

fn parts(uri: &[u8]) -> Option<Parts<'_>> {
    let colon = uri.iter().position(|&b| b == b':')?;
    let (scheme, rest) = uri.split_at(colon);
    let https = if scheme.eq_ignore_ascii_case(b"https") {
        true
    } else if scheme.eq_ignore_ascii_case(b"http") {
        false
    } else {
        return None;
    };
    let rest = rest.strip_prefix(b"://")?;
    // The query and the fragment are not compared.
    let end = rest
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(rest.len());
    let rest = rest.get(..end)?;
    let slash = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(slash);
    if authority.contains(&b'@') {
        return None;
    }
    let (host, port) = match authority.strip_prefix(b"[") {
        // An IP literal: `[...]`, then an optional port.
        Some(literal) => {
            let close = literal.iter().position(|&b| b == b']')?;
            let (address, after) = literal.split_at(close);
            (address, after.get(1..)?)
        }
        None => {
            let colon = authority
                .iter()
                .position(|&b| b == b':')
                .unwrap_or(authority.len());
            let (host, after) = authority.split_at(colon);
            (host, after)
        }
    };
    if host.is_empty() {
        return None;
    }
    let default_port = if https { 443 } else { 80 };
    let port = match port {
        [] | [b':'] => default_port,
        [b':', digits @ ..] if digits.len() <= 5 && digits.iter().all(u8::is_ascii_digit) => {
            let value = digits
                .iter()
                .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
            u16::try_from(value).ok()?
        }
        _ => return None,
    };
    let path: &[u8] = if path.is_empty() { b"/" } else { path };
    if has_dot_segment(path)? {
        return None;
    }
    Some(Parts {
        https,
        host,
        port,
        path,
    })
}

/// One unit of a URI component after normalisation: an octet written as itself (or an
/// unreserved character written percent-encoded), or an octet that stays percent-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Literal(u8),
    Encoded(u8),
}

/// The normalised units of a component; `None` marks a malformed percent-encoding.
fn units(component: &[u8]) -> impl Iterator<Item = Option<Unit>> + '_ {
    let mut rest = component;
    core::iter::from_fn(move || {
        let (&first, tail) = rest.split_first()?;
        if first != b'%' {
            rest = tail;
            return Some(Some(Unit::Literal(first)));
        }
        let octet = match tail {
            [high, low, ..] => hex(*high).zip(hex(*low)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        rest = tail.get(2..).unwrap_or_default();
        Some(octet.map(
            |octet| match octet.is_ascii_alphanumeric() || b"-._~".contains(&octet) {
                true => Unit::Literal(octet),
                false => Unit::Encoded(octet),
            },
        ))
    })
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Whether two components are the same after normalisation (`fold_case`: the host, whose
/// letters have no case).
fn same_octets(a: &[u8], b: &[u8], fold_case: bool) -> bool {
    let fold = |unit: Unit| match (unit, fold_case) {
        (Unit::Literal(octet), true) => Unit::Literal(octet.to_ascii_lowercase()),
        (unit, _) => unit,
    };
    let mut a = units(a);
    let mut b = units(b);
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(Some(x)), Some(Some(y))) if fold(x) == fold(y) => {}
            _ => return false,
        }
    }
}

/// Whether a path has a `.` or `..` segment, in any spelling; `None` when it has a malformed
/// percent-encoding.
fn has_dot_segment(path: &[u8]) -> Option<bool> {
    for segment in path.split(|&b| b == b'/') {
        let mut dots = 0usize;
        let mut other = false;
        for unit in units(segment) {
            match unit? {
                Unit::Literal(b'.') => dots += 1,
                _ => other = true,
            }
        }
        if !other && (dots == 1 || dots == 2) {
            return Some(true);
        }
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::same_resource;

    #[test]
    fn equivalent_spellings_name_the_same_resource() {
        let base = "https://server.example.com/token";
        for same in [
            "https://server.example.com/token",
            "HTTPS://Server.Example.COM/token",
            "https://server.example.com:443/token",
            "https://server.example.com:/token",
            "https://server.example.com/%74oken",
            "https://server.example.com/token?query=1",
            "https://server.example.com/token#fragment",
            "https://server.example.com/token?q#f",
        ] {
            assert!(same_resource(same, base), "{same}");
            assert!(same_resource(base, same), "{same}");
        }
        assert!(same_resource("http://a.example", "http://A.EXAMPLE:80/"));
        assert!(same_resource("http://a.example/%7e", "http://a.example/~"));
        assert!(same_resource(
            "http://a.example/%2f",
            "http://a.example/%2F"
        ));
        assert!(same_resource("http://[::1]:8080/x", "http://[::1]:8080/x"));
    }

    #[test]
    fn different_resources_and_malformed_uris_do_not_match() {
        let base = "https://server.example.com/token";
        for other in [
            "http://server.example.com/token",
            "https://server.example.com:8443/token",
            "https://server.example.com/Token",
            "https://server.example.com/token/",
            "https://other.example.com/token",
            "https://server.example.com/%2Ftoken",
            "https://user@server.example.com/token",
            "https://server.example.com:99999/token",
            "https://server.example.com:44a/token",
            "https://server.example.com/to%6ken",
            "https://server.example.com/token%",
            "https://server.example.com/./token",
            "https://server.example.com/a/../token",
            "https://server.example.com/%2e%2E/token",
            "ftp://server.example.com/token",
            "server.example.com/token",
            "https:///token",
            "",
        ] {
            assert!(!same_resource(other, base), "{other}");
            assert!(!same_resource(base, other), "{other}");
        }
        // An encoded reserved character is not the character itself.
        assert!(!same_resource(
            "http://a.example/a%2Fb",
            "http://a.example/a/b"
        ));
    }
}
