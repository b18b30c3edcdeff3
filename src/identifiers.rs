//! Book identifiers, one set of rules for everyone: the sources reading what servers hold, the
//! matcher comparing them with Hardcover's editions, and the client looking editions up.
//!
//! Servers hold whatever users typed: ISBNs with hyphens or an `ISBN:` prefix, an ISBN-10 in a
//! field called `isbn`, lowercase ASINs. An ISBN whose check digit is wrong is no ISBN: it would
//! match the wrong book, which is worse than matching by title. Pure functions, fuzzed
//! (`fuzz/fuzz_targets/identifiers.rs`).

/// ISBN-13 and ISBN-10 for one raw value. A valid ISBN-10 also yields its ISBN-13 and a 978 ISBN-13
/// its ISBN-10, because Hardcover editions may carry either one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Isbns {
    pub isbn13: Option<String>,
    pub isbn10: Option<String>,
}

/// Both forms of a raw ISBN (either length; hyphens, spaces, `ISBN`, `urn:isbn:` allowed).
pub fn isbns(raw: &str) -> Isbns {
    match isbn(raw) {
        Some(s) if s.len() == 13 => {
            let isbn10 = s.strip_prefix("978").map(|body| {
                let body = &body[..9];
                format!("{body}{}", isbn10_check(body))
            });
            Isbns { isbn13: Some(s), isbn10 }
        }
        Some(s) => Isbns { isbn13: isbn10_to_13(&s), isbn10: Some(s) },
        None => Isbns::default(),
    }
}

/// A raw ISBN in its canonical form (digits and a final `X`, same length), if it is a valid one.
pub fn isbn(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .trim()
        .trim_start_matches("urn:isbn:")
        .trim_start_matches("ISBN")
        .trim_start_matches(':')
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}' | '\u{2011}' | '\u{2013}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (is_isbn13(&cleaned) || is_isbn10(&cleaned)).then_some(cleaned)
}

/// ISBN-10 → ISBN-13 (978 prefix, new check digit), so an ISBN-10 finds editions that only carry
/// the 13-digit form.
pub fn isbn10_to_13(raw: &str) -> Option<String> {
    let ten = isbn(raw).filter(|s| s.len() == 10)?;
    let body = format!("978{}", &ten[..9]);
    let check = isbn13_check(&body);
    Some(format!("{body}{check}"))
}

/// Amazon's ASIN: ten letters or digits, compared upper case.
pub fn asin(raw: &str) -> Option<String> {
    let s = raw.trim().to_ascii_uppercase();
    (s.len() == 10 && s.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(s)
}

fn is_isbn13(s: &str) -> bool {
    s.len() == 13
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s.starts_with("978") || s.starts_with("979"))
        && isbn13_check(&s[..12]) == s.as_bytes()[12] as char
}

fn is_isbn10(s: &str) -> bool {
    s.len() == 10
        && s.as_bytes()[..9].iter().all(u8::is_ascii_digit)
        && (s.as_bytes()[9].is_ascii_digit() || s.as_bytes()[9] == b'X')
        && isbn10_check(&s[..9]) == s.as_bytes()[9] as char
}

/// Check digit for the first 12 digits of an ISBN-13 (weights 1, 3, 1, 3, …).
fn isbn13_check(first12: &str) -> char {
    let sum: u32 = first12.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// Check digit for the first 9 digits of an ISBN-10 (weights 10 down to 2, mod 11, 10 is `X`).
fn isbn10_check(first9: &str) -> char {
    let sum: u32 = first9.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * (10 - i as u32)).sum();
    match (11 - sum % 11) % 11 {
        10 => 'X',
        d => char::from(b'0' + d as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn13_with_hyphens_gives_both_forms() {
        let i = isbns("978-0-306-40615-7");
        assert_eq!(i.isbn13.as_deref(), Some("9780306406157"), "hyphens must be stripped");
        assert_eq!(i.isbn10.as_deref(), Some("0306406152"), "a 978 ISBN-13 must also yield its ISBN-10");
        assert_eq!(isbns("urn:isbn:9780306406157"), i, "a URN prefix is not part of the number");
    }

    #[test]
    fn isbn10_in_an_isbn_field_is_converted() {
        let i = isbns("0-8044-2957-x");
        assert_eq!(i.isbn10.as_deref(), Some("080442957X"), "a trailing X is a valid ISBN-10 check digit");
        assert_eq!(i.isbn13.as_deref(), Some("9780804429573"), "an ISBN-10 must also yield its ISBN-13");
        assert_eq!(isbn10_to_13("0-306-40615-2").as_deref(), Some("9780306406157"), "the check digit is recomputed");
        assert_eq!(isbn10_to_13("9780306406157"), None, "only an ISBN-10 converts");
    }

    #[test]
    fn invalid_isbns_give_nothing() {
        assert_eq!(isbns("9780306406158"), Isbns::default(), "a bad check digit must be rejected");
        assert_eq!(isbn("0306406153"), None, "a bad ISBN-10 check digit must be rejected");
        assert_eq!(isbn("12345"), None, "a short number is not an ISBN");
        assert_eq!(isbns("hello"), Isbns::default());
        assert_eq!(isbns(""), Isbns::default());
        let i = isbns("979-10-90636-07-1");
        assert_eq!(i.isbn13.as_deref(), Some("9791090636071"));
        assert_eq!(i.isbn10, None, "a 979 ISBN-13 has no ISBN-10");
    }

    #[test]
    fn asins_are_canonical() {
        assert_eq!(asin(" b0testasin ").as_deref(), Some("B0TESTASIN"), "ASINs compare upper case, trimmed");
        assert_eq!(asin("short"), None);
        assert_eq!(asin("B00-ABCDEF"), None, "an ASIN is letters and digits only");
    }
}
