//! Addresses taken from a request: where sign-in sends the user on to, and every redirect
//! built from what a user typed or a URL carried.

/// Only a path on this site may be a destination after sign-in. Browsers drop tabs and line
/// breaks from a URL and read a backslash as a slash, so `/\t/evil.example` or
/// `/\evil.example` would leave the site as `//evil.example`: anything but printable ASCII
/// is refused outright (a browser sends a path percent-encoded), as is a second leading
/// slash. Whatever is refused goes to the Workers screen.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

fn is_local_path(n: &str) -> bool {
    let b = n.as_bytes();
    b.first() == Some(&b'/')
        && b.get(1) != Some(&b'/')
        && b.iter().all(|c| (0x21..=0x7e).contains(c) && *c != b'\\')
}

/// A value a `Location` header can hold: every byte outside printable ASCII (a space, a line
/// break, a NUL, any UTF-8) percent-encoded. A redirect built from request text then cannot
/// fail, nor split the header.
pub fn header_safe(location: &str) -> String {
    let mut out = String::with_capacity(location.len());
    for b in location.bytes() {
        if (0x21..=0x7e).contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_destinations() {
        for ok in ["/", "/view-cos?family_name=Smith&page=2", "/view-cos/C1A2B3C4D5E", "/view-cos/%2F%2Fx"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        // Known bypasses: each is read by some browser as another site, or is no path at all.
        for bad in [
            "//evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "/\n/evil.example",
            "/\r/evil.example", "\t//evil.example", " //evil.example", "/ /evil.example", "/\u{0}/evil.example",
            "/\u{b}/evil.example", "/\u{c}/evil.example", "/\u{7f}/evil.example", "https://evil.example",
            "http:/evil.example", "javascript:alert(1)", "evil.example", "", "/\u{3000}/evil.example",
            "/\u{ff0f}evil.example", "/a\\b", "//", "///evil.example",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn redirects_hold_only_header_safe_bytes() {
        assert_eq!(header_safe("/view-cos?q=a b\r\nSet-Cookie: x"), "/view-cos?q=a%20b%0D%0ASet-Cookie:%20x");
        assert_eq!(header_safe("/é\u{0}"), "/%C3%A9%00");
        assert_eq!(header_safe("/view-cos/C1A2B3C4D5E?q=%2F"), "/view-cos/C1A2B3C4D5E?q=%2F");
    }
}
